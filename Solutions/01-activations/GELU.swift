import CourseKit
import Foundation

/// Exercise `activations.gelu` — GELU (tanh approximation), forward.
///
///     gelu(x) = ½ · x · (1 + tanh u),   u = √(2/π) · (x + 0.044715 · x³)
///
/// The Transformer's feed-forward layers (lesson 08) use it: a smooth ReLU
/// that lets a little negative signal through.
///
/// - Parameter x: any shape.
/// - Returns: the shape of `x`.
public func geluForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let c = (2 / Double.pi).squareRoot()
    return x.map { v in 0.5 * v * (1 + tanh(c * (v + 0.044715 * v * v * v))) }
    // END SOLUTION
}

/// Exercise `activations.gelu` — backward.
///
/// By the product and chain rules, with t = tanh u:
///
///     gelu′(x) = ½ · (1 + t) + ½ · x · (1 − t²) · √(2/π) · (1 + 3 · 0.044715 · x²)
///
/// and ∂L/∂x = dOut ⊙ gelu′(x).
///
/// - Parameters:
///   - dOut: ∂L/∂y, the shape of `input`.
///   - input: x, the forward's input.
/// - Returns: ∂L/∂x, the shape of `input`.
public func geluBackward(_ dOut: Tensor, input: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let c = (2 / Double.pi).squareRoot()
    let derivative = input.map { v in
        let t = tanh(c * (v + 0.044715 * v * v * v))
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v)
    }
    return dOut * derivative
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.gelu
// geluForward: Unary = { Module.geluForward($0) }
// geluBackward: Backward = { Module.geluBackward($0, input: $1) }
// END TABLE
