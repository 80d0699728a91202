import Foundation

/// One exercise's grade, as the runner shows it.
public struct Outcome: Sendable {
    public var exercise: ExerciseInfo
    public var report: GradeReport
    /// What the learner's code printed (capped), without the report line.
    public var output: String
    public var seconds: Double
    /// How many lines the code printed in all, when `output` keeps only
    /// the start and the end of them (`nil`: `output` is all of it).
    public var outputLines: Int?
    /// The grade was stopped before it finished (a newer save).
    public var cancelled = false

    public init(exercise: ExerciseInfo, report: GradeReport, output: String, seconds: Double, outputLines: Int? = nil) {
        self.exercise = exercise
        self.report = report
        self.output = output
        self.seconds = seconds
        self.outputLines = outputLines
    }

    public var verdict: Verdict { report.verdict }
}

/// How the runner grades: where the course is, how it builds, how long an
/// exercise may take, and how many are graded at once.
public struct GradingSettings: Sendable {
    public var root: URL
    public var scratchPath: String?
    public var timeLimit: Double
    public var jobs: Int
    /// `false` grades with the running binary (`--no-build`).
    public var build: Bool
    /// One seed for the whole run (`DLFS_SEED` replays it).
    public var seed: UInt64

    public init(root: URL, scratchPath: String? = nil, timeLimit: Double = RunnerDefaults.timeLimit,
                jobs: Int = RunnerDefaults.jobs, build: Bool = true, seed: UInt64 = GraderContract.seedForThisRun()) {
        self.root = root
        self.scratchPath = scratchPath
        self.timeLimit = timeLimit
        self.jobs = jobs
        self.build = build
        self.seed = seed
    }
}

/// The result of building and grading.
public struct GradingRun: Sendable {
    public var build: BuildResult?
    public var outcomes: [Outcome]
    public var gradeSeconds: Double
    /// `true` when `cancel` stopped the run: its outcomes are incomplete and stale.
    public var cancelled = false

    public var allPassed: Bool { !outcomes.isEmpty && outcomes.allSatisfy { $0.verdict == .passed } }
}

/// A build, the grader it made (or the last one that exists), and whether
/// the catalog of exercises is known.
public struct Preparation: Sendable {
    public var build: BuildResult?
    public var grader: URL
    public var catalogLoaded: Bool

    public var buildFailed: Bool { build.map { !$0.succeeded } ?? false }
}

/// Builds the course and grades exercises, each in a child process.
public struct GradingSession: Sendable {
    public var settings: GradingSettings
    public var builder: Builder
    /// Asked while grading: `true` stops the run and kills the children
    /// (watch mode: a newer save makes this grade stale).
    public var cancel: (@Sendable () -> Bool)?

    public init(_ settings: GradingSettings) {
        self.settings = settings
        self.builder = Builder(root: settings.root, scratchPath: settings.scratchPath)
    }

    var state: LocalState { LocalState(root: settings.root) }

    /// The grader next to the running executable (`--no-build`).
    static var siblingGrader: URL {
        URL(fileURLWithPath: ChildProcess.currentExecutable).deletingLastPathComponent()
            .appendingPathComponent(GraderContract.graderProduct)
    }

    /// Builds the grader (unless `--no-build`) and loads the catalog from it,
    /// or from the last grader that worked.
    public func prepare(status: (String) -> Void = { _ in }) -> Preparation {
        var build: BuildResult?
        let grader: URL
        if settings.build {
            let first = !FileManager.default.fileExists(atPath: builder.executable().path)
            status(first ? "building the course (the first time takes a minute or two)…" : "building…")
            build = buildUntilSourcesSettle(status: status)
            grader = builder.executable()
        } else {
            grader = GradingSession.siblingGrader
        }
        let loaded = Course.load(grader: grader, state: state) || Course.loadCache(state: state)
        return Preparation(build: build, grader: grader, catalogLoaded: loaded)
    }

    /// Builds until the learner's files are the same after the build as
    /// before it, so the grader never holds older code than the files on
    /// disk: a file saved during a build is built again. A file whose content
    /// changed while its time stamp and size did not (two saves within the
    /// file system's time resolution) gets a newer time stamp first, or
    /// SwiftPM would not see the change.
    func buildUntilSourcesSettle(status: (String) -> Void) -> BuildResult {
        GradingSession.buildUntilSettled(lessons: settings.root.appendingPathComponent("Lessons"), status: status) {
            builder.build { progress in
                if progress == .waitingForLock { status(Builder.waitingMessage) }
            }
        }.result
    }

    /// Runs `build` until the files under `lessons` are the same after it as
    /// before it (at most `attempts` times); the result, its total time, and
    /// how many builds ran.
    static func buildUntilSettled(lessons: URL, attempts: Int = 5, status: (String) -> Void,
                                  build: () -> BuildResult) -> (result: BuildResult, builds: Int) {
        var result = BuildResult(succeeded: false, output: "", seconds: 0)
        var seconds = 0.0
        var builds = 0
        for attempt in 1...attempts {
            let before = SourceMemory.shared.prepareForBuild(lessons)
            result = build()
            builds += 1
            seconds += result.seconds
            let after = FileWatcher.scan(lessons)
            if after == before {
                SourceMemory.shared.remember(after, for: lessons)
                break
            }
            if attempt < attempts { status("a file changed during the build — building again…") }
        }
        result.seconds = seconds
        return (result, builds)
    }

    /// Loads the catalog the last build left (the grader, or its cache),
    /// never building: to check arguments before a build.
    @discardableResult
    public func catalogOnlyWithoutBuilding() -> Bool {
        let grader = settings.build ? builder.executable() : GradingSession.siblingGrader
        return Course.load(grader: grader, state: state) || Course.loadCache(state: state)
    }

    /// Loads the catalog without building when a grader exists (hint, reset);
    /// builds one otherwise. `nil` when the course does not compile and no
    /// catalog was ever seen.
    public func catalogOnly(status: (String) -> Void = { _ in }) -> Preparation {
        let grader = settings.build ? builder.executable() : GradingSession.siblingGrader
        if Course.load(grader: grader, state: state) || Course.loadCache(state: state) {
            return Preparation(build: nil, grader: grader, catalogLoaded: true)
        }
        return prepare(status: status)
    }

    /// Builds, then grades the exercises `select` picks from the catalog.
    public func run(_ select: (CourseCatalog) throws(UsageError) -> [ExerciseInfo], status: (String) -> Void = { _ in },
                    graded: @escaping @Sendable (Outcome) -> Void = { _ in }) throws(UsageError) -> GradingRun {
        let preparation = prepare(status: status)
        let exercises = try select(Course.catalog)
        return grade(exercises, preparation, status: status, graded: graded)
    }

    /// Grades exercises, each in a child process; `graded` hears each outcome
    /// in the order given. After a failed build, the exercises it stops are
    /// compile errors.
    public func grade(_ exercises: [ExerciseInfo], _ preparation: Preparation, status: (String) -> Void = { _ in },
                      graded: @escaping @Sendable (Outcome) -> Void = { _ in }) -> GradingRun {
        var failures: [String: GradeReport] = [:]
        if let build = preparation.build, !build.succeeded {
            failures = CompileFailures.reports(for: exercises, build: build, binary: preparation.grader,
                                               root: settings.root, seed: settings.seed)
        }
        let binary = preparation.grader
        let start = Date()
        let toGrade = exercises.filter { failures[$0.id] == nil }
        if !toGrade.isEmpty {
            status("grading \(toGrade.count) exercise\(toGrade.count == 1 ? "" : "s")…")
        }
        let collector = OrderedCollector(count: exercises.count, deliver: graded)
        for (index, exercise) in exercises.enumerated() {
            if let failure = failures[exercise.id] {
                collector.put(index, Outcome(exercise: exercise, report: failure, output: "", seconds: 0))
            }
        }
        let indices = exercises.indices.filter { failures[exercises[$0].id] == nil }
        let queue = WorkQueue(indices)
        let workers = max(1, min(settings.jobs, indices.count))
        let session = self
        let cancelled = CancelFlag()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while !cancelled.isSet, let index = queue.next() {
                if session.cancel?() == true { cancelled.set(); break }
                let outcome = session.grade(exercises[index], binary: binary.path)
                if outcome.cancelled { cancelled.set(); break }
                collector.put(index, outcome)
            }
        }
        return GradingRun(build: preparation.build, outcomes: collector.results, gradeSeconds: Date().timeIntervalSince(start),
                          cancelled: cancelled.isSet)
    }

    /// The environment of a grading child.
    func childEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if environment["SWIFT_BACKTRACE"] == nil { environment["SWIFT_BACKTRACE"] = GraderContract.backtraceSettings }
        environment["DLFS_TIME_LIMIT"] = String(settings.timeLimit)
        environment[GraderContract.seedVariable] = String(settings.seed)
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "DLFS_COLOR")
        return environment
    }

    /// Grades one exercise in a child process: `course-grader __grade ID`.
    public func grade(_ exercise: ExerciseInfo, binary: String) -> Outcome {
        let result: ChildResult
        do {
            result = try ChildProcess.run(binary, ["__grade", exercise.id], environment: childEnvironment(),
                                          timeLimit: settings.timeLimit + RunnerDefaults.killGrace, cancel: cancel)
        } catch {
            let report = GradeReport(id: exercise.id, verdict: .crashed, message: "could not start the grader: \(error)",
                                     seed: settings.seed)
            return Outcome(exercise: exercise, report: report, output: "", seconds: 0)
        }
        var outcome = GradingSession.interpret(result, exercise: exercise, timeLimit: settings.timeLimit, seed: settings.seed)
        outcome.cancelled = result.cancelled
        return outcome
    }

    /// A child's result as an outcome: its report, or a crash, or a hang.
    public static func interpret(_ result: ChildResult, exercise: ExerciseInfo, timeLimit: Double, seed: UInt64) -> Outcome {
        let standardOutput = result.standardOutput.text
        let standardError = result.standardError.text
        let report: GradeReport
        if let parsed = GraderContract.parseReport(standardOutput: standardOutput) {
            report = parsed
        } else if result.killedAtDeadline {
            report = GradeReport(id: exercise.id, verdict: .timedOut,
                                 message: "timed out: still running after \(GraderContract.short(timeLimit)) s, stopped after \(GraderContract.short(timeLimit + RunnerDefaults.killGrace)) s — an infinite loop?",
                                 seed: seed)
        } else {
            var message = GraderContract.summarizeCrash(standardError: standardError, exitDescription: result.termination.description)
            if !message.contains("\n  at "), let place = CrashLocation.firstFrame(in: standardError) {
                message += "\n  at " + place
            }
            report = GradeReport(id: exercise.id, verdict: .crashed, message: message, seed: seed)
        }
        var printed = standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(GraderContract.reportPrefix) }.joined(separator: "\n")
        if report.verdict != .crashed && !standardError.isEmpty {
            printed += "\n" + standardError
        }
        // Every line the child wrote, kept or not, less the report line.
        let written = result.standardOutput.totalNewlines + result.standardError.totalNewlines
            - (standardOutput.contains(GraderContract.reportPrefix) ? 1 : 0)
        return Outcome(exercise: exercise, report: report,
                       output: printed.trimmingCharacters(in: .whitespacesAndNewlines), seconds: result.seconds,
                       outputLines: result.standardOutput.omittedBytes + result.standardError.omittedBytes > 0 ? written : nil)
    }
}

/// Where a crash happened when it was not in a learner's file: the first
/// frame of the backtrace with a source location outside the Swift runtime.
enum CrashLocation {
    static func firstFrame(in standardError: String) -> String? {
        for line in standardError.split(separator: "\n") {
            guard let at = line.range(of: " at /") else { continue }
            let path = line[line.index(at.upperBound, offsetBy: -1)...].prefix { $0 != " " }
            guard path.contains(".swift:"), !path.hasPrefix("//"), !path.contains("/swift/stdlib/"), !path.hasPrefix("/usr/") else {
                continue
            }
            let parts = path.split(separator: ":")
            let shortened = Paths.short(String(parts[0]))
            return parts.count >= 2 ? "\(shortened):\(parts[1])" : shortened
        }
        return nil
    }
}

/// A flag any thread may set and read.
final class CancelFlag: @unchecked Sendable {
    private var value = false
    private let lock = NSLock()

    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}

/// What the learner's files were at the last build that saw them settled,
/// so that a change SwiftPM cannot see (same time stamp, same size) can be
/// made visible to it.
final class SourceMemory: @unchecked Sendable {
    static let shared = SourceMemory()
    private var built: [String: [String: FileWatcher.Stamp]] = [:]
    private let lock = NSLock()

    func remember(_ stamps: [String: FileWatcher.Stamp], for directory: URL) {
        lock.lock(); built[directory.path] = stamps; lock.unlock()
    }

    /// The files now, after moving the time stamp of any whose content
    /// changed under an unchanged stamp.
    func prepareForBuild(_ directory: URL) -> [String: FileWatcher.Stamp] {
        lock.lock()
        let previous = built[directory.path] ?? [:]
        lock.unlock()
        let now = FileWatcher.scan(directory)
        var touched = false
        for (path, stamp) in now {
            guard let old = previous[path], old.digest != stamp.digest,
                  old.modified == stamp.modified, old.size == stamp.size else { continue }
            let file = directory.deletingLastPathComponent().appendingPathComponent(path)
            let later = max(Date(), stamp.modified.addingTimeInterval(1))
            try? FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: file.path)
            touched = true
        }
        return touched ? FileWatcher.scan(directory) : now
    }
}

/// Hands out indices to workers.
final class WorkQueue: @unchecked Sendable {
    private var pending: [Int]
    private let lock = NSLock()

    init(_ indices: [Int]) { pending = indices.reversed() }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return pending.popLast()
    }
}

/// Collects outcomes from workers and delivers them in order.
final class OrderedCollector: @unchecked Sendable {
    private var slots: [Outcome?]
    private var delivered = 0
    private let lock = NSLock()
    private let deliver: @Sendable (Outcome) -> Void

    init(count: Int, deliver: @escaping @Sendable (Outcome) -> Void) {
        slots = Array(repeating: nil, count: count)
        self.deliver = deliver
    }

    func put(_ index: Int, _ outcome: Outcome) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = outcome
        while delivered < slots.count, let next = slots[delivered] {
            deliver(next)
            delivered += 1
        }
    }

    var results: [Outcome] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
