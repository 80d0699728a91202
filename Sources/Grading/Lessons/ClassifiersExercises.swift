import CourseKit
import Foundation
import Implementations

/// Lesson 03 — Perceptron and logistic regression. (Being written: exercises appear here.)
enum ClassifiersLesson {
    typealias F = ClassifierFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "03-perceptron-logistic"

    static var exercises: [Exercise] { [] }
}
