import CourseKit
import Foundation
import Stubs

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// `list`, `check`, `hint`, `reset`, `solution`, `demo` and `dev`.
public enum Commands {
    /// Prints status lines to standard error (so `--json` output stays clean),
    /// on a terminal redrawing one line.
    struct Status {
        let enabled: Bool
        let interactive = isatty(2) == 1

        func show(_ text: String) {
            guard enabled else { return }
            if interactive {
                Terminal.writeToStandardError("\r\u{1B}[2K" + text.styled(.gray, enabled: Terminal.colorsEnabled))
            } else {
                Terminal.writeToStandardError(text + "\n")
            }
        }

        func clear() {
            if enabled && interactive { Terminal.writeToStandardError("\r\u{1B}[2K") }
        }
    }

    // MARK: - list

    static func list(_ context: RunnerContext) throws -> Int32 {
        let json = context.arguments.has("json")
        let status = Status(enabled: !json)
        let preparation = context.session.prepare(status: status.show)
        guard preparation.catalogLoaded else { return noCatalog(preparation, json: json) }
        let run = context.session.grade(Course.exercises, preparation, status: status.show)
        status.clear()
        if json {
            print(JSONReport(run.outcomes).text)
            return 0
        }
        let verdicts = Dictionary(run.outcomes.map { ($0.exercise.id, $0.verdict) }, uniquingKeysWith: { first, _ in first })
        let renderer = context.renderer
        print(renderer.map(Course.lessons, verdicts: verdicts))
        print("")
        if let next = run.outcomes.first(where: { $0.verdict != .passed }) {
            print("next: " + next.exercise.id.styled(.bold) + " — edit " + next.exercise.lessonPath
                  + "  (`swift run course` watches it for you)")
        } else if !run.outcomes.isEmpty {
            let last = Course.lessons.last.map { String(format: "%02d", $0.number) } ?? "1"
            print("Every exercise passes. Watch your code train: `swift run course demo \(last)`, or `swift run course demo --all`.")
        }
        printBuildProblems(run, renderer: renderer)
        return 0
    }

    /// Build errors outside the learner's files, once.
    static func printBuildProblems(_ run: GradingRun, renderer: Renderer) {
        guard let build = run.build, !build.succeeded else { return }
        if run.outcomes.allSatisfy({ $0.verdict == .compileError }), let first = run.outcomes.first {
            print("\n" + "the build failed:".styled(.yellow))
            print(renderer.block(first.report.message, indent: "  ", maxLines: 30))
        }
    }

    /// The course does not compile and no catalog of exercises was ever seen
    /// (a fresh clone with a broken file): the compiler's messages.
    static func noCatalog(_ preparation: Preparation, json: Bool) -> Int32 {
        Status(enabled: true).clear()
        if json { print(JSONReport([]).text) }
        var text = "The course does not compile yet, so its exercises cannot be listed or graded:\n"
        if let build = preparation.build {
            let errors = build.errors
            text += errors.isEmpty
                ? (build.generalErrors.isEmpty ? build.output.split(separator: "\n").suffix(15).joined(separator: "\n")
                                               : build.generalErrors.prefix(10).joined(separator: "\n"))
                : CompileFailures.render(errors)
        } else {
            text += "no grader was built (run without --no-build)"
        }
        if json { Terminal.writeToStandardError(text + "\n") } else { print(text) }
        return 1
    }

    // MARK: - check

    static func check(_ context: RunnerContext) throws -> Int32 {
        let arguments = context.arguments
        let json = arguments.has("json")
        let status = Status(enabled: !json)
        let start = Date()
        // Names are checked before the build when the last catalog can answer for them.
        if !arguments.has("all"), !arguments.positionals.isEmpty, context.session.catalogOnlyWithoutBuilding(),
           CourseFolders.catalogCoversDisk(root: context.root) {
            for name in arguments.positionals { _ = try Course.resolve(name) }
        }
        let preparation = context.session.prepare(status: status.show)
        guard preparation.catalogLoaded else { return noCatalog(preparation, json: json) }
        var exercises: [ExerciseInfo] = []
        if arguments.has("all") || arguments.positionals.isEmpty {
            exercises = Course.exercises
        } else {
            var seen = Set<String>()
            for name in arguments.positionals {
                for exercise in try Course.resolve(name) where seen.insert(exercise.id).inserted {
                    exercises.append(exercise)
                }
            }
        }
        if exercises.isEmpty {
            status.clear()
            if json { print(JSONReport([]).text) } else { print("no exercises to check (yet)") }
            return 0
        }
        let renderer = context.renderer
        let idWidth = exercises.map(\.id.count).max() ?? 10
        let shown = Renderer.ShownErrors()
        let run = context.session.grade(exercises, preparation, status: status.show) { outcome in
            guard !json else { return }
            status.clear()
            print(renderer.outcome(outcome, idWidth: idWidth, shown: shown))
            Terminal.flushStandardOutput()
        }
        status.clear()
        if json {
            print(JSONReport(run.outcomes).text)
        } else {
            let seconds = String(format: "%.1f", Date().timeIntervalSince(start))
            print("")
            print(Renderer.counts(run.outcomes.map(\.verdict)).styled(.bold)
                  + "  (\(run.outcomes.count) exercise\(run.outcomes.count == 1 ? "" : "s"), seed \(context.settings.seed), \(seconds) s)")
            if let next = run.outcomes.first(where: { $0.verdict == .notStarted || $0.verdict == .failed }),
               run.outcomes.contains(where: { $0.verdict != .passed }) {
                print("stuck? `swift run course hint \(next.exercise.id)`")
            }
        }
        return run.allPassed ? 0 : 1
    }

    /// The catalog, without building when a grader exists.
    static func requireCatalog(_ context: RunnerContext) -> Int32? {
        let status = Status(enabled: true)
        let preparation = context.session.catalogOnly(status: status.show)
        status.clear()
        return preparation.catalogLoaded ? nil : noCatalog(preparation, json: false)
    }

    // MARK: - hint

    static func hint(_ context: RunnerContext) throws -> Int32 {
        if let failure = requireCatalog(context) { return failure }
        let exercise = try Course.resolveExercise(context.arguments.positionals[0])
        let hints = exercise.hints
        let width = context.renderer.width
        print("\(exercise.id)".styled(.bold) + " — \(exercise.title)  (\(exercise.lessonPath))")
        guard !hints.isEmpty else {
            print("This exercise has no hints. Read the doc comment in \(exercise.lessonPath).")
            return 0
        }
        if context.arguments.has("all") {
            for (index, text) in hints.enumerated() {
                print("\nHint \(index + 1) of \(hints.count)".styled(.cyan))
                print(Renderer.wrap(text, width: width, indent: "  "))
            }
            context.state.setHintsShown(hints.count, for: exercise.id)
            return 0
        }
        let shown = context.state.hintsShown()[exercise.id] ?? 0
        let rung = min(shown + 1, hints.count)
        print("\nHint \(rung) of \(hints.count)".styled(.cyan))
        print(Renderer.wrap(hints[rung - 1], width: width, indent: "  "))
        print("")
        if rung < hints.count {
            print("Run `swift run course hint \(exercise.id)` again for hint \(rung + 1) of \(hints.count).".styled(.gray))
        } else {
            print("That is the last hint. `--all` shows the whole ladder; `swift run course solution \(exercise.id)` shows the reference once you pass.".styled(.gray))
        }
        context.state.setHintsShown(rung, for: exercise.id)
        return 0
    }

    /// The next hint rung for an exercise, remembered (for watch mode).
    static func nextHint(_ exercise: ExerciseInfo, state: LocalState) -> (rung: Int, text: String)? {
        guard !exercise.hints.isEmpty else { return nil }
        let shown = state.hintsShown()[exercise.id] ?? 0
        let rung = min(shown + 1, exercise.hints.count)
        state.setHintsShown(rung, for: exercise.id)
        return (rung, exercise.hints[rung - 1])
    }

    // MARK: - reset

    static func reset(_ context: RunnerContext) throws -> Int32 {
        if let failure = requireCatalog(context) { return failure }
        let exercise = try Course.resolveExercise(context.arguments.positionals[0])
        let relative = exercise.lesson + "/" + exercise.file
        guard let pair = try StubGenerator.pairs(root: context.root).first(where: { $0.relativePath == relative }) else {
            Terminal.writeToStandardError("course: there is no solution file Solutions/\(relative) to make the stub from\n")
            return 1
        }
        let file = pair.stub
        let sharing = Course.exercises(sharingFileWith: exercise).map(\.id)
        let covers = sharing.count > 1
            ? "\(exercise.lessonPath) holds \(sharing.count) exercises: \(sharing.joined(separator: ", ")). Reset restores the whole file."
            : "\(exercise.lessonPath) holds \(exercise.id)."
        let current = try? String(contentsOf: file, encoding: .utf8)
        if current == pair.expectedStub {
            print("\(exercise.lessonPath) is already the original stub: nothing to reset.")
            return 0
        }
        print(covers)
        if !context.arguments.has("yes"), isatty(0) == 1 {
            print("Reset it to the original stub? Your version is backed up first. [y/N] ", terminator: "")
            Terminal.flushStandardOutput()
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            guard answer == "y" || answer == "yes" else {
                print("Nothing changed.")
                return 1
            }
        }
        if let current {
            let backup = try backupFile(for: exercise, text: current, state: context.state)
            print("Backed up your version to " + context.relative(backup).styled(.bold))
            print("  (to bring it back: cp \(context.relative(backup)) \(exercise.lessonPath))".styled(.gray))
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try pair.expectedStub.write(to: file, atomically: true, encoding: .utf8)
        print("Restored \(exercise.lessonPath) to its stub: \(sharing.joined(separator: ", ")) \(sharing.count > 1 ? "are" : "is") not started again.")
        return 0
    }

    /// `.course/backups/<id>-<timestamp>.swift`, never overwriting an earlier backup.
    static func backupFile(for exercise: ExerciseInfo, text: String, state: LocalState) throws -> URL {
        try StubGenerator.backUp(text, named: exercise.id, root: state.directory.deletingLastPathComponent())
    }

    // MARK: - solution

    static func solution(_ context: RunnerContext) throws -> Int32 {
        let status = Status(enabled: true)
        if context.session.catalogOnlyWithoutBuilding(), CourseFolders.catalogCoversDisk(root: context.root) {
            _ = try Course.resolveExercise(context.arguments.positionals[0])
        }
        let preparation = context.session.prepare(status: status.show)
        guard preparation.catalogLoaded else { return noCatalog(preparation, json: false) }
        let exercise = try Course.resolveExercise(context.arguments.positionals[0])
        let path = context.root.appendingPathComponent(exercise.solutionPath)
        guard let text = try? String(contentsOf: path, encoding: .utf8) else {
            status.clear()
            Terminal.writeToStandardError("course: cannot read \(exercise.solutionPath)\n")
            return 1
        }
        let run = context.session.grade([exercise], preparation, status: status.show)
        status.clear()
        let verdict = run.outcomes.first?.verdict ?? .notStarted
        if verdict != .passed {
            guard context.arguments.has("force") else {
                print("\(exercise.id) is \(Renderer.name(verdict)) — the solution opens once it passes.")
                print("Stuck? `swift run course hint \(exercise.id)` climbs the hint ladder; `swift run course solution \(exercise.id) --force` shows it anyway.")
                return 1
            }
            print(("warning: \(exercise.id) is \(Renderer.name(verdict)). Reading the solution before you solve it "
                   + "takes away most of what the exercise teaches — try the hints first.").styled(.yellow))
            print("")
        }
        let rendered = TableGenerator.removingBlocks(from: text).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed != StubGenerator.beginMarker && trimmed != StubGenerator.endMarker
            }.joined(separator: "\n")
        print("── \(exercise.solutionPath) ──".styled(.bold))
        print(rendered)
        return 0
    }

    // MARK: - demo

    static func demo(_ context: RunnerContext) throws -> Int32 {
        let arguments = context.arguments
        if !arguments.has("all") && arguments.positionals.isEmpty {
            throw UsageError("`course demo` needs a lesson (or --all): course demo 1", command: "demo")
        }
        let status = Status(enabled: true)
        // The lesson is checked before any build when the last catalog can answer for it.
        if context.session.catalogOnlyWithoutBuilding(), CourseFolders.catalogCoversDisk(root: context.root),
           try selectDemos(arguments) == nil {
            return 1
        }
        let preparation = context.session.prepare(status: { status.show("grading your exercises: " + $0) })
        guard preparation.catalogLoaded else { return noCatalog(preparation, json: false) }
        guard let demos = try selectDemos(arguments) else { return 1 }
        if preparation.buildFailed {
            status.clear()
            print("The course does not compile, so the demo cannot run:".styled(.yellow))
            print(CompileFailures.render(preparation.build?.errors ?? []))
            return 1
        }
        // Whose code each demo runs: the learner's for every exercise that passes.
        let ids = Set(demos.flatMap(\.exercises))
        let known = Course.exercises.filter { ids.contains($0.id) }
        let graded = context.session.grade(known, preparation, status: { status.show("grading your exercises: " + $0) })
        let passed = graded.outcomes.filter { $0.verdict == .passed }.map(\.exercise.id)

        status.show("checking the release build…")
        let release = context.session.builder.build(.release) { progress in
            switch progress {
            case .compiling: status.show("building in release mode (the first time takes a few minutes)…")
            case .waitingForLock: status.show(Builder.waitingMessage)
            }
        }
        status.clear()
        guard release.succeeded else {
            print("The release build failed:".styled(.red))
            let errors = release.errors
            print(errors.isEmpty ? release.output.split(separator: "\n").suffix(20).joined(separator: "\n")
                                 : CompileFailures.render(errors))
            return 1
        }
        let binary = context.session.builder.executable(.release)
        var environment = ProcessInfo.processInfo.environment
        if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = GraderContract.backtraceSettings }
        var failures = 0
        let output = demoOutputFolder(demos: context.state.demos, quick: arguments.has("quick"))
        for demo in demos {
            let demoArguments = demoArguments(lesson: demo.lesson, output: output, passed: passed, quick: arguments.has("quick"))
            let result = try ChildProcess.run(binary.path, demoArguments, environment: environment, captureOutput: false)
            if result.termination != .exited(0) {
                failures += 1
                print("demo \(demo.lesson) stopped: \(result.termination)".styled(.red))
            }
            print("")
        }
        if demos.count > 1 { print("SVG plots are in \(context.relative(output))/") }
        return failures == 0 ? 0 : 1
    }

    /// Where `course demo` writes its plots: a quick run beside the full run's, in `quick/`, never over them.
    static func demoOutputFolder(demos: URL, quick: Bool) -> URL {
        quick ? demos.appendingPathComponent("quick") : demos
    }

    /// The grader's arguments for one demo: the lesson, the output folder, the exercises whose code is the learner's.
    static func demoArguments(lesson: Int, output: URL, passed: [String], quick: Bool) -> [String] {
        var arguments = ["__demo", String(lesson), "--output", output.path]
        if !passed.isEmpty { arguments += ["--passed", passed.joined(separator: ",")] }
        if quick { arguments.append("--quick") }
        return arguments
    }

    /// The demos `course demo` names, from the loaded catalog; `nil` (after
    /// saying so) for a lesson without a demo.
    static func selectDemos(_ arguments: CommandLineArguments) throws(UsageError) -> [DemoInfo]? {
        if arguments.has("all") { return Course.demos }
        guard let name = arguments.positionals.first else {
            throw UsageError("`course demo` needs a lesson: course demo 1", command: "demo")
        }
        let matches = Course.ambiguous(name)
        if !matches.isEmpty, Course.lesson(named: name) == nil { throw Course.ambiguity(name, matches) }
        guard let lesson = Course.lesson(named: name) ?? Course.exercise(named: name).flatMap(Course.lesson(of:)) else {
            let withDemos = Course.demos.map { String(format: "%02d", $0.lesson) }
            if let number = Int(name) {
                throw UsageError("there is no lesson \(number) (yet); the lessons with a demo are \(withDemos.joined(separator: ", "))",
                                 suggestions: withDemos, command: "demo")
            }
            var candidates = Course.lessons.map(\.folder)
            candidates += Course.lessons.map { String($0.folder.drop { $0 != "-" }.dropFirst()) }
            throw UsageError("unknown lesson `\(name)`", suggestions: Suggest.closest(to: name, among: candidates) , command: "demo")
        }
        guard let demo = Course.demos.first(where: { $0.lesson == lesson.number }) else {
            Status(enabled: true).clear()
            let withDemos = Course.demos.map { String(format: "%02d", $0.lesson) }.joined(separator: ", ")
            print("Lesson \(lesson.label) has no demo yet (the lessons with a demo: \(withDemos)).")
            return nil
        }
        return [demo]
    }

    // MARK: - dev

    static func dev(_ context: RunnerContext) throws -> Int32 {
        switch context.arguments.positionals[0] {
        case "sync":
            let result = try StubGenerator.writeStubs(root: context.root, force: context.arguments.has("force"))
            print(StubGenerator.describe(result, relativeTo: context.root, command: "swift run course dev sync"))
            let tables = try TableGenerator.writeTables(root: context.root)
            print(tables.isEmpty ? "tables: all in sync, nothing written" : "tables: wrote " + tables.joined(separator: ", "))
            return 0
        case "check":
            let stale = try StubGenerator.outOfDate(root: context.root)
            if !stale.isEmpty {
                print("stubs that differ from their solutions (for course authors: `swift run course dev sync --force` regenerates them, after a backup):")
                stale.forEach { print("  Lessons/\($0)") }
                return 1
            }
            print("stubs: all \(try StubGenerator.pairs(root: context.root).count) in sync with their solutions")
            let staleTables = try TableGenerator.outOfDate(root: context.root)
            if !staleTables.isEmpty {
                print("function tables that differ from the TABLE blocks in Solutions/ (`swift run course dev sync` rewrites them):")
                staleTables.forEach { print("  \($0)") }
                return 1
            }
            var arguments = ["test", "--package-path", context.root.path, "--filter", "CourseSelfChecks"]
            if let scratch = context.settings.scratchPath { arguments += ["--scratch-path", scratch] }
            print("$ swift " + arguments.joined(separator: " "))
            let result = try ChildProcess.run("swift", arguments, captureOutput: false)
            return result.termination == .exited(0) ? 0 : 1
        case "complete-learner":
            return try completeLearner(context)
        default:
            throw UsageError("unknown dev command", suggestions: ArgumentParser.devSubcommands, command: "dev")
        }
    }

    /// Copies the course with every solution over its stub and checks that all pass.
    static func completeLearner(_ context: RunnerContext) throws -> Int32 {
        let fm = FileManager.default
        let temporary = fm.temporaryDirectory.appendingPathComponent("dlfs-complete-learner-\(getpid())")
        defer { if ProcessInfo.processInfo.environment["DLFS_KEEP_TEMP"] == nil { try? fm.removeItem(at: temporary) } }
        try copyCourse(from: context.root, to: temporary)
        for pair in try StubGenerator.pairs(root: temporary) {
            let text = try String(contentsOf: pair.solution, encoding: .utf8)
            try fm.createDirectory(at: pair.stub.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: pair.stub, atomically: true, encoding: .utf8)
        }
        print("complete learner: every solution copied over its stub in \(temporary.path)")
        var settings = context.settings
        settings.root = temporary
        settings.scratchPath = nil
        settings.build = true
        let status = Status(enabled: true)
        let renderer = context.renderer
        let session = GradingSession(settings)
        let preparation = session.prepare(status: status.show)
        guard preparation.catalogLoaded, !preparation.buildFailed else {
            status.clear()
            print("complete learner: the course does not compile with every solution in place".styled(.red))
            print(CompileFailures.render(preparation.build?.errors ?? []))
            return 1
        }
        let idWidth = Course.exercises.map(\.id.count).max() ?? 10
        let shown = Renderer.ShownErrors()
        let run = session.grade(Course.exercises, preparation, status: status.show) { outcome in
            status.clear()
            print(renderer.outcome(outcome, idWidth: idWidth, shown: shown))
        }
        status.clear()
        print("\n" + Renderer.counts(run.outcomes.map(\.verdict)).styled(.bold))
        if run.allPassed {
            print("complete learner: every exercise passes")
            return 0
        }
        print("complete learner: some exercises do not pass with the reference solutions".styled(.red))
        return 1
    }

    /// The course's files without build products, local state or git.
    static func copyCourse(from source: URL, to destination: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        let skipped: Set<String> = [".git", ".course", ".swiftpm"]
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            if skipped.contains(name) || name.hasPrefix(".build") { continue }
            try fm.copyItem(at: source.appendingPathComponent(name), to: destination.appendingPathComponent(name))
        }
    }
}
