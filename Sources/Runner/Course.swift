import Foundation

/// One exercise as the runner knows it: what the grader's catalog says.
public struct ExerciseInfo: Codable, Sendable, Equatable, Identifiable {
    /// `activations.sigmoid`.
    public var id: String
    /// The lesson folder, `01-activations`.
    public var lesson: String
    public var title: String
    /// The file, relative to the lesson folder.
    public var file: String
    public var declarations: [String]
    public var hints: [String]

    public init(id: String, lesson: String, title: String, file: String, declarations: [String], hints: [String]) {
        self.id = id
        self.lesson = lesson
        self.title = title
        self.file = file
        self.declarations = declarations
        self.hints = hints
    }

    /// `Lessons/<lesson>/<file>`.
    public var lessonPath: String { "Lessons/\(lesson)/\(file)" }
    /// `Solutions/<lesson>/<file>`.
    public var solutionPath: String { "Solutions/\(lesson)/\(file)" }
}

/// A lesson: its number, folder, title and exercises.
public struct CourseLesson: Codable, Sendable, Equatable {
    public var number: Int
    public var folder: String
    public var title: String
    public var exercises: [ExerciseInfo]

    public init(number: Int, folder: String, title: String, exercises: [ExerciseInfo]) {
        self.number = number
        self.folder = folder
        self.title = title
        self.exercises = exercises
    }

    public var chapterPath: String { "Lessons/\(folder)/README.md" }
    /// `01 Activations`.
    public var label: String { String(format: "%02d", number) + " " + title }
}

/// A lesson's demo: which exercises' code it runs.
public struct DemoInfo: Codable, Sendable, Equatable {
    public var lesson: Int
    public var title: String
    public var exercises: [String]

    public init(lesson: Int, title: String, exercises: [String]) {
        self.lesson = lesson
        self.title = title
        self.exercises = exercises
    }
}

/// Everything the runner needs to know about the course, as the grader
/// executable prints it (`course-grader __catalog`).
public struct CourseCatalog: Codable, Sendable, Equatable {
    public var lessons: [CourseLesson]
    public var demos: [DemoInfo]

    public init(lessons: [CourseLesson], demos: [DemoInfo]) {
        self.lessons = lessons
        self.demos = demos
    }

    public static let empty = CourseCatalog(lessons: [], demos: [])

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The course the runner is working with, and how a name on the command
/// line finds its exercises.
public enum Course {
    private final class Box: @unchecked Sendable {
        let lock = NSLock()
        var catalog = CourseCatalog.empty
        var loaded = false
    }

    private static let box = Box()

    /// The catalog in use (empty until one is loaded).
    public static var catalog: CourseCatalog {
        get { box.lock.lock(); defer { box.lock.unlock() }; return box.catalog }
        set { box.lock.lock(); box.catalog = newValue; box.loaded = true; box.lock.unlock() }
    }

    /// `true` once a catalog was loaded.
    public static var isLoaded: Bool { box.lock.lock(); defer { box.lock.unlock() }; return box.loaded }

    public static var lessons: [CourseLesson] { catalog.lessons }
    public static var exercises: [ExerciseInfo] { lessons.flatMap(\.exercises) }
    public static var demos: [DemoInfo] { catalog.demos }

    public static func lesson(of exercise: ExerciseInfo) -> CourseLesson? {
        lessons.first { $0.folder == exercise.lesson }
    }

    /// An exercise by its id, ignoring case, or by the part after the dot
    /// when that is unique (`sigmoid` for `activations.sigmoid`).
    public static func exercise(named name: String) -> ExerciseInfo? {
        let all = exercises
        if let exact = all.first(where: { $0.id == name }) { return exact }
        let lowered = name.lowercased()
        if let folded = all.first(where: { $0.id.lowercased() == lowered }) { return folded }
        let short = all.filter { $0.id.split(separator: ".").last.map { $0.lowercased() } == lowered }
        return short.count == 1 ? short[0] : nil
    }

    /// A lesson by number (`1`, `01`), folder (`01-activations`), title, the
    /// end of its folder (`activations`) or its exercises' id prefix (`classify`).
    public static func lesson(named key: String) -> CourseLesson? {
        let lowered = key.lowercased()
        return lessons.first { lesson in
            Int(lowered) == lesson.number || lowered == lesson.folder || lowered == lesson.title.lowercased()
                || lesson.folder.hasSuffix("-" + lowered)
                || (!lesson.exercises.isEmpty && lesson.exercises.allSatisfy { $0.id.lowercased().hasPrefix(lowered + ".") })
        }
    }

    /// The exercises whose id ends in `.name`, when there are several
    /// (`relu`: `activations.relu` and `backprop.relu`).
    public static func ambiguous(_ name: String) -> [ExerciseInfo] {
        let lowered = name.lowercased()
        let short = exercises.filter { $0.id.split(separator: ".").last.map { $0.lowercased() } == lowered }
        return short.count > 1 && !exercises.contains { $0.id.lowercased() == lowered } ? short : []
    }

    static func ambiguity(_ name: String, _ matches: [ExerciseInfo]) -> UsageError {
        UsageError("`\(name)` is ambiguous: it names \(matches.count) exercises — say which", suggestions: matches.map(\.id))
    }

    /// The exercises an argument names: one exercise, or a lesson's.
    public static func resolve(_ name: String) throws(UsageError) -> [ExerciseInfo] {
        if let exercise = exercise(named: name) { return [exercise] }
        let matches = ambiguous(name)
        if !matches.isEmpty { throw ambiguity(name, matches) }
        if let lesson = lesson(named: name) { return lesson.exercises }
        throw unknown(name, lessonsToo: true)
    }

    /// Exactly one exercise.
    public static func resolveExercise(_ name: String) throws(UsageError) -> ExerciseInfo {
        if let exercise = exercise(named: name) { return exercise }
        let matches = ambiguous(name)
        if !matches.isEmpty { throw ambiguity(name, matches) }
        if let lesson = lesson(named: name) {
            throw UsageError("`\(name)` is a lesson (\(lesson.label)); name one of its exercises",
                             suggestions: lesson.exercises.map(\.id))
        }
        throw unknown(name, lessonsToo: false)
    }

    static func unknown(_ name: String, lessonsToo: Bool) -> UsageError {
        var candidates = exercises.map(\.id)
        if lessonsToo {
            // Every name `lesson(named:)` takes: `01-activations`, `activations`, `classify`.
            for lesson in lessons {
                candidates.append(lesson.folder)
                candidates.append(String(lesson.folder.drop { $0 != "-" }.dropFirst()))
                if let prefix = lesson.exercises.first?.id.split(separator: ".").first { candidates.append(String(prefix)) }
            }
        }
        var suggestions = Suggest.closest(to: name, among: candidates)
        if suggestions.isEmpty, lessonsToo, let number = Int(name), number > 0 {
            suggestions = lessons.map { String(format: "%02d", $0.number) }
            return UsageError("there is no lesson \(number) (yet)", suggestions: suggestions)
        }
        let kind = lessonsToo ? "exercise or lesson" : "exercise"
        var error = UsageError("unknown \(kind) `\(name)`", suggestions: suggestions)
        if suggestions.isEmpty { error.message += " — `course list` shows them all" }
        return error
    }

    /// The exercises that share a file with `exercise` (itself included).
    public static func exercises(sharingFileWith exercise: ExerciseInfo) -> [ExerciseInfo] {
        exercises.filter { $0.lessonPath == exercise.lessonPath }
    }

    // MARK: Loading

    /// Loads the catalog from a grader executable (and caches it in
    /// `.course/catalog.json`); `false` when the grader cannot say.
    @discardableResult
    public static func load(grader: URL, state: LocalState) -> Bool {
        guard FileManager.default.isExecutableFile(atPath: grader.path),
              let result = try? ChildProcess.run(grader.path, ["__catalog"], headLimit: 8 << 20, tailLimit: 0, timeLimit: 30),
              result.termination == .exited(0),
              let catalog = try? JSONDecoder().decode(CourseCatalog.self, from: Data(result.standardOutput.text.utf8)) else {
            return false
        }
        self.catalog = catalog
        state.saveCatalog(catalog)
        return true
    }

    /// Loads the catalog the last successful build left behind.
    @discardableResult
    public static func loadCache(state: LocalState) -> Bool {
        guard let catalog = state.cachedCatalog() else { return false }
        self.catalog = catalog
        return true
    }
}


/// The lesson folders on disk, to tell whether the catalog the last build
/// left can answer for every name (a lesson added since is only known after
/// the next build).
public enum CourseFolders {
    /// `01-activations`, … : the folders under `Lessons/` whose name starts with two digits.
    public static func onDisk(root: URL) -> [String] {
        let lessons = root.appendingPathComponent("Lessons")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
        return names.filter { name in name.count > 3 && name.prefix(2).allSatisfy(\.isNumber) && name.dropFirst(2).first == "-" }
            .sorted()
    }

    /// `true` when the loaded catalog knows every lesson folder on disk, so
    /// that a name it does not know is unknown for certain, before any build.
    public static func catalogCoversDisk(root: URL) -> Bool {
        guard Course.isLoaded else { return false }
        let known = Set(Course.lessons.map(\.folder))
        return onDisk(root: root).allSatisfy(known.contains)
    }
}
