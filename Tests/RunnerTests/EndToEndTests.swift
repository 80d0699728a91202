import Foundation
import Grading
import Stubs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Runner

/// Runs the built `course` binary, the way a learner does. `--no-build`
/// grades with that binary directly: `swift test` holds the build folder, so
/// the runner must not start another build inside it.
enum CourseBinary {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `course` executable next to the test bundle (or `DLFS_COURSE_BINARY`).
    static let path: String? = BuiltExecutable.path(named: "course")

    struct Run {
        var status: Termination
        var output: String
        var errors: String
        var seconds: Double
    }

    static func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Run {
        let binary = try #require(path, "the course executable was not found next to the test bundle; set DLFS_COURSE_BINARY")
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "DLFS_SEED")
        for (key, value) in extra { environment[key] = value }
        let result = try await onOwnThread { [environment] in
            try ChildProcess.run(binary, arguments, environment: environment, headLimit: 1 << 20, tailLimit: 1 << 16, timeLimit: 60)
        }
        return Run(status: result.termination, output: result.standardOutput.text, errors: result.standardError.text,
                   seconds: result.seconds)
    }

    /// A pristine scratch course: stubs written fresh from Solutions/, never the learner's Lessons/.
    static func scratchCourse() throws -> URL {
        let fm = FileManager.default
        let folder = fm.temporaryDirectory.appendingPathComponent("dlfs-runner-test-\(UUID().uuidString)")
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["Package.swift", "Lessons", "Solutions"] {
            try fm.copyItem(at: repositoryRoot.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try StubGenerator.writeStubs(root: folder, force: true)
        try? fm.removeItem(at: folder.appendingPathComponent(".course"))
        return folder
    }

    static func decode(_ text: String) throws -> JSONReport {
        try JSONDecoder().decode(JSONReport.self, from: Data(text.utf8))
    }
}

@Suite("Runner: end to end, the built course binary", .serialized)  // one course binary at a time: time limits hold on a busy machine
struct EndToEndTests {
    let root = CourseBinary.repositoryRoot.path

    @Test("a lesson that does not exist fails before any build (check, demo), with the lessons that do")
    func unknownLessonFailsFast() async throws {
        // Without --no-build: a build here would wait for `swift test`'s lock, so a fast answer shows none ran.
        let missing = (Catalog.lessons.map(\.number).max() ?? 0) + 90
        let check = try await CourseBinary.run(["check", String(missing), "--root", root])
        #expect(check.status != .exited(0))
        #expect(check.errors.contains("there is no lesson \(missing)"), "\(check.errors)")
        #expect(check.seconds < 30, "check took \(check.seconds) s: did it build first?")
        let demo = try await CourseBinary.run(["demo", String(missing), "--root", root])
        #expect(demo.status != .exited(0))
        #expect(demo.errors.contains("there is no lesson \(missing)"), "\(demo.errors)")
        #expect(demo.errors.contains("01"), "the lessons with a demo are listed: \(demo.errors)")
        #expect(demo.seconds < 30, "demo took \(demo.seconds) s: did it build first?")
    }

    @Test("an id that two lessons share is ambiguous, and both are named")
    func ambiguousID() async throws {
        let shorts = Dictionary(grouping: Catalog.exercises, by: { String($0.id.split(separator: ".").last!) })
        guard let (short, matches) = shorts.first(where: { $0.value.count > 1 }) else { return }
        let run = try await CourseBinary.run(["hint", short, "--no-build", "--root", root])
        #expect(run.status != .exited(0))
        #expect(run.errors.contains("ambiguous"), "\(run.errors)")
        for match in matches { #expect(run.errors.contains(match.id), "\(run.errors)") }
    }

    @Test("course list: every lesson and exercise, its verdict and its file")
    func list() async throws {
        let run = try await CourseBinary.run(["list", "--no-build", "--root", root])
        #expect(run.status == .exited(0), "\(run.errors)")
        for lesson in Catalog.lessons {
            #expect(run.output.contains(lesson.title))
        }
        for exercise in Catalog.exercises {
            #expect(run.output.contains(exercise.id))
            #expect(run.output.contains(exercise.lessonPath))
        }
        #expect(run.output.contains("passed"))
    }






    @Test("course check --all --json: valid JSON, every exercise once, known verdicts")
    func checkJSON() async throws {
        let run = try await CourseBinary.run(["check", "--all", "--json", "--no-build", "--root", root])
        let report = try CourseBinary.decode(run.output)
        #expect(report.exercises.map(\.id) == Catalog.exercises.map(\.id))
        let verdicts = Set(Runner.Verdict.allCases.map(\.rawValue))
        for entry in report.exercises {
            #expect(verdicts.contains(entry.verdict), "\(entry.id): \(entry.verdict)")
            #expect(!entry.message.isEmpty)
            #expect(entry.lesson == Catalog.exercise(id: entry.id)?.lesson)
        }
        let allPassed = report.exercises.allSatisfy { $0.verdict == "passed" }
        #expect(run.status == (allPassed ? .exited(0) : .exited(1)))
        // CI grades a fresh clone with DLFS_EXPECT=not-started (and the complete learner with passed).
        if let expected = ProcessInfo.processInfo.environment["DLFS_EXPECT"] {
            for entry in report.exercises {
                #expect(entry.verdict == expected, "\(entry.id) is \(entry.verdict): \(entry.message)")
            }
        }
    }

    @Test("course check LESSON prints a line per exercise and a summary")
    func checkText() async throws {
        guard let lesson = Catalog.lessons.first(where: { !$0.exercises.isEmpty }) else { return }
        let run = try await CourseBinary.run(["check", String(lesson.number), "--no-build", "--root", root])
        for exercise in lesson.exercises { #expect(run.output.contains(exercise.id)) }
        #expect(run.output.contains("\(lesson.exercises.count) exercises"))
    }

    @Test("an unknown id: exit status 2 and the right suggestion")
    func unknownID() async throws {
        guard let exercise = Catalog.exercises.first else { return }
        var typo = Array(exercise.id)
        typo.swapAt(typo.count - 1, typo.count - 2)
        let run = try await CourseBinary.run(["hint", String(typo), "--no-build", "--root", root])
        #expect(run.status == .exited(2))
        #expect(run.errors.contains("did you mean `\(exercise.id)`"), "\(run.errors)")
        let command = try await CourseBinary.run(["chekc", "--no-build", "--root", root])
        #expect(command.status == .exited(2))
        #expect(command.errors.contains("did you mean `check`"))
    }

    @Test("course hint climbs the ladder; --all shows every rung")
    func hints() async throws {
        guard let exercise = Catalog.exercises.first(where: { $0.hints.count >= 2 }) else { return }
        let folder = try CourseBinary.scratchCourse()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await CourseBinary.run(["hint", exercise.id, "--no-build", "--root", folder.path])
        #expect(first.status == .exited(0))
        #expect(first.output.contains("Hint 1 of \(exercise.hints.count)"))
        let second = try await CourseBinary.run(["hint", exercise.id, "--no-build", "--root", folder.path])
        #expect(second.output.contains("Hint 2 of \(exercise.hints.count)"))
        let firstWords = exercise.hints[0].split(separator: " ").prefix(3).joined(separator: " ")
        #expect(!second.output.contains(firstWords) || exercise.hints[1].contains(firstWords))
        let all = try await CourseBinary.run(["hint", exercise.id, "--all", "--no-build", "--root", folder.path])
        for rung in 1...exercise.hints.count { #expect(all.output.contains("Hint \(rung) of \(exercise.hints.count)")) }
        // An unreadable memory starts again at the first rung.
        try Data("not json".utf8).write(to: folder.appendingPathComponent(".course/hints.json"))
        let again = try await CourseBinary.run(["hint", exercise.id, "--no-build", "--root", folder.path])
        #expect(again.output.contains("Hint 1 of"))
    }

    @Test("course reset backs up the learner's file and restores the stub")
    func reset() async throws {
        guard let exercise = Catalog.exercises.first else { return }
        let folder = try CourseBinary.scratchCourse()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(exercise.lessonPath)
        let mine = "// my work in progress\n" + (try String(contentsOf: file, encoding: .utf8))
        try mine.write(to: file, atomically: true, encoding: .utf8)

        let run = try await CourseBinary.run(["reset", exercise.id, "--yes", "--no-build", "--root", folder.path])
        #expect(run.status == .exited(0), "\(run.errors)")
        let line = try #require(run.output.split(separator: "\n").first { $0.contains(".course/backups/") })
        let path = try #require(line.split(separator: " ").first { $0.hasPrefix(".course/backups/") })
        #expect(path.hasPrefix(".course/backups/\(exercise.id)-") && path.hasSuffix(".swift"))
        let backup = try String(contentsOf: folder.appendingPathComponent(String(path)), encoding: .utf8)
        #expect(backup == mine)
        let stub = try #require(try StubGenerator.pairs(root: folder).first { $0.stub.path.hasSuffix(exercise.lessonPath) })
        #expect(try String(contentsOf: file, encoding: .utf8) == stub.expectedStub)

        let again = try await CourseBinary.run(["reset", exercise.id, "--yes", "--no-build", "--root", folder.path])
        #expect(again.output.contains("already the original stub"))
    }

    @Test("a trap is a crash with its message and place; a hang times out; the rest is still graded")
    func isolation() async throws {
        // Not 1 s: on a busy machine (a learner's swift test runs many children at once)
        // the trap's child may need seconds to start, crash and report; 4 s was seen to time out
        // at a load average near 20, so the hang's limit is generous.
        let limit = 8.0
        let run = try await CourseBinary.run(
            ["check", "fixture.trap", "fixture.hang", "fixture.pass", "--json", "--no-build",
             "--time-limit", String(limit), "--root", root],
            environment: ["DLFS_FIXTURES": "1"])
        let report = try CourseBinary.decode(run.output)
        let byID = Dictionary(uniqueKeysWithValues: report.exercises.map { ($0.id, $0) })
        let trap = try #require(byID["fixture.trap"])
        #expect(trap.verdict == "crashed")
        #expect(trap.message.contains("Index out of range"), "\(trap.message)")
        #expect(trap.message.contains("Fixtures.swift:"), "\(trap.message)")
        let hang = try #require(byID["fixture.hang"])
        #expect(hang.verdict == "timed-out", "\(hang.message)")
        #expect(byID["fixture.pass"]?.verdict == "passed")
        #expect(run.status == .exited(1))
        #expect(run.seconds < limit + RunnerDefaults.killGrace + 3, "took \(run.seconds) s")
    }

    @Test("a todo() in another exercise's file fails and names that exercise; it is not “not started”")
    func callsUnwritten() async throws {
        let run = try await CourseBinary.run(["check", "fixture.unwritten", "--json", "--no-build", "--root", root],
                                       environment: ["DLFS_FIXTURES": "1"])
        let report = try #require(try CourseBinary.decode(run.output).exercises.first)
        #expect(report.verdict == "failed", "\(report.message)")
        #expect(report.message.contains("Lessons/01-activations/Sigmoid.swift:16"), "\(report.message)")
        #expect(report.message.contains("Pass activations.sigmoid first"), "\(report.message)")
    }

    @Test("a flood of output is drained and capped; the exercise is still graded")
    func flood() async throws {
        let run = try await CourseBinary.run(["check", "fixture.flood", "--json", "--no-build", "--root", root],
                                       environment: ["DLFS_FIXTURES": "1"])
        let report = try CourseBinary.decode(run.output)
        #expect(report.exercises.map(\.verdict) == ["passed"])
        #expect(run.status == .exited(0))
    }

    /// What the learner printed is often the best clue to a crash: it is kept,
    /// not lost with the child that crashed.
    @Test("a crash keeps what the learner's code printed before it")
    func crashOutput() async throws {
        let run = try await CourseBinary.run(["check", "fixture.trap", "--no-build", "--root", root],
                                       environment: ["DLFS_FIXTURES": "1"])
        #expect(run.output.contains("fixture.trap: reading values[3]"), "\(run.output)")
        #expect(run.output.contains("crashed"))
    }
}

/// Runs blocking work (waiting for a child process) on a thread of its own:
/// Swift's cooperative pool has one thread per core, and a test that blocks one
/// stalls every other test (the learner's grading too) and their reported times.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Text collected from a pipe by another thread.
final class Collected: @unchecked Sendable {
    private var text = ""
    private let lock = NSLock()

    func append(_ data: Data) {
        lock.lock()
        text += String(decoding: data, as: UTF8.self)
        lock.unlock()
    }

    var value: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }

    /// Waits until the text satisfies `condition`, at most `seconds` (without holding a thread).
    func wait(_ seconds: Double, until condition: (String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(value) { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return condition(value)
    }
}

@Suite("Runner: watch mode, end to end")
struct WatchEndToEndTests {
    @Test("watch mode without a terminal: welcome, map, current exercise; a save re-grades it")
    func watch() async throws {
        guard let exercise = Catalog.exercises.first else { return }
        let binary = try #require(CourseBinary.path)
        let folder = try CourseBinary.scratchCourse()
        defer { try? FileManager.default.removeItem(at: folder) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        // Named, so the exercise watched does not depend on the verdicts of the built code (the learner's).
        process.arguments = ["watch", exercise.id, "--no-build", "--root", folder.path]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let output = Collected()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        defer {
            // SIGKILL: a child of the test runner may inherit a mask that blocks SIGTERM.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            pipe.fileHandleForReading.readabilityHandler = nil
        }

        #expect(await output.wait(30) { $0.contains("#1 ·") }, "watch mode did not start:\n\(output.value)")
        let started = output.value
        #expect(started.contains("Welcome"))
        #expect(started.contains(exercise.id))
        #expect(started.contains("edit: \(exercise.lessonPath)"))
        #expect(started.contains("keys are off"))

        let file = folder.appendingPathComponent(exercise.lessonPath)
        let text = try String(contentsOf: file, encoding: .utf8)
        try (text + "\n// saved by the test\n").write(to: file, atomically: true, encoding: .utf8)
        #expect(await output.wait(30) { $0.contains("#2 ·") }, "no re-grade after a save:\n\(output.value)")
        #expect(output.value.contains("\((exercise.file as NSString).lastPathComponent) changed"))
    }
}
