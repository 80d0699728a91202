import CourseKit
import Foundation

/// Exercise `activations.sigmoid` — the logistic sigmoid, forward.
///
///     σ(x) = 1 / (1 + exp(−x))
///
/// Squashes any real number into the open interval (0, 1), elementwise.
/// Must stay finite for large inputs: `sigmoidForward(Tensor([-1000, 1000]))`
/// is `[0, 1]`, never NaN (`exp(1000)` is infinite in Double, and
/// `inf / inf` is NaN — choose a form that never divides two infinities).
///
/// - Parameter x: any shape.
/// - Returns: σ(x), the shape of `x`.
public func sigmoidForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    // Two branches so that exp never overflows: for v ≥ 0, 1/(1 + e⁻ᵛ);
    // for v < 0 the equal form eᵛ/(1 + eᵛ).
    x.map { v in
        if v >= 0 { return 1 / (1 + exp(-v)) }
        let e = exp(v)
        return e / (1 + e)
    }
    // END SOLUTION
}

/// Exercise `activations.sigmoid` — the sigmoid, backward.
///
/// With `y = σ(x)`, the derivative is σ′(x) = y (1 − y), so
///
///     ∂L/∂x = ∂L/∂y ⊙ y ⊙ (1 − y)
///
/// - Parameters:
///   - dOut: ∂L/∂y, the upstream gradient, the shape of `x`.
///   - output: y = `sigmoidForward(x)`, the shape of `x`.
/// - Returns: ∂L/∂x, the shape of `x`.
public func sigmoidBackward(_ dOut: Tensor, output: Tensor) -> Tensor {
    // BEGIN SOLUTION
    dOut * output * (1 - output)
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.sigmoid
// sigmoidForward: Unary = { Module.sigmoidForward($0) }
// sigmoidBackward: Backward = { Module.sigmoidBackward($0, output: $1) }
// END TABLE
