import CourseKit
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Finds changed files by polling modification times, sizes and contents,
/// which works everywhere (WSL, network mounts, containers) where file events
/// may not. The content digest catches two saves of one size within the
/// file system's timestamp resolution, which times and sizes alone miss.
public struct FileWatcher: Sendable {
    public struct Stamp: Equatable, Sendable {
        public var modified: Date
        public var size: Int
        public var digest: UInt64
    }

    public let directory: URL
    public private(set) var snapshot: [String: Stamp]

    public init(directory: URL) {
        self.directory = directory
        snapshot = FileWatcher.scan(directory)
    }

    /// Every `.swift` file under the directory, by path relative to its parent
    /// (`Lessons/01-activations/Sigmoid.swift`).
    public static func scan(_ directory: URL) -> [String: Stamp] {
        let fm = FileManager.default
        var result: [String: Stamp] = [:]
        let prefix = directory.deletingLastPathComponent().standardizedFileURL.path + "/"
        guard let enumerator = fm.enumerator(atPath: directory.path) else { return result }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let path = directory.appendingPathComponent(relative).path
            guard let attributes = try? fm.attributesOfItem(atPath: path),
                  let modified = attributes[.modificationDate] as? Date else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let digest = fm.contents(atPath: path).map(FileWatcher.digest) ?? 0
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            result[key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key]
                = Stamp(modified: modified, size: size, digest: digest)
        }
        return result
    }

    /// FNV-1a, 64 bits: enough to tell two versions of a source file apart.
    public static func digest(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// `true` when anything differs from the snapshot (without taking a new one).
    public func hasChanged() -> Bool { FileWatcher.scan(directory) != snapshot }

    /// Files added, changed or removed since the last call, and the latest
    /// modification time among them.
    public mutating func changes() -> (paths: [String], latest: Date?) {
        let now = FileWatcher.scan(directory)
        var changed: [String] = []
        for (path, stamp) in now where snapshot[path] != stamp { changed.append(path) }
        for path in snapshot.keys where now[path] == nil { changed.append(path) }
        snapshot = now
        let latest = changed.compactMap { now[$0]?.modified }.max()
        return (changed.sorted(), latest)
    }
}

/// `swift run course`: the map, then watching the next unfinished exercise.
final class Watch {
    enum View { case exercise, map }

    var context: RunnerContext
    var outcomes: [String: Outcome] = [:]
    /// Exercises showing a last known verdict, with the reason: their lesson
    /// does not compile now, but their own file is not the one to blame.
    var stale: [String: String] = [:]
    var current: ExerciseInfo?
    var view = View.exercise
    var hint: (rung: Int, text: String)?
    var note: String?
    /// The welcome stays above the map until the learner acts.
    var welcoming = false
    var runs = 0
    var lastTiming: String = ""
    var lastBuild: BuildResult?
    let clearScreen = isatty(1) == 1
    /// `DLFS_WATCH_LOG=file` appends one line per re-grade: the seconds from
    /// the save to the verdict on screen.
    let latencyLog = ProcessInfo.processInfo.environment["DLFS_WATCH_LOG"]

    init(_ context: RunnerContext) {
        self.context = context
    }

    var renderer: Renderer { Renderer() }
    var exercises: [ExerciseInfo] { Course.exercises }

    func run() throws -> Int32 {
        var watcher = FileWatcher(directory: context.root.appendingPathComponent("Lessons"))
        // Check the argument before the first build, against the catalog the last build left.
        if let name = context.arguments.positionals.first {
            _ = context.session.catalogOnlyWithoutBuilding()
            if Course.isLoaded, CourseFolders.catalogCoversDisk(root: context.root) { current = try Course.resolveExercise(name) }
        }
        welcoming = context.state.firstVisit()
        if welcoming { print(Watch.welcome(width: renderer.width)) }
        print("Building and grading every exercise…".styled(.gray))
        Terminal.flushStandardOutput()
        var preparation = context.session.prepare(status: { print($0.styled(.gray)); Terminal.flushStandardOutput() })
        while !preparation.catalogLoaded {
            // Nothing ever compiled here: show why, and try again on every save.
            _ = Commands.noCatalog(preparation, json: false)
            print("\nWatching Lessons/: save a fix and the runner tries again (Ctrl-C stops).".styled(.gray))
            Terminal.flushStandardOutput()
            while watcher.changes().paths.isEmpty { usleep(300_000) }
            preparation = context.session.prepare()
        }
        if let name = context.arguments.positionals.first {
            current = try Course.resolveExercise(name)
        }
        let first = context.session.grade(exercises, preparation)
        record(first)
        lastTiming = "build \(format(first.build?.seconds ?? 0)) s · grade \(format(first.gradeSeconds)) s"
        if current == nil { current = nextUnfinished(after: nil) }
        let keys = KeyReader()
        if !keys.enabled {
            note = "keys are off (standard input is not a terminal); stop with Ctrl-C"
        }
        if keys.enabled && clearScreen {
            // One screen: the welcome (the first time) and the map, until a key or a save.
            view = .map
            render(clear: true, keys: true)
        } else {
            print(renderer.map(Course.lessons, verdicts: outcomes.mapValues(\.verdict)))
            print("")
            welcoming = false
            render(clear: false, keys: keys.enabled)
        }

        while true {
            for key in keys.wait(0.3) {
                welcoming = false
                switch key {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"), 4:
                    KeyReader.restore()
                    print("\nBye — your progress is in your files; `swift run course` picks up where you left off.")
                    return 0
                case UInt8(ascii: "h"), UInt8(ascii: "H"):
                    if let current { hint = Commands.nextHint(current, state: context.state) }
                    view = .exercise
                case UInt8(ascii: "l"), UInt8(ascii: "L"):
                    view = view == .map ? .exercise : .map
                case UInt8(ascii: "n"), UInt8(ascii: "N"):
                    if let next = nextUnfinished(after: current) { select(next) } else { note = "every exercise passes 🎉" }
                    view = .exercise
                case UInt8(ascii: "p"), UInt8(ascii: "P"):
                    if let previous = previous(before: current) { select(previous) }
                    view = .exercise
                case UInt8(ascii: "r"), UInt8(ascii: "R"):
                    if let current { regrade(changedFiles: [], only: [current], savedAt: nil, keys: keys.enabled, watcher: watcher) }
                    view = .exercise
                case 10, 13, 27, UInt8(ascii: " "):
                    view = .exercise
                default:
                    continue
                }
                render(clear: true, keys: keys.enabled)
            }
            var change = watcher.changes()
            guard !change.paths.isEmpty else { continue }
            // Editors often save in several steps: let them finish.
            usleep(60_000)
            let more = watcher.changes()
            change.paths = Array(Set(change.paths + more.paths)).sorted()
            change.latest = [change.latest, more.latest].compactMap { $0 }.max()
            welcoming = false
            regrade(changedFiles: change.paths, only: nil, savedAt: change.latest, keys: keys.enabled, watcher: watcher)
        }
    }

    /// The exercises whose files changed; a changed file that is no exercise's
    /// (a helper) stands for its whole lesson.
    func exercisesIn(_ paths: [String]) -> [ExerciseInfo] {
        var result: [ExerciseInfo] = []
        for path in paths {
            let direct = exercises.filter { $0.lessonPath == path }
            if !direct.isEmpty {
                result += direct
            } else if let folder = path.split(separator: "/").dropFirst().first {
                result += exercises.filter { $0.lesson == folder }
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.id).inserted }
    }

    func select(_ exercise: ExerciseInfo) {
        if exercise.id != current?.id { hint = nil }
        current = exercise
    }

    /// Rebuilds, then re-grades `only` these exercises, or those in the
    /// changed files (following the learner to the file they saved), the
    /// current one, and any that did not compile before. A save during the
    /// grading stops it (the children are killed): its verdicts would be stale.
    func regrade(changedFiles: [String], only: [ExerciseInfo]?, savedAt: Date?, keys: Bool, watcher: FileWatcher) {
        let what = changedFiles.isEmpty ? "re-grading" : changedFiles.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + " changed"
        print("\n" + "⟳ \(what) — building and grading…".styled(.cyan))
        Terminal.flushStandardOutput()
        // A fresh seed for every re-grade, unless DLFS_SEED pins one.
        context.settings.seed = GraderContract.seedForThisRun()
        var session = context.session
        session.cancel = Watch.cancelOnSave(watcher)
        let width = renderer.width
        let preparation = session.prepare(status: { line in
            // "building…" is already said above; what matters is a wait or a second build.
            guard line != "building…" else { return }
            for wrapped in Renderer.wrapLine("  " + line, width: width) { print(wrapped.styled(.gray)) }
            Terminal.flushStandardOutput()
        })
        // The catalog may have changed with the build: use its entries.
        if let id = current?.id { current = Course.exercise(named: id) ?? current }
        var list: [ExerciseInfo]
        if let only {
            list = only.map { Course.exercise(named: $0.id) ?? $0 }
        } else {
            let touched = exercisesIn(changedFiles)
            if let current, !touched.contains(where: { $0.id == current.id }), let first = touched.first {
                select(touched.first(where: { outcomes[$0.id]?.verdict != .passed }) ?? first)
            }
            list = touched
            if let current, !list.contains(where: { $0.id == current.id }) { list.insert(current, at: 0) }
            list += exercises.filter { exercise in
                (outcomes[exercise.id]?.verdict == .compileError || stale[exercise.id] != nil)
                    && !list.contains { $0.id == exercise.id }
            }
        }
        let run = session.grade(list, preparation)
        if run.cancelled {
            // The main loop sees the newer save and grades it.
            print("  a newer save — this grade is stale, stopped".styled(.gray))
            Terminal.flushStandardOutput()
            return
        }
        if let build = run.build, !build.succeeded {
            applyFailedBuild(build, graded: run.outcomes, preparation: preparation)
        } else {
            record(run)
            for outcome in run.outcomes { stale[outcome.exercise.id] = nil }
        }
        lastTiming = "build \(format(run.build?.seconds ?? 0)) s · grade \(format(run.gradeSeconds)) s"
        view = .exercise
        render(clear: true, keys: keys)
        if let latencyLog, let savedAt {
            let seconds = String(format: "%.3f", Date().timeIntervalSince(savedAt))
            let line = "\(seconds) \(current?.id ?? "-") \(outcomes[current?.id ?? ""]?.verdict.rawValue ?? "-")\n"
            if let handle = FileHandle(forWritingAtPath: latencyLog) ?? {
                _ = FileManager.default.createFile(atPath: latencyLog, contents: nil)
                return FileHandle(forWritingAtPath: latencyLog)
            }() {
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                handle.closeFile()
            }
        }
    }

    /// `true` once a file under the watched folder differs from the watcher's
    /// snapshot (looked at every quarter second at most).
    static func cancelOnSave(_ watcher: FileWatcher) -> @Sendable () -> Bool {
        final class Throttle: @unchecked Sendable {
            let lock = NSLock()
            var last = Date.distantPast
            var changed = false
        }
        let throttle = Throttle()
        return {
            throttle.lock.lock()
            defer { throttle.lock.unlock() }
            if throttle.changed { return true }
            guard Date().timeIntervalSince(throttle.last) >= 0.25 else { return false }
            throttle.last = Date()
            throttle.changed = watcher.hasChanged()
            return throttle.changed
        }
    }

    /// After a failed build: an exercise whose own file does not compile (or
    /// is missing) gets the compiler's message; the others of a broken lesson
    /// keep their last known verdict, marked as such, naming the file to fix.
    func applyFailedBuild(_ build: BuildResult, graded: [Outcome], preparation: Preparation) {
        runs += 1
        lastBuild = build
        let reports = CompileFailures.reports(for: exercises, build: build, binary: preparation.grader, root: context.root,
                                              seed: context.settings.seed)
        let broken = CompileFailures.brokenFiles(build, root: context.root)
        // Outcomes graded with the previous binary (lessons that still compile).
        for outcome in graded where reports[outcome.exercise.id] == nil {
            outcomes[outcome.exercise.id] = outcome
            stale[outcome.exercise.id] = nil
        }
        for exercise in exercises {
            guard let report = reports[exercise.id] else { continue }
            let previous = outcomes[exercise.id]
            let ownFileBroken = broken.contains(exercise.lessonPath)
            // Only a learner's file of this lesson to blame: anything else (the
            // course's own code, a changed declaration) is shown as it is.
            let culprits = broken.filter { $0.hasPrefix("Lessons/\(exercise.lesson)/") }.sorted()
            if !ownFileBroken, !culprits.isEmpty, let previous, previous.verdict != .compileError {
                stale[exercise.id] = "last known verdict: \(culprits.joined(separator: ", ")) does not compile, so this lesson cannot run until it does"
            } else {
                outcomes[exercise.id] = Outcome(exercise: exercise, report: report, output: "", seconds: 0)
                stale[exercise.id] = nil
            }
        }
    }

    func record(_ run: GradingRun) {
        runs += 1
        lastBuild = run.build
        for outcome in run.outcomes { outcomes[outcome.exercise.id] = outcome }
    }

    /// The first exercise after `exercise` (in course order, wrapping) that does not pass.
    func nextUnfinished(after exercise: ExerciseInfo?) -> ExerciseInfo? {
        let all = exercises
        guard !all.isEmpty else { return nil }
        let start = exercise.flatMap { e in all.firstIndex { $0.id == e.id } }.map { $0 + 1 } ?? 0
        for offset in 0..<all.count {
            let candidate = all[(start + offset) % all.count]
            if outcomes[candidate.id]?.verdict != .passed { return candidate }
        }
        return nil
    }

    /// The exercise before `exercise` in course order (wrapping), passed or not.
    func previous(before exercise: ExerciseInfo?) -> ExerciseInfo? {
        let all = exercises
        guard !all.isEmpty else { return nil }
        guard let index = exercise.flatMap({ e in all.firstIndex { $0.id == e.id } }) else { return all.first }
        return all[(index + all.count - 1) % all.count]
    }

    func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }

    func render(clear: Bool, keys: Bool) {
        var text = ""
        if clear && clearScreen { text += "\u{1B}[2J\u{1B}[H" } else if clear { text += "\n" + String(repeating: "─", count: min(60, renderer.width)) + "\n" }
        switch view {
        case .map:
            if welcoming { text += Watch.welcome(width: renderer.width) + "\n" }
            text += renderer.compactMap(Course.lessons, verdicts: outcomes.mapValues(\.verdict), current: current?.id,
                                        stale: Set(stale.keys), expandCurrentLesson: !welcoming) + "\n"
            if let current {
                text += "\n" + Renderer.fit("▸ \(current.id) — edit \(current.lessonPath)", renderer.width).styled(.bold) + "\n"
                if keys { text += "Enter: this exercise · n/p: next unfinished/previous".styled(.gray) + "\n" }
            }
        case .exercise:
            text += panel(keys: keys)
        }
        text += "\n" + footer(keys: keys)
        print(text)
        Terminal.flushStandardOutput()
    }

    func panel(keys: Bool) -> String {
        let renderer = self.renderer
        let width = renderer.width
        let all = exercises
        let passed = all.filter { outcomes[$0.id]?.verdict == .passed }.count
        var lines: [String] = []
        let title = "Deep Learning from Scratch · watching Lessons/"
        let progress = "\(passed)/\(all.count) passed" + (stale.isEmpty ? "" : " (last known)")
        let barWidth = max(5, min(20, width - title.count - progress.count - 4))
        if title.count + barWidth + progress.count + 4 <= width {
            lines.append(title.styled(.bold) + "  " + renderer.bar(done: passed, total: all.count, width: barWidth) + " " + progress)
        } else {
            lines.append(Renderer.fit(title, width).styled(.bold))
            lines.append(renderer.bar(done: passed, total: all.count, width: max(5, width - progress.count - 2)) + " " + progress)
        }
        lines.append("")
        guard let exercise = current else {
            lines.append("There are no exercises yet.")
            return lines.joined(separator: "\n") + "\n"
        }
        let lesson = Course.lesson(of: exercise)
        for line in Renderer.wrapLine("\(lesson?.label ?? exercise.lesson) › \(exercise.id) — \(exercise.title)", width: width) {
            lines.append(line.styled(.bold))
        }
        lines.append("  edit: " + exercise.lessonPath.styled(.cyan))
        if let lesson { lines.append("  read: " + lesson.chapterPath) }
        lines.append("")
        // Room for the diagnosis on one screen: the rest of the panel takes about 12 rows.
        let diagnosisRows = max(8, Terminal.height - 14)
        if let reason = stale[exercise.id] {
            for line in Renderer.wrapLine("⚠ " + reason + ":", width: width) { lines.append(line.styled(.yellow)) }
        }
        if let outcome = outcomes[exercise.id] {
            let verdict = outcome.verdict
            let name = Renderer.name(verdict).styled(Renderer.color(verdict))
            /// The symbol, then text wrapped beside it.
            func verdictLine(_ text: String) -> [String] {
                let wrapped = Renderer.wrapLine(text, width: max(20, width - 3))
                return wrapped.enumerated().map { index, line in
                    (index == 0 ? renderer.symbol(verdict) + " " : "   ") + (index == 0 ? line.replacingOccurrences(
                        of: Renderer.name(verdict), with: name, options: .anchored) : line.trimmingCharacters(in: .init(charactersIn: " ")))
                }
            }
            if verdict == .notStarted {
                let place = Renderer.todoPlace(outcome.report.message) ?? exercise.lessonPath
                lines += verdictLine(Renderer.name(verdict) + " — replace the todo() at " + place + " with your code, and save.")
            } else if verdict == .passed {
                lines += verdictLine(Renderer.name(verdict) + " — " + outcome.report.message)
                if !outcome.output.isEmpty {
                    var printed = Outcome(exercise: exercise, report: GradeReport(id: exercise.id, verdict: .passed, message: "", seed: 0),
                                          output: outcome.output, seconds: 0)
                    printed.outputLines = outcome.outputLines
                    lines.append(renderer.diagnosis(printed, indent: "  "))
                }
            } else {
                lines.append(renderer.symbol(verdict) + " " + name)
                lines.append(renderer.diagnosis(outcome, indent: "  ", maxLines: diagnosisRows))
                if verdict == .failed, outcome.report.seed != 0 {
                    lines.append("  (seed \(outcome.report.seed): DLFS_SEED=\(outcome.report.seed) replays this run)".styled(.gray))
                }
            }
        } else {
            lines.append("· not graded yet")
        }
        let siblings = Course.exercises(sharingFileWith: exercise).filter { $0.id != exercise.id }
        if !siblings.isEmpty {
            lines.append("")
            lines.append("also in this file:")
            for sibling in siblings {
                lines.append("  " + (outcomes[sibling.id].map { renderer.symbol($0.verdict) } ?? "? ") + " " + sibling.id)
            }
        }
        if let hint {
            lines.append("")
            lines.append("Hint \(hint.rung) of \(exercise.hints.count)".styled(.cyan)
                         + (hint.rung < exercise.hints.count ? "  (h again for the next)" : "  (the last one)"))
            lines.append(Renderer.wrap(hint.text, width: width, indent: "  "))
        }
        if outcomes[exercise.id]?.verdict == .passed {
            lines.append("")
            if let lesson, lessonComplete(lesson) {
                lines += milestone(lesson, keys: keys, width: width)
            } else {
                let text: String
                if let next = nextUnfinished(after: exercise) {
                    text = "Well done! next: \(next.id) — \(next.lessonPath)" + (keys ? "  (press n)" : "  (save that file to start it)")
                } else {
                    text = "Every exercise passes! See your code train a model: `swift run course demo 1`."
                }
                for (index, line) in Renderer.wrapLine(text, width: width - 2).enumerated() {
                    lines.append(index == 0 ? "✓ ".styled(.green) + line : "  " + line.trimmingCharacters(in: .whitespaces))
                }
            }
        }
        if let note {
            lines.append("")
            lines.append(note.styled(.gray))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Every exercise of the lesson passes, on a build that compiles.
    func lessonComplete(_ lesson: CourseLesson) -> Bool {
        !lesson.exercises.isEmpty && lesson.exercises.allSatisfy { outcomes[$0.id]?.verdict == .passed && stale[$0.id] == nil }
    }

    /// The end of a lesson: what the learner built, the demo that runs it, what comes next.
    func milestone(_ lesson: CourseLesson, keys: Bool, width: Int) -> [String] {
        Watch.milestone(lesson, demos: Course.demos, lessons: Course.lessons,
                        next: nextUnfinished(after: lesson.exercises.last), keys: keys, width: width)
    }

    static func milestone(_ lesson: CourseLesson, demos: [DemoInfo], lessons: [CourseLesson], next: ExerciseInfo?,
                          keys: Bool, width: Int) -> [String] {
        var lines = ["🎉 " + "Lesson \(lesson.label) complete!".styled(.bold).styled(.green)]
        // "Sigmoid: forward and backward" → "Sigmoid"; each file's exercises once.
        var names: [String] = []
        for exercise in lesson.exercises {
            let name = String(exercise.title.split(separator: ":").first ?? Substring(exercise.title))
            if !names.contains(name) { names.append(name) }
        }
        let built = names.joined(separator: ", ")
        lines += Renderer.wrapLine("You built: " + built + ".", width: width - 3).map { "   " + $0.trimmingCharacters(in: .whitespaces) }
        if demos.contains(where: { $0.lesson == lesson.number }) {
            let number = String(format: "%02d", lesson.number)
            lines += Renderer.wrapLine("Now see it work: `swift run course demo \(number)` runs your code on real data (in another terminal).",
                                       width: width - 3).map { "   " + $0.trimmingCharacters(in: .whitespaces) }
        }
        if let next, let nextLesson = lessons.first(where: { $0.folder == next.lesson }) {
            let where_ = nextLesson.folder == lesson.folder ? "" : "read \(nextLesson.chapterPath), then "
            lines += Renderer.wrapLine("Next: \(where_)\(next.id) — \(next.lessonPath)" + (keys ? "  (press n)" : ""),
                                       width: width - 3).map { "   " + $0.trimmingCharacters(in: .whitespaces) }
        } else {
            lines.append("   Every exercise passes!")
        }
        return lines
    }

    func footer(keys: Bool) -> String {
        let stamp: String = {
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm:ss"
            return formatter.string(from: Date())
        }()
        let left = keys ? "h hint · l map · n next · p previous · r re-grade · q quit" : "watching for saves · Ctrl-C stops"
        let right = "#\(runs) · \(lastTiming) · \(stamp)"
        let width = renderer.width
        if left.count + right.count + 2 <= width {
            return left.styled(.bold) + String(repeating: " ", count: width - left.count - right.count) + right.styled(.gray)
        }
        return left.styled(.bold) + "\n" + right.styled(.gray)
    }

    /// The first visit's welcome, wrapped to the terminal's width.
    static func welcome(width: Int) -> String {
        let paragraphs = [
            "Welcome to Deep Learning from Scratch!".styled(.bold),
            "You build every piece of a neural network yourself, one small exercise at a time:",
            "1. read the chapter the runner names (Lessons/01-activations/README.md first),",
            "2. replace the todo() in the file it names with your code,",
            "3. save — the runner rebuilds and grades it within seconds, and says what is wrong.",
            "Stuck? Press h for a hint. Every exercise is also graded by `swift test`.",
        ]
        return paragraphs.map { paragraph in
            paragraph.first?.isNumber == true
                ? Renderer.wrapLine("  " + paragraph, width: max(20, width)).map { $0.hasPrefix("    ") ? " " + $0 : $0 }.joined(separator: "\n")
                : Renderer.wrap(paragraph, width: max(20, width))
        }.joined(separator: "\n") + "\n"
    }
}
