import CourseKit
import Foundation

/// Exercise `classify.logisticStep` — one gradient-descent step of logistic regression.
///
/// The model scores each example with z = Xw + b and reads σ(z) as the
/// probability of class 1. With your `binaryCrossEntropyWithLogits` giving
/// L and ∂L/∂z, the chain rule through z = Xw + b gives
///
///     ∂L/∂w = Xᵀ · ∂L/∂z,   ∂L/∂b = Σᵢ ∂L/∂zᵢ
///
/// then w ← w − η ∂L/∂w and b ← b − η ∂L/∂b.
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets 0 or 1, shape `[N]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
///   - learningRate: η.
/// - Returns: the new w (shape `[D]`) and b, and the loss *before* the step.
public func logisticRegressionStep(_ X: Tensor, _ y: Tensor, weights: Tensor, bias: Double, learningRate: Double)
    -> (weights: Tensor, bias: Double, loss: Double) {
    // BEGIN SOLUTION
    let logits = matmul(X, weights) + bias
    let (loss, dLogits) = binaryCrossEntropyWithLogits(logits, targets: y)
    let dWeights = matmul(X.transposed(), dLogits)
    let dBias = dLogits.sum()
    return (weights - learningRate * dWeights, bias - learningRate * dBias, loss)
    // END SOLUTION
}

// BEGIN TABLE ClassifierFunctions classify.logisticStep
// logisticRegressionStep: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double, _ learningRate: Double)
//     -> (weights: Tensor, bias: Double, loss: Double)
// = { Module.logisticRegressionStep($0, $1, weights: $2, bias: $3, learningRate: $4) }
// END TABLE
