import CourseKit
import Foundation

/// Exercise `activations.tanh` — the hyperbolic tangent, forward.
///
///     tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) = 2σ(2x) − 1
///
/// Output in (−1, 1), zero-centred. Must be finite for x = ±1000 (the
/// textbook quotient is `inf / inf` there).
///
/// - Parameter x: any shape.
/// - Returns: tanh(x), the shape of `x`.
public func tanhForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    tanh(x)
    // END SOLUTION
}

/// Exercise `activations.tanh` — backward.
///
/// With `y = tanh(x)`: tanh'(x) = 1 − y², so ∂L/∂x = dOut ⊙ (1 − y²).
///
/// - Parameters:
///   - dOut: ∂L/∂y, the shape of `x`.
///   - output: y = `tanhForward(x)`.
/// - Returns: ∂L/∂x, the shape of `x`.
public func tanhBackward(_ dOut: Tensor, output: Tensor) -> Tensor {
    // BEGIN SOLUTION
    dOut * (1 - output * output)
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.tanh
// tanhForward: Unary = { Module.tanhForward($0) }
// tanhBackward: Backward = { Module.tanhBackward($0, output: $1) }
// END TABLE
