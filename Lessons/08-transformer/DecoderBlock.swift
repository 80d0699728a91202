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
    todo()
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
    todo()
}
