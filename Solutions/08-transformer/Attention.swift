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
    // BEGIN SOLUTION
    var mask = Tensor.zeros([length, length])
    mask.withScalars { m in
        for i in 0..<length {
            for j in 0...i { m[i * length + j] = 1 }
        }
    }
    return mask
    // END SOLUTION
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
    // BEGIN SOLUTION
    let batch = queryLengths.count
    var mask = Tensor.zeros([batch, queries, keys])
    mask.withScalars { m in
        for b in 0..<batch {
            for i in 0..<queryLengths[b] {
                for j in 0..<keyLengths[b] { m[(b * queries + i) * keys + j] = 1 }
            }
        }
    }
    return mask
    // END SOLUTION
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
    // BEGIN SOLUTION
    let scale = 1 / Double(query.shape[query.rank - 1]).squareRoot()
    let scores = matmul(query, key.transposed()) * scale
    let allowed = mask ?? Tensor.ones(like: scores)
    // The largest allowed score of each row; a row with none allowed gets 0 (its weights are all zero anyway).
    let rowMax = Tensor.where(allowed, scores, Tensor(-Double.infinity)).max(axis: -1, keepingDims: true)
        .map { $0.isFinite ? $0 : 0 }
    let e = Tensor.where(allowed, exp(scores - rowMax), Tensor(0))
    let total = e.sum(axis: -1, keepingDims: true).map { $0 > 0 ? $0 : 1 }
    let weights = e / total
    return (matmul(weights, value), AttentionCache(query: query, key: key, value: value, weights: weights, scale: scale))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let p = cache.weights
    let dValue = matmul(p.transposed(), dOut)
    let dWeights = matmul(dOut, cache.value.transposed())
    let dScores = p * (dWeights - (dWeights * p).sum(axis: -1, keepingDims: true)) * cache.scale
    return (matmul(dScores, cache.key), matmul(dScores.transposed(), cache.query), dValue)
    // END SOLUTION
}

// BEGIN TABLE TransformersFunctions transformer.attention
// causalMask: @Sendable (_ length: Int) -> Tensor = { Module.causalMask(length: $0) }
// paddingMask: @Sendable (_ queryLengths: [Int], _ keyLengths: [Int], _ queries: Int, _ keys: Int) -> Tensor
// = { Module.paddingMask(queryLengths: $0, keyLengths: $1, queries: $2, keys: $3) }
// /// Returns the output, the attention weights P and the backward.
// attention: @Sendable (_ query: Tensor, _ key: Tensor, _ value: Tensor, _ mask: Tensor?)
//     -> (out: Tensor, weights: Tensor, backward: AttentionBackward)
// = { q, k, v, mask in
//     let (out, cache) = Module.attentionForward(query: q, key: k, value: v, mask: mask)
//     return (out, cache.weights, { Module.attentionBackward($0, cache: cache) })
// }
// END TABLE
