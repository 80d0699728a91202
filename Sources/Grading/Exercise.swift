import CourseKit
import Foundation

/// One exercise: what the learner implements, how to help, and how it is graded.
public struct Exercise: Sendable, Identifiable, CustomStringConvertible {
    /// `lessonkey.name`, e.g. `activations.sigmoid`.
    public let id: String
    /// The lesson folder, e.g. `01-activations`.
    public let lesson: String
    public let title: String
    /// The file the learner edits, relative to the lesson folder.
    public let file: String
    /// The declarations the exercise covers, e.g. `sigmoidForward(_:)`.
    public let declarations: [String]
    /// The hint ladder: concept → where to look → nearly the code.
    public let hints: [String]
    /// What is checked, with the thresholds, as the learner reads it.
    public let standard: String
    /// Wrong implementations learners actually write; each must fail.
    public let mistakes: [Variant]
    /// Correct implementations written differently from the reference; each must pass.
    public let alternatives: [Variant]

    let checkLearner: @Sendable (inout GradingContext) throws -> Void
    let checkReference: @Sendable (inout GradingContext) throws -> Void

    /// `Lessons/<lesson>/<file>`.
    public var lessonPath: String { "Lessons/\(lesson)/\(file)" }
    /// `Solutions/<lesson>/<file>`.
    public var solutionPath: String { "Solutions/\(lesson)/\(file)" }

    public var description: String { id }
}

/// A named implementation of one exercise other than the learner's or the
/// reference: a known mistake, or a correct rewrite.
public struct Variant: Sendable, CustomStringConvertible {
    public let exerciseID: String
    public let name: String
    /// For a mistake, what a learner is told when their output matches it.
    public let explanation: String
    let check: @Sendable (inout GradingContext) throws -> Void

    public var description: String { "\(exerciseID): \(name)" }
}

/// A way an implementation can differ from the reference: a name, an
/// explanation, and the change to the lesson's set of functions.
public struct Change<Functions: Sendable>: Sendable {
    public let name: String
    public let explanation: String
    public let apply: @Sendable (inout Functions) -> Void

    public init(_ name: String, _ explanation: String = "", _ apply: @escaping @Sendable (inout Functions) -> Void) {
        self.name = name
        self.explanation = explanation
        self.apply = apply
    }
}

/// What a check compares the candidate with: the reference, and the known
/// mistakes (to name the learner's mistake when their output matches one).
public struct Peers<Functions: Sendable>: Sendable {
    public let reference: Functions
    public let mistakes: [(explanation: String, functions: Functions)]

    /// The known mistakes evaluated lazily on the same inputs.
    public func suspects(_ output: @escaping @Sendable (Functions) -> Tensor) -> [Suspect] {
        mistakes.map { mistake in Suspect(mistake.explanation) { output(mistake.functions) } }
    }

    /// The known mistakes that also reproduce the candidate's other outputs,
    /// evaluated on the same inputs: a mistake that changes the weights does
    /// not explain a wrong bias when the weights came out right.
    public func suspects(_ output: @escaping @Sendable (Functions) -> Tensor,
                         agreeingWith others: [(output: (Functions) -> Tensor, actual: Tensor)]) -> [Suspect] {
        mistakes.filter { mistake in
            others.allSatisfy { other in Tolerance.standard.accepts(other.output(mistake.functions), other.actual) }
        }.map { mistake in Suspect(mistake.explanation) { output(mistake.functions) } }
    }
}

/// Declares an exercise over a lesson's set of functions.
public struct ExerciseSpec<Functions: Sendable>: Sendable {
    public typealias Check = @Sendable (_ candidate: Functions, _ peers: Peers<Functions>, _ context: inout GradingContext) throws -> Void

    public var id: String
    public var title: String
    public var file: String
    public var declarations: [String]
    public var hints: [String]
    public var standard: String
    public var check: Check
    public var mistakes: [Change<Functions>]
    public var alternatives: [Change<Functions>]

    public init(id: String, title: String, file: String, declarations: [String], hints: [String], standard: String,
                mistakes: [Change<Functions>], alternatives: [Change<Functions>], check: @escaping Check) {
        self.id = id
        self.title = title
        self.file = file
        self.declarations = declarations
        self.hints = hints
        self.standard = standard
        self.check = check
        self.mistakes = mistakes
        self.alternatives = alternatives
    }

    /// The exercise, with its checks bound to the learner's and the reference functions.
    public func exercise(lesson: String, learner: Functions, reference: Functions) -> Exercise {
        let check = self.check
        let mistakeFunctions: [(explanation: String, functions: Functions)] = mistakes.map { change in
            var functions = reference
            change.apply(&functions)
            return (change.explanation, functions)
        }
        let peers = Peers(reference: reference, mistakes: mistakeFunctions)
        let id = self.id
        /// Runs the checks; a failure that names known mistakes keeps each name only if that mistake
        /// also reproduces the candidate on a second run of every check, with fresh inputs.
        @Sendable func grade(_ candidate: Functions, _ context: inout GradingContext) throws {
            let start = Date()
            do {
                try check(candidate, peers, &context)
            } catch let failure as CheckFailure {
                let named = mistakeFunctions.filter { failure.diagnosis.contains("likely cause: " + $0.explanation) || failure.diagnosis.contains("or: " + $0.explanation) }
                // A replay takes about as long as a full run: skip it where it would risk the time limit.
                let budget = ChildGrader.timeLimit / 4
                guard !named.isEmpty, Date().timeIntervalSince(start) * Double(named.count + 1) < budget else { throw failure }
                var refuted: [String] = []
                for mistake in named {
                    var replay = GradingContext(seed: context.seed &+ 1, exerciseID: id)
                    replay.verifying = true
                    do { try check(candidate, Peers(reference: reference, mistakes: [mistake]), &replay) }
                    catch is Disagreement { refuted.append(mistake.explanation) }
                    catch {}   // a check other than a comparison (a gradient check, a training run): no disagreement found
                }
                throw CheckFailure(Diagnosis.removingCauses(refuted, from: failure.diagnosis))
            }
        }
        func variant(_ change: Change<Functions>) -> Variant {
            var functions = reference
            change.apply(&functions)
            let patched = functions
            return Variant(exerciseID: id, name: change.name, explanation: change.explanation) { context in
                try grade(patched, &context)
            }
        }
        return Exercise(
            id: id, lesson: lesson, title: title, file: file, declarations: declarations, hints: hints, standard: standard,
            mistakes: mistakes.map(variant), alternatives: alternatives.map(variant),
            checkLearner: { context in try grade(learner, &context) },
            checkReference: { context in try check(reference, peers, &context) })
    }
}
