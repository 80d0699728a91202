import CourseKit
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The `course` command: parses the arguments and runs a command.
public enum CourseCLI {
    /// Runs the command line (without the program's name) and returns the exit status.
    public static func main(_ arguments: [String]) -> Int32 {
        // Ctrl-C and `kill` work even when the parent started us with them blocked.
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&interrupts, signal) }
        sigprocmask(SIG_UNBLOCK, &interrupts, nil)
        let parsed: CommandLineArguments
        do {
            parsed = try ArgumentParser.parse(arguments)
        } catch {
            return usageFailure(error)
        }
        if parsed.has("help") || parsed.command == "help" {
            let topic = parsed.command == "help" ? parsed.positionals.first : parsed.command
            if let topic, ArgumentParser.spec(topic) == nil {
                return usageFailure(UsageError("unknown command `\(topic)`",
                                               suggestions: Suggest.closest(to: topic, among: ArgumentParser.commands.filter { !$0.hidden }.map(\.name))))
            }
            print(topic.map(ArgumentParser.help(for:)) ?? ArgumentParser.overview())
            return 0
        }
        if parsed.has("no-color") { setenv("NO_COLOR", "1", 1) }

        // The grader's commands, for scripts that call them on `course`.
        if parsed.command == "__grade" || parsed.command == "__demo" {
            let grader = GradingSession.siblingGrader
            do {
                let result = try ChildProcess.run(grader.path, arguments, captureOutput: false)
                switch result.termination {
                case .exited(let status): return status
                case .signaled(let signal): return 128 + signal
                }
            } catch {
                Terminal.writeToStandardError("course: \(error)\n")
                return 1
            }
        }

        let root: URL
        do {
            root = try findRoot(parsed.option("root"))
        } catch {
            Terminal.writeToStandardError("course: \(error)\n")
            return 1
        }
        // Children (builds, demos) run in the course folder.
        _ = FileManager.default.changeCurrentDirectoryPath(root.path)

        let context = RunnerContext(arguments: parsed, root: root)
        do {
            switch parsed.command {
            case "watch": return try Watch(context).run()
            case "list": return try Commands.list(context)
            case "check": return try Commands.check(context)
            case "hint": return try Commands.hint(context)
            case "reset": return try Commands.reset(context)
            case "solution": return try Commands.solution(context)
            case "demo": return try Commands.demo(context)
            case "dev": return try Commands.dev(context)
            default: return usageFailure(UsageError("unknown command `\(parsed.command)`"))
            }
        } catch let error as UsageError {
            return usageFailure(error)
        } catch {
            Terminal.writeToStandardError("course: \(error)\n")
            return 1
        }
    }

    /// Standard output line by line, so what the learner's code printed
    /// survives a crash (a pipe is otherwise fully buffered, and a trap loses
    /// the buffer). C's `stdout` is found by name: Swift 6 forbids touching
    /// the global variable directly.
    public static func lineBufferStandardOutput() {
        #if canImport(Darwin)
        let name = "__stdoutp"
        #else
        let name = "stdout"
        #endif
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return }
        if let file = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee {
            setvbuf(file, nil, _IOLBF, 0)
        }
    }

    static func usageFailure(_ error: UsageError) -> Int32 {
        var text = "course: error: \(error)\n"
        if let command = error.command, let spec = ArgumentParser.spec(command) {
            text += "usage: \(spec.usage)\n"
        } else {
            text += "run `swift run course --help` for the commands\n"
        }
        Terminal.writeToStandardError(text)
        return UsageError.exitStatus
    }

    struct RootError: Error, CustomStringConvertible {
        let description: String
    }

    /// The course folder: `--root`, or the nearest folder up from the current
    /// one that holds Package.swift, Lessons/ and Solutions/.
    static func findRoot(_ option: String?) throws -> URL {
        let fm = FileManager.default
        func isCourse(_ url: URL) -> Bool {
            ["Package.swift", "Lessons", "Solutions"].allSatisfy { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
        }
        if let option {
            let url = URL(fileURLWithPath: option, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath)).standardizedFileURL
            guard isCourse(url) else {
                throw RootError(description: "\(url.path) is not the course folder (no Package.swift, Lessons/ and Solutions/ there)")
            }
            return url
        }
        var url = URL(fileURLWithPath: fm.currentDirectoryPath).standardizedFileURL
        while true {
            if isCourse(url) { return url }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { break }
            url = parent
        }
        throw RootError(description: "run this inside the course folder (the one with Package.swift, Lessons/ and Solutions/), or pass --root DIR")
    }
}

/// What every command needs: the arguments, the course folder, the settings.
public struct RunnerContext: Sendable {
    public var arguments: CommandLineArguments
    public var root: URL
    public var settings: GradingSettings
    public var state: LocalState

    public init(arguments: CommandLineArguments, root: URL) {
        self.arguments = arguments
        self.root = root
        let environment = ProcessInfo.processInfo.environment
        let limit = arguments.option("time-limit").flatMap(Double.init)
            ?? environment["DLFS_TIME_LIMIT"].flatMap(Double.init) ?? RunnerDefaults.timeLimit
        let jobs = arguments.option("jobs").flatMap(Double.init).map { Int($0) } ?? RunnerDefaults.jobs
        let scratch = arguments.option("scratch-path") ?? environment["DLFS_SCRATCH_PATH"]
            ?? RunnerContext.inferredScratchPath(root: root)
        settings = GradingSettings(root: root, scratchPath: scratch, timeLimit: limit, jobs: max(1, jobs),
                                   build: !arguments.has("no-build"))
        state = LocalState(root: root)
    }

    /// The build folder the running binary came from, when it is one inside
    /// the course folder other than `.build` (`swift run --scratch-path X course`):
    /// the runner then builds there too.
    static func inferredScratchPath(root: URL) -> String? {
        let executable = URL(fileURLWithPath: ChildProcess.currentExecutable).resolvingSymlinksInPath()
        let configuration = executable.deletingLastPathComponent()
        guard ["debug", "release"].contains(configuration.lastPathComponent) else { return nil }
        let scratch = configuration.deletingLastPathComponent().deletingLastPathComponent()
        let fm = FileManager.default
        guard fm.fileExists(atPath: scratch.appendingPathComponent("workspace-state.json").path),
              scratch.deletingLastPathComponent().resolvingSymlinksInPath().path == root.resolvingSymlinksInPath().path,
              scratch.lastPathComponent != ".build" else { return nil }
        return scratch.path
    }

    public var renderer: Renderer { Renderer() }
    public var session: GradingSession { GradingSession(settings) }

    /// A path relative to the course folder, for messages.
    public func relative(_ url: URL) -> String {
        let base = root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
