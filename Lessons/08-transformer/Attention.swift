import CourseKit
import Foundation

/// What `attentionForward` keeps for the backward pass.
public struct AttentionCache: Sendable {
    /// Q, `[..., Tq, d_k]`.
    public var query: Tensor
    /// K, `[..., Tk, d_k]`.
    public var key: Tensor
    /// V, `[..., Tk, d_v]`.
    public var value: Tensor
    /// P, the attention weights, `[..., Tq, Tk]`: each row sums to 1 over the
    /// keys it may see, or is all zeros when it may see none. Demos draw it.
    public var weights: Tensor
    /// 1/√d_k.
    public var scale: Double

    public init(query: Tensor, key: Tensor, value: Tensor, weights: Tensor, scale: Double) {
        self.query = query
        self.key = key
        self.value = value
        self.weights = weights
        self.scale = scale
    }
}

/// Exercise `transformer.attention` — the causal mask of a sequence of T
/// positions: query i may attend to keys 0 … i (itself included), never to a
/// later one.
///
///     mask[i, j] = 1 if j ≤ i, 0 if j > i
///
/// Mask polarity in this course: **1 = may attend, 0 = blocked** (PyTorch's
/// `scaled_dot_product_attention` uses the same polarity for a boolean mask;
/// `nn.MultiheadAttention` uses the opposite one, true = blocked).
///
/// - Parameter length: T ≥ 1.
/// - Returns: `[T, T]`, lower-triangular ones (diagonal included).
public func causalMask(length: Int) -> Tensor {
    precondition(length >= 1, "causalMask: the length must be ≥ 1, got \(length)")
    todo()
}

/// Exercise `transformer.attention` — the padding mask of a batch of padded
/// sequences: position i of sequence b may attend to position j only when
/// both are real tokens (i < queryLengths[b] and j < keyLengths[b]).
///
///     mask[b, i, j] = 1 if i < queryLengths[b] and j < keyLengths[b], else 0
///
/// A padded query (i ≥ queryLengths[b]) gets a whole row of zeros: it may
/// attend to nothing, and `attentionForward` returns zeros for it. Combine
/// with a causal mask by multiplying them (broadcasting `[T, T]` over the batch).
/// Polarity: 1 = may attend, 0 = blocked.
///
/// - Parameters:
///   - queryLengths: B real lengths, each in `0...queries`.
///   - keyLengths: B real lengths, each in `0...keys`.
///   - queries: Tq, the padded query length.
///   - keys: Tk, the padded key length.
/// - Returns: `[B, Tq, Tk]` of ones and zeros.
public func paddingMask(queryLengths: [Int], keyLengths: [Int], queries: Int, keys: Int) -> Tensor {
    precondition(queryLengths.count == keyLengths.count && !queryLengths.isEmpty,
                 "paddingMask: give one query length and one key length per sequence")
    precondition(queryLengths.allSatisfy { (0...queries).contains($0) } && keyLengths.allSatisfy { (0...keys).contains($0) },
                 "paddingMask: lengths must lie in 0...queries and 0...keys")
    todo()
}

/// Exercise `transformer.attention` — scaled dot-product attention, forward.
///
///     S = Q·Kᵀ / √d_k                        [..., Tq, Tk]
///     P = softmax of each row of S over the keys (the last axis),
///         counting only the keys the mask allows
///     out = P·V                              [..., Tq, d_v]
///
/// Masked positions get exactly zero weight (not e^(−10⁹)): set them aside
/// before the exponential, not after. A row the mask blocks entirely (a
/// padded query) has P = 0 and so out = 0 — not NaN, and not the mean of V.
/// Subtract each row's largest allowed score before exponentiating (lesson 01).
///
/// Any leading axes are batch axes: `[B, T, d_k]` for one head,
/// `[B, H, T, d_k]` for H heads at once (`matmul` handles both).
///
/// - Parameters:
///   - query: Q, `[..., Tq, d_k]`.
///   - key: K, `[..., Tk, d_k]`, the same leading axes.
///   - value: V, `[..., Tk, d_v]`, the same leading axes.
///   - mask: nil (everything visible) or ones and zeros broadcastable to
///     `[..., Tq, Tk]` (e.g. `[T, T]` causal, `[B, 1, Tq, Tk]` padding for H heads);
///     1 = may attend, 0 = blocked.
/// - Returns: out `[..., Tq, d_v]` and the cache (which holds P).
public func attentionForward(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil)
    -> (out: Tensor, cache: AttentionCache) {
    precondition(query.rank >= 2 && key.rank == query.rank && value.rank == query.rank,
                 "attentionForward: query \(query.shape), key \(key.shape) and value \(value.shape) must have one rank ≥ 2")
    precondition(query.shape.dropLast(2) == key.shape.dropLast(2) && key.shape.dropLast(2) == value.shape.dropLast(2),
                 "attentionForward: query \(query.shape), key \(key.shape) and value \(value.shape) must share their leading axes")
    precondition(query.shape.last == key.shape.last,
                 "attentionForward: query \(query.shape) and key \(key.shape) must have the same last size d_k")
    precondition(key.shape[key.rank - 2] == value.shape[value.rank - 2],
                 "attentionForward: key \(key.shape) and value \(value.shape) must have the same number of positions Tk")
    todo()
}

/// Exercise `transformer.attention` — scaled dot-product attention, backward.
///
/// Given ∂L/∂out, compute ∂L/∂Q, ∂L/∂K and ∂L/∂V: back through out = P·V
/// (two matrix-product gradients), through each row's softmax (a
/// vector–Jacobian product, lesson 01), and through S = Q·Kᵀ/√d_k. A masked
/// position has P = 0 and must pass back exactly zero; so must a fully
/// masked row. The chapter derives every step in "The backward pass of attention".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[..., Tq, d_v]`.
///   - cache: from `attentionForward`.
/// - Returns: dQuery `[..., Tq, d_k]`, dKey `[..., Tk, d_k]`, dValue `[..., Tk, d_v]`.
public func attentionBackward(_ dOut: Tensor, cache: AttentionCache) -> (dQuery: Tensor, dKey: Tensor, dValue: Tensor) {
    precondition(dOut.shape == Array(cache.weights.shape.dropLast()) + [cache.value.shape[cache.value.rank - 1]],
                 "attentionBackward: dOut \(dOut.shape) must have the forward output's shape")
    todo()
}
