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
    // BEGIN SOLUTION
    let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    let out = (matmul(x.reshaped([n * t, d]), weights) + bias).reshaped([n, t, weights.shape[1]])
    return (out, TemporalAffineCache(x: x, weights: weights))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (n, t, d) = (cache.x.shape[0], cache.x.shape[1], cache.x.shape[2])
    let m = cache.weights.shape[1]
    let rows = dOut.reshaped([n * t, m])
    let dx = matmul(rows, cache.weights.transposed()).reshaped([n, t, d])
    let dWeights = matmul(cache.x.reshaped([n * t, d]).transposed(), rows)
    return (dx, dWeights, rows.sum(axis: 0))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (n, t, v) = (scores.shape[0], scores.shape[1], scores.shape[2])
    let rows = scores.reshaped([n * t, v])
    let shifted = rows - rows.max(axis: 1, keepingDims: true)
    let logSumExp = log(exp(shifted).sum(axis: 1, keepingDims: true))
    let logProbabilities = shifted - logSumExp
    let flatMask = mask.flatMap { $0 }, flatTargets = targets.flatMap { $0 }
    let counted = flatMask.filter { $0 }.count
    guard counted > 0 else { return (0, Tensor.zeros(like: scores)) }
    var loss = 0.0
    var dRows = exp(logProbabilities)
    dRows.withScalars { d in
        for row in 0..<(n * t) {
            guard flatMask[row] else {
                for k in 0..<v { d[row * v + k] = 0 }
                continue
            }
            loss -= logProbabilities[row, flatTargets[row]]
            d[row * v + flatTargets[row]] -= 1
            for k in 0..<v { d[row * v + k] /= Double(counted) }
        }
    }
    return (loss / Double(counted), dRows.reshaped([n, t, v]))
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.temporal
// temporalAffine: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: AffineBackward)
// = { x, w, b in
//     let (out, cache) = Module.temporalAffineForward(x, weights: w, bias: b)
//     return (out, { Module.temporalAffineBackward($0, cache: cache) })
// }
// temporalSoftmaxLoss: @Sendable (_ scores: Tensor, _ targets: [[Int]], _ mask: [[Bool]]) -> (loss: Double, dScores: Tensor)
// = { Module.temporalSoftmaxLoss($0, targets: $1, mask: $2) }
// END TABLE
