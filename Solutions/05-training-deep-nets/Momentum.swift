import CourseKit
import Foundation

/// Exercise `dnn.momentum` — one step of SGD with momentum, PyTorch's form.
///
///     v ← μ·v + g
///     w ← w − η·v
///
/// The velocity v is a running sum of past gradients, decayed by μ each step;
/// it starts at zero, so the first step is plain SGD (v = g). Update `velocity`
/// in place: the caller keeps it from one step to the next.
///
/// Another common form (CS231n) folds η into the velocity: v ← μ·v − η·g,
/// w ← w + v. The two agree while η is constant and drift apart when η
/// changes between steps (a schedule); the grader changes η.
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: ∂L/∂w, the shape of `w`.
///   - velocity: v, the shape of `w` (zeros before the first step); updated.
///   - learningRate: η > 0.
///   - momentum: μ in [0, 1).
/// - Returns: the updated parameter, the shape of `w`.
public func sgdMomentumUpdate(_ w: Tensor, gradient: Tensor, velocity: inout Tensor,
                              learningRate: Double, momentum: Double) -> Tensor {
    precondition(w.shape == gradient.shape && w.shape == velocity.shape,
                 "sgdMomentumUpdate: w \(w.shape), gradient \(gradient.shape) and velocity \(velocity.shape) must have one shape")
    // BEGIN SOLUTION
    velocity = momentum * velocity + gradient
    return w - learningRate * velocity
    // END SOLUTION
}

/// Exercise `dnn.momentum` — one step of Nesterov momentum, PyTorch's form.
///
///     v ← μ·v + g
///     w ← w − η·(g + μ·v)
///
/// The step looks ahead: it uses the gradient plus the velocity it is about to
/// add, rather than the velocity alone. (CS231n writes it with the "look-ahead"
/// parameters, w ← w − μ·v_prev + (1 + μ)·v with v ← μ·v − η·g; same caveat
/// about η as for `sgdMomentumUpdate`.)
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: ∂L/∂w, the shape of `w`.
///   - velocity: v, the shape of `w` (zeros before the first step); updated.
///   - learningRate: η > 0.
///   - momentum: μ in [0, 1).
/// - Returns: the updated parameter, the shape of `w`.
public func nesterovMomentumUpdate(_ w: Tensor, gradient: Tensor, velocity: inout Tensor,
                                   learningRate: Double, momentum: Double) -> Tensor {
    precondition(w.shape == gradient.shape && w.shape == velocity.shape,
                 "nesterovMomentumUpdate: w \(w.shape), gradient \(gradient.shape) and velocity \(velocity.shape) must have one shape")
    // BEGIN SOLUTION
    velocity = momentum * velocity + gradient
    return w - learningRate * (gradient + momentum * velocity)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.momentum
// momentum: MomentumRule = { w, g, v, lr, mu in
//     var velocity = v
//     let out = Module.sgdMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
//     return (out, velocity)
// }
// nesterov: MomentumRule = { w, g, v, lr, mu in
//     var velocity = v
//     let out = Module.nesterovMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
//     return (out, velocity)
// }
// END TABLE
