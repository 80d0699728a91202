import CourseKit
import Foundation

/// Exercise `classify.bce` — binary cross-entropy from logits, and its gradient.
///
/// With p = σ(z), the loss of one example with target y ∈ {0, 1} is
/// −[y log p + (1 − y) log(1 − p)]. Written in terms of the logit z it
/// simplifies to a form that never overflows:
///
/// $$ \ell(z, y) = \max(z, 0) - z\,y + \log\left(1 + e^{-|z|}\right) $$
///
/// The loss is the mean over the N examples, so
///
/// $$ \frac{\partial L}{\partial z_i} = \frac{\sigma(z_i) - y_i}{N} . $$
///
/// - Parameters:
///   - logits: z, shape `[N]`.
///   - targets: y, 0 or 1, shape `[N]`.
/// - Returns: the mean loss and ∂L/∂z (shape `[N]`).
public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> (loss: Double, dLogits: Tensor) {
    todo()
}
