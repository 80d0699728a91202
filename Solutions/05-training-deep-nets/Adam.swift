import CourseKit
import Foundation

/// Adam's state for one parameter: both moving averages and the step count.
public struct AdamState: Sendable, Equatable {
    /// m, the moving average of the gradients, the parameter's shape.
    public var firstMoment: Tensor
    /// v, the moving average of the squared gradients, the parameter's shape.
    public var secondMoment: Tensor
    /// t, the number of steps taken so far (0 before the first step; the
    /// first step makes it 1 and uses t = 1 in its bias correction).
    public var step: Int

    public init(firstMoment: Tensor, secondMoment: Tensor, step: Int) {
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        self.step = step
    }

    /// The state before the first step of a parameter of this shape: m = v = 0, t = 0.
    public init(shape: [Int]) {
        self.init(firstMoment: Tensor.zeros(shape), secondMoment: Tensor.zeros(shape), step: 0)
    }
}

/// Exercise `dnn.adam` — one step of Adam, with bias correction.
///
///     t ← t + 1                      (so the first step has t = 1)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g ⊙ g
///     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
///     w ← w − η · m̂ / (√v̂ + ε)
///
/// m and v start at 0, so without the corrections they are biased towards 0
/// in the first steps (the chapter derives the 1/(1 − βᵗ) factor). ε is added
/// after the square root, as in the paper and PyTorch.
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: g, the shape of `w`.
///   - state: m, v (the shape of `w`) and t; updated.
///   - learningRate: η > 0.
///   - beta1: β₁ in [0, 1), e.g. 0.9.
///   - beta2: β₂ in [0, 1), e.g. 0.999.
///   - epsilon: ε > 0, e.g. 1e-8.
/// - Returns: the updated parameter.
public func adamUpdate(_ w: Tensor, gradient: Tensor, state: inout AdamState, learningRate: Double,
                       beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) -> Tensor {
    precondition(w.shape == gradient.shape && w.shape == state.firstMoment.shape && w.shape == state.secondMoment.shape,
                 "adamUpdate: w \(w.shape), gradient \(gradient.shape) and the state's moments \(state.firstMoment.shape), \(state.secondMoment.shape) must have one shape")
    // BEGIN SOLUTION
    state.step += 1
    state.firstMoment = beta1 * state.firstMoment + (1 - beta1) * gradient
    state.secondMoment = beta2 * state.secondMoment + (1 - beta2) * gradient * gradient
    let t = Double(state.step)
    let mHat = state.firstMoment / (1 - pow(beta1, t))
    let vHat = state.secondMoment / (1 - pow(beta2, t))
    return w - learningRate * mHat / (sqrt(vHat) + epsilon)
    // END SOLUTION
}

/// Exercise `dnn.adam` — one step of AdamW: Adam with decoupled weight decay
/// (PyTorch's form, the decay scaled by η).
///
///     w ← w − η·λ·w          (the decay, on the weights before the step)
///     w ← adamUpdate(w, …)   (the Adam step of the gradient alone)
///
/// Adam with L2 in the loss adds λ·w to g instead: the decay then passes
/// through m and √v̂ and is divided by √v̂, so weights with large gradients are
/// decayed less. AdamW decays every weight by the same fraction η·λ.
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: g = ∂(data loss)/∂w, without any L2 term, the shape of `w`.
///   - state: as for `adamUpdate`; updated.
///   - learningRate: η > 0.
///   - beta1, beta2, epsilon: as for `adamUpdate`.
///   - weightDecay: λ ≥ 0, e.g. 0.01.
/// - Returns: the updated parameter.
public func adamWUpdate(_ w: Tensor, gradient: Tensor, state: inout AdamState, learningRate: Double,
                        beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double) -> Tensor {
    // BEGIN SOLUTION
    let decayed = w - learningRate * weightDecay * w
    return adamUpdate(decayed, gradient: gradient, state: &state, learningRate: learningRate,
                      beta1: beta1, beta2: beta2, epsilon: epsilon)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.adam
// adam: @Sendable (_ w: Tensor, _ gradient: Tensor, _ state: Adam, _ learningRate: Double, _ beta1: Double, _ beta2: Double,
//     _ epsilon: Double) -> (w: Tensor, state: Adam)
// = { w, g, s, lr, b1, b2, eps in
//     var state = Module.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
//     let out = Module.adamUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
//     return (out, (state.firstMoment, state.secondMoment, state.step))
// }
// adamW: @Sendable (_ w: Tensor, _ gradient: Tensor, _ state: Adam, _ learningRate: Double, _ beta1: Double, _ beta2: Double,
//     _ epsilon: Double, _ weightDecay: Double) -> (w: Tensor, state: Adam)
// = { w, g, s, lr, b1, b2, eps, wd in
//     var state = Module.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
//     let out = Module.adamWUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
//     return (out, (state.firstMoment, state.secondMoment, state.step))
// }
// END TABLE
