import CourseKit
import Foundation
import RecurrentNetsSolutions

/// The four projections of multi-head attention (or their gradients), for
/// a model width D split into H heads of d_k = D/H.
public struct AttentionParameters: Sendable {
    /// W_Q `[D, D]` and b_Q `[D]`: the queries, from the input x.
    public var queryWeights: Tensor
    public var queryBias: Tensor
    /// W_K `[D, D]` and b_K `[D]`: the keys, from the context.
    public var keyWeights: Tensor
    public var keyBias: Tensor
    /// W_V `[D, D]` and b_V `[D]`: the values, from the context.
    public var valueWeights: Tensor
    public var valueBias: Tensor
    /// W_O `[D, D]` and b_O `[D]`: mixes the merged heads back into the model width.
    public var outputWeights: Tensor
    public var outputBias: Tensor

    public init(queryWeights: Tensor, queryBias: Tensor, keyWeights: Tensor, keyBias: Tensor,
                valueWeights: Tensor, valueBias: Tensor, outputWeights: Tensor, outputBias: Tensor) {
        self.queryWeights = queryWeights
        self.queryBias = queryBias
        self.keyWeights = keyWeights
        self.keyBias = keyBias
        self.valueWeights = valueWeights
        self.valueBias = valueBias
        self.outputWeights = outputWeights
        self.outputBias = outputBias
    }

    /// The eight tensors in the order W_Q, b_Q, W_K, b_K, W_V, b_V, W_O, b_O.
    public var tensors: [Tensor] {
        [queryWeights, queryBias, keyWeights, keyBias, valueWeights, valueBias, outputWeights, outputBias]
    }

    /// From eight tensors in the order of `tensors`.
    public init(tensors t: [Tensor]) {
        precondition(t.count == 8, "AttentionParameters: needs 8 tensors (W_Q, b_Q, W_K, b_K, W_V, b_V, W_O, b_O), got \(t.count)")
        self.init(queryWeights: t[0], queryBias: t[1], keyWeights: t[2], keyBias: t[3],
                  valueWeights: t[4], valueBias: t[5], outputWeights: t[6], outputBias: t[7])
    }

    /// Xavier-normal weights (variance 2/(D + D) = 1/D) and zero biases.
    public static func random(width: Int, using generator: inout SeededGenerator) -> AttentionParameters {
        func weights() -> Tensor { Tensor.randomNormal([width, width], standardDeviation: (1 / Double(width)).squareRoot(), using: &generator) }
        return AttentionParameters(queryWeights: weights(), queryBias: Tensor.zeros([width]),
                                   keyWeights: weights(), keyBias: Tensor.zeros([width]),
                                   valueWeights: weights(), valueBias: Tensor.zeros([width]),
                                   outputWeights: weights(), outputBias: Tensor.zeros([width]))
    }
}

/// What `multiHeadAttentionForward` keeps for the backward pass.
public struct MultiHeadAttentionCache: Sendable {
    public var heads: Int
    /// The four projections' caches: Q from x; K and V from the context; the output from the merged heads.
    public var query: TemporalAffineCache
    public var key: TemporalAffineCache
    public var value: TemporalAffineCache
    public var output: TemporalAffineCache
    /// The attention of all heads at once, on `[B, H, T, d_k]` tensors; its `weights` are `[B, H, Tq, Tk]`.
    public var attention: AttentionCache

    public init(heads: Int, query: TemporalAffineCache, key: TemporalAffineCache, value: TemporalAffineCache,
                output: TemporalAffineCache, attention: AttentionCache) {
        self.heads = heads
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.attention = attention
    }
}

/// Exercise `transformer.multiHead` — split the model width into H heads.
///
///     x[b, t, h·d_k + k] → out[b, h, t, k],   d_k = D/H
///
/// Head h owns the h-th block of d_k consecutive features of every position.
///
/// - Parameters:
///   - x: `[B, T, D]`.
///   - heads: H ≥ 1, dividing D.
/// - Returns: `[B, H, T, D/H]`.
public func splitHeads(_ x: Tensor, heads: Int) -> Tensor {
    precondition(x.rank == 3 && heads >= 1 && x.shape[2] % heads == 0,
                 "splitHeads: x must be [B, T, D] with D divisible by heads = \(heads), got \(x.shape)")
    // BEGIN SOLUTION
    let (b, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped([b, t, heads, d / heads]).permuted([0, 2, 1, 3])
    // END SOLUTION
}

/// Exercise `transformer.multiHead` — merge the heads back: the inverse of `splitHeads`.
///
///     x[b, h, t, k] → out[b, t, h·d_k + k]
///
/// - Parameter x: `[B, H, T, d_k]`.
/// - Returns: `[B, T, H·d_k]`.
public func mergeHeads(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4, "mergeHeads: x must be [B, H, T, d_k], got \(x.shape)")
    // BEGIN SOLUTION
    let (b, h, t, k) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.permuted([0, 2, 1, 3]).reshaped([b, t, h * k])
    // END SOLUTION
}

/// Exercise `transformer.multiHead` — multi-head attention, forward.
///
///     Q = x·W_Q + b_Q,  K = c·W_K + b_K,  V = c·W_V + b_V     (c = context, [B, Tk, D])
///     split Q, K, V into H heads of d_k = D/H
///     each head: attention(Q_h, K_h, V_h, mask), scaled by 1/√d_k (not 1/√D)
///     out = merge(heads)·W_O + b_O
///
/// Self-attention passes x as its own context; cross-attention (a decoder
/// reading an encoder) passes the encoder's output. The same mask applies to
/// every head: a `[B, Tq, Tk]` mask needs a head axis, `[B, 1, Tq, Tk]`, to
/// broadcast over `[B, H, Tq, Tk]`; a `[Tq, Tk]` one broadcasts as it is.
/// Use lesson 07's `temporalAffineForward` for the projections.
///
/// - Parameters:
///   - x: the queries' source, `[B, Tq, D]`.
///   - context: the keys' and values' source, `[B, Tk, D]` (x itself for self-attention).
///   - parameters: the four projections, each `[D, D]` and `[D]`.
///   - heads: H ≥ 1, dividing D.
///   - mask: nil, `[Tq, Tk]` or `[B, Tq, Tk]`; 1 = may attend, 0 = blocked.
/// - Returns: out `[B, Tq, D]` and the cache.
public func multiHeadAttentionForward(_ x: Tensor, context: Tensor, parameters: AttentionParameters, heads: Int,
                                      mask: Tensor? = nil) -> (out: Tensor, cache: MultiHeadAttentionCache) {
    precondition(x.rank == 3 && context.rank == 3 && x.shape[0] == context.shape[0] && x.shape[2] == context.shape[2],
                 "multiHeadAttentionForward: x \(x.shape) and context \(context.shape) must be [B, Tq, D] and [B, Tk, D]")
    precondition(heads >= 1 && x.shape[2] % heads == 0,
                 "multiHeadAttentionForward: D = \(x.shape[2]) must be divisible by heads = \(heads)")
    precondition(mask == nil || mask!.rank == 2 || mask!.rank == 3,
                 "multiHeadAttentionForward: the mask must be [Tq, Tk] or [B, Tq, Tk], got \(mask!.shape)")
    // BEGIN SOLUTION
    let (q, queryCache) = temporalAffineForward(x, weights: parameters.queryWeights, bias: parameters.queryBias)
    let (k, keyCache) = temporalAffineForward(context, weights: parameters.keyWeights, bias: parameters.keyBias)
    let (v, valueCache) = temporalAffineForward(context, weights: parameters.valueWeights, bias: parameters.valueBias)
    let headMask = mask.map { $0.rank == 3 ? $0.expandingDims(at: 1) : $0 }
    let (attended, attentionCache) = attentionForward(query: splitHeads(q, heads: heads), key: splitHeads(k, heads: heads),
                                                      value: splitHeads(v, heads: heads), mask: headMask)
    let (out, outputCache) = temporalAffineForward(mergeHeads(attended), weights: parameters.outputWeights, bias: parameters.outputBias)
    return (out, MultiHeadAttentionCache(heads: heads, query: queryCache, key: keyCache, value: valueCache,
                                         output: outputCache, attention: attentionCache))
    // END SOLUTION
}

/// Exercise `transformer.multiHead` — multi-head attention, backward.
///
/// Walk the forward in reverse: the output projection, the merge (whose
/// gradient is a split), every head's attention backward at once, the split
/// (whose gradient is a merge), the three input projections. K and V both
/// come from the context, so its gradient is the sum of theirs. Chapter
/// section "Multi-head bookkeeping, backward".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, Tq, D]`.
///   - cache: from `multiHeadAttentionForward`.
/// - Returns: dx `[B, Tq, D]`, dContext `[B, Tk, D]` (for self-attention,
///   where the context is x, the caller adds the two), and the gradients of
///   the eight parameters in `AttentionParameters`' shapes.
public func multiHeadAttentionBackward(_ dOut: Tensor, cache: MultiHeadAttentionCache)
    -> (dx: Tensor, dContext: Tensor, gradients: AttentionParameters) {
    // BEGIN SOLUTION
    let (dMerged, dOutputWeights, dOutputBias) = temporalAffineBackward(dOut, cache: cache.output)
    let (dq, dk, dv) = attentionBackward(splitHeads(dMerged, heads: cache.heads), cache: cache.attention)
    let (dx, dQueryWeights, dQueryBias) = temporalAffineBackward(mergeHeads(dq), cache: cache.query)
    let (dContextFromKeys, dKeyWeights, dKeyBias) = temporalAffineBackward(mergeHeads(dk), cache: cache.key)
    let (dContextFromValues, dValueWeights, dValueBias) = temporalAffineBackward(mergeHeads(dv), cache: cache.value)
    let gradients = AttentionParameters(queryWeights: dQueryWeights, queryBias: dQueryBias, keyWeights: dKeyWeights,
                                        keyBias: dKeyBias, valueWeights: dValueWeights, valueBias: dValueBias,
                                        outputWeights: dOutputWeights, outputBias: dOutputBias)
    return (dx, dContextFromKeys + dContextFromValues, gradients)
    // END SOLUTION
}

// BEGIN TABLE TransformersFunctions transformer.multiHead
// splitHeads: @Sendable (_ x: Tensor, _ heads: Int) -> Tensor = { Module.splitHeads($0, heads: $1) }
// mergeHeads: @Sendable (_ x: Tensor) -> Tensor = { Module.mergeHeads($0) }
// /// Returns the output, the weights `[B, H, Tq, Tk]` and the backward.
// multiHeadAttention: @Sendable (_ x: Tensor, _ context: Tensor, _ parameters: [Tensor], _ heads: Int, _ mask: Tensor?)
//     -> (out: Tensor, weights: Tensor, backward: MultiHeadBackward)
// = { x, context, p, heads, mask in
//     let (out, cache) = Module.multiHeadAttentionForward(x, context: context, parameters: .init(tensors: p),
//                                                         heads: heads, mask: mask)
//     return (out, cache.attention.weights, { dOut in
//         let (dx, dContext, g) = Module.multiHeadAttentionBackward(dOut, cache: cache)
//         return (dx, dContext, g.tensors)
//     })
// }
// END TABLE
