import CourseKit
import Foundation

/// Exercise `activations.softmax` — softmax of each row, forward.
///
///     yᵢⱼ = exp(xᵢⱼ) / Σₖ exp(xᵢₖ)
///
/// Each row of the result is a probability distribution: positive entries
/// that sum to 1. Softmax does not change when a constant is added to a
/// whole row, so subtract each row's maximum first — then no exponent is
/// positive and nothing overflows, even for logits like 1000.
///
/// - Parameter x: logits, shape `[N, C]` (N rows of C classes).
/// - Returns: probabilities, shape `[N, C]`; each row sums to 1.
public func softmaxForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let shifted = x - x.max(axis: 1, keepingDims: true)
    let e = exp(shifted)
    return e / e.sum(axis: 1, keepingDims: true)
    // END SOLUTION
}

/// Exercise `activations.softmax` — backward, as a vector–Jacobian product.
///
/// The Jacobian of one row is J = diag(y) − y yᵀ, so without ever building it:
///
///     ∂L/∂xᵢⱼ = yᵢⱼ · (gᵢⱼ − Σₖ gᵢₖ · yᵢₖ),   g = ∂L/∂y
///
/// - Parameters:
///   - dOut: ∂L/∂y, shape `[N, C]`.
///   - output: y = `softmaxForward(x)`, shape `[N, C]`.
/// - Returns: ∂L/∂x, shape `[N, C]`.
public func softmaxBackward(_ dOut: Tensor, output: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let rowDot = (dOut * output).sum(axis: 1, keepingDims: true)
    return output * (dOut - rowDot)
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.softmax
// softmaxForward: Unary = { Module.softmaxForward($0) }
// softmaxBackward: Backward = { Module.softmaxBackward($0, output: $1) }
// END TABLE
