import CourseKit
import Foundation

/// What `temporalAffineForward` keeps.
public struct TemporalAffineCache: Sendable {
    /// The input x, `[N, T, D]`.
    public var x: Tensor
    /// The weights W, `[D, M]`.
    public var weights: Tensor

    public init(x: Tensor, weights: Tensor) {
        self.x = x
        self.weights = weights
    }
}

/// Exercise `rnn.temporal` — an affine layer applied at every time step, forward.
///
///     out[n, t, :] = x[n, t, :]·W + b
///
/// The same W and b at every step: one matrix product over all N·T rows.
///
/// - Parameters:
///   - x: `[N, T, D]`, e.g. the hidden states of an RNN.
///   - weights: W, `[D, M]`.
///   - bias: b, `[M]`.
/// - Returns: out `[N, T, M]` and the cache.
public func temporalAffineForward(_ x: Tensor, weights: Tensor, bias: Tensor) -> (out: Tensor, cache: TemporalAffineCache) {
    precondition(x.rank == 3, "temporalAffineForward: x must be [N, T, D], got shape \(x.shape)")
    todo()
}

/// Exercise `rnn.temporal` — the temporal affine layer, backward: lesson 04's
/// affine backward on the N·T rows, reshaped back. Chapter section
/// "Layers at every time step, and a loss that ignores padding".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, T, M]`.
///   - cache: from `temporalAffineForward`.
/// - Returns: dx `[N, T, D]`, dWeights `[D, M]`, dBias `[M]` (W and b are shared by every step: their gradients sum over N and T).
public func temporalAffineBackward(_ dOut: Tensor, cache: TemporalAffineCache) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
    todo()
}

/// Exercise `rnn.temporal` — softmax cross-entropy at every time step, with a mask.
///
/// Sequences in a batch have different lengths; the shorter ones are padded,
/// and `mask[n][t]` is false at a padded position: it adds nothing to the
/// loss and gets zero gradient. This course averages over the real tokens:
///
///     L = (1/M) · Σ over (n, t) with mask[n][t] of −log softmax(scores[n, t, :])[targets[n][t]]
///
/// where M is the number of true entries in the mask (PyTorch's
/// `cross_entropy(..., ignore_index:)` does the same; CS231n's
/// `temporal_softmax_loss` divides by N, the number of sequences, instead —
/// see the chapter). When the mask has no true entry at all, L = 0 and the
/// gradient is zero. Compute the softmax stably.
///
/// - Parameters:
///   - scores: `[N, T, V]`, unnormalized log-probabilities over a vocabulary of V.
///   - targets: N rows of T indices in `0..<V` (any value at a padded position).
///   - mask: N rows of T flags, true where the position counts.
/// - Returns: the loss L and ∂L/∂scores, `[N, T, V]`.
public func temporalSoftmaxLoss(_ scores: Tensor, targets: [[Int]], mask: [[Bool]]) -> (loss: Double, dScores: Tensor) {
    precondition(scores.rank == 3, "temporalSoftmaxLoss: scores must be [N, T, V], got shape \(scores.shape)")
    todo()
}
