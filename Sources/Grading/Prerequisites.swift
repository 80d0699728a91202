import CourseKit

/// An earlier exercise whose function a later one usually calls: `fit` calls
/// `mseLoss`, `logisticRegressionStep` calls `binaryCrossEntropyWithLogits`.
public struct Prerequisite<Functions: Sendable>: Sendable {
    public let exerciseID: String
    public let function: String
    /// Whether the candidate's version agrees with the reference's on inputs it draws itself.
    public let agrees: @Sendable (_ candidate: Functions, _ reference: Functions, _ context: inout GradingContext) -> Bool

    public init(exerciseID: String, function: String,
                agrees: @escaping @Sendable (Functions, Functions, inout GradingContext) -> Bool) {
        self.exerciseID = exerciseID
        self.function = function
        self.agrees = agrees
    }
}

extension GradingContext {
    /// Runs an exercise's checks; when they fail, adds a note for each
    /// prerequisite whose candidate version disagrees with the reference, so a
    /// learner does not hunt in `fit` for a bug that lives in `mseLoss`.
    ///
    /// The learner's prerequisite may still be a stub. Their code cannot have
    /// called it (it would have stopped at its `todo()` before failing), so no
    /// note applies: the original diagnosis is reported as it is.
    public mutating func noting<Functions>(_ prerequisites: [Prerequisite<Functions>], of exerciseID: String,
                                           candidate: Functions, reference: Functions,
                                           checks: (inout GradingContext) throws -> Void) throws {
        do {
            try checks(&self)
        } catch let failure as CheckFailure {
            let fallback = GradeReport(id: exerciseID, verdict: .failed, message: failure.diagnosis, seed: seed)
            var wrong: [Prerequisite<Functions>] = []
            withUnfinishedCodeReporting(fallback) {
                for prerequisite in prerequisites where !prerequisite.agrees(candidate, reference, &self) {
                    wrong.append(prerequisite)
                }
            }
            guard !wrong.isEmpty else { throw failure }
            let notes = wrong.map { prerequisite in
                "note: your \(prerequisite.function) does not agree with the reference yet (exercise \(prerequisite.exerciseID)). If your code calls it, the error above may come from there: pass \(prerequisite.exerciseID) first."
            }
            throw CheckFailure(([failure.diagnosis] + notes).joined(separator: "\n"))
        }
    }
}

/// Runs `body`, which may reach a `todo()` in the learner's code: in a
/// grading child (where `todo()` reports "not started") that reports
/// `fallback` instead. Elsewhere `body` runs unchanged.
func withUnfinishedCodeReporting(_ fallback: GradeReport, _ body: () -> Void) {
    guard case .report = TodoPolicy.current else { return body() }
    let saved = TodoPolicy.current
    TodoPolicy.current = .report { _, _ in ChildGrader.report(fallback) }
    defer { TodoPolicy.current = saved }
    body()
}
