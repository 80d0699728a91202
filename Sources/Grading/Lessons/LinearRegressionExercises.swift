import CourseKit
import Foundation
import Implementations

/// Lesson 02 — Linear regression. (Being written: exercises appear here.)
enum LinearRegressionLesson {
    typealias F = LinearRegressionFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "02-linear-regression"

    static var exercises: [Exercise] { [] }
}
