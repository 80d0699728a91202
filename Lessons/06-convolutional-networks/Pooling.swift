import CourseKit
import Foundation

/// What `maxPoolForward` keeps for the backward pass.
public struct MaxPoolCache: Sendable {
    /// The shape of the input, `[N, C, H, W]`.
    public var inputShape: [Int]
    /// For each output element (in the output's row-major order), the flat
    /// index into the input of the maximum it took.
    public var argmax: [Int]

    public init(inputShape: [Int], argmax: [Int]) {
        self.inputShape = inputShape
        self.argmax = argmax
    }
}

/// Exercise `cnn.pool` — max pooling, forward.
///
///     out[n, c, i, j] = max over 0 ≤ p < PH, 0 ≤ q < PW of x[n, c, i·S + p, j·S + q]
///
/// with H′ = ⌊(H − PH)/S⌋ + 1 and W′ = ⌊(W − PW)/S⌋ + 1 (no padding).
///
/// Ties: when several elements of a window share the maximum, the FIRST of
/// them in row-major order (smallest p, then smallest q) is the one the
/// output took — PyTorch's rule. Record it in the cache: the backward sends
/// the gradient to that element only.
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - poolHeight: PH ≥ 1.
///   - poolWidth: PW ≥ 1.
///   - stride: S ≥ 1 (windows overlap when S is smaller than the window).
/// - Returns: out `[N, C, H′, W′]` and the cache.
public func maxPoolForward(_ x: Tensor, poolHeight: Int, poolWidth: Int, stride: Int) -> (out: Tensor, cache: MaxPoolCache) {
    todo()
}

/// Exercise `cnn.pool` — max pooling, backward: each output's gradient goes to
/// the one input element it took (the first maximum of its window), and adds
/// up where overlapping windows took the same element. Chapter section
/// "Pooling".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, C, H′, W′]`.
///   - cache: from `maxPoolForward`.
/// - Returns: ∂L/∂x, `[N, C, H, W]`.
public func maxPoolBackward(_ dOut: Tensor, cache: MaxPoolCache) -> Tensor {
    todo()
}

/// What `avgPoolForward` keeps for the backward pass.
public struct AvgPoolCache: Sendable {
    /// The shape of the input, `[N, C, H, W]`.
    public var inputShape: [Int]
    public var poolHeight: Int
    public var poolWidth: Int
    public var stride: Int

    public init(inputShape: [Int], poolHeight: Int, poolWidth: Int, stride: Int) {
        self.inputShape = inputShape
        self.poolHeight = poolHeight
        self.poolWidth = poolWidth
        self.stride = stride
    }
}

/// Exercise `cnn.pool` — average pooling, forward: the mean of each window,
///
///     out[n, c, i, j] = (1 / (PH·PW)) Σ_p Σ_q x[n, c, i·S + p, j·S + q]
///
/// with the sizes of `maxPoolForward` (no padding, so every window holds
/// PH·PW real pixels; PyTorch's padded average pooling counts the padded
/// zeros by default).
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - poolHeight: PH ≥ 1.
///   - poolWidth: PW ≥ 1.
///   - stride: S ≥ 1.
/// - Returns: out `[N, C, H′, W′]` and the cache.
public func avgPoolForward(_ x: Tensor, poolHeight: Int, poolWidth: Int, stride: Int) -> (out: Tensor, cache: AvgPoolCache) {
    todo()
}

/// Exercise `cnn.pool` — average pooling, backward: every element of a window
/// receives an equal share of that window's output gradient; shares add up
/// where windows overlap. Chapter section "Pooling".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, C, H′, W′]`.
///   - cache: from `avgPoolForward`.
/// - Returns: ∂L/∂x, `[N, C, H, W]`.
public func avgPoolBackward(_ dOut: Tensor, cache: AvgPoolCache) -> Tensor {
    todo()
}
