import CourseKit
import Foundation

/// What `conv2dForward` keeps for the backward pass.
public struct Conv2DCache: Sendable {
    /// The input x, `[N, C, H, W]` (not padded).
    public var x: Tensor
    /// The filters w, `[F, C, KH, KW]`.
    public var weights: Tensor
    public var stride: Int
    public var padding: Int

    public init(x: Tensor, weights: Tensor, stride: Int, padding: Int) {
        self.x = x
        self.weights = weights
        self.stride = stride
        self.padding = padding
    }
}

/// Exercise `cnn.conv` — a 2-D convolution layer, forward, with plain loops.
///
/// Like every deep-learning library, "convolution" here is a cross-correlation:
/// the filter is NOT flipped. With x padded by P zeros on each side of its
/// height and width (call it x̃),
///
///     out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q  w[f, c, p, q] · x̃[n, c, i·S + p, j·S + q]
///
/// for 0 ≤ i < H′ = ⌊(H + 2P − KH)/S⌋ + 1 and 0 ≤ j < W′ = ⌊(W + 2P − KW)/S⌋ + 1.
///
/// - Parameters:
///   - x: a batch of N images with C channels, `[N, C, H, W]`.
///   - weights: F filters, `[F, C, KH, KW]`.
///   - bias: one per filter, `[F]`.
///   - stride: S ≥ 1, the same along both axes.
///   - padding: P ≥ 0 zeros on each of the four sides.
/// - Returns: out `[N, F, H′, W′]` and the cache.
public func conv2dForward(_ x: Tensor, weights: Tensor, bias: Tensor, stride: Int, padding: Int)
    -> (out: Tensor, cache: Conv2DCache) {
    todo()
}

/// Exercise `cnn.conv` — the convolution layer, backward, with plain loops.
///
/// Given G = ∂L/∂out, return the gradients of the loss with respect to the
/// input, the filters and the biases. Every output element out[n, f, i, j]
/// touched one window of x̃ through one filter: send its gradient back along
/// the same products, and remember that padded zeros are not part of x.
/// The chapter's section "The backward pass" derives all three
/// (dx is a full convolution of G with the flipped filters, dw a
/// correlation of x̃ with G, db a sum).
///
/// - Parameters:
///   - dOut: G = ∂L/∂out, `[N, F, H′, W′]`.
///   - cache: from `conv2dForward`.
/// - Returns: dx `[N, C, H, W]`, dWeights `[F, C, KH, KW]`, dBias `[F]`.
public func conv2dBackward(_ dOut: Tensor, cache: Conv2DCache) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
    todo()
}
