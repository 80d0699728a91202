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
    // BEGIN SOLUTION
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (f, kh, kw) = (weights.shape[0], weights.shape[2], weights.shape[3])
    precondition(weights.shape[1] == c, "conv2dForward: x has \(c) channels, the filters \(weights.shape[1])")
    let xp = x.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)])
    let (hp, wp) = (h + 2 * padding, w + 2 * padding)
    let ho = (hp - kh) / stride + 1, wo = (wp - kw) / stride + 1
    var out = [Double](repeating: 0, count: n * f * ho * wo)
    for img in 0..<n {
        for filter in 0..<f {
            for i in 0..<ho {
                for j in 0..<wo {
                    var total = bias.scalars[filter]
                    for channel in 0..<c {
                        for p in 0..<kh {
                            for q in 0..<kw {
                                total += weights.scalars[((filter * c + channel) * kh + p) * kw + q]
                                    * xp.scalars[((img * c + channel) * hp + i * stride + p) * wp + j * stride + q]
                            }
                        }
                    }
                    out[((img * f + filter) * ho + i) * wo + j] = total
                }
            }
        }
    }
    return (Tensor(shape: [n, f, ho, wo], scalars: out), Conv2DCache(x: x, weights: weights, stride: stride, padding: padding))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let (x, weights, stride, padding) = (cache.x, cache.weights, cache.stride, cache.padding)
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (f, kh, kw) = (weights.shape[0], weights.shape[2], weights.shape[3])
    let (ho, wo) = (dOut.shape[2], dOut.shape[3])
    let xp = x.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)])
    let (hp, wp) = (h + 2 * padding, w + 2 * padding)
    var dxp = [Double](repeating: 0, count: n * c * hp * wp)
    var dw = [Double](repeating: 0, count: weights.count)
    var db = [Double](repeating: 0, count: f)
    for img in 0..<n {
        for filter in 0..<f {
            for i in 0..<ho {
                for j in 0..<wo {
                    let g = dOut.scalars[((img * f + filter) * ho + i) * wo + j]
                    db[filter] += g
                    for channel in 0..<c {
                        for p in 0..<kh {
                            for q in 0..<kw {
                                let wIndex = ((filter * c + channel) * kh + p) * kw + q
                                let xIndex = ((img * c + channel) * hp + i * stride + p) * wp + j * stride + q
                                dw[wIndex] += g * xp.scalars[xIndex]
                                dxp[xIndex] += g * weights.scalars[wIndex]
                            }
                        }
                    }
                }
            }
        }
    }
    // The gradient of the padded input, with the padding cut away.
    let dx = Tensor(shape: [n, c, hp, wp], scalars: dxp).slice(axis: 2, padding..<(padding + h)).slice(axis: 3, padding..<(padding + w))
    return (dx, Tensor(shape: weights.shape, scalars: dw), Tensor(db))
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.conv
// conv: Conv = { x, w, b, s, p in
//     let (out, cache) = Module.conv2dForward(x, weights: w, bias: b, stride: s, padding: p)
//     return (out, { Module.conv2dBackward($0, cache: cache) })
// }
// END TABLE
