import CourseKit
import Foundation

/// Exercise `linreg.mse` — the mean squared error and its gradients.
///
///     L = (1/N) · Σᵢ (ŷᵢ − yᵢ)²,   ŷ = X w + b
///
///     ∂L/∂w = (2/N) · Xᵀ (ŷ − y),   ∂L/∂b = (2/N) · Σᵢ (ŷᵢ − yᵢ)
///
/// (Some texts use 1/(2N) to cancel the 2; this course uses 1/N.)
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets, shape `[N]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
/// - Returns: the loss L, ∂L/∂w (shape `[D]`) and ∂L/∂b.
public func mseLoss(_ X: Tensor, _ y: Tensor, weights: Tensor, bias: Double)
    -> (loss: Double, dWeights: Tensor, dBias: Double) {
    // BEGIN SOLUTION
    let n = Double(X.shape[0])
    let residual = predict(X, weights: weights, bias: bias) - y
    let loss = (residual * residual).sum() / n
    let dWeights = matmul(X.transposed(), residual) * (2 / n)
    let dBias = 2 * residual.sum() / n
    return (loss, dWeights, dBias)
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.mse
// mseLoss: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double) -> LossAndGradients
// = { Module.mseLoss($0, $1, weights: $2, bias: $3) }
// END TABLE
