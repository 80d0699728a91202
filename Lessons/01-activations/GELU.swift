import CourseKit
import Foundation

/// Exercise `activations.gelu` — GELU (tanh approximation), forward.
///
/// $$ \mathrm{gelu}(x) = \tfrac12 x \left(1 + \tanh u\right), \qquad
///    u = \sqrt{2/\pi}\,\left(x + 0.044715\,x^3\right) $$
///
/// The Transformer's feed-forward layers (lesson 08) use it: a smooth ReLU
/// that lets a little negative signal through.
///
/// - Parameter x: any shape.
/// - Returns: the shape of `x`.
public func geluForward(_ x: Tensor) -> Tensor {
    todo()
}

/// Exercise `activations.gelu` — backward.
///
/// By the product and chain rules, with t = tanh u:
///
/// $$ \mathrm{gelu}'(x) = \tfrac12 (1 + t) + \tfrac12 x (1 - t^2)\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2) $$
///
/// - Parameters:
///   - dOut: ∂L/∂y, the shape of `input`.
///   - input: x, the forward's input.
/// - Returns: ∂L/∂x, the shape of `input`.
public func geluBackward(_ dOut: Tensor, input: Tensor) -> Tensor {
    todo()
}
