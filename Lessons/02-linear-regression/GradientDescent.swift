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
    todo()
}
