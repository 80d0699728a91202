import CourseKit
import Foundation

/// Exercise `linreg.mse` — the mean squared error and its gradients.
///
/// $$ L = \frac{1}{N} \sum_{i=1}^{N} (\hat y_i - y_i)^2, \qquad \hat y = X w + b $$
///
/// $$ \frac{\partial L}{\partial w} = \frac{2}{N} X^\top (\hat y - y), \qquad
///    \frac{\partial L}{\partial b} = \frac{2}{N} \sum_i (\hat y_i - y_i) $$
///
/// (Some texts use 1/(2N) to cancel the 2; this course uses 1/N.)
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets, shape `[N]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
/// - Returns: the loss L, ∂L/∂w (shape `[D]`) and ∂L/∂b.
public func mseLoss(_ X: Tensor, _ y: Tensor, weights: Tensor, bias: Double)
    -> (loss: Double, dWeights: Tensor, dBias: Double) {
    todo()
}
