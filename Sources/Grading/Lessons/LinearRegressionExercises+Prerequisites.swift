import CourseKit
import Foundation
import Implementations

/// The learner's later functions call their earlier ones: `mseLoss` calls
/// `predict`, `fit` calls `mseLoss` and `gradientDescentStep`, `ridgeLoss`
/// calls `mseLoss`. When such an exercise fails, the diagnosis says which of
/// those earlier functions still disagree with the reference, so a learner
/// does not hunt in `fit` for a bug that lives in `mseLoss`.
extension LinearRegressionLesson {
    /// An earlier exercise whose function this one usually calls.
    struct Prerequisite: Sendable {
        let exerciseID: String
        let function: String
        /// Whether the candidate's version agrees with the reference's on a problem.
        let agrees: @Sendable (_ candidate: F, _ reference: F, _ problem: Problem) -> Bool

        static let predict = Prerequisite(exerciseID: "linreg.predict", function: "predict") { candidate, reference, p in
            Tolerance.standard.accepts(candidate.predict(p.X, p.weights, p.bias), reference.predict(p.X, p.weights, p.bias))
        }

        static let mse = Prerequisite(exerciseID: "linreg.mse", function: "mseLoss") { candidate, reference, p in
            let got = candidate.mseLoss(p.X, p.y, p.weights, p.bias), want = reference.mseLoss(p.X, p.y, p.weights, p.bias)
            return Tolerance.standard.accepts(Tensor([got.loss, got.dBias]), Tensor([want.loss, want.dBias]))
                && Tolerance.standard.accepts(got.dWeights, want.dWeights)
        }

        static let step = Prerequisite(exerciseID: "linreg.step", function: "gradientDescentStep") { candidate, reference, p in
            let got = candidate.gradientDescentStep(p.weights, p.bias, p.weights * 0.5 - 1, 0.25, 0.1)
            let want = reference.gradientDescentStep(p.weights, p.bias, p.weights * 0.5 - 1, 0.25, 0.1)
            return Tolerance.standard.accepts(got.weights, want.weights) && Tolerance.standard.accepts(got.bias, want.bias)
        }
    }

    /// Runs an exercise's checks; when they fail, adds a note for each
    /// prerequisite whose candidate version disagrees with the reference.
    ///
    /// The learner's prerequisite may still be a stub. Their code cannot have
    /// called it (it would have stopped at its `todo()` before failing), so the
    /// note would not apply: the original diagnosis is reported as it is.
    static func noting(_ prerequisites: [Prerequisite], of exerciseID: String, candidate: F, peers: Peers<F>,
                       _ context: inout GradingContext, checks: (inout GradingContext) throws -> Void) throws {
        do {
            try checks(&context)
        } catch let failure as CheckFailure {
            let problem = randomProblem(&context, rows: 3...6, features: 1...3)
            let seed = context.seed
            let wrong = withUnfinishedCodeReportingFailure(GradeReport(id: exerciseID, verdict: .failed,
                                                                       message: failure.diagnosis, seed: seed)) {
                prerequisites.filter { !$0.agrees(candidate, peers.reference, problem) }
            }
            guard !wrong.isEmpty else { throw failure }
            let notes = wrong.map { prerequisite in
                "note: your \(prerequisite.function) does not agree with the reference yet (exercise \(prerequisite.exerciseID)). If your code calls it, the error above may come from there: pass \(prerequisite.exerciseID) first."
            }
            throw CheckFailure(([failure.diagnosis] + notes).joined(separator: "\n"))
        }
    }

    /// Runs `body`, which may reach a `todo()` in the learner's code: in a
    /// grading child (where `todo()` reports "not started") that reports
    /// `fallback` instead. Elsewhere `body` runs unchanged.
    static func withUnfinishedCodeReportingFailure<T>(_ fallback: GradeReport, _ body: () -> T) -> T {
        guard case .report = TodoPolicy.current else { return body() }
        let saved = TodoPolicy.current
        TodoPolicy.current = .report { _, _ in ChildGrader.report(fallback) }
        defer { TodoPolicy.current = saved }
        return body()
    }
}
