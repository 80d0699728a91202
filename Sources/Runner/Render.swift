import CourseKit
import Foundation

/// How verdicts, lists and diagnoses look on screen.
public struct Renderer: Sendable {
    public var colors: Bool
    public var width: Int

    public init(colors: Bool = Terminal.colorsEnabled, width: Int = Renderer.defaultWidth) {
        self.colors = colors
        self.width = width
    }

    /// The terminal's width; when the output is not a terminal (a pipe, a
    /// log) and `COLUMNS` is unset, wide enough that nothing is cut.
    public static var defaultWidth: Int {
        Terminal.isInteractive || Terminal.environment("COLUMNS") != nil ? Terminal.width : 160
    }

    func style(_ text: String, _ style: Style) -> String { text.styled(style, enabled: colors) }

    /// The verdict's symbol, two columns wide, in its color.
    public func symbol(_ verdict: Verdict) -> String {
        let cell = verdict == .crashed ? verdict.symbol : verdict.symbol + " "
        return style(cell, Renderer.color(verdict))
    }

    static func color(_ verdict: Verdict) -> Style {
        switch verdict {
        case .passed: .green
        case .failed, .crashed: .red
        case .notStarted: .gray
        case .timedOut, .compileError: .yellow
        }
    }

    /// "not started", "timed out", "does not compile".
    public static func name(_ verdict: Verdict) -> String {
        switch verdict {
        case .passed: "passed"
        case .failed: "failed"
        case .notStarted: "not started"
        case .crashed: "crashed"
        case .timedOut: "timed out"
        case .compileError: "does not compile"
        }
    }

    /// A static progress bar: `█████░░░░░`.
    public func bar(done: Int, total: Int, width: Int) -> String {
        let cells = max(1, width)
        let filled = total == 0 ? 0 : min(cells, Int((Double(done) / Double(total) * Double(cells)).rounded(.down)))
        return style(String(repeating: "█", count: filled), .green) + style(String(repeating: "░", count: cells - filled), .gray)
    }

    /// `2 passed · 1 failed · 4 not started`.
    public static func counts(_ verdicts: [Verdict]) -> String {
        let parts = Verdict.allCases.compactMap { verdict -> String? in
            let count = verdicts.filter { $0 == verdict }.count
            guard count > 0 else { return nil }
            return verdict == .compileError ? "\(count) not compiling" : "\(count) \(name(verdict))"
        }
        return parts.isEmpty ? "nothing graded" : parts.joined(separator: " · ")
    }

    /// Text cut to a visible width, with `…` when cut.
    public static func fit(_ text: String, _ width: Int) -> String {
        guard text.visibleWidth > width else { return text }
        guard width > 1 else { return String(text.prefix(max(0, width))) }
        return String(text.prefix(width - 1)) + "…"
    }

    /// Words wrapped to a width, each line starting with `indent`.
    public static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        let room = max(20, width - indent.count)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if line.isEmpty {
                    line = String(word)
                } else if line.count + 1 + word.count <= room {
                    line += " " + word
                } else {
                    lines.append(indent + line)
                    line = String(word)
                }
            }
            lines.append(indent + line)
        }
        return lines.joined(separator: "\n")
    }

    /// Indented lines; a line too long for the width is wrapped at spaces,
    /// keeping its own indentation.
    /// `totalLines`: how many lines the text stood for before it was cut
    /// (the middle of a flood of output is dropped), so the count is true.
    func block(_ text: String, indent: String = "    ", maxLines: Int = 40, totalLines: Int? = nil) -> String {
        let room = max(30, width - indent.count)
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines += Renderer.wrapLine(String(line), width: room)
        }
        var shown = lines.prefix(maxLines).map { indent + $0 }
        if let totalLines {
            shown.append(indent + "… (\(max(totalLines, lines.count) - min(maxLines, lines.count)) more lines; \(totalLines) printed in all)")
        } else if lines.count > maxLines {
            shown.append(indent + "… (\(lines.count - maxLines) more lines)")
        }
        return shown.joined(separator: "\n")
    }

    /// One line wrapped at spaces to a width; the continuation lines keep the
    /// line's indentation plus two spaces. A word longer than the width is cut.
    static func wrapLine(_ line: String, width: Int) -> [String] {
        guard line.count > width else { return [line] }
        let leading = String(line.prefix { $0 == " " })
        let continuation = leading + "  "
        var result: [String] = []
        var current = leading
        var empty = true   // `current` holds only its indentation
        for word in line.dropFirst(leading.count).split(separator: " ") {
            if !empty, current.count + 1 + word.count > width {
                result.append(current)
                current = continuation
                empty = true
            }
            current += (empty ? "" : " ") + word
            empty = false
            while current.count > width {
                result.append(String(current.prefix(width)))
                current = continuation + current.dropFirst(width)
            }
        }
        if !empty { result.append(current) }
        return result
    }

    /// The place a not-started message names: `Lessons/…swift:15`.
    static func todoPlace(_ message: String) -> String? {
        guard let range = message.range(of: "todo() at ") else { return nil }
        return String(message[range.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Compiler errors already on screen, so a lesson's errors are shown once.
    public final class ShownErrors: @unchecked Sendable {
        private var headers = Set<String>()
        private let lock = NSLock()
        public init() {}

        /// The message, or a short reference to errors shown before.
        func compact(_ message: String) -> String {
            lock.lock()
            defer { lock.unlock() }
            let lines = message.split(separator: "\n").map(String.init)
            let errorLines = lines.filter { $0.contains(": error: ") && !$0.hasPrefix(" ") }
            guard !errorLines.isEmpty else { return message }
            if errorLines.allSatisfy(headers.contains) {
                let first = lines.first.map { $0.contains(": error: ") ? "" : $0 } ?? ""
                let lead = first.isEmpty || first.hasPrefix(" ") ? "" : String(first.hasSuffix(":") ? first.dropLast() : first[...]) + " "
                return lead + "(the compiler's errors are shown above)"
            }
            headers.formUnion(errorLines)
            return message
        }
    }

    /// One line per exercise, and the diagnosis under it when it did not pass.
    public func outcome(_ outcome: Outcome, idWidth: Int, showOutput: Bool = true, shown: ShownErrors? = nil) -> String {
        var outcome = outcome
        if outcome.verdict == .compileError, let shown { outcome.report.message = shown.compact(outcome.report.message) }
        let exercise = outcome.exercise
        let id = exercise.id.padded(to: idWidth)
        var head = symbol(outcome.verdict) + " " + style(id, .bold) + "  "
        switch outcome.verdict {
        case .notStarted:
            let place = Renderer.todoPlace(outcome.report.message) ?? exercise.lessonPath
            head += style(Renderer.fit("not started — edit \(place)", max(20, width - idWidth - 5)), .gray)
            return head
        case .passed:
            return head + Renderer.fit(exercise.title, max(20, width - idWidth - 5))
        default:
            let name = Renderer.name(outcome.verdict)
            head += style(name, Renderer.color(outcome.verdict))
            head += 3 + idWidth + 2 + name.count + 3 + exercise.lessonPath.count <= width
                ? " — " + exercise.lessonPath : "\n    " + exercise.lessonPath
        }
        var lines = [head, diagnosis(outcome, indent: "    ", showOutput: showOutput)]
        if outcome.report.seed != 0, outcome.verdict == .failed {
            lines.append(style("    replay: DLFS_SEED=\(outcome.report.seed) swift run course check \(exercise.id)", .gray))
        }
        return lines.joined(separator: "\n")
    }

    /// The diagnosis and what the learner's code printed.
    public func diagnosis(_ outcome: Outcome, indent: String, showOutput: Bool = true, maxLines: Int = 40) -> String {
        var text = block(outcome.report.message, indent: indent, maxLines: maxLines)
        if showOutput, !outcome.output.isEmpty {
            text += "\n" + style(indent + "your code printed:", .gray) + "\n" + block(outcome.output, indent: indent + "│ ", maxLines: 12,
                                                                                                         totalLines: outcome.outputLines)
        }
        return text
    }

    /// The course map in few lines, for a 24-row terminal: one line per lesson
    /// (its bar and a symbol per exercise, the current one marked `▸`), and
    /// the current lesson's exercises one per line. `stale` exercises show
    /// their last known verdict (their lesson does not compile now).
    public func compactMap(_ lessons: [CourseLesson], verdicts: [String: Verdict], current: String?,
                           stale: Set<String> = [], expandCurrentLesson: Bool = true) -> String {
        let all = lessons.flatMap(\.exercises)
        let passed = all.filter { verdicts[$0.id] == .passed }.count
        var lines: [String] = []
        let headerLeft = "Deep Learning from Scratch"
        let headerRight = "\(passed)/\(all.count) passed" + (stale.isEmpty ? "" : " (last known)")
        let barWidth = max(5, min(24, width - headerLeft.count - headerRight.count - 4))
        if width >= headerLeft.count + headerRight.count + 9 {
            lines.append(style(headerLeft, .bold) + "  " + bar(done: passed, total: all.count, width: barWidth) + " " + headerRight)
        } else {
            lines.append(style(headerLeft, .bold))
            lines.append(bar(done: passed, total: all.count, width: max(5, width - headerRight.count - 2)) + " " + headerRight)
        }
        lines.append("")
        let labelWidth = min(26, lessons.map(\.label.count).max() ?? 10)
        for lesson in lessons {
            let label = Renderer.fit(lesson.label, labelWidth).padded(to: labelWidth)
            let isCurrent = lesson.exercises.contains { $0.id == current }
            let marker = isCurrent ? "▸ " : "  "
            if lesson.exercises.isEmpty {
                lines.append(marker + style(label, .gray) + style("  (exercises coming)", .gray))
                continue
            }
            let done = lesson.exercises.filter { verdicts[$0.id] == .passed }.count
            let count = "\(done)/\(lesson.exercises.count)".padded(to: 5, alignRight: true)
            let cells = lesson.exercises.map { exercise -> String in
                let cell = verdicts[exercise.id].map(symbol) ?? style("? ", .gray)
                guard exercise.id == current else { return cell }
                let bare = verdicts[exercise.id].map { style($0.symbol, Renderer.color($0)) } ?? style("?", .gray)
                return style("[", .bold) + bare + style("]", .bold)
            }.joined()
            let line = marker + (isCurrent ? style(label, .bold) : label) + " " + bar(done: done, total: lesson.exercises.count, width: 8)
                + " " + count + "  " + cells
            lines.append(line)
        }
        if expandCurrentLesson, let lesson = lessons.first(where: { $0.exercises.contains { $0.id == current } }) {
            lines.append("")
            lines.append(style(lesson.label, .bold) + "  " + style(lesson.chapterPath, .gray))
            let idWidth = lesson.exercises.map(\.id.count).max() ?? 10
            for exercise in lesson.exercises {
                let mark = verdicts[exercise.id].map(symbol) ?? style("? ", .gray)
                let here = exercise.id == current ? "▸ " : "  "
                var line = here + mark + " " + (exercise.id == current ? style(exercise.id.padded(to: idWidth), .bold) : exercise.id.padded(to: idWidth))
                let file = "  " + exercise.file + (stale.contains(exercise.id) ? " (last known)" : "")
                if line.visibleWidth + file.count <= width { line += style(file, .gray) }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The course map: every lesson and exercise with its verdict, the progress
    /// bars, and the file to edit.
    public func map(_ lessons: [CourseLesson], verdicts: [String: Verdict]) -> String {
        let all = lessons.flatMap(\.exercises)
        let passed = all.filter { verdicts[$0.id] == .passed }.count
        let idWidth = all.map(\.id.count).max() ?? 10
        let titleWidth = all.map(\.title.count).max() ?? 10
        let pathWidth = all.map(\.lessonPath.count).max() ?? 10
        // Wide: symbol, id, title, file. Medium: symbol, id, file. Narrow: symbol, id, then the file below.
        let wide = 4 + idWidth + 2 + titleWidth + 2 + pathWidth <= width
        let medium = 4 + idWidth + 2 + pathWidth <= width

        var lines: [String] = []
        let percent = all.isEmpty ? 0 : 100 * passed / all.count
        let headerLeft = "Deep Learning from Scratch"
        let headerRight = "\(passed)/\(all.count) passed \(percent)%"
        let barWidth = max(5, min(30, width - headerLeft.count - headerRight.count - 4))
        if width >= headerLeft.count + headerRight.count + 10 {
            lines.append(style(headerLeft, .bold) + "  " + bar(done: passed, total: all.count, width: barWidth) + " " + headerRight)
        } else {
            lines.append(style(headerLeft, .bold))
            lines.append(bar(done: passed, total: all.count, width: max(5, width - headerRight.count - 2)) + " " + headerRight)
        }
        for lesson in lessons {
            lines.append("")
            let done = lesson.exercises.filter { verdicts[$0.id] == .passed }.count
            let label = style(Renderer.fit(lesson.label, width), .bold)
            if lesson.exercises.isEmpty {
                let coming = "  (exercises coming)"
                lines.append(lesson.label.count + coming.count <= width ? label + style(coming, .gray) : label)
                continue
            }
            let right = " \(done)/\(lesson.exercises.count)"
            let lessonBar = max(5, min(20, width - lesson.label.count - right.count - 3))
            if lesson.label.count + lessonBar + right.count + 3 <= width {
                lines.append(label + "  " + bar(done: done, total: lesson.exercises.count, width: lessonBar) + right)
            } else {
                lines.append(label)
                lines.append("  " + bar(done: done, total: lesson.exercises.count, width: max(5, width - right.count - 3)) + right)
            }
            for exercise in lesson.exercises {
                let verdict = verdicts[exercise.id]
                let mark = verdict.map(symbol) ?? style("? ", .gray)
                let id = exercise.id
                if wide {
                    lines.append("  " + mark + " " + id.padded(to: idWidth) + "  " + exercise.title.padded(to: titleWidth) + "  "
                                 + style(exercise.lessonPath, .gray))
                } else if medium {
                    lines.append("  " + mark + " " + id.padded(to: idWidth) + "  " + style(exercise.lessonPath, .gray))
                } else {
                    lines.append("  " + mark + " " + Renderer.fit(id, width - 5))
                    lines.append("     " + style(Renderer.fit(exercise.lessonPath, width - 5), .gray))
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// The `--json` form of a run.
public struct JSONReport: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var id: String
        public var lesson: String
        public var title: String
        public var verdict: String
        public var message: String
        public var seed: UInt64
    }

    public var exercises: [Entry]

    public init(_ outcomes: [Outcome]) {
        exercises = outcomes.map { outcome in
            Entry(id: outcome.exercise.id, lesson: outcome.exercise.lesson, title: outcome.exercise.title,
                  verdict: outcome.verdict.rawValue, message: outcome.report.message, seed: outcome.report.seed)
        }
    }

    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"exercises\": []}"
    }
}
