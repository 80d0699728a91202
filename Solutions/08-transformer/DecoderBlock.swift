import CourseKit
import DeepTrainingSolutions
import Foundation

/// A pre-norm decoder block's parameters (or their gradients): masked
/// self-attention, cross-attention to the encoder, feed-forward.
public struct DecoderBlockParameters: Sendable {
    /// γ₁, β₁ `[D]`, then self-attention's projections.
    public var selfAttentionNormGamma: Tensor
    public var selfAttentionNormBeta: Tensor
    public var selfAttention: AttentionParameters
    /// γ₂, β₂ `[D]`, then cross-attention's projections (queries from the decoder, keys and values from the encoder).
    public var crossAttentionNormGamma: Tensor
    public var crossAttentionNormBeta: Tensor
    public var crossAttention: AttentionParameters
    /// γ₃, β₃ `[D]`, then the feed-forward network.
    public var feedForwardNormGamma: Tensor
    public var feedForwardNormBeta: Tensor
    public var feedForward: FeedForwardParameters

    public init(selfAttentionNormGamma: Tensor, selfAttentionNormBeta: Tensor, selfAttention: AttentionParameters,
                crossAttentionNormGamma: Tensor, crossAttentionNormBeta: Tensor, crossAttention: AttentionParameters,
                feedForwardNormGamma: Tensor, feedForwardNormBeta: Tensor, feedForward: FeedForwardParameters) {
        self.selfAttentionNormGamma = selfAttentionNormGamma
        self.selfAttentionNormBeta = selfAttentionNormBeta
        self.selfAttention = selfAttention
        self.crossAttentionNormGamma = crossAttentionNormGamma
        self.crossAttentionNormBeta = crossAttentionNormBeta
        self.crossAttention = crossAttention
        self.feedForwardNormGamma = feedForwardNormGamma
        self.feedForwardNormBeta = feedForwardNormBeta
        self.feedForward = feedForward
    }

    /// 26 tensors: γ₁, β₁, self-attention's 8, γ₂, β₂, cross-attention's 8, γ₃, β₃, the feed-forward's 4.
    public var tensors: [Tensor] {
        [selfAttentionNormGamma, selfAttentionNormBeta] + selfAttention.tensors
            + [crossAttentionNormGamma, crossAttentionNormBeta] + crossAttention.tensors
            + [feedForwardNormGamma, feedForwardNormBeta] + feedForward.tensors
    }

    public init(tensors t: [Tensor]) {
        precondition(t.count == 26, "DecoderBlockParameters: needs 26 tensors, got \(t.count)")
        self.init(selfAttentionNormGamma: t[0], selfAttentionNormBeta: t[1], selfAttention: AttentionParameters(tensors: Array(t[2..<10])),
                  crossAttentionNormGamma: t[10], crossAttentionNormBeta: t[11], crossAttention: AttentionParameters(tensors: Array(t[12..<20])),
                  feedForwardNormGamma: t[20], feedForwardNormBeta: t[21], feedForward: FeedForwardParameters(tensors: Array(t[22..<26])))
    }

    /// γ = 1, β = 0, random projections.
    public static func random(width: Int, hidden: Int, using generator: inout SeededGenerator) -> DecoderBlockParameters {
        DecoderBlockParameters(selfAttentionNormGamma: Tensor.ones([width]), selfAttentionNormBeta: Tensor.zeros([width]),
                               selfAttention: .random(width: width, using: &generator),
                               crossAttentionNormGamma: Tensor.ones([width]), crossAttentionNormBeta: Tensor.zeros([width]),
                               crossAttention: .random(width: width, using: &generator),
                               feedForwardNormGamma: Tensor.ones([width]), feedForwardNormBeta: Tensor.zeros([width]),
                               feedForward: .random(width: width, hidden: hidden, using: &generator))
    }
}

/// What `decoderBlockForward` keeps.
public struct DecoderBlockCache: Sendable {
    public var selfAttentionNorm: LayerNormCache
    public var selfAttention: MultiHeadAttentionCache
    public var crossAttentionNorm: LayerNormCache
    public var crossAttention: MultiHeadAttentionCache
    public var feedForwardNorm: LayerNormCache
    public var feedForward: FeedForwardCache

    public init(selfAttentionNorm: LayerNormCache, selfAttention: MultiHeadAttentionCache, crossAttentionNorm: LayerNormCache,
                crossAttention: MultiHeadAttentionCache, feedForwardNorm: LayerNormCache, feedForward: FeedForwardCache) {
        self.selfAttentionNorm = selfAttentionNorm
        self.selfAttention = selfAttention
        self.crossAttentionNorm = crossAttentionNorm
        self.crossAttention = crossAttention
        self.feedForwardNorm = feedForwardNorm
        self.feedForward = feedForward
    }
}

/// Exercise `transformer.decoder` — a pre-norm decoder block with
/// cross-attention, forward.
///
///     h₁  = x  + MultiHeadAttention(LN₁(x),  context: LN₁(x), selfMask)     masked self-attention
///     h₂  = h₁ + MultiHeadAttention(LN₂(h₁), context: e,      crossMask)    cross-attention
///     out = h₂ + FeedForward(LN₃(h₂))
///
/// e is the encoder's output, used as it is (an encoder stack ends with its
/// own layer norm). Cross-attention's queries come from the decoder, its
/// keys and values from the encoder, so Tq and Tk may differ.
///
/// - Parameters:
///   - x: the decoder's residual stream, `[B, Tq, D]`.
///   - encoderOutput: e, `[B, Tk, D]`.
///   - parameters: the block's parameters.
///   - heads: H, dividing D (both attentions).
///   - selfMask: nil, `[Tq, Tq]` or `[B, Tq, Tq]` (usually causal); 1 = may attend.
///   - crossMask: nil, `[Tq, Tk]` or `[B, Tq, Tk]` (padding of the source); 1 = may attend.
/// - Returns: out `[B, Tq, D]` and the cache.
public func decoderBlockForward(_ x: Tensor, encoderOutput: Tensor, parameters: DecoderBlockParameters, heads: Int,
                                selfMask: Tensor? = nil, crossMask: Tensor? = nil) -> (out: Tensor, cache: DecoderBlockCache) {
    precondition(x.rank == 3 && encoderOutput.rank == 3 && x.shape[0] == encoderOutput.shape[0] && x.shape[2] == encoderOutput.shape[2],
                 "decoderBlockForward: x \(x.shape) and encoderOutput \(encoderOutput.shape) must be [B, Tq, D] and [B, Tk, D]")
    // BEGIN SOLUTION
    let (n1, norm1) = tokenLayerNormForward(x, gamma: parameters.selfAttentionNormGamma, beta: parameters.selfAttentionNormBeta)
    let (a1, attention1) = multiHeadAttentionForward(n1, context: n1, parameters: parameters.selfAttention, heads: heads, mask: selfMask)
    let h1 = x + a1
    let (n2, norm2) = tokenLayerNormForward(h1, gamma: parameters.crossAttentionNormGamma, beta: parameters.crossAttentionNormBeta)
    let (a2, attention2) = multiHeadAttentionForward(n2, context: encoderOutput, parameters: parameters.crossAttention,
                                                     heads: heads, mask: crossMask)
    let h2 = h1 + a2
    let (n3, norm3) = tokenLayerNormForward(h2, gamma: parameters.feedForwardNormGamma, beta: parameters.feedForwardNormBeta)
    let (f, feedForwardCache) = feedForwardForward(n3, parameters: parameters.feedForward)
    return (h2 + f, DecoderBlockCache(selfAttentionNorm: norm1, selfAttention: attention1, crossAttentionNorm: norm2,
                                      crossAttention: attention2, feedForwardNorm: norm3, feedForward: feedForwardCache))
    // END SOLUTION
}

/// Exercise `transformer.decoder` — the decoder block, backward.
///
/// As `transformerBlockBackward`, with one more sublayer; the encoder's
/// output receives a gradient only through cross-attention's keys and values
/// (its `dContext`). In an encoder–decoder model the encoder's output feeds
/// every decoder block, so its total gradient is the sum over the blocks.
/// Chapter section "Encoder, decoder, cross-attention".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, Tq, D]`.
///   - cache: from `decoderBlockForward`.
/// - Returns: dx `[B, Tq, D]`, dEncoderOutput `[B, Tk, D]`, and the gradients of all the block's parameters.
public func decoderBlockBackward(_ dOut: Tensor, cache: DecoderBlockCache)
    -> (dx: Tensor, dEncoderOutput: Tensor, gradients: DecoderBlockParameters) {
    // BEGIN SOLUTION
    let (dn3, feedForwardGradients) = feedForwardBackward(dOut, cache: cache.feedForward)
    let (dh2Norm, dGamma3, dBeta3) = tokenLayerNormBackward(dn3, cache: cache.feedForwardNorm)
    let dh2 = dOut + dh2Norm
    let (dn2, dEncoderOutput, crossGradients) = multiHeadAttentionBackward(dh2, cache: cache.crossAttention)
    let (dh1Norm, dGamma2, dBeta2) = tokenLayerNormBackward(dn2, cache: cache.crossAttentionNorm)
    let dh1 = dh2 + dh1Norm
    let (dQuerySide, dContextSide, selfGradients) = multiHeadAttentionBackward(dh1, cache: cache.selfAttention)
    let (dxNorm, dGamma1, dBeta1) = tokenLayerNormBackward(dQuerySide + dContextSide, cache: cache.selfAttentionNorm)
    let gradients = DecoderBlockParameters(
        selfAttentionNormGamma: dGamma1, selfAttentionNormBeta: dBeta1, selfAttention: selfGradients,
        crossAttentionNormGamma: dGamma2, crossAttentionNormBeta: dBeta2, crossAttention: crossGradients,
        feedForwardNormGamma: dGamma3, feedForwardNormBeta: dBeta3, feedForward: feedForwardGradients)
    return (dh1 + dxNorm, dEncoderOutput, gradients)
    // END SOLUTION
}

// BEGIN TABLE TransformersFunctions transformer.decoder
// /// Returns the output, the cross-attention weights `[B, H, Tq, Tk]` and the backward.
// decoderBlock: @Sendable (_ x: Tensor, _ encoderOutput: Tensor, _ parameters: [Tensor], _ heads: Int,
//     _ selfMask: Tensor?, _ crossMask: Tensor?)
//     -> (out: Tensor, crossWeights: Tensor, backward: DecoderBackward)
// = { x, e, p, heads, selfMask, crossMask in
//     let (out, cache) = Module.decoderBlockForward(x, encoderOutput: e, parameters: .init(tensors: p), heads: heads,
//                                                   selfMask: selfMask, crossMask: crossMask)
//     return (out, cache.crossAttention.attention.weights, { dOut in
//         let (dx, de, g) = Module.decoderBlockBackward(dOut, cache: cache)
//         return (dx, de, g.tensors)
//     })
// }
// END TABLE
