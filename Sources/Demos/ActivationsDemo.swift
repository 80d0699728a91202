import CourseKit
import Foundation
import Implementations

/// Demo 01 — activations. (Being written.)
let activationsDemo = Demo(lesson: 1, title: "Activations", exercises: []) { _ in
    print("This demo is not written yet.")
}
