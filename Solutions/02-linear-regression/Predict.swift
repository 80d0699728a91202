import CourseKit
import Foundation

/// Exercise `linreg.predict` — the linear model's predictions.
///
///     ŷ = X w + b
///
/// - Parameters:
///   - X: inputs, shape `[N, D]` (N examples of D features).
///   - weights: w, shape `[D]`.
///   - bias: b, a number added to every prediction.
/// - Returns: ŷ, shape `[N]`.
public func predict(_ X: Tensor, weights: Tensor, bias: Double) -> Tensor {
    // BEGIN SOLUTION
    matmul(X, weights) + bias
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.predict
// predict: @Sendable (_ X: Tensor, _ weights: Tensor, _ bias: Double) -> Tensor = { Module.predict($0, weights: $1, bias: $2) }
// END TABLE
