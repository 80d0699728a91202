import CourseKit
import DeepTrainingSolutions
import Foundation

/// ε of every layer norm in this lesson (PyTorch's default; some models use 1e-6 or 1e-12).
public let transformerLayerNormEpsilon = 1e-5

/// Given: lesson 05's layer norm applied to every position of a `[B, T, D]`
/// tensor (each position normalized over its D features), ε = 1e-5.
///
/// - Parameters:
///   - x: `[B, T, D]`.
///   - gamma: γ, `[D]`.
///   - beta: β, `[D]`.
/// - Returns: out `[B, T, D]` and lesson 05's cache (over the B·T rows).
public func tokenLayerNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor) -> (out: Tensor, cache: LayerNormCache) {
    precondition(x.rank == 3, "tokenLayerNormForward: x must be [B, T, D], got \(x.shape)")
    let (out, cache) = layerNormForward(x.reshaped([-1, x.shape[2]]), gamma: gamma, beta: beta, epsilon: transformerLayerNormEpsilon)
    return (out.reshaped(x.shape), cache)
}

/// Given: the backward of `tokenLayerNormForward`.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, T, D]`.
///   - cache: from `tokenLayerNormForward`.
/// - Returns: dx `[B, T, D]`, dGamma `[D]`, dBeta `[D]` (summed over every position of the batch).
public func tokenLayerNormBackward(_ dOut: Tensor, cache: LayerNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    let (dx, dGamma, dBeta) = layerNormBackward(dOut.reshaped([-1, dOut.shape[dOut.rank - 1]]), cache: cache)
    return (dx.reshaped(dOut.shape), dGamma, dBeta)
}

/// A pre-norm Transformer block's parameters (or their gradients).
public struct TransformerBlockParameters: Sendable {
    /// The layer norm before attention: γ₁, β₁ `[D]`.
    public var attentionNormGamma: Tensor
    public var attentionNormBeta: Tensor
    /// Self-attention's four projections.
    public var attention: AttentionParameters
    /// The layer norm before the feed-forward network: γ₂, β₂ `[D]`.
    public var feedForwardNormGamma: Tensor
    public var feedForwardNormBeta: Tensor
    public var feedForward: FeedForwardParameters

    public init(attentionNormGamma: Tensor, attentionNormBeta: Tensor, attention: AttentionParameters,
                feedForwardNormGamma: Tensor, feedForwardNormBeta: Tensor, feedForward: FeedForwardParameters) {
        self.attentionNormGamma = attentionNormGamma
        self.attentionNormBeta = attentionNormBeta
        self.attention = attention
        self.feedForwardNormGamma = feedForwardNormGamma
        self.feedForwardNormBeta = feedForwardNormBeta
        self.feedForward = feedForward
    }

    /// 16 tensors: γ₁, β₁, the attention's 8, γ₂, β₂, the feed-forward's 4.
    public var tensors: [Tensor] {
        [attentionNormGamma, attentionNormBeta] + attention.tensors + [feedForwardNormGamma, feedForwardNormBeta] + feedForward.tensors
    }

    public init(tensors t: [Tensor]) {
        precondition(t.count == 16, "TransformerBlockParameters: needs 16 tensors, got \(t.count)")
        self.init(attentionNormGamma: t[0], attentionNormBeta: t[1], attention: AttentionParameters(tensors: Array(t[2..<10])),
                  feedForwardNormGamma: t[10], feedForwardNormBeta: t[11], feedForward: FeedForwardParameters(tensors: Array(t[12..<16])))
    }

    /// γ = 1, β = 0, random projections (see `AttentionParameters.random`, `FeedForwardParameters.random`).
    public static func random(width: Int, hidden: Int, using generator: inout SeededGenerator) -> TransformerBlockParameters {
        TransformerBlockParameters(attentionNormGamma: Tensor.ones([width]), attentionNormBeta: Tensor.zeros([width]),
                                   attention: .random(width: width, using: &generator),
                                   feedForwardNormGamma: Tensor.ones([width]), feedForwardNormBeta: Tensor.zeros([width]),
                                   feedForward: .random(width: width, hidden: hidden, using: &generator))
    }
}

/// What `transformerBlockForward` keeps.
public struct TransformerBlockCache: Sendable {
    public var attentionNorm: LayerNormCache
    public var attention: MultiHeadAttentionCache
    public var feedForwardNorm: LayerNormCache
    public var feedForward: FeedForwardCache

    public init(attentionNorm: LayerNormCache, attention: MultiHeadAttentionCache, feedForwardNorm: LayerNormCache,
                feedForward: FeedForwardCache) {
        self.attentionNorm = attentionNorm
        self.attention = attention
        self.feedForwardNorm = feedForwardNorm
        self.feedForward = feedForward
    }
}

/// Exercise `transformer.block` — a pre-norm Transformer block, forward.
///
///     h   = x + MultiHeadSelfAttention(LN₁(x), mask)
///     out = h + FeedForward(LN₂(h))
///
/// Pre-norm: each sublayer reads a normalized copy of the residual stream
/// and adds its result to the stream itself, which no norm ever touches
/// (post-norm, the original paper's and PyTorch's `TransformerEncoderLayer`
/// default, normalizes after the addition: LN(x + Sublayer(x))). Layer norms
/// use ε = `transformerLayerNormEpsilon` (1e-5): call `tokenLayerNormForward`.
///
/// - Parameters:
///   - x: the residual stream, `[B, T, D]`.
///   - parameters: the block's parameters.
///   - heads: H, dividing D.
///   - mask: nil, `[T, T]` or `[B, T, T]`; 1 = may attend.
/// - Returns: out `[B, T, D]` and the cache.
public func transformerBlockForward(_ x: Tensor, parameters: TransformerBlockParameters, heads: Int, mask: Tensor? = nil)
    -> (out: Tensor, cache: TransformerBlockCache) {
    precondition(x.rank == 3, "transformerBlockForward: x must be [B, T, D], got \(x.shape)")
    // BEGIN SOLUTION
    let (normalized, attentionNormCache) = tokenLayerNormForward(x, gamma: parameters.attentionNormGamma, beta: parameters.attentionNormBeta)
    let (attended, attentionCache) = multiHeadAttentionForward(normalized, context: normalized, parameters: parameters.attention,
                                                               heads: heads, mask: mask)
    let h = x + attended
    let (normalizedH, feedForwardNormCache) = tokenLayerNormForward(h, gamma: parameters.feedForwardNormGamma,
                                                                    beta: parameters.feedForwardNormBeta)
    let (fed, feedForwardCache) = feedForwardForward(normalizedH, parameters: parameters.feedForward)
    return (h + fed, TransformerBlockCache(attentionNorm: attentionNormCache, attention: attentionCache,
                                           feedForwardNorm: feedForwardNormCache, feedForward: feedForwardCache))
    // END SOLUTION
}

/// Exercise `transformer.block` — the pre-norm block, backward.
///
/// Every residual connection is a fork in the forward, so in the backward the
/// gradient arriving at it is the sum of the two paths: the identity path
/// and the sublayer's path. Chapter section "Residual streams, backward".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, T, D]`.
///   - cache: from `transformerBlockForward`.
/// - Returns: dx `[B, T, D]` and the gradients of all the block's parameters.
public func transformerBlockBackward(_ dOut: Tensor, cache: TransformerBlockCache) -> (dx: Tensor, gradients: TransformerBlockParameters) {
    // BEGIN SOLUTION
    let (dNormalizedH, feedForwardGradients) = feedForwardBackward(dOut, cache: cache.feedForward)
    let (dhThroughNorm, dGamma2, dBeta2) = tokenLayerNormBackward(dNormalizedH, cache: cache.feedForwardNorm)
    let dh = dOut + dhThroughNorm
    let (dQuerySide, dContextSide, attentionGradients) = multiHeadAttentionBackward(dh, cache: cache.attention)
    let (dxThroughNorm, dGamma1, dBeta1) = tokenLayerNormBackward(dQuerySide + dContextSide, cache: cache.attentionNorm)
    let gradients = TransformerBlockParameters(attentionNormGamma: dGamma1, attentionNormBeta: dBeta1, attention: attentionGradients,
                                               feedForwardNormGamma: dGamma2, feedForwardNormBeta: dBeta2, feedForward: feedForwardGradients)
    return (dh + dxThroughNorm, gradients)
    // END SOLUTION
}

// BEGIN TABLE TransformersFunctions transformer.block
// /// Returns the output, the block's attention weights `[B, H, T, T]` and the backward.
// block: @Sendable (_ x: Tensor, _ parameters: [Tensor], _ heads: Int, _ mask: Tensor?)
//     -> (out: Tensor, weights: Tensor, backward: ParameterBackward)
// = { x, p, heads, mask in
//     let (out, cache) = Module.transformerBlockForward(x, parameters: .init(tensors: p), heads: heads, mask: mask)
//     return (out, cache.attention.attention.weights, { dOut in
//         let (dx, g) = Module.transformerBlockBackward(dOut, cache: cache)
//         return (dx, g.tensors)
//     })
// }
// END TABLE
