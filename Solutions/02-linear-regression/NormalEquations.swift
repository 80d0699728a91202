import CourseKit
import Foundation

/// Exercise `linreg.normalEquations` — the least-squares solution in closed form.
///
/// Append a column of ones to X so that the bias becomes one more weight:
/// A = [X | 1] of shape `[N, D + 1]`, θ = (w, b). Setting the gradient of the
/// MSE to zero gives the normal equations
///
///     Aᵀ A θ = Aᵀ y
///
/// Solve them with `solveLinearSystem(_:_:)` (Gaussian elimination).
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`, with N > D and independent columns.
///   - y: targets, shape `[N]`.
/// - Returns: w (shape `[D]`) and b minimizing the mean squared error.
public func solveNormalEquations(_ X: Tensor, _ y: Tensor) -> (weights: Tensor, bias: Double) {
    // BEGIN SOLUTION
    let d = X.shape[1]
    let A = Tensor.concatenate([X, Tensor.ones([X.shape[0], 1])], axis: 1)
    let At = A.transposed()
    let theta = solveLinearSystem(matmul(At, A), matmul(At, y))
    return (theta.slice(axis: 0, 0..<d), theta[d])
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.normalEquations
// solveNormalEquations: @Sendable (_ X: Tensor, _ y: Tensor) -> Parameters = { Module.solveNormalEquations($0, $1) }
// END TABLE
