import CourseKit
import Foundation

/// Exercise `classify.perceptronPredict` — the perceptron's decisions.
///
/// $$ \hat y_i = \begin{cases} +1 & w \cdot x_i + b > 0 \\ -1 & \text{otherwise} \end{cases} $$
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
/// - Returns: labels ±1, shape `[N]`.
public func perceptronPredict(_ X: Tensor, weights: Tensor, bias: Double) -> Tensor {
    // BEGIN SOLUTION
    (matmul(X, weights) + bias).map { $0 > 0 ? 1 : -1 }
    // END SOLUTION
}
