import CourseKit
import LinearRegression
import LinearRegressionSolutions

/// Lesson 02's functions as values (learner, reference, or a mix).
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/LinearRegressionFunctions+Tables.swift`.)
extension LinearRegressionFunctions {
    public typealias LossAndGradients = (loss: Double, dWeights: Tensor, dBias: Double)
    public typealias Parameters = (weights: Tensor, bias: Double)
}
