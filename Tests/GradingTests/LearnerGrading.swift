import Foundation
import Grading
import enum Runner.BuiltExecutable
import enum Runner.ChildProcess
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Children inherit this environment: Swift's backtracer then prints
/// symbolicated frames, so a crash report can name the learner's file:line.
/// Set once (a lazily initialized global), and never over a learner's own setting.
private let symbolicatedCrashes: Void = {
    setenv("SWIFT_BACKTRACE", CrashReport.backtraceSettings, 0)
}()

/// Grades the learner's implementation of one exercise in a child process
/// (a Swift Testing exit test), so that a trap or a hang in one exercise
/// never hides the grades of the others.
///
/// - passed: the test passes;
/// - not started (the stub still calls `todo()`): the test is cancelled with
///   that reason (Swift 6.3) or passes with a note (Swift 6.2);
/// - failed, crashed or timed out: the test fails with the diagnosis.
///
/// `DLFS_EXPECT=passed` (or `not-started`) turns any other verdict into a
/// failure: the course's self-checks use it for the complete learner and for
/// a fresh clone.
func gradeLearner(_ id: String) async throws {
    _ = symbolicatedCrashes
    #if compiler(>=6.3) && !DLFS_WITHOUT_EXIT_TEST_CAPTURES
    let result = await #expect(processExitsWith: .failure, observing: [\.standardOutputContent, \.standardErrorContent]) { [id] in
        ChildGrader.run(exerciseID: id)
    }
    guard let result else { return }   // the child exited with status 0: already recorded as a failure
    let output = String(decoding: result.standardOutputContent, as: UTF8.self)
    let errors = String(decoding: result.standardErrorContent, as: UTF8.self)
    let exitDescription = "\(result.exitStatus)"
    #else
    // Swift 6.2's exit tests cannot capture the id: run the built grader as the child instead
    // (it has its own watchdog; the time limit here only guards against a grader that never starts).
    let grader = try #require(BuiltExecutable.path(named: "course-grader"),
                              "course-grader was not found next to the test bundle; set DLFS_COURSE_GRADER_BINARY")
    let run = try ChildProcess.run(grader, ["__grade", id], headLimit: 1 << 20, tailLimit: 1 << 16, timeLimit: 120)
    let (output, errors) = (run.standardOutput.text, run.standardError.text)
    let exitDescription = "\(run.termination)"
    #endif
    let report = ChildGrader.parseReport(standardOutput: output)
        ?? GradeReport(id: id, verdict: .crashed,
                       message: CrashReport.summarize(standardError: errors, exitDescription: exitDescription),
                       seed: 0)

    if let wanted = ProcessInfo.processInfo.environment["DLFS_EXPECT"].flatMap(Verdict.init(rawValue:)),
       report.verdict != wanted {
        Issue.record("DLFS_EXPECT=\(wanted.rawValue), but \(id) is \(report.verdict.rawValue): \(report.message)")
        return
    }
    switch report.verdict {
    case .passed:
        return
    case .notStarted:
        #if compiler(>=6.3)
        try Test.cancel(Comment(rawValue: "\(id) not started — \(report.message)"))
        #else
        print("· \(id) not started — \(report.message)")
        #endif
    default:
        let replay = report.seed == 0 ? "" : "\n(replay this run with DLFS_SEED=\(report.seed))"
        Issue.record(Comment(rawValue: "\(id) \(report.verdict.rawValue):\n\(report.message)\(replay)"))
    }
}
