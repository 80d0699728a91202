import Foundation

/// A lesson as the runner shows it.
public struct LessonInfo: Sendable {
    /// 1-based.
    public let number: Int
    /// `01-activations`.
    public let folder: String
    public let title: String
    /// The learner's module, e.g. `Activations`.
    public let module: String
    public let exercises: [Exercise]

    /// `Lessons/01-activations/README.md`.
    public var chapterPath: String { "Lessons/\(folder)/README.md" }
}

/// Every lesson and exercise of the course, in order.
public enum Catalog {
    public static let lessons: [LessonInfo] = [
        LessonInfo(number: 1, folder: ActivationsLesson.folder, title: "Activations", module: "Activations",
                   exercises: ActivationsLesson.exercises),
        LessonInfo(number: 2, folder: LinearRegressionLesson.folder, title: "Linear regression", module: "LinearRegression",
                   exercises: LinearRegressionLesson.exercises),
        LessonInfo(number: 3, folder: ClassifiersLesson.folder, title: "Perceptron and logistic regression", module: "Classifiers",
                   exercises: ClassifiersLesson.exercises),
        LessonInfo(number: 4, folder: BackpropLesson.folder, title: "Backpropagation and the multilayer perceptron", module: "Backprop",
                   exercises: BackpropLesson.exercises),
        LessonInfo(number: 5, folder: DeepTrainingLesson.folder, title: "Training deep networks", module: "DeepTraining",
                   exercises: DeepTrainingLesson.exercises),
        LessonInfo(number: 6, folder: ConvNetsLesson.folder, title: "Convolutional networks", module: "ConvNets",
                   exercises: ConvNetsLesson.exercises),
        LessonInfo(number: 7, folder: RecurrentNetsLesson.folder, title: "Recurrent networks", module: "RecurrentNets",
                   exercises: RecurrentNetsLesson.exercises),
        LessonInfo(number: 8, folder: TransformersLesson.folder, title: "The Transformer", module: "Transformers",
                   exercises: TransformersLesson.exercises),
    ]

    public static var exercises: [Exercise] { lessons.flatMap(\.exercises) }

    public static func exercise(id: String) -> Exercise? { exercises.first { $0.id == id } }

    /// A lesson by number (`1`, `01`), folder (`01-activations`) or name (`activations`).
    public static func lesson(_ key: String) -> LessonInfo? {
        let lowered = key.lowercased()
        return lessons.first { lesson in
            Int(lowered) == lesson.number || lowered == lesson.folder
                || lowered == lesson.title.lowercased() || lesson.folder.hasSuffix("-" + lowered)
        }
    }

    /// The exercise a `todo()` at `file:line` belongs to: the file's only
    /// exercise, or, in a file that holds several, the one that declares the
    /// nearest function above that line. `nil` outside the lessons.
    public static func exercise(owningTodoIn file: String, line: Int) -> Exercise? {
        let path = shortPath(file)
        let candidates = exercises.filter { $0.lessonPath == path }
        guard candidates.count > 1 else { return candidates.first }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for index in stride(from: min(line - 1, lines.count - 1), through: 0, by: -1) {
            guard let range = lines[index].range(of: "func ") else { continue }
            let name = lines[index][range.upperBound...].prefix { $0 != "(" && $0 != "<" }
            return candidates.first { $0.declarations.contains { $0.hasPrefix(name + "(") } }
        }
        return nil
    }

    /// `Lessons/01-activations/Sigmoid.swift` from an absolute path.
    public static func shortPath(_ path: String) -> String {
        for marker in ["/Lessons/", "/Solutions/"] {
            if let range = path.range(of: marker, options: .backwards) {
                return String(marker.dropFirst()) + path[range.upperBound...]
            }
        }
        return path
    }
}
