/// The runner's command line, parsed by hand: a command, its positional
/// arguments, its flags (`--all`) and its options with a value (`--root DIR`).
///
/// Every command accepts `--help`; an unknown command, flag or option is a
/// `UsageError` (exit status 2) with a "did you mean" when one is close.
public struct CommandLineArguments: Equatable, Sendable {
    public var command: String
    public var positionals: [String]
    public var flags: Set<String>
    public var options: [String: String]

    public init(command: String, positionals: [String] = [], flags: Set<String> = [], options: [String: String] = [:]) {
        self.command = command
        self.positionals = positionals
        self.flags = flags
        self.options = options
    }

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    public func option(_ name: String) -> String? { options[name] }
}

/// A mistake on the command line: the message, and what might have been meant.
public struct UsageError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var suggestions: [String]
    /// The command whose usage to show, if any.
    public var command: String?

    public init(_ message: String, suggestions: [String] = [], command: String? = nil) {
        self.message = message
        self.suggestions = suggestions
        self.command = command
    }

    public var description: String {
        var text = message
        if !suggestions.isEmpty {
            text += "\n  did you mean " + suggestions.map { "`\($0)`" }.joined(separator: " or ") + "?"
        }
        return text
    }

    /// The exit status of a usage error.
    public static let exitStatus: Int32 = 2
}

/// One command: its name, what it does, and what it accepts.
public struct CommandSpec: Sendable {
    public let name: String
    public let usage: String
    public let summary: String
    public let details: String
    public let flags: [String]
    public let options: [String]
    public let positionals: ClosedRange<Int>
    public let hidden: Bool

    public init(_ name: String, usage: String, summary: String, details: String = "", flags: [String] = [],
                options: [String] = [], positionals: ClosedRange<Int> = 0...0, hidden: Bool = false) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.flags = flags
        self.options = options
        self.positionals = positionals
        self.hidden = hidden
    }
}

public enum ArgumentParser {
    /// Options every command accepts.
    public static let globalOptions = ["root", "time-limit", "jobs", "scratch-path"]
    public static let globalFlags = ["help", "no-build", "no-color"]

    public static let commands: [CommandSpec] = [
        CommandSpec("watch", usage: "course [watch [ID]]",
                    summary: "the course map, then watch mode on the next unfinished exercise",
                    details: """
                    Every save of a file under Lessons/ rebuilds and re-grades its exercises.
                    Keys: h hint · l list · n next unfinished · r re-grade · q quit.
                    File changes are found by polling modification times, so it also works
                    where file events do not (WSL, network mounts).
                    `course watch ID` starts on that exercise. DLFS_WATCH_LOG=FILE appends the
                    seconds from each save to its verdict on screen.
                    """, positionals: 0...1),
        CommandSpec("list", usage: "course list [--json]",
                    summary: "every lesson and exercise with its verdict, progress bars, and the file to edit",
                    flags: ["json"]),
        CommandSpec("check", usage: "course check [ID | LESSON | --all] [--json]",
                    summary: "build, grade and diagnose; exit status 0 only when everything checked passed",
                    details: """
                    Without an argument, checks every exercise (the same as --all).
                    --json prints {"exercises": [{"id", "lesson", "title", "verdict", "message", "seed"}]}.
                    DLFS_SEED=<seed> replays a run; --time-limit (or DLFS_TIME_LIMIT) sets the seconds per exercise.
                    """, flags: ["all", "json"], positionals: 0...20),
        CommandSpec("hint", usage: "course hint ID [--all]",
                    summary: "the next rung of an exercise's hint ladder (--all: the whole ladder)",
                    flags: ["all"], positionals: 1...1),
        CommandSpec("reset", usage: "course reset ID [--yes]",
                    summary: "back up your file, then restore the original stub",
                    details: """
                    Your version is copied to .course/backups/ first (the path is printed).
                    On a terminal it asks before resetting; --yes skips the question.
                    A file can hold several exercises: reset restores the whole file.
                    """, flags: ["yes"], positionals: 1...1),
        CommandSpec("solution", usage: "course solution ID [--force]",
                    summary: "the reference solution, once you have passed (--force to see it anyway)",
                    flags: ["force"], positionals: 1...1),
        CommandSpec("demo", usage: "course demo LESSON|--all [--quick]",
                    summary: "train a real model with your code (release build); reference code fills the gaps",
                    details: "Exercises you have passed use your code, the others the reference; the demo says which.",
                    flags: ["quick", "all"], positionals: 0...1),
        CommandSpec("dev", usage: "course dev sync|check|complete-learner [--force]",
                    summary: "for course authors: sync stubs, run the self-checks, grade the complete learner",
                    details: """
                    These commands are for course authors, not learners.
                    sync              write every missing stub (from Solutions/); a file that differs from its
                                      stub (a learner's work?) is left alone and listed — with --force it is
                                      backed up to .course/backups/ (the path is printed), then overwritten
                    check             stubs in sync, then `swift test --filter CourseSelfChecks`
                    complete-learner  copy the course to a temporary folder, every solution over its stub,
                                      and require `course check --all` to pass there
                    """, flags: ["force"], positionals: 1...1),
        CommandSpec("help", usage: "course help [COMMAND]", summary: "this help, or a command's", positionals: 0...1),
        // Hidden: the grader's own commands, passed on to `course-grader`.
        CommandSpec("__grade", usage: "course __grade ID", summary: "grade one exercise (a child process)",
                    positionals: 1...1, hidden: true),
        CommandSpec("__demo", usage: "course __demo LESSON [--quick] [--quick-sections NAMES] [--passed IDS] [--output DIR]",
                    summary: "run one demo in this process", flags: ["quick"], options: ["passed", "output", "quick-sections"],
                    positionals: 1...1, hidden: true),
    ]

    public static let devSubcommands = ["sync", "check", "complete-learner"]

    public static func spec(_ name: String) -> CommandSpec? { commands.first { $0.name == name } }

    /// Parses the arguments after the program's name.
    public static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineArguments {
        var rest = arguments[...]
        var result = CommandLineArguments(command: "watch")
        var spec = spec("watch")!

        if let first = rest.first, !first.hasPrefix("-") {
            rest = rest.dropFirst()
            guard let found = self.spec(first) else {
                let names = commands.filter { !$0.hidden }.map(\.name)
                throw UsageError("unknown command `\(first)`", suggestions: Suggest.closest(to: first, among: names))
            }
            spec = found
            result.command = first
        } else if rest.first == "-h" || rest.first == "--help" {
            return CommandLineArguments(command: "help")
        }

        let flagNames = spec.flags + globalFlags
        let optionNames = spec.options + globalOptions
        var onlyPositionals = false
        while let token = rest.popFirst() {
            if onlyPositionals || !token.hasPrefix("-") || token == "-" {
                result.positionals.append(token)
                continue
            }
            if token == "--" { onlyPositionals = true; continue }
            if token == "-h" { result.flags.insert("help"); continue }
            if token == "-y", flagNames.contains("yes") { result.flags.insert("yes"); continue }
            guard token.hasPrefix("--") else {
                throw UsageError("unknown option `\(token)` for `course \(spec.name)`",
                                 suggestions: Suggest.closest(to: token, among: (flagNames + optionNames).map { "--" + $0 }),
                                 command: spec.name)
            }
            var name = String(token.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if flagNames.contains(name) {
                if value != nil { throw UsageError("`--\(name)` takes no value", command: spec.name) }
                result.flags.insert(name)
            } else if optionNames.contains(name) {
                if value == nil {
                    guard let next = rest.popFirst() else {
                        throw UsageError("`--\(name)` needs a value", command: spec.name)
                    }
                    value = next
                }
                result.options[name] = value
            } else {
                throw UsageError("unknown option `--\(name)` for `course \(spec.name)`",
                                 suggestions: Suggest.closest(to: "--" + name, among: (flagNames + optionNames).map { "--" + $0 }),
                                 command: spec.name)
            }
        }
        if result.flags.contains("help") { return result }

        if !spec.positionals.contains(result.positionals.count) {
            if result.positionals.count > spec.positionals.upperBound {
                let extra = result.positionals[spec.positionals.upperBound]
                throw UsageError("unexpected argument `\(extra)` for `course \(spec.name)`", command: spec.name)
            }
            // Too few: a command that accepts --all may have it instead.
            if !(result.flags.contains("all") && spec.flags.contains("all")) {
                throw UsageError("`course \(spec.name)` needs \(spec.positionals.lowerBound == 1 ? "an argument" : "\(spec.positionals.lowerBound) arguments"): \(spec.usage)",
                                 command: spec.name)
            }
        }
        if spec.name == "dev", let sub = result.positionals.first, !devSubcommands.contains(sub) {
            throw UsageError("unknown dev command `\(sub)`", suggestions: Suggest.closest(to: sub, among: devSubcommands).map { "course dev \($0)" },
                             command: "dev")
        }
        for number in ["time-limit", "jobs"] {
            if let text = result.options[number], Double(text).map({ $0 > 0 }) != true {
                throw UsageError("`--\(number)` needs a positive number, not `\(text)`", command: spec.name)
            }
        }
        return result
    }

    /// The help for every visible command.
    public static func overview() -> String {
        let visible = commands.filter { !$0.hidden }
        let width = visible.map(\.usage.count).max() ?? 0
        var lines = [
            "course — the DeepLearningFromScratch runner",
            "",
            "usage:",
        ]
        for command in visible {
            lines.append("  " + command.usage.padding(toLength: max(width, command.usage.count), withPad: " ", startingAt: 0)
                         + "  " + command.summary)
        }
        lines += [
            "",
            "options for every command:",
            "  --root DIR          the course folder (default: found from the current folder)",
            "  --time-limit S      seconds before an exercise counts as hanging (default \(Int(RunnerDefaults.timeLimit)); DLFS_TIME_LIMIT)",
            "  --jobs N            exercises graded at the same time (default \(RunnerDefaults.jobs))",
            "  --no-build          grade with the binary that is running, without building first",
            "  --no-color          plain output (so does NO_COLOR=1)",
            "  --help, -h          help for a command: `course check --help`",
            "",
            "Start with `swift run course`.",
        ]
        return lines.joined(separator: "\n")
    }

    /// The help for one command.
    public static func help(for name: String) -> String {
        guard let spec = spec(name) else { return overview() }
        var text = "usage: \(spec.usage)\n\n\(spec.summary)"
        if !spec.details.isEmpty { text += "\n\n" + spec.details }
        text += "\n\n(options for every command: --root DIR, --time-limit S, --jobs N, --no-build, --no-color; see `course --help`)"
        return text
    }
}

/// Defaults for grading.
public enum RunnerDefaults {
    /// Seconds one exercise may run (the child's watchdog); the parent kills a child 2 s later.
    public static let timeLimit: Double = 20
    /// Children graded at the same time.
    public static let jobs = 2
    /// Seconds the parent waits past the time limit before it kills a child.
    public static let killGrace: Double = 2
}
