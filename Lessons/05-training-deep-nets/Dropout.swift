import CourseKit
import Foundation

/// Whether a layer runs as during training (dropout drops, batch norm uses
/// the batch's statistics and updates its running averages) or as at test
/// time (dropout passes everything, batch norm uses the running averages).
/// Forgetting to switch to `.inference` is a classic bug (PyTorch's `model.eval()`).
public enum ForwardMode: Sendable, Equatable {
    case training
    case inference
}

/// Exercise `dnn.dropout` — inverted dropout, forward.
///
/// p is the DROP probability (PyTorch's convention; CS231n's code calls its p
/// the keep probability). In training each element is kept with probability
/// 1 − p and the kept ones are scaled by 1/(1 − p), so E[out] = x and nothing
/// changes at test time:
///
///     mask = [u ≥ p] / (1 − p),  u ~ U(0, 1) per element
///     out  = x ⊙ mask
///
/// Draw u with `Tensor.randomUniform(x.shape, using: &generator)` (one draw
/// per element, so a fixed seed gives the grader's mask). In inference mode
/// out = x, mask is all ones and nothing is drawn.
///
/// - Parameters:
///   - x: any shape.
///   - dropProbability: p in [0, 1).
///   - mode: `.training` or `.inference`.
///   - generator: the random source (untouched in inference mode).
/// - Returns: out and mask, both the shape of `x`; mask holds 0 or 1/(1 − p).
public func dropoutForward(_ x: Tensor, dropProbability: Double, mode: ForwardMode,
                           using generator: inout SeededGenerator) -> (out: Tensor, mask: Tensor) {
    precondition((0..<1).contains(dropProbability), "dropoutForward: the drop probability must be in [0, 1), got \(dropProbability)")
    todo()
}

/// Exercise `dnn.dropout` — inverted dropout, backward: ∂L/∂x, given ∂L/∂out
/// and the very mask the forward drew (not a fresh one). The forward was
/// out = x ⊙ mask with the mask a constant; chapter section "Dropout".
///
/// - Parameters:
///   - dOut: ∂L/∂out, any shape.
///   - mask: from `dropoutForward`, the shape of `dOut`.
/// - Returns: ∂L/∂x, the shape of `dOut`.
public func dropoutBackward(_ dOut: Tensor, mask: Tensor) -> Tensor {
    precondition(dOut.shape == mask.shape, "dropoutBackward: dOut \(dOut.shape) and mask \(mask.shape) must have one shape")
    todo()
}
