import CourseKit
import Foundation

/// Exercise `linreg.step` — one step of gradient descent.
///
/// Move against the gradient, scaled by the learning rate η:
///
///     w ← w − η · ∂L/∂w,   b ← b − η · ∂L/∂b
///
/// - Parameters:
///   - weights: w, shape `[D]`.
///   - bias: b.
///   - dWeights: ∂L/∂w, shape `[D]`.
///   - dBias: ∂L/∂b.
///   - learningRate: η > 0.
/// - Returns: the updated w (shape `[D]`) and b.
public func gradientDescentStep(weights: Tensor, bias: Double, dWeights: Tensor, dBias: Double,
                                learningRate: Double) -> (weights: Tensor, bias: Double) {
    // BEGIN SOLUTION
    (weights - learningRate * dWeights, bias - learningRate * dBias)
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.step
// gradientDescentStep: @Sendable (_ weights: Tensor, _ bias: Double, _ dWeights: Tensor, _ dBias: Double,
//     _ learningRate: Double) -> Parameters
// = { Module.gradientDescentStep(weights: $0, bias: $1, dWeights: $2, dBias: $3, learningRate: $4) }
// END TABLE
