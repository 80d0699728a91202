import Foundation
import Grading
import enum Runner.BuiltExecutable
import enum Runner.ChildProcess
import struct Runner.Renderer
import enum Runner.Verdict
import Stubs
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

/// Grades the learner's implementation of the exercise this test is named
/// after, in a child process (a Swift Testing exit test), so that a trap or a
/// hang in one exercise never hides the grades of the others.
///
/// The exercise id comes from the test's own name: the suite
/// `Lesson01_activations` and the test function `sigmoid()` grade
/// `activations.sigmoid` (see the comment at the top of
/// `Lesson01ActivationsExercises.swift`).
///
/// - passed: the test passes;
/// - not started (the stub still calls `todo()`): the test is cancelled with
///   that reason (Swift 6.3) or passes with a note (Swift 6.2);
/// - failed, crashed or timed out: the test fails with the diagnosis, located
///   at the learner's `file:line` (the crash site when the runtime names it,
///   otherwise the exercise's function in its lesson file).
///
/// Every verdict is recorded for the summary printed when `swift test` ends.
///
/// `DLFS_EXPECT=passed` (or `not-started`) turns any other verdict into a
/// failure: CI uses it for the complete learner and for a fresh clone.
func gradeLearner() async throws {
    guard let id = LearnerTests.exerciseID(of: Test.current) else {
        Issue.record("gradeLearner() must be called from a test function named after an exercise, in a suite named LessonNN_<id prefix>")
        return
    }
    guard let exercise = Catalog.exercise(id: id) else {
        Issue.record("there is no exercise \(id) in the catalog: name the suite LessonNN_<id prefix> and the test function after the part of the id after the dot")
        return
    }
    if let displayName = Test.current?.displayName, displayName != id {
        Issue.record("the test grading \(id) is displayed as “\(displayName)”: give it the display name \"\(id)\" (or none)")
    }
    _ = symbolicatedCrashes
    LearnerSummary.registerOnce()
    let report = try await TestScheduler.learner { try await gradeInChild(id) }
    LearnerSummary.record(report)

    if let wanted = ProcessInfo.processInfo.environment["DLFS_EXPECT"].flatMap(Grading.Verdict.init(rawValue:)),
       report.verdict != wanted {
        Issue.record(Comment(rawValue: "DLFS_EXPECT=\(wanted.rawValue), but \(id) is \(report.verdict.rawValue): \(report.message)"),
                     sourceLocation: LearnerTests.location(of: exercise, report: report))
        return
    }
    switch report.verdict {
    case .passed:
        return
    case .notStarted:
        #if compiler(>=6.3)
        try Test.cancel(Comment(rawValue: report.message))
        #else
        print("· \(id) \(report.message)")
        #endif
    default:
        let replay = report.seed == 0 ? "" : "\n(replay this run with DLFS_SEED=\(report.seed))"
        Issue.record(Comment(rawValue: "\(id) \(Renderer.name(Runner.Verdict(report.verdict))):\n\(report.message)\(replay)"),
                     sourceLocation: LearnerTests.location(of: exercise, report: report))
    }
}

/// Runs the grader for one exercise in a child process and reads its report.
private func gradeInChild(_ id: String) async throws -> GradeReport {
    #if compiler(>=6.3) && !DLFS_WITHOUT_EXIT_TEST_CAPTURES
    // One observed stream, not two: the child's standard error joins its standard output.
    // Swift Testing reads each observed stream on a thread of Swift's small cooperative
    // pool (one per core) until the child exits; with two streams, one child that loops
    // would hold the whole pool of a 2-core machine, and every other test would wait for it.
    let result = await #expect(processExitsWith: .failure, observing: [\.standardOutputContent]) { [id] in
        _ = dup2(STDOUT_FILENO, STDERR_FILENO)
        ChildGrader.run(exerciseID: id)
    }
    // The child exited with status 0: already recorded as a failure.
    guard let result else { return GradeReport(id: id, verdict: .crashed, message: "the grading child exited with status 0", seed: 0) }
    let output = String(decoding: result.standardOutputContent, as: UTF8.self)
    let errors = output
    let exitDescription = "\(result.exitStatus)"
    #else
    // Swift 6.2's exit tests cannot capture the id: run the built grader as the child instead
    // (it has its own watchdog; the time limit here only guards against a grader that never starts).
    let grader = try #require(BuiltExecutable.path(named: "course-grader"),
                              "course-grader was not found next to the test bundle; set DLFS_COURSE_GRADER_BINARY")
    let run = try await TestScheduler.onOwnThread {
        try ChildProcess.run(grader, ["__grade", id], headLimit: 1 << 20, tailLimit: 1 << 16, timeLimit: 120)
    }
    let (output, errors) = (run.standardOutput.text, run.standardError.text)
    let exitDescription = "\(run.termination)"
    #endif
    return ChildGrader.parseReport(standardOutput: output)
        ?? GradeReport(id: id, verdict: .crashed,
                       message: CrashReport.summarize(standardError: errors, exitDescription: exitDescription),
                       seed: 0)
}

extension Runner.Verdict {
    init(_ verdict: Grading.Verdict) {
        self = Runner.Verdict(rawValue: verdict.rawValue) ?? .failed
    }
}

/// How a learner's test is named, and where its issues point.
enum LearnerTests {
    /// `LessonNN_<prefix>/<name>()` → `<prefix>.<name>`; nil for any other test.
    static func exerciseID(of test: Test?) -> String? {
        guard let components = test?.id.nameComponents, components.count >= 2 else { return nil }
        return exerciseID(suite: components[components.count - 2], function: components[components.count - 1])
    }

    /// `Lesson01_activations`, `sigmoid()` → `activations.sigmoid`.
    static func exerciseID(suite: String, function: String) -> String? {
        let parts = suite.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].hasPrefix("Lesson"), parts[0].dropFirst(6).allSatisfy(\.isNumber) else { return nil }
        let name = function.prefix { $0 != "(" }
        return name.isEmpty ? nil : "\(parts[1]).\(name)"
    }

    /// The suite's name for a lesson: `Lesson01_activations`.
    static func suiteName(of lesson: LessonInfo) -> String {
        let prefix = lesson.exercises.first.map { String($0.id.prefix { $0 != "." }) } ?? lesson.folder
        return String(format: "Lesson%02d_", lesson.number) + prefix
    }

    /// Where an editor should jump: the crash site in the learner's files when
    /// the report names one, otherwise the exercise's first function in its file.
    static func location(of exercise: Exercise, report: GradeReport) -> SourceLocation {
        let lines = report.message.split(separator: "\n").map(String.init)
        if report.verdict == .crashed, let place = CrashReport.learnerLocation(in: lines) {
            let parts = place.split(separator: ":")
            if parts.count == 2, let line = Int(parts[1]) {
                return sourceLocation(path: String(parts[0]), line: line, column: 1)
            }
        }
        let file = repositoryRoot.appendingPathComponent(exercise.lessonPath)
        var line = 1
        if let text = try? String(contentsOf: file, encoding: .utf8), let declaration = exercise.declarations.first {
            let name = "func " + declaration.prefix { $0 != "(" && $0 != "<" }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let index = lines.firstIndex(where: { $0.contains(name + "(") || $0.contains(name + "<") }) { line = index + 1 }
        }
        return sourceLocation(path: exercise.lessonPath, line: line, column: 1)
    }

    /// A location in the course: `Lessons/01-activations/Sigmoid.swift` → the absolute path.
    private static func sourceLocation(path: String, line: Int, column: Int) -> SourceLocation {
        let components = path.split(separator: "/")
        let fileID = components.suffix(2).joined(separator: "/")
        return SourceLocation(fileID: fileID, filePath: repositoryRoot.appendingPathComponent(path).path,
                              line: max(1, line), column: max(1, column))
    }
}

/// Who runs when, in a test process shared by the learner's grading and the
/// course's own heavy checks (on a small machine: 2 cores, 2 pool threads).
///
/// - The learner's grading goes first: at most a few children at once, so one
///   that loops holds one slot, not the machine.
/// - Heavy synchronous checks (grading every reference and known mistake) are
///   background work: they start only while no learner grading is running or
///   waiting, one per core, each on a thread of its own — never on Swift's
///   cooperative pool, whose few threads the test runner needs to move on
///   (blocked, every test would report the same late time).
enum TestScheduler {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var learnerRunning = 0
    nonisolated(unsafe) private static var learnerWaiting: [CheckedContinuation<Void, Never>] = []
    nonisolated(unsafe) private static var backgroundRunning = 0
    nonisolated(unsafe) private static var backgroundWaiting: [CheckedContinuation<Void, Never>] = []
    private static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
    private static let learnerSlots = max(2, min(4, cores))

    /// Runs one learner grading (it awaits a child process).
    static func learner<T>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if learnerRunning < learnerSlots {
                learnerRunning += 1
                lock.unlock()
                continuation.resume()
            } else {
                learnerWaiting.append(continuation)
                lock.unlock()
            }
        }
        defer { finish(learner: true) }
        return try await body()
    }

    /// Runs heavy synchronous work on a thread of its own, once no learner grading is pending.
    static func background<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if learnerRunning == 0 && learnerWaiting.isEmpty && backgroundRunning < cores {
                backgroundRunning += 1
                lock.unlock()
                continuation.resume()
            } else {
                backgroundWaiting.append(continuation)
                lock.unlock()
            }
        }
        defer { finish(learner: false) }
        return try await onOwnThread(body)
    }

    private static func finish(learner: Bool) {
        lock.lock()
        var wake: [CheckedContinuation<Void, Never>] = []
        if learner {
            if learnerWaiting.isEmpty { learnerRunning -= 1 } else { wake.append(learnerWaiting.removeFirst()) }
        } else {
            backgroundRunning -= 1
        }
        if learnerRunning == 0 && learnerWaiting.isEmpty {
            while backgroundRunning < cores && !backgroundWaiting.isEmpty {
                backgroundRunning += 1
                wake.append(backgroundWaiting.removeFirst())
            }
        }
        lock.unlock()
        wake.forEach { $0.resume() }
    }

    /// Runs blocking work on a new thread (not the cooperative pool) and awaits its result.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }
}

/// The block `swift test` ends with: per lesson, how many exercises passed,
/// failed or are not started, and the next one to do — the verdicts and words
/// of `swift run course check`. It is printed when the test process exits
/// (after Swift Testing's last line), and only when some exercise was graded.
enum LearnerSummary {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var reports: [String: GradeReport] = [:]
    nonisolated(unsafe) private static var registered = false

    static func registerOnce() {
        lock.lock()
        defer { lock.unlock() }
        guard !registered else { return }
        registered = true
        atexit { LearnerSummary.printSummary() }
    }

    static func record(_ report: GradeReport) {
        lock.lock()
        reports[report.id] = report
        lock.unlock()
    }

    static func printSummary() {
        lock.lock()
        let graded = reports
        lock.unlock()
        guard !graded.isEmpty else { return }
        let text = render(graded, colors: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        fflush(nil)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The summary of the graded exercises, lesson by lesson, in catalog order.
    static func render(_ graded: [String: GradeReport], colors: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = ["", paint("Your exercises (the verdicts of `swift run course check`):", "1")]
        var next: Exercise?
        var all: [Runner.Verdict] = []
        let width = Catalog.lessons.map { "\(String(format: "%02d", $0.number)) \($0.title)".count }.max() ?? 20
        for lesson in Catalog.lessons {
            let reports = lesson.exercises.compactMap { graded[$0.id] }
            guard !reports.isEmpty else { continue }
            let verdicts = reports.map { Runner.Verdict($0.verdict) }
            all += verdicts
            let name = "\(String(format: "%02d", lesson.number)) \(lesson.title)"
            var line = "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + verdicts.map(\.symbol).joined() + "  " + Renderer.counts(verdicts)
            if reports.count < lesson.exercises.count { line += "  (\(reports.count) of \(lesson.exercises.count) graded)" }
            lines.append(line)
            for exercise in lesson.exercises {
                guard let report = graded[exercise.id] else { continue }
                let verdict = Runner.Verdict(report.verdict)
                if next == nil, verdict != .passed { next = exercise }
                guard verdict != .passed, verdict != .notStarted else { continue }
                let place = LearnerTests.location(of: exercise, report: report)
                let shortPlace = Catalog.shortPath(place.filePath) + ":\(place.line)"
                lines.append("      " + paint("\(verdict.symbol) \(exercise.id) \(Renderer.name(verdict))", "31") + " — \(shortPlace)")
            }
        }
        lines.append(paint(Renderer.counts(all), "1") + "  (\(all.count) exercise\(all.count == 1 ? "" : "s"))")
        if let next {
            lines.append("next: \(next.id) — edit \(next.lessonPath)  (`swift run course` watches it for you)")
        } else if all.count == Catalog.exercises.count {
            lines.append("Every exercise passes. Watch your code train: `swift run course demo --all`.")
        } else {
            lines.append("Every exercise graded here passes.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
