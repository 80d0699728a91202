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
    todo()
}
