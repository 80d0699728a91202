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
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/TransformersFunctions+Tables.swift`.)
extension TransformersFunctions {
    public typealias AttentionBackward = @Sendable (_ dOut: Tensor) -> (dQuery: Tensor, dKey: Tensor, dValue: Tensor)
    public typealias MultiHeadBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dContext: Tensor, gradients: [Tensor])
    public typealias ParameterBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, gradients: [Tensor])
    public typealias DecoderBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dEncoderOutput: Tensor, gradients: [Tensor])
    public typealias Schedule = (maximumLearningRate: Double, warmupSteps: Int, totalSteps: Int)

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
