import CourseKit
import Foundation

/// Exercise `classify.softmaxCE` — softmax cross-entropy from logits, and its gradient.
///
/// For K classes, p = softmax of each row of the logits, and the loss of an
/// example with label c is −log p_c. Computed stably with the row maximum m:
///
///     ℓᵢ = −(z[i, cᵢ] − mᵢ − log Σₖ exp(zᵢₖ − mᵢ)),   mᵢ = maxₖ zᵢₖ
///
/// The loss is the mean over the N rows; its gradient is "softmax minus one-hot":
///
///     ∂L/∂zᵢₖ = (pᵢₖ − [k = cᵢ]) / N
///
/// - Parameters:
///   - logits: z, shape `[N, K]`.
///   - labels: N class indices in `0..<K`.
/// - Returns: the mean loss and ∂L/∂z (shape `[N, K]`).
public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int]) -> (loss: Double, dLogits: Tensor) {
    // BEGIN SOLUTION
    let n = logits.shape[0], k = logits.shape[1]
    let shifted = logits - logits.max(axis: 1, keepingDims: true)
    let logProbabilities = shifted - log(exp(shifted).sum(axis: 1, keepingDims: true))
    var loss = 0.0
    for i in 0..<n { loss -= logProbabilities[i, labels[i]] }
    let dLogits = (exp(logProbabilities) - Tensor.oneHot(labels, classes: k)) / Double(n)
    return (loss / Double(n), dLogits)
    // END SOLUTION
}

/// Exercise `classify.softmaxCE` — one gradient-descent step of softmax regression.
///
/// Scores Z = XW + b (b added to every row), loss and ∂L/∂Z from your
/// `softmaxCrossEntropy`, then through Z = XW + b:
///
///     ∂L/∂W = Xᵀ · ∂L/∂Z,   ∂L/∂b = Σᵢ (∂L/∂Z)[i, :]
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - labels: N class indices in `0..<K`.
///   - weights: W, shape `[D, K]`.
///   - bias: b, shape `[K]`.
///   - learningRate: η.
/// - Returns: the new W (`[D, K]`) and b (`[K]`), and the loss *before* the step.
public func softmaxRegressionStep(_ X: Tensor, labels: [Int], weights: Tensor, bias: Tensor, learningRate: Double)
    -> (weights: Tensor, bias: Tensor, loss: Double) {
    // BEGIN SOLUTION
    let (loss, dLogits) = softmaxCrossEntropy(matmul(X, weights) + bias, labels: labels)
    let dWeights = matmul(X.transposed(), dLogits)
    let dBias = dLogits.sum(axis: 0)
    return (weights - learningRate * dWeights, bias - learningRate * dBias, loss)
    // END SOLUTION
}

// BEGIN TABLE ClassifierFunctions classify.softmaxCE
// softmaxCrossEntropy: @Sendable (_ logits: Tensor, _ labels: [Int]) -> (loss: Double, dLogits: Tensor)
// = { Module.softmaxCrossEntropy($0, labels: $1) }
// softmaxRegressionStep: @Sendable (_ X: Tensor, _ labels: [Int], _ weights: Tensor, _ bias: Tensor, _ learningRate: Double)
//     -> (weights: Tensor, bias: Tensor, loss: Double)
// = { Module.softmaxRegressionStep($0, labels: $1, weights: $2, bias: $3, learningRate: $4) }
// END TABLE
