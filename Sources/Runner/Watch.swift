import CourseKit
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Finds changed files by polling modification times and sizes, which works
/// everywhere (WSL, network mounts, containers) where file events may not.
public struct FileWatcher: Sendable {
    public struct Stamp: Equatable, Sendable {
        public var modified: Date
        public var size: Int
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
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            result[key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count)) : key] = Stamp(modified: modified, size: size)
        }
        return result
    }

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
    var current: ExerciseInfo?
    var view = View.exercise
    var hint: (rung: Int, text: String)?
    var note: String?
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
        if context.state.firstVisit() { print(welcome) }
        print("Building and grading every exercise…".styled(.gray))
        Terminal.flushStandardOutput()
        var preparation = context.session.prepare()
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
        print(renderer.map(Course.lessons, verdicts: outcomes.mapValues(\.verdict)))
        if current == nil { current = nextUnfinished(after: nil) }
        let keys = KeyReader()
        if !keys.enabled {
            note = "keys are off (standard input is not a terminal); stop with Ctrl-C"
        }
        print("")
        render(clear: false, keys: keys.enabled)

        while true {
            for key in keys.wait(0.3) {
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
                case UInt8(ascii: "r"), UInt8(ascii: "R"):
                    if let current { regrade(changedFiles: [], only: [current], savedAt: nil, keys: keys.enabled) }
                    view = .exercise
                case 10, 13, 27:
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
            regrade(changedFiles: change.paths, only: nil, savedAt: change.latest, keys: keys.enabled)
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
    /// current one, and any that did not compile before.
    func regrade(changedFiles: [String], only: [ExerciseInfo]?, savedAt: Date?, keys: Bool) {
        let what = changedFiles.isEmpty ? "re-grading" : changedFiles.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + " changed"
        print("\n" + "⟳ \(what) — building and grading…".styled(.cyan))
        Terminal.flushStandardOutput()
        // A fresh seed for every re-grade, unless DLFS_SEED pins one.
        context.settings.seed = GraderContract.seedForThisRun()
        let session = context.session
        let preparation = session.prepare()
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
                outcomes[exercise.id]?.verdict == .compileError && !list.contains { $0.id == exercise.id }
            }
        }
        let run = session.grade(list, preparation)
        record(run)
        if let build = run.build, !build.succeeded {
            // The rest of a lesson that does not compile cannot run either.
            let others = exercises.filter { exercise in !list.contains { $0.id == exercise.id } }
            for (id, report) in CompileFailures.reports(for: others, build: build, binary: preparation.grader, root: context.root,
                                                        seed: context.settings.seed) {
                if let exercise = Course.exercise(named: id) {
                    outcomes[id] = Outcome(exercise: exercise, report: report, output: "", seconds: 0)
                }
            }
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

    func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }

    func render(clear: Bool, keys: Bool) {
        var text = ""
        if clear && clearScreen { text += "\u{1B}[2J\u{1B}[H" } else if clear { text += "\n" + String(repeating: "─", count: min(60, renderer.width)) + "\n" }
        switch view {
        case .map:
            text += renderer.map(Course.lessons, verdicts: outcomes.mapValues(\.verdict)) + "\n"
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
        let progress = "\(passed)/\(all.count) passed"
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
                    lines.append(renderer.diagnosis(Outcome(exercise: exercise, report: GradeReport(id: exercise.id, verdict: .passed, message: "", seed: 0),
                                                            output: outcome.output, seconds: 0), indent: "  "))
                }
            } else {
                lines.append(renderer.symbol(verdict) + " " + name)
                lines.append(renderer.diagnosis(outcome, indent: "  ", maxLines: 30))
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
        if let note {
            lines.append("")
            lines.append(note.styled(.gray))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func footer(keys: Bool) -> String {
        let stamp: String = {
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm:ss"
            return formatter.string(from: Date())
        }()
        let left = keys ? "h hint · l list · n next · r re-grade · q quit" : "watching for saves · Ctrl-C stops"
        let right = "#\(runs) · \(lastTiming) · \(stamp)"
        let width = renderer.width
        if left.count + right.count + 2 <= width {
            return left.styled(.bold) + String(repeating: " ", count: width - left.count - right.count) + right.styled(.gray)
        }
        return left.styled(.bold) + "\n" + right.styled(.gray)
    }

    let welcome = """
        Welcome to Deep Learning from Scratch!

        You will build every piece of a neural network yourself, one small exercise at a time:
          1. read the chapter the runner names (Lessons/01-activations/README.md first),
          2. replace the todo() in the file it names with your code,
          3. save — the runner rebuilds and grades it within seconds, and says what is wrong.
        Stuck? Press h for a hint. Every exercise is also graded by `swift test`.

        """
}
