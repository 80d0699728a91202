import CourseKit
import Foundation

/// Exercise `activations.logSoftmax` — log of the softmax of each row, forward.
///
///     log softmax(x)ᵢⱼ = xᵢⱼ − log Σₖ exp(xᵢₖ)
///                      = (xᵢⱼ − mᵢ) − log Σₖ exp(xᵢₖ − mᵢ),   mᵢ = maxₖ xᵢₖ
///
/// Computing `log(softmax(x))` in two steps loses everything below 1e-308:
/// for logits `[0, 1000]` the first probability underflows to 0 and its log
/// is −∞, while the true answer is −1000. The log-sum-exp form stays exact.
///
/// - Parameter x: logits, shape `[N, C]`.
/// - Returns: log-probabilities, shape `[N, C]` (all ≤ 0).
public func logSoftmaxForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let shifted = x - x.max(axis: 1, keepingDims: true)
    return shifted - log(exp(shifted).sum(axis: 1, keepingDims: true))
    // END SOLUTION
}

/// Exercise `activations.logSoftmax` — backward.
///
/// With y = log softmax(x) and p = softmax(x) = exp(y):
///
///     ∂L/∂xᵢⱼ = gᵢⱼ − pᵢⱼ · Σₖ gᵢₖ,   g = ∂L/∂y
///
/// - Parameters:
///   - dOut: ∂L/∂y, shape `[N, C]`.
///   - output: y = `logSoftmaxForward(x)`, shape `[N, C]`.
/// - Returns: ∂L/∂x, shape `[N, C]`.
public func logSoftmaxBackward(_ dOut: Tensor, output: Tensor) -> Tensor {
    // BEGIN SOLUTION
    dOut - exp(output) * dOut.sum(axis: 1, keepingDims: true)
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.logSoftmax
// logSoftmaxForward: Unary = { Module.logSoftmaxForward($0) }
// logSoftmaxBackward: Backward = { Module.logSoftmaxBackward($0, output: $1) }
// END TABLE
