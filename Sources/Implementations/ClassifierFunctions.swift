import CourseKit
import Classifiers
import ClassifiersSolutions

/// Lesson 03's functions as values (learner, reference, or a mix).
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/ClassifierFunctions+Tables.swift`.)
extension ClassifierFunctions {
    public typealias Linear = @Sendable (_ X: Tensor, _ weights: Tensor, _ bias: Double) -> Tensor
}
