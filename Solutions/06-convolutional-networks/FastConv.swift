import CourseKit
import Foundation

/// What `conv2dForwardFast` keeps for the backward pass.
public struct FastConv2DCache: Sendable {
    /// The shape of the input x, `[N, C, H, W]`.
    public var inputShape: [Int]
    /// im2col(x), `[C·KH·KW, N·H′·W′]`.
    public var cols: Tensor
    /// The filters w, `[F, C, KH, KW]`.
    public var weights: Tensor
    public var stride: Int
    public var padding: Int

    public init(inputShape: [Int], cols: Tensor, weights: Tensor, stride: Int, padding: Int) {
        self.inputShape = inputShape
        self.cols = cols
        self.weights = weights
        self.stride = stride
        self.padding = padding
    }
}

/// Exercise `cnn.fastConv` — the convolution of `conv2dForward`, computed
/// as one matrix product:
///
///     out (as [F, N·H′·W′]) = w (as [F, C·KH·KW]) · im2col(x) + b
///
/// then arranged as `[N, F, H′, W′]`. It must give the same numbers as your
/// naive `conv2dForward` (to rounding), only faster: this is what the demo trains with.
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - weights: `[F, C, KH, KW]`.
///   - bias: `[F]`.
///   - stride: S ≥ 1.
///   - padding: P ≥ 0.
/// - Returns: out `[N, F, H′, W′]` and the cache.
public func conv2dForwardFast(_ x: Tensor, weights: Tensor, bias: Tensor, stride: Int, padding: Int)
    -> (out: Tensor, cache: FastConv2DCache) {
    // BEGIN SOLUTION
    let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
    let (f, kh, kw) = (weights.shape[0], weights.shape[2], weights.shape[3])
    let ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1
    let cols = im2col(x, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding)
    let product = matmul(weights.reshaped([f, -1]), cols) + bias.reshaped([f, 1])     // [F, N·H′·W′]
    let out = product.reshaped([f, n, ho, wo]).permuted([1, 0, 2, 3])
    return (out, FastConv2DCache(inputShape: x.shape, cols: cols, weights: weights, stride: stride, padding: padding))
    // END SOLUTION
}

/// Exercise `cnn.fastConv` — the backward of `conv2dForwardFast`, through the
/// matrix product: with G = ∂L/∂out arranged as `[F, N·H′·W′]`, the affine
/// layer's rules of lesson 04 give the gradients of the filter matrix, the
/// bias and the column matrix; `col2im` turns the last into dx. Chapter
/// section "im2col: convolution as one matrix product".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, F, H′, W′]`.
///   - cache: from `conv2dForwardFast`.
/// - Returns: dx `[N, C, H, W]`, dWeights `[F, C, KH, KW]`, dBias `[F]` — the same as `conv2dBackward`'s.
public func conv2dBackwardFast(_ dOut: Tensor, cache: FastConv2DCache) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
    // BEGIN SOLUTION
    let f = cache.weights.shape[0]
    let g = dOut.permuted([1, 0, 2, 3]).reshaped([f, -1])                 // [F, N·H′·W′]
    // g · colsᵀ, with cols read transposed in place (the same numbers as `matmul(g, cache.cols.transposed())`, without the copy)
    let dWeights = matmul(g, cache.cols, transposeA: false, transposeB: true).reshaped(cache.weights.shape)
    let dBias = g.sum(axis: 1)
    let dCols = matmul(cache.weights.reshaped([f, -1]).transposed(), g)  // [C·KH·KW, N·H′·W′]
    let dx = col2im(dCols, inputShape: cache.inputShape, kernelHeight: cache.weights.shape[2],
                    kernelWidth: cache.weights.shape[3], stride: cache.stride, padding: cache.padding)
    return (dx, dWeights, dBias)
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.fastConv
// fastConv: Conv = { x, w, b, s, p in
//     let (out, cache) = Module.conv2dForwardFast(x, weights: w, bias: b, stride: s, padding: p)
//     return (out, { Module.conv2dBackwardFast($0, cache: cache) })
// }
// END TABLE
