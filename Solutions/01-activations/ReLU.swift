import CourseKit
import Foundation

/// Exercise `activations.relu` — the rectified linear unit, forward.
///
///     relu(x) = max(0, x)
///
/// - Parameter x: any shape.
/// - Returns: max(0, x) elementwise; never negative.
public func reluForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    maximum(x, 0)
    // END SOLUTION
}

/// Exercise `activations.relu` — backward.
///
/// relu'(x) = 1 where x > 0 and 0 where x < 0 (we use 0 at x = 0), so the
/// upstream gradient passes where the input was positive and stops elsewhere.
///
/// - Parameters:
///   - dOut: ∂L/∂y, the shape of `input`.
///   - input: x, the forward's input.
/// - Returns: ∂L/∂x, the shape of `input`.
public func reluBackward(_ dOut: Tensor, input: Tensor) -> Tensor {
    // BEGIN SOLUTION
    dOut * (input .> 0)
    // END SOLUTION
}

// BEGIN TABLE ActivationFunctions activations.relu
// reluForward: Unary = { Module.reluForward($0) }
// reluBackward: Backward = { Module.reluBackward($0, input: $1) }
// END TABLE
