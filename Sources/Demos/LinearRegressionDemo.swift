import CourseKit
import Foundation
import Implementations

/// Demo 02 — linear regression. (Being written.)
let linearRegressionDemo = Demo(lesson: 2, title: "Linear regression", exercises: []) { _ in
    print("This demo is not written yet.")
}
