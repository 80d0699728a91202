/// The outcome of grading one exercise.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case passed
    case failed
    case notStarted = "not-started"
    case crashed
    case timedOut = "timed-out"
    case compileError = "compile-error"

    /// The symbol the runner shows: ✓ ✗ · 💥 ⏱ and ⚠ for a compile error.
    public var symbol: String {
        switch self {
        case .passed: "✓"
        case .failed: "✗"
        case .notStarted: "·"
        case .crashed: "💥"
        case .timedOut: "⏱"
        case .compileError: "⚠"
        }
    }
}

/// What grading one exercise found: the verdict, a message (the diagnosis
/// when it failed), and the seed that replays it (`DLFS_SEED=<seed>`).
public struct GradeReport: Codable, Sendable, Equatable {
    public var id: String
    public var verdict: Verdict
    public var message: String
    public var seed: UInt64

    public init(id: String, verdict: Verdict, message: String, seed: UInt64) {
        self.id = id
        self.verdict = verdict
        self.message = message
        self.seed = seed
    }
}

/// Thrown by a check that found the learner's code wrong; `diagnosis` says how.
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public let diagnosis: String
    public init(_ diagnosis: String) { self.diagnosis = diagnosis }
    public var description: String { diagnosis }
}
