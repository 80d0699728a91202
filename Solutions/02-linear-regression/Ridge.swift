import CourseKit
import Foundation

/// Exercise `linreg.ridge` — ridge regression (L2 regularization), loss and gradients.
///
///     L = (1/N) · Σᵢ (ŷᵢ − yᵢ)² + λ · ‖w‖²
///
/// The bias is not penalized. Compared with `mseLoss`, ∂L/∂w gains 2λw and
/// ∂L/∂b is unchanged.
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets, shape `[N]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
///   - lambda: λ ≥ 0, the strength of the penalty.
/// - Returns: the loss, ∂L/∂w (shape `[D]`) and ∂L/∂b.
public func ridgeLoss(_ X: Tensor, _ y: Tensor, weights: Tensor, bias: Double, lambda: Double)
    -> (loss: Double, dWeights: Tensor, dBias: Double) {
    // BEGIN SOLUTION
    let (mse, dWeights, dBias) = mseLoss(X, y, weights: weights, bias: bias)
    return (mse + lambda * (weights * weights).sum(), dWeights + 2 * lambda * weights, dBias)
    // END SOLUTION
}

/// Exercise `linreg.ridge` — ridge regression in closed form.
///
/// Center the data so the unpenalized bias drops out: Xc = X − x̄ (column
/// means), yc = y − ȳ. Setting the gradient of the ridge loss to zero gives
///
///     (Xcᵀ Xc + N λ I) w = Xcᵀ yc,   b = ȳ − x̄ · w
///
/// (the N comes from the 1/N in the loss).
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets, shape `[N]`.
///   - lambda: λ > 0.
/// - Returns: w (shape `[D]`) and b minimizing the ridge loss.
public func solveRidge(_ X: Tensor, _ y: Tensor, lambda: Double) -> (weights: Tensor, bias: Double) {
    // BEGIN SOLUTION
    let n = X.shape[0], d = X.shape[1]
    let xMean = X.mean(axis: 0)
    let yMean = y.mean()
    let Xc = X - xMean
    let yc = y - yMean
    let weights = solveLinearSystem(matmul(Xc.transposed(), Xc) + Double(n) * lambda * Tensor.identity(d),
                                    matmul(Xc.transposed(), yc))
    return (weights, yMean - dot(xMean, weights))
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.ridge
// ridgeLoss: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double, _ lambda: Double) -> LossAndGradients
// = { Module.ridgeLoss($0, $1, weights: $2, bias: $3, lambda: $4) }
// solveRidge: @Sendable (_ X: Tensor, _ y: Tensor, _ lambda: Double) -> Parameters = { Module.solveRidge($0, $1, lambda: $2) }
// END TABLE
