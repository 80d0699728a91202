import CourseKit
import Foundation

/// Exercise `dnn.adaptive` — one step of AdaGrad.
///
///     s ← s + g ⊙ g
///     w ← w − η · g / (√s + ε)
///
/// Every parameter gets its own step size, shrinking with the squared
/// gradients it has seen so far. ε sits outside the square root and only
/// guards the division. PyTorch's default ε is 1e-10, many texts use 1e-7 or
/// 1e-8: the grader passes ε explicitly.
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: g = ∂L/∂w, the shape of `w`.
///   - squaredGradientSum: s, the shape of `w` (zeros before the first step); updated.
///   - learningRate: η > 0.
///   - epsilon: ε > 0.
/// - Returns: the updated parameter.
public func adagradUpdate(_ w: Tensor, gradient: Tensor, squaredGradientSum: inout Tensor,
                          learningRate: Double, epsilon: Double = 1e-8) -> Tensor {
    precondition(w.shape == gradient.shape && w.shape == squaredGradientSum.shape,
                 "adagradUpdate: w \(w.shape), gradient \(gradient.shape) and squaredGradientSum \(squaredGradientSum.shape) must have one shape")
    // BEGIN SOLUTION
    squaredGradientSum = squaredGradientSum + gradient * gradient
    return w - learningRate * gradient / (sqrt(squaredGradientSum) + epsilon)
    // END SOLUTION
}

/// Exercise `dnn.adaptive` — one step of RMSprop.
///
///     s ← ρ·s + (1 − ρ)·g ⊙ g
///     w ← w − η · g / (√s + ε)
///
/// AdaGrad with a forgetting average instead of a sum, so the step size does
/// not decay to zero. No bias correction: s starts at 0, so the first steps
/// are large (the first is η·g/(√(1 − ρ)·|g|) ≈ 10·η for ρ = 0.99).
///
/// - Parameters:
///   - w: the parameter, any shape.
///   - gradient: g, the shape of `w`.
///   - squaredGradientAverage: s, the shape of `w` (zeros before the first step); updated.
///   - learningRate: η > 0.
///   - decayRate: ρ in [0, 1), e.g. 0.99.
///   - epsilon: ε > 0.
/// - Returns: the updated parameter.
public func rmspropUpdate(_ w: Tensor, gradient: Tensor, squaredGradientAverage: inout Tensor,
                          learningRate: Double, decayRate: Double = 0.99, epsilon: Double = 1e-8) -> Tensor {
    precondition(w.shape == gradient.shape && w.shape == squaredGradientAverage.shape,
                 "rmspropUpdate: w \(w.shape), gradient \(gradient.shape) and squaredGradientAverage \(squaredGradientAverage.shape) must have one shape")
    // BEGIN SOLUTION
    squaredGradientAverage = decayRate * squaredGradientAverage + (1 - decayRate) * gradient * gradient
    return w - learningRate * gradient / (sqrt(squaredGradientAverage) + epsilon)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.adaptive
// adagrad: @Sendable (_ w: Tensor, _ gradient: Tensor, _ sum: Tensor, _ learningRate: Double, _ epsilon: Double)
//     -> (w: Tensor, sum: Tensor)
// = { w, g, s, lr, eps in
//     var sum = s
//     let out = Module.adagradUpdate(w, gradient: g, squaredGradientSum: &sum, learningRate: lr, epsilon: eps)
//     return (out, sum)
// }
// rmsprop: @Sendable (_ w: Tensor, _ gradient: Tensor, _ average: Tensor, _ learningRate: Double, _ decayRate: Double,
//     _ epsilon: Double) -> (w: Tensor, average: Tensor)
// = { w, g, s, lr, rho, eps in
//     var average = s
//     let out = Module.rmspropUpdate(w, gradient: g, squaredGradientAverage: &average, learningRate: lr, decayRate: rho, epsilon: eps)
//     return (out, average)
// }
// END TABLE
