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
    // BEGIN SOLUTION
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = (h - poolHeight) / stride + 1, wo = (w - poolWidth) / stride + 1
    let input = x.scalars   // read once: `x.scalars` inside the loop would fetch the array at every element
    var out = [Double](repeating: 0, count: n * c * ho * wo)
    var argmax = [Int](repeating: 0, count: out.count)
    for plane in 0..<(n * c) {
        for i in 0..<ho {
            for j in 0..<wo {
                var best = plane * h * w + (i * stride) * w + j * stride
                for p in 0..<poolHeight {
                    for q in 0..<poolWidth {
                        let index = plane * h * w + (i * stride + p) * w + j * stride + q
                        if input[index] > input[best] { best = index }   // strictly greater: the first maximum stays
                    }
                }
                let o = (plane * ho + i) * wo + j
                out[o] = input[best]
                argmax[o] = best
            }
        }
    }
    return (Tensor(shape: [n, c, ho, wo], scalars: out), MaxPoolCache(inputShape: x.shape, argmax: argmax))
    // END SOLUTION
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
    // BEGIN SOLUTION
    var dx = [Double](repeating: 0, count: cache.inputShape.reduce(1, *))
    let upstream = dOut.scalars
    for (o, index) in cache.argmax.enumerated() { dx[index] += upstream[o] }
    return Tensor(shape: cache.inputShape, scalars: dx)
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ho = (h - poolHeight) / stride + 1, wo = (w - poolWidth) / stride + 1
    let area = Double(poolHeight * poolWidth)
    var out = [Double](repeating: 0, count: n * c * ho * wo)
    for plane in 0..<(n * c) {
        for i in 0..<ho {
            for j in 0..<wo {
                var total = 0.0
                for p in 0..<poolHeight {
                    for q in 0..<poolWidth { total += x.scalars[plane * h * w + (i * stride + p) * w + j * stride + q] }
                }
                out[(plane * ho + i) * wo + j] = total / area
            }
        }
    }
    return (Tensor(shape: [n, c, ho, wo], scalars: out),
            AvgPoolCache(inputShape: x.shape, poolHeight: poolHeight, poolWidth: poolWidth, stride: stride))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (h, w) = (cache.inputShape[2], cache.inputShape[3])
    let (ho, wo) = (dOut.shape[2], dOut.shape[3])
    let (ph, pw, s) = (cache.poolHeight, cache.poolWidth, cache.stride)
    let share = 1 / Double(ph * pw)
    var dx = [Double](repeating: 0, count: cache.inputShape.reduce(1, *))
    for plane in 0..<(cache.inputShape[0] * cache.inputShape[1]) {
        for i in 0..<ho {
            for j in 0..<wo {
                let g: Double = dOut.scalars[(plane * ho + i) * wo + j] * share
                for p in 0..<ph {
                    let rowStart: Int = plane * h * w + (i * s + p) * w + j * s
                    for q in 0..<pw { dx[rowStart + q] += g }
                }
            }
        }
    }
    return Tensor(shape: cache.inputShape, scalars: dx)
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.pool
// maxPool: Pool = { x, ph, pw, s in
//     let (out, cache) = Module.maxPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
//     return (out, { Module.maxPoolBackward($0, cache: cache) })
// }
// avgPool: Pool = { x, ph, pw, s in
//     let (out, cache) = Module.avgPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
//     return (out, { Module.avgPoolBackward($0, cache: cache) })
// }
// END TABLE
