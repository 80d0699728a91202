import CourseKit
import Foundation
import Implementations

/// Demo 03 — perceptron and logistic regression. (Being written.)
let classifiersDemo = Demo(lesson: 3, title: "Perceptron and logistic regression", exercises: []) { _ in
    print("This demo is not written yet.")
}
