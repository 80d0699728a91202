import CourseKit
import Foundation

/// Exercise `activations.leakyRelu` — leaky ReLU, forward.
///
///     f(x) = x       if x > 0
///     f(x) = α · x   if x ≤ 0
///
/// A small slope α (typically 0.01) for negative inputs keeps a gradient
/// flowing where a plain ReLU would be dead.
///
/// - Parameters:
///   - x: any shape.
///   - alpha: the slope for x ≤ 0, in [0, 1).
/// - Returns: the shape of `x`.
public func leakyReluForward(_ x: Tensor, alpha: Double) -> Tensor {
    // BEGIN SOLUTION
    x.map { $0 > 0 ? $0 : alpha * $0 }
    // END SOLUTION
}

/// Exercise `activations.leakyRelu` — backward: f'(x) = 1 for x > 0, α otherwise.
///
/// - Parameters:
///   - dOut: ∂L/∂y, the shape of `input`.
///   - input: x, the forward's input.
///   - alpha: the same slope as in the forward pass.
/// - Returns: ∂L/∂x, the shape of `input`.
public func leakyReluBackward(_ dOut: Tensor, input: Tensor, alpha: Double) -> Tensor {
    // BEGIN SOLUTION
    dOut * input.map { $0 > 0 ? 1 : alpha }
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.leakyRelu
// leakyReluForward: Leaky = { Module.leakyReluForward($0, alpha: $1) }
// leakyReluBackward: LeakyBackward = { Module.leakyReluBackward($0, input: $1, alpha: $2) }
// END TABLE
