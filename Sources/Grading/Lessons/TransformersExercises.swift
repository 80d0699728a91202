import CourseKit
import Foundation
import Implementations

/// Lesson 08 — The Transformer: attention, multi-head attention, positions,
/// the feed-forward network, pre-norm blocks, cross-attention and the
/// training step, every backward written by hand.
enum TransformersLesson {
    typealias F = TransformersFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "08-transformer"

    static var exercises: [Exercise] {
        [attentionSpec, multiHeadSpec, positionsSpec, feedForwardSpec, blockSpec, decoderSpec, trainingStepSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    /// The relative error every gradient check of this lesson must stay below.
    static let gradientThreshold = 1e-7

    /// One named input of a check, for the failure message.
    typealias Inputs = [(name: String, value: Tensor)]

    /// Compares one output with the reference's, naming a known mistake whose output matches the candidate's.
    static func expect(_ got: Tensor, _ want: Tensor, _ what: String, _ situation: String, _ inputs: Inputs,
                       _ peers: Peers<F>, _ context: GradingContext, suspect: @escaping @Sendable (F) -> Tensor) throws {
        try context.expectClose(got, want, what: what, situation: situation, inputs: inputs, suspects: peers.suspects(suspect))
    }

    /// Gradient check of `gradients[i]` for every input i of `forward`: centred differences of
    /// sum(forward(inputs) ⊙ upstream). Returns the largest relative error.
    static func checkGradients(of forward: ([Tensor]) -> Tensor, at inputs: [Tensor], names: [String], upstream: Tensor,
                               gradients: [Tensor], what: String, situation: String, _ context: inout GradingContext) throws -> Double {
        guard gradients.count == inputs.count else {
            throw CheckFailure("\(what) returned \(gradients.count) gradients for \(inputs.count) inputs (\(situation)).")
        }
        var worst = 0.0
        for index in inputs.indices {
            let numeric = GradientCheck.numericalGradient(of: { t in
                var copy = inputs
                copy[index] = t
                return forward(copy)
            }, at: inputs[index], upstream: upstream)
            // A gradient that is exactly 0 (b_K: adding one vector to every key adds the same q·b_K to each score
            // of a row, which the softmax ignores) leaves only rounding noise to divide by: compare it absolutely.
            if numeric.count > 0 && abs(numeric).max() < 1e-6 && gradients[index].shape == numeric.shape {
                let error = gradients[index].maxAbsoluteDifference(to: numeric)
                guard error < 1e-7 else {
                    throw CheckFailure("gradient check failed for ∂L/∂\(names[index]) of \(what) (\(situation)): the numerical gradient is 0 (below 1e-6 everywhere) but yours is \(Diagnosis.preview(gradients[index])), off by up to \(Diagnosis.short(error)) (must be below 1e-7).")
                }
                continue
            }
            try context.expectGradient(analytic: gradients[index], numeric: numeric, what: "∂L/∂\(names[index]) of \(what)",
                                       situation: situation, threshold: gradientThreshold)
            worst = max(worst, GradientCheck.relativeError(gradients[index], numeric))
        }
        return worst
    }

    /// The names of an attention layer's eight parameters, prefixed.
    static func attentionNames(_ prefix: String) -> [String] {
        ["W_Q", "b_Q", "W_K", "b_K", "W_V", "b_V", "W_O", "b_O"].map { prefix + $0 }
    }
    static let feedForwardNames = ["W₁", "b₁", "W₂", "b₂"]
    static let blockNames = ["γ₁", "β₁"] + attentionNames("") + ["γ₂", "β₂"] + feedForwardNames
    static let decoderNames = ["γ₁", "β₁"] + attentionNames("self ") + ["γ₂", "β₂"] + attentionNames("cross ") + ["γ₃", "β₃"]
        + feedForwardNames

    /// Random attention parameters for width D: weights ~ N(0, 0.5²), biases ~ N(0, 0.1²).
    static func randomAttentionParameters(_ width: Int, _ context: inout GradingContext) -> [Tensor] {
        (0..<4).flatMap { _ in [context.randomTensor([width, width], scale: 0.5), context.randomTensor([width], scale: 0.1)] }
    }

    /// Random feed-forward parameters for width D and hidden width F.
    static func randomFeedForwardParameters(_ width: Int, _ hidden: Int, _ context: inout GradingContext) -> [Tensor] {
        [context.randomTensor([width, hidden], scale: 0.5), context.randomTensor([hidden], scale: 0.1),
         context.randomTensor([hidden, width], scale: 0.5), context.randomTensor([width], scale: 0.1)]
    }

    /// Random layer-norm parameters: γ near 1, β near 0 (so a γ₁/γ₂ swap shows).
    static func randomNorm(_ width: Int, _ context: inout GradingContext) -> [Tensor] {
        [1 + context.randomTensor([width], scale: 0.2), context.randomTensor([width], scale: 0.1)]
    }

    /// A random block's 16 tensors (γ, β random, not 1 and 0, so a mix-up shows).
    static func randomBlockParameters(_ width: Int, _ hidden: Int, _ context: inout GradingContext) -> [Tensor] {
        randomNorm(width, &context) + randomAttentionParameters(width, &context) + randomNorm(width, &context)
            + randomFeedForwardParameters(width, hidden, &context)
    }

    /// A random decoder block's 26 tensors.
    static func randomDecoderParameters(_ width: Int, _ hidden: Int, _ context: inout GradingContext) -> [Tensor] {
        randomNorm(width, &context) + randomAttentionParameters(width, &context) + randomNorm(width, &context)
            + randomAttentionParameters(width, &context) + randomNorm(width, &context) + randomFeedForwardParameters(width, hidden, &context)
    }

    /// B random lengths in 0...T with one 0 (a sequence of padding only: whole rows masked) when B > 1,
    /// one full length, and the rest in between.
    static func randomLengths(batch: Int, length: Int, _ context: inout GradingContext) -> [Int] {
        var lengths = (0..<batch).map { _ in context.random.nextInt(in: 1...length) }
        lengths[0] = length
        if batch > 1 { lengths[batch - 1] = 0 }
        if batch > 2 { lengths[1] = max(1, length - 2) }
        return lengths
    }
}
