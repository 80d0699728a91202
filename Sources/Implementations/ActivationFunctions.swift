import CourseKit
import Activations
import ActivationsSolutions

/// Lesson 01's functions as values, so that graders and demos can run the
/// learner's code, the reference code, or a mix — and known-wrong variants
/// can be swapped in one function at a time.
public struct ActivationFunctions: Sendable {
    public typealias Unary = @Sendable (_ x: Tensor) -> Tensor
    /// `(dOut, x or y) -> dx`: elementwise backward passes take the forward's
    /// input or output, as the exercise says.
    public typealias Backward = @Sendable (_ dOut: Tensor, _ saved: Tensor) -> Tensor
    public typealias Leaky = @Sendable (_ x: Tensor, _ alpha: Double) -> Tensor
    public typealias LeakyBackward = @Sendable (_ dOut: Tensor, _ input: Tensor, _ alpha: Double) -> Tensor

    public var sigmoidForward: Unary
    public var sigmoidBackward: Backward
    public var tanhForward: Unary
    public var tanhBackward: Backward
    public var reluForward: Unary
    public var reluBackward: Backward
    public var leakyReluForward: Leaky
    public var leakyReluBackward: LeakyBackward
    public var geluForward: Unary
    public var geluBackward: Backward
    public var softmaxForward: Unary
    public var softmaxBackward: Backward
    public var logSoftmaxForward: Unary
    public var logSoftmaxBackward: Backward

    /// The learner's code in `Lessons/01-activations`.
    public static let learner = ActivationFunctions(
        sigmoidForward: { Activations.sigmoidForward($0) },
        sigmoidBackward: { Activations.sigmoidBackward($0, output: $1) },
        tanhForward: { Activations.tanhForward($0) },
        tanhBackward: { Activations.tanhBackward($0, output: $1) },
        reluForward: { Activations.reluForward($0) },
        reluBackward: { Activations.reluBackward($0, input: $1) },
        leakyReluForward: { Activations.leakyReluForward($0, alpha: $1) },
        leakyReluBackward: { Activations.leakyReluBackward($0, input: $1, alpha: $2) },
        geluForward: { Activations.geluForward($0) },
        geluBackward: { Activations.geluBackward($0, input: $1) },
        softmaxForward: { Activations.softmaxForward($0) },
        softmaxBackward: { Activations.softmaxBackward($0, output: $1) },
        logSoftmaxForward: { Activations.logSoftmaxForward($0) },
        logSoftmaxBackward: { Activations.logSoftmaxBackward($0, output: $1) })

    /// The reference solutions in `Solutions/01-activations`.
    public static let reference = ActivationFunctions(
        sigmoidForward: { ActivationsSolutions.sigmoidForward($0) },
        sigmoidBackward: { ActivationsSolutions.sigmoidBackward($0, output: $1) },
        tanhForward: { ActivationsSolutions.tanhForward($0) },
        tanhBackward: { ActivationsSolutions.tanhBackward($0, output: $1) },
        reluForward: { ActivationsSolutions.reluForward($0) },
        reluBackward: { ActivationsSolutions.reluBackward($0, input: $1) },
        leakyReluForward: { ActivationsSolutions.leakyReluForward($0, alpha: $1) },
        leakyReluBackward: { ActivationsSolutions.leakyReluBackward($0, input: $1, alpha: $2) },
        geluForward: { ActivationsSolutions.geluForward($0) },
        geluBackward: { ActivationsSolutions.geluBackward($0, input: $1) },
        softmaxForward: { ActivationsSolutions.softmaxForward($0) },
        softmaxBackward: { ActivationsSolutions.softmaxBackward($0, output: $1) },
        logSoftmaxForward: { ActivationsSolutions.logSoftmaxForward($0) },
        logSoftmaxBackward: { ActivationsSolutions.logSoftmaxBackward($0, output: $1) })

    /// The learner's functions for the exercises in `passed`, the reference
    /// for all others (what a demo runs).
    public static func mixing(learnerFor passed: Set<String>) -> ActivationFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("activations.sigmoid") {
            mix.sigmoidForward = learner.sigmoidForward; mix.sigmoidBackward = learner.sigmoidBackward
        }
        if passed.contains("activations.tanh") {
            mix.tanhForward = learner.tanhForward; mix.tanhBackward = learner.tanhBackward
        }
        if passed.contains("activations.relu") {
            mix.reluForward = learner.reluForward; mix.reluBackward = learner.reluBackward
        }
        if passed.contains("activations.leakyRelu") {
            mix.leakyReluForward = learner.leakyReluForward; mix.leakyReluBackward = learner.leakyReluBackward
        }
        if passed.contains("activations.gelu") {
            mix.geluForward = learner.geluForward; mix.geluBackward = learner.geluBackward
        }
        if passed.contains("activations.softmax") {
            mix.softmaxForward = learner.softmaxForward; mix.softmaxBackward = learner.softmaxBackward
        }
        if passed.contains("activations.logSoftmax") {
            mix.logSoftmaxForward = learner.logSoftmaxForward; mix.logSoftmaxBackward = learner.logSoftmaxBackward
        }
        return mix
    }
}
