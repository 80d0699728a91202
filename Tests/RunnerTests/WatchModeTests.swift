import CourseKit
import Foundation
import Grading
import Testing
@testable import Runner

/// Watch mode never shows a stale verdict, says why it waits, keeps what it
/// knows through a compile error, and fits an 80 × 24 terminal.
@Suite("Runner: watch mode and the CLI's checks", .serialized)
struct WatchModeTests {
    /// A scratch course folder with `Lessons/01-x/A.swift`.
    static func scratchLessons() throws -> (root: URL, file: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("Lessons/01-x")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("A.swift")
        try "let a = 1\n".write(to: file, atomically: false, encoding: .utf8)
        return (root, file)
    }

    static func modified(_ file: URL) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
    }

    @Test("a save of the same size within the same time stamp is still a change")
    func sameStampSameSize() throws {
        let (root, file) = try Self.scratchLessons()
        defer { try? FileManager.default.removeItem(at: root) }
        var watcher = FileWatcher(directory: root.appendingPathComponent("Lessons"))
        let stamp = try Self.modified(file)
        try "let a = 2\n".write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        #expect(watcher.hasChanged())
        #expect(watcher.changes().paths == ["Lessons/01-x/A.swift"])
        #expect(!watcher.hasChanged())
    }

    @Test("a content change SwiftPM cannot see (same stamp, same size) gets a newer time stamp before the build")
    func touchesInvisibleChanges() throws {
        let (root, file) = try Self.scratchLessons()
        defer { try? FileManager.default.removeItem(at: root) }
        let lessons = root.appendingPathComponent("Lessons")
        let stamp = try Self.modified(file)
        // Set through the same API both times, so both stamps round alike.
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        SourceMemory.shared.remember(FileWatcher.scan(lessons), for: lessons)
        try "let a = 3\n".write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: file.path)
        let now = SourceMemory.shared.prepareForBuild(lessons)
        #expect(try Self.modified(file) > stamp)
        #expect(now == FileWatcher.scan(lessons))
        // An unchanged file is left alone.
        SourceMemory.shared.remember(now, for: lessons)
        let before = try Self.modified(file)
        _ = SourceMemory.shared.prepareForBuild(lessons)
        #expect(try Self.modified(file) == before)
    }

    @Test("rapid saves: a file saved during the build is built again, so the grader holds what is on disk")
    func rebuildsWhenSavedDuringTheBuild() throws {
        let (root, file) = try Self.scratchLessons()
        defer { try? FileManager.default.removeItem(at: root) }
        let lessons = root.appendingPathComponent("Lessons")
        var built: [String] = []   // what each "build" compiled
        var messages: [String] = []
        // Two saves land during the first two builds; the third build sees a settled file.
        let saves = ["let a = 10\n", "let a = 11\n"]
        let outcome = GradingSession.buildUntilSettled(lessons: lessons, status: { messages.append($0) }) {
            built.append(try! String(contentsOf: file, encoding: .utf8))
            if built.count <= saves.count { try! saves[built.count - 1].write(to: file, atomically: false, encoding: .utf8) }
            return BuildResult(succeeded: true, output: "", seconds: 0.1)
        }
        #expect(outcome.builds == 3)
        #expect(built.last == "let a = 11\n", "the last build compiled \(built.last ?? "nothing"), the file holds let a = 11")
        #expect(messages.filter { $0.contains("changed during the build") }.count == 2)
        #expect(abs(outcome.result.seconds - 0.3) < 1e-9)
        // Nothing saved: one build.
        let quiet = GradingSession.buildUntilSettled(lessons: lessons, status: { _ in }) {
            BuildResult(succeeded: true, output: "", seconds: 0)
        }
        #expect(quiet.builds == 1)
    }

    @Test("a newer save cancels the grade in progress: the child is killed at once")
    func cancelKillsTheChild() throws {
        let start = Date()
        let result = try ChildProcess.run("/bin/sh", ["-c", "sleep 30"], timeLimit: 60,
                                          cancel: { Date().timeIntervalSince(start) > 0.3 })
        #expect(result.cancelled)
        #expect(!result.killedAtDeadline)
        #expect(result.seconds < 5, "the child ran \(result.seconds) s after the cancel")
    }

    @Test("the watcher's cancel turns true once a watched file changes")
    func cancelOnSave() throws {
        let (root, file) = try Self.scratchLessons()
        defer { try? FileManager.default.removeItem(at: root) }
        let watcher = FileWatcher(directory: root.appendingPathComponent("Lessons"))
        let cancel = Watch.cancelOnSave(watcher)
        #expect(!cancel())
        try "let a = 99\n".write(to: file, atomically: false, encoding: .utf8)
        usleep(300_000)
        #expect(cancel())
        #expect(cancel(), "once stale, always stale")
    }



    @Test("a grading run stops when cancelled and says so")
    func gradingRunCancelled() throws {
        TestCatalog.install()
        let exercise = try #require(Course.exercises.first)
        var session = GradingSession(GradingSettings(root: URL(fileURLWithPath: "/tmp"), build: false))
        session.cancel = { true }
        let preparation = Preparation(build: nil, grader: URL(fileURLWithPath: "/bin/sleep"), catalogLoaded: true)
        let run = session.grade([exercise], preparation)
        #expect(run.cancelled)
        #expect(run.outcomes.isEmpty)
    }

    @Test("a build that waits for another build's lock is noticed")
    func lockWait() throws {
        let line = "Another instance of SwiftPM is already running using '/x/.build', waiting until that process has finished execution..."
        #expect(Builder.waitsForLock(line))
        #expect(!Builder.waitsForLock("[3/9] Compiling Activations ReLU.swift"))
        var chunks = ""
        _ = try ChildProcess.run("/bin/sh", ["-c", "echo \"\(line)\" >&2; sleep 0.2; echo done"], onOutput: { chunks += $0 })
        #expect(Builder.waitsForLock(chunks))
        #expect(chunks.contains("done"))
    }

    @Test("a flood of output is counted truthfully")
    func outputCount() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done"],
                                          headLimit: 1024, tailLimit: 1024)
        #expect(result.standardOutput.totalNewlines == 20000)
        TestCatalog.install()
        let exercise = try #require(Course.exercises.first)
        let outcome = GradingSession.interpret(result, exercise: exercise, timeLimit: 20, seed: 1)
        #expect(outcome.outputLines == 20000)
        let text = Renderer(colors: false, width: 80).diagnosis(outcome, indent: "")
        #expect(text.contains("20000 printed in all"), "\(text.suffix(200))")
    }

    @Test("an id shared by two lessons is ambiguous, and both are listed")
    func ambiguousID() throws {
        TestCatalog.install()
        let shorts = Dictionary(grouping: Course.exercises, by: { String($0.id.split(separator: ".").last!) })
        guard let (short, matches) = shorts.first(where: { $0.value.count > 1 }) else { return }
        do {
            _ = try Course.resolveExercise(short)
            Issue.record("`\(short)` resolved")
        } catch {
            #expect(error.message.contains("ambiguous"))
            #expect(Set(error.suggestions) == Set(matches.map(\.id)))
        }
        #expect(throws: UsageError.self) { try Course.resolve(short) }
    }

    @Test("a name is checked before the build only when the catalog knows every lesson folder on disk")
    func catalogCoversDisk() throws {
        TestCatalog.install()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("folders-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for lesson in Course.lessons {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("Lessons/\(lesson.folder)"),
                                                    withIntermediateDirectories: true)
        }
        #expect(CourseFolders.catalogCoversDisk(root: root))
        let next = (Course.lessons.map(\.number).max() ?? 0) + 1
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Lessons/\(String(format: "%02d", next))-new"),
                                                withIntermediateDirectories: true)
        #expect(!CourseFolders.catalogCoversDisk(root: root), "a lesson added since the last build is not known yet")
    }

    @Test("a deleted stub is reported as missing, with `reset ID` to restore it")
    func missingStub() throws {
        TestCatalog.install()
        let exercise = try #require(Course.exercises.first)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for other in Course.exercises where other.lessonPath != exercise.lessonPath {
            let url = root.appendingPathComponent(other.lessonPath)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "".write(to: url, atomically: false, encoding: .utf8)
        }
        let build = BuildResult(succeeded: false, output: """
            /x/Sources/Implementations/ActivationFunctions.swift:10:5: error: cannot find 'sigmoidForward' in scope
            """, seconds: 1)
        let reports = CompileFailures.reports(for: Course.exercises, build: build, binary: URL(fileURLWithPath: "/nonexistent"),
                                              root: root, seed: 1)
        let own = try #require(reports[exercise.id]?.message)
        #expect(own.contains("\(exercise.lessonPath) is missing"))
        #expect(own.contains("swift run course reset \(exercise.id)"))
        #expect(!own.contains("Sources/Implementations"))
        if let sibling = Course.exercises.first(where: { $0.lesson == exercise.lesson && $0.lessonPath != exercise.lessonPath }) {
            #expect(reports[sibling.id]?.message.contains("\(exercise.lessonPath) is missing, so nothing in this lesson can run") == true)
        }
        #expect(CompileFailures.brokenFiles(build, root: root) == [exercise.lessonPath])
    }








    @Test("a compile error in one file keeps the others' last known verdicts, marked, and names the file")
    func compileErrorKeepsVerdicts() throws {
        TestCatalog.install()
        let lesson = try #require(Course.lessons.first { Set($0.exercises.map(\.file)).count >= 2 })
        let good = lesson.exercises[0]
        let broken = try #require(lesson.exercises.first { $0.file != good.file })
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for exercise in Course.exercises {
            let url = root.appendingPathComponent(exercise.lessonPath)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "".write(to: url, atomically: false, encoding: .utf8)
        }
        let watch = Watch(RunnerContext(arguments: CommandLineArguments(command: "watch"), root: root))
        for exercise in lesson.exercises {
            watch.outcomes[exercise.id] = Outcome(exercise: exercise, report: Runner.GradeReport(id: exercise.id, verdict: .passed, message: "ok", seed: 1),
                                                  output: "", seconds: 0)
        }
        let build = BuildResult(succeeded: false, output: """
            \(root.path)/\(broken.lessonPath):3:5: error: cannot find 'undefinedThing' in scope
            """, seconds: 1)
        watch.applyFailedBuild(build, graded: [], preparation: Preparation(build: build, grader: URL(fileURLWithPath: "/nonexistent"),
                                                                          catalogLoaded: true))
        #expect(watch.outcomes[good.id]?.verdict == .passed, "the last known verdict is kept")
        #expect(watch.stale[good.id]?.contains(broken.lessonPath) == true, "\(watch.stale[good.id] ?? "not marked")")
        #expect(watch.stale[good.id]?.contains("last known") == true)
        #expect(watch.outcomes[broken.id]?.verdict == .compileError)
        #expect(watch.outcomes[broken.id]?.report.message.contains(broken.lessonPath) == true)
        #expect(watch.stale[broken.id] == nil)
        #expect(!(watch.outcomes[broken.id]?.report.message.contains(good.lessonPath) ?? true), "the error is not blamed on another file")
    }

    @Test("the compact map fits 80 × 24 with eight lessons and marks the current exercise")
    func compactMap() throws {
        TestCatalog.install()
        // Eight lessons, the last one without exercises yet (a lesson being written shows as coming).
        var lessons = Array(Course.lessons.prefix(7))
        while lessons.count < 8 {
            let number = lessons.count + 1
            lessons.append(CourseLesson(number: number, folder: String(format: "%02d", number) + "-later", title: "A later lesson",
                                        exercises: []))
        }
        let current = try #require(lessons[0].exercises.dropFirst().first)
        let verdicts: [String: Runner.Verdict] = [lessons[0].exercises[0].id: .passed]
        let text = Renderer(colors: false, width: 80).compactMap(lessons, verdicts: verdicts, current: current.id,
                                                                  stale: [lessons[0].exercises[0].id])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count + 4 <= 24, "\(lines.count) lines:\n\(text)")
        #expect(lines.allSatisfy { String($0).visibleWidth <= 80 }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("▸ ") && $0.contains(current.id) })
        #expect(lines.contains { $0.hasPrefix("▸ ") && $0.contains(lessons[0].label.prefix(10)) })
        #expect(text.contains("[?]"), "the current exercise's cell is bracketed")
        #expect(text.contains("(last known)"))
        #expect(text.contains("(exercises coming)"))
    }

    @Test("the welcome is wrapped to the terminal")
    func welcomeWrapped() {
        for width in [40, 60, 80] {
            let text = Watch.welcome(width: width)
            #expect(text.split(separator: "\n").allSatisfy { String($0).visibleWidth <= width }, "\(width):\n\(text)")
        }
    }

    @Test("a completed lesson is a milestone: what was built, the demo to run, what comes next")
    func milestone() throws {
        TestCatalog.install()
        let lesson = try #require(Course.lessons.first)
        let next = try #require(Course.lessons.dropFirst().first?.exercises.first)
        let lines = Watch.milestone(lesson, demos: [DemoInfo(lesson: lesson.number, title: "d", exercises: [])],
                                    lessons: Course.lessons, next: next, keys: true, width: 80)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("complete"))
        for exercise in lesson.exercises {
            #expect(text.contains(String(exercise.title.split(separator: ":")[0])), "\(exercise.title) is not named")
        }
        #expect(text.contains("swift run course demo \(String(format: "%02d", lesson.number))"))
        #expect(text.contains(next.id))
        #expect(lines.allSatisfy { $0.visibleWidth <= 80 })
        let noDemo = Watch.milestone(lesson, demos: [], lessons: Course.lessons, next: nil, keys: false, width: 80)
        #expect(!noDemo.joined().contains("demo"))
    }

    @Test("a damaged data file is named, with the command that restores it")
    func damagedData() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digits.csv")
        try "1,2,3\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try Dataset.digits(from: file)
            Issue.record("a damaged file loaded")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("Data/digits.csv:1"))
            #expect(text.contains("git checkout -- Data/digits.csv"))
        }
    }
}
