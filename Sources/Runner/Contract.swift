import Foundation

// The runner does not link the learner's code (so that `swift run course`
// starts even when a lesson does not compile, and can show the compiler's
// message itself). It talks to the grader executable, `course-grader`, which
// does. These are the runner's side of that contract; `RunnerTests` checks
// that they agree with the Grading library's side.

/// The outcome of grading one exercise (the same values as `Grading.Verdict`).
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case passed
    case failed
    case notStarted = "not-started"
    case crashed
    case timedOut = "timed-out"
    case compileError = "compile-error"

    /// ✓ ✗ · 💥 ⏱ ⚠
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

/// One exercise's grade (the same JSON as `Grading.GradeReport`).
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

/// The grading child's protocol, seeds, and crash reports.
public enum GraderContract {
    /// The product that holds the learner's code and the graders.
    public static let graderProduct = "course-grader"
    /// The line a grading child prints (`ChildGrader.reportPrefix`).
    public static let reportPrefix = "@@dlfs-report "
    /// `SWIFT_BACKTRACE` for a child (`CrashReport.backtraceSettings`): a
    /// symbolicated backtrace of the crashed thread, with file:line.
    public static let backtraceSettings = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"
    /// `DLFS_SEED` replays a run (`Seed.environmentVariable`).
    public static let seedVariable = "DLFS_SEED"

    /// The report in a child's output, or nil (a crash).
    public static func parseReport(standardOutput: String) -> GradeReport? {
        guard let line = standardOutput.split(separator: "\n").last(where: { $0.hasPrefix(reportPrefix) }) else { return nil }
        return try? JSONDecoder().decode(GradeReport.self, from: Data(line.dropFirst(reportPrefix.count).utf8))
    }

    /// `DLFS_SEED`, or a fresh seed below 2^53 (as `Seed.forThisRun`).
    public static func seedForThisRun() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment[seedVariable], let seed = UInt64(text) { return seed }
        let micros = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        return (micros ^ (UInt64(ProcessInfo.processInfo.processIdentifier) << 20)) & ((1 << 53) - 1)
    }

    /// "crashed (signal 4, SIGILL): Fatal error: … \n  at Lessons/…swift:21" (as `CrashReport.summarize`).
    public static func summarizeCrash(standardError: String, exitDescription: String) -> String {
        let lines = standardError.split(separator: "\n").map(String.init)
        let fatal = lines.first { $0.contains("Fatal error") || $0.contains("Precondition failed") || $0.contains("Assertion failed") }
        var summary = "crashed (\(exitDescription))"
        if let fatal { summary += ": " + String(fatal.drop { $0 == " " }) }
        if let place = learnerLocation(in: lines) { summary += "\n  at " + place }
        return summary
    }

    /// The first `Lessons/…swift:line` in a backtrace (as `CrashReport.learnerLocation`).
    public static func learnerLocation(in lines: [String]) -> String? {
        for line in lines {
            guard let range = line.range(of: "Lessons/") else { continue }
            let rest = line[range.lowerBound...]
            let end = rest.firstIndex(where: { $0 == " " || $0 == ")" || $0 == "," }) ?? rest.endIndex
            let place = String(rest[..<end])
            if place.contains(".swift:") {
                let parts = place.split(separator: ":")
                return parts.count >= 2 ? "\(parts[0]):\(parts[1])" : place
            }
        }
        return nil
    }

    /// A number for a message: `20`, `0.5`, `1.5e-07`.
    public static func short(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e6 { return String(Int(x)) }
        if abs(x) >= 1e4 || abs(x) < 1e-3 { return String(format: "%.2e", x) }
        return String(format: "%.4g", x)
    }
}
