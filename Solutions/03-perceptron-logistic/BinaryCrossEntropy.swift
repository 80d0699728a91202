import CourseKit
import Foundation

/// Exercise `classify.bce` — binary cross-entropy from logits, and its gradient.
///
/// With p = σ(z), the loss of one example with target y ∈ {0, 1} is
/// −[y log p + (1 − y) log(1 − p)]. Written in terms of the logit z it
/// simplifies to a form that never overflows:
///
///     ℓ(z, y) = max(z, 0) − z · y + log(1 + exp(−|z|))
///
/// The loss is the mean over the N examples, so
///
///     ∂L/∂zᵢ = (σ(zᵢ) − yᵢ) / N
///
/// - Parameters:
///   - logits: z, shape `[N]`.
///   - targets: y, 0 or 1, shape `[N]`.
/// - Returns: the mean loss and ∂L/∂z (shape `[N]`).
public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> (loss: Double, dLogits: Tensor) {
    // BEGIN SOLUTION
    let n = Double(logits.count)
    let perExample = maximum(logits, 0) - logits * targets + log1p(exp(-abs(logits)))
    let probabilities = logits.map { z in z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }
    return (perExample.sum() / n, (probabilities - targets) / n)
    // END SOLUTION
}

// BEGIN TABLE ClassifierFunctions classify.bce
// binaryCrossEntropyWithLogits: @Sendable (_ logits: Tensor, _ targets: Tensor) -> (loss: Double, dLogits: Tensor)
// = { Module.binaryCrossEntropyWithLogits($0, targets: $1) }
// END TABLE
