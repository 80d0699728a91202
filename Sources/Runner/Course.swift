import Foundation
import Grading

/// A lesson as the runner sees it: the catalog's lessons, plus the test
/// fixtures when `DLFS_FIXTURES=1`.
public struct CourseLesson: Sendable {
    public let number: Int
    public let folder: String
    public let title: String
    public let exercises: [Exercise]

    public var chapterPath: String { "Lessons/\(folder)/README.md" }
    /// `01 Activations`.
    public var label: String { String(format: "%02d", number) + " " + title }
}

/// The exercises the runner knows, and how a name on the command line finds them.
public enum Course {
    public static var lessons: [CourseLesson] {
        var lessons = Catalog.lessons.map {
            CourseLesson(number: $0.number, folder: $0.folder, title: $0.title, exercises: $0.exercises)
        }
        if Fixtures.enabled { lessons.append(Fixtures.lesson) }
        return lessons
    }

    public static var exercises: [Exercise] { lessons.flatMap(\.exercises) }

    public static func lesson(of exercise: Exercise) -> CourseLesson? {
        lessons.first { $0.folder == exercise.lesson }
    }

    /// An exercise by its id, ignoring case, or by the part after the dot
    /// when that is unique (`sigmoid` for `activations.sigmoid`).
    public static func exercise(named name: String) -> Exercise? {
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

    /// The exercises an argument names: one exercise, or a lesson's.
    public static func resolve(_ name: String) throws(UsageError) -> [Exercise] {
        if let exercise = exercise(named: name) { return [exercise] }
        if let lesson = lesson(named: name) { return lesson.exercises }
        throw unknown(name, lessonsToo: true)
    }

    /// Exactly one exercise.
    public static func resolveExercise(_ name: String) throws(UsageError) -> Exercise {
        if let exercise = exercise(named: name) { return exercise }
        if let lesson = lesson(named: name) {
            throw UsageError("`\(name)` is a lesson (\(lesson.label)); name one of its exercises",
                             suggestions: lesson.exercises.map(\.id))
        }
        throw unknown(name, lessonsToo: false)
    }

    static func unknown(_ name: String, lessonsToo: Bool) -> UsageError {
        var candidates = exercises.map(\.id)
        if lessonsToo { candidates += lessons.map(\.folder) }
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
    public static func exercises(sharingFileWith exercise: Exercise) -> [Exercise] {
        exercises.filter { $0.lessonPath == exercise.lessonPath }
    }
}
