import CourseKit
import Foundation
import DeepTrainingSolutions
import Transformers
import TransformersSolutions

/// Lesson 08's functions as values (learner, reference, or a mix).
///
/// The learner's module and the reference each declare their own caches and
/// parameter types, so the values here speak plain tensors: a forward returns
/// its output and a closure that runs its backward with the cache it
/// captured; parameters travel as lists of tensors in the order of each
/// parameter type's `tensors` (attention: W_Q, b_Q, W_K, b_K, W_V, b_V, W_O, b_O;
/// feed-forward: W₁, b₁, W₂, b₂; block: γ₁, β₁, attention, γ₂, β₂, feed-forward;
/// decoder block: γ₁, β₁, self-attention, γ₂, β₂, cross-attention, γ₃, β₃, feed-forward).
public struct TransformersFunctions: Sendable {
    public typealias AttentionBackward = @Sendable (_ dOut: Tensor) -> (dQuery: Tensor, dKey: Tensor, dValue: Tensor)
    public typealias MultiHeadBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dContext: Tensor, gradients: [Tensor])
    public typealias ParameterBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, gradients: [Tensor])
    public typealias DecoderBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dEncoderOutput: Tensor, gradients: [Tensor])
    public typealias Schedule = (maximumLearningRate: Double, warmupSteps: Int, totalSteps: Int)

    public var causalMask: @Sendable (_ length: Int) -> Tensor
    public var paddingMask: @Sendable (_ queryLengths: [Int], _ keyLengths: [Int], _ queries: Int, _ keys: Int) -> Tensor
    /// Returns the output, the attention weights P and the backward.
    public var attention: @Sendable (_ query: Tensor, _ key: Tensor, _ value: Tensor, _ mask: Tensor?)
        -> (out: Tensor, weights: Tensor, backward: AttentionBackward)
    public var splitHeads: @Sendable (_ x: Tensor, _ heads: Int) -> Tensor
    public var mergeHeads: @Sendable (_ x: Tensor) -> Tensor
    /// Returns the output, the weights `[B, H, Tq, Tk]` and the backward.
    public var multiHeadAttention: @Sendable (_ x: Tensor, _ context: Tensor, _ parameters: [Tensor], _ heads: Int, _ mask: Tensor?)
        -> (out: Tensor, weights: Tensor, backward: MultiHeadBackward)
    public var sinusoidalEncoding: @Sendable (_ length: Int, _ width: Int) -> Tensor
    public var tokenEmbedding: @Sendable (_ tokens: [[Int]], _ tokenTable: Tensor, _ positionTable: Tensor)
        -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> (dTokenTable: Tensor, dPositionTable: Tensor))
    public var feedForward: @Sendable (_ x: Tensor, _ parameters: [Tensor]) -> (out: Tensor, backward: ParameterBackward)
    /// Returns the output, the block's attention weights `[B, H, T, T]` and the backward.
    public var block: @Sendable (_ x: Tensor, _ parameters: [Tensor], _ heads: Int, _ mask: Tensor?)
        -> (out: Tensor, weights: Tensor, backward: ParameterBackward)
    /// Returns the output, the cross-attention weights `[B, H, Tq, Tk]` and the backward.
    public var decoderBlock: @Sendable (_ x: Tensor, _ encoderOutput: Tensor, _ parameters: [Tensor], _ heads: Int,
                                        _ selfMask: Tensor?, _ crossMask: Tensor?)
        -> (out: Tensor, crossWeights: Tensor, backward: DecoderBackward)
    public var trainingStep: @Sendable (_ parameters: [Tensor], _ gradients: [Tensor], _ optimizer: Optimizer, _ step: Int,
                                        _ schedule: Schedule, _ maxGradientNorm: Double)
        -> (parameters: [Tensor], optimizer: Optimizer, learningRate: Double, gradientNorm: Double)

    /// The learner's code in `Lessons/08-transformer`.
    public static let learner = TransformersFunctions(
        causalMask: { Transformers.causalMask(length: $0) },
        paddingMask: { Transformers.paddingMask(queryLengths: $0, keyLengths: $1, queries: $2, keys: $3) },
        attention: { q, k, v, mask in
            let (out, cache) = Transformers.attentionForward(query: q, key: k, value: v, mask: mask)
            return (out, cache.weights, { Transformers.attentionBackward($0, cache: cache) })
        },
        splitHeads: { Transformers.splitHeads($0, heads: $1) },
        mergeHeads: { Transformers.mergeHeads($0) },
        multiHeadAttention: { x, context, p, heads, mask in
            let (out, cache) = Transformers.multiHeadAttentionForward(x, context: context, parameters: .init(tensors: p),
                                                                      heads: heads, mask: mask)
            return (out, cache.attention.weights, { dOut in
                let (dx, dContext, g) = Transformers.multiHeadAttentionBackward(dOut, cache: cache)
                return (dx, dContext, g.tensors)
            })
        },
        sinusoidalEncoding: { Transformers.sinusoidalPositionalEncoding(length: $0, width: $1) },
        tokenEmbedding: { tokens, tokenTable, positionTable in
            let (out, cache) = Transformers.tokenEmbeddingForward(tokens, tokenTable: tokenTable, positionTable: positionTable)
            return (out, { Transformers.tokenEmbeddingBackward($0, cache: cache) })
        },
        feedForward: { x, p in
            let (out, cache) = Transformers.feedForwardForward(x, parameters: .init(tensors: p))
            return (out, { dOut in
                let (dx, g) = Transformers.feedForwardBackward(dOut, cache: cache)
                return (dx, g.tensors)
            })
        },
        block: { x, p, heads, mask in
            let (out, cache) = Transformers.transformerBlockForward(x, parameters: .init(tensors: p), heads: heads, mask: mask)
            return (out, cache.attention.attention.weights, { dOut in
                let (dx, g) = Transformers.transformerBlockBackward(dOut, cache: cache)
                return (dx, g.tensors)
            })
        },
        decoderBlock: { x, e, p, heads, selfMask, crossMask in
            let (out, cache) = Transformers.decoderBlockForward(x, encoderOutput: e, parameters: .init(tensors: p), heads: heads,
                                                                selfMask: selfMask, crossMask: crossMask)
            return (out, cache.crossAttention.attention.weights, { dOut in
                let (dx, de, g) = Transformers.decoderBlockBackward(dOut, cache: cache)
                return (dx, de, g.tensors)
            })
        },
        trainingStep: { parameters, gradients, optimizer, step, schedule, maxNorm in
            var (p, o) = (parameters, optimizer)
            let (lr, norm) = Transformers.transformerTrainingStep(&p, gradients: gradients, optimizer: &o, step: step,
                                                                  maximumLearningRate: schedule.maximumLearningRate,
                                                                  warmupSteps: schedule.warmupSteps, totalSteps: schedule.totalSteps,
                                                                  maxGradientNorm: maxNorm)
            return (p, o, lr, norm)
        })

    /// The reference solutions in `Solutions/08-transformer`.
    public static let reference = TransformersFunctions(
        causalMask: { TransformersSolutions.causalMask(length: $0) },
        paddingMask: { TransformersSolutions.paddingMask(queryLengths: $0, keyLengths: $1, queries: $2, keys: $3) },
        attention: { q, k, v, mask in
            let (out, cache) = TransformersSolutions.attentionForward(query: q, key: k, value: v, mask: mask)
            return (out, cache.weights, { TransformersSolutions.attentionBackward($0, cache: cache) })
        },
        splitHeads: { TransformersSolutions.splitHeads($0, heads: $1) },
        mergeHeads: { TransformersSolutions.mergeHeads($0) },
        multiHeadAttention: { x, context, p, heads, mask in
            let (out, cache) = TransformersSolutions.multiHeadAttentionForward(x, context: context, parameters: .init(tensors: p),
                                                                               heads: heads, mask: mask)
            return (out, cache.attention.weights, { dOut in
                let (dx, dContext, g) = TransformersSolutions.multiHeadAttentionBackward(dOut, cache: cache)
                return (dx, dContext, g.tensors)
            })
        },
        sinusoidalEncoding: { TransformersSolutions.sinusoidalPositionalEncoding(length: $0, width: $1) },
        tokenEmbedding: { tokens, tokenTable, positionTable in
            let (out, cache) = TransformersSolutions.tokenEmbeddingForward(tokens, tokenTable: tokenTable, positionTable: positionTable)
            return (out, { TransformersSolutions.tokenEmbeddingBackward($0, cache: cache) })
        },
        feedForward: { x, p in
            let (out, cache) = TransformersSolutions.feedForwardForward(x, parameters: .init(tensors: p))
            return (out, { dOut in
                let (dx, g) = TransformersSolutions.feedForwardBackward(dOut, cache: cache)
                return (dx, g.tensors)
            })
        },
        block: { x, p, heads, mask in
            let (out, cache) = TransformersSolutions.transformerBlockForward(x, parameters: .init(tensors: p), heads: heads, mask: mask)
            return (out, cache.attention.attention.weights, { dOut in
                let (dx, g) = TransformersSolutions.transformerBlockBackward(dOut, cache: cache)
                return (dx, g.tensors)
            })
        },
        decoderBlock: { x, e, p, heads, selfMask, crossMask in
            let (out, cache) = TransformersSolutions.decoderBlockForward(x, encoderOutput: e, parameters: .init(tensors: p), heads: heads,
                                                                         selfMask: selfMask, crossMask: crossMask)
            return (out, cache.crossAttention.attention.weights, { dOut in
                let (dx, de, g) = TransformersSolutions.decoderBlockBackward(dOut, cache: cache)
                return (dx, de, g.tensors)
            })
        },
        trainingStep: { parameters, gradients, optimizer, step, schedule, maxNorm in
            var (p, o) = (parameters, optimizer)
            let (lr, norm) = TransformersSolutions.transformerTrainingStep(&p, gradients: gradients, optimizer: &o, step: step,
                                                                           maximumLearningRate: schedule.maximumLearningRate,
                                                                           warmupSteps: schedule.warmupSteps, totalSteps: schedule.totalSteps,
                                                                           maxGradientNorm: maxNorm)
            return (p, o, lr, norm)
        })

    /// Lesson 05's layer norm over the last axis of `[B, T, D]` with ε = 1e-5 (the reference's given helper):
    /// the output and the backward `(dx, dGamma, dBeta)`.
    public static func layerNorm(_ x: Tensor, gamma: Tensor, beta: Tensor)
        -> (out: Tensor, backward: @Sendable (Tensor) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor)) {
        let (out, cache) = TransformersSolutions.tokenLayerNormForward(x, gamma: gamma, beta: beta)
        return (out, { TransformersSolutions.tokenLayerNormBackward($0, cache: cache) })
    }

    /// A random block's 16 parameter tensors (γ = 1, β = 0; see `TransformerBlockParameters.random`).
    public static func randomBlock(width: Int, hidden: Int, using generator: inout SeededGenerator) -> [Tensor] {
        TransformersSolutions.TransformerBlockParameters.random(width: width, hidden: hidden, using: &generator).tensors
    }

    /// A random decoder block's 26 parameter tensors.
    public static func randomDecoderBlock(width: Int, hidden: Int, using generator: inout SeededGenerator) -> [Tensor] {
        TransformersSolutions.DecoderBlockParameters.random(width: width, hidden: hidden, using: &generator).tensors
    }

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> TransformersFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("transformer.attention") {
            (mix.causalMask, mix.paddingMask, mix.attention) = (learner.causalMask, learner.paddingMask, learner.attention)
        }
        if passed.contains("transformer.multiHead") {
            (mix.splitHeads, mix.mergeHeads, mix.multiHeadAttention) = (learner.splitHeads, learner.mergeHeads, learner.multiHeadAttention)
        }
        if passed.contains("transformer.positions") {
            (mix.sinusoidalEncoding, mix.tokenEmbedding) = (learner.sinusoidalEncoding, learner.tokenEmbedding)
        }
        if passed.contains("transformer.feedForward") { mix.feedForward = learner.feedForward }
        if passed.contains("transformer.block") { mix.block = learner.block }
        if passed.contains("transformer.decoder") { mix.decoderBlock = learner.decoderBlock }
        if passed.contains("transformer.trainingStep") { mix.trainingStep = learner.trainingStep }
        return mix
    }
}

extension TransformersFunctions {
    /// A fresh Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) from lesson 05, for the training step.
    public static func adam() -> Optimizer { .adam(learningRate: 0) }

    /// The training step written out, with known mistakes to switch on (all off: a correct rewrite):
    /// no clipping, each tensor clipped on its own, warmup t/W, a constant η_max, the norm reported after clipping.
    public static func trainingStepVariant(noClipping: Bool = false, clipEachTensor: Bool = false, warmupFromZero: Bool = false,
                                           constantRate: Bool = false, normAfterClipping: Bool = false)
        -> @Sendable ([Tensor], [Tensor], Optimizer, Int, Schedule, Double)
        -> (parameters: [Tensor], optimizer: Optimizer, learningRate: Double, gradientNorm: Double) {
        { parameters, gradients, optimizer, step, schedule, maxNorm in
            let norm = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
            var clipped = gradients
            if clipEachTensor {
                clipped = gradients.map { g in g.norm() > maxNorm ? g * (maxNorm / g.norm()) : g }
            } else if !noClipping && norm > maxNorm {
                clipped = gradients.map { $0 * (maxNorm / norm) }
            }
            let (top, warmup, total) = schedule
            var rate: Double
            if constantRate {
                rate = top
            } else if step < warmup {
                rate = top * Double(warmupFromZero ? step : step + 1) / Double(warmup)
            } else if step >= total {
                rate = 0
            } else {
                rate = 0.5 * top * (1 + Foundation.cos(Double.pi * Double(step - warmup) / Double(total - warmup)))
            }
            var (p, o) = (parameters, optimizer)
            o.learningRate = rate
            o.step(&p, gradients: clipped)
            let reported = normAfterClipping ? clipped.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot() : norm
            return (p, o, rate, reported)
        }
    }
}
