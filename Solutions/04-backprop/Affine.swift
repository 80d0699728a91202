import CourseKit
import Foundation

/// What `affineForward` keeps for the backward pass.
public struct AffineCache: Sendable {
    /// The input x, `[N, D]`.
    public var x: Tensor
    /// The weights W, `[D, M]`.
    public var weights: Tensor

    public init(x: Tensor, weights: Tensor) {
        self.x = x
        self.weights = weights
    }
}

/// Exercise `mlp.affine` — an affine (fully connected) layer, forward.
///
///     out = x W + b
///
/// with b added to every row. Keep in the cache what the backward will need.
///
/// - Parameters:
///   - x: a batch of N inputs, shape `[N, D]`.
///   - weights: W, shape `[D, M]`.
///   - bias: b, shape `[M]`.
/// - Returns: out, shape `[N, M]`, and the cache.
public func affineForward(_ x: Tensor, weights: Tensor, bias: Tensor) -> (out: Tensor, cache: AffineCache) {
    // BEGIN SOLUTION
    (matmul(x, weights) + bias, AffineCache(x: x, weights: weights))
    // END SOLUTION
}

/// Exercise `mlp.affine` — the affine layer, backward.
///
/// With G = ∂L/∂out (`[N, M]`), the chain rule through out = xW + b gives
///
///     ∂L/∂x = G Wᵀ,   ∂L/∂W = xᵀ G,   ∂L/∂b = Σᵢ G[i, :]
///
/// (b was added to every row, so its gradient sums over the batch).
///
/// - Parameters:
///   - dOut: G = ∂L/∂out, shape `[N, M]`.
///   - cache: from `affineForward`.
/// - Returns: dx `[N, D]`, dWeights `[D, M]`, dBias `[M]`.
public func affineBackward(_ dOut: Tensor, cache: AffineCache) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
    // BEGIN SOLUTION
    let dx = matmul(dOut, cache.weights.transposed())
    let dWeights = matmul(cache.x.transposed(), dOut)
    return (dx, dWeights, dOut.sum(axis: 0))
    // END SOLUTION
}

// BEGIN TABLE BackpropFunctions mlp.affine
// affine: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: LayerBackward) = { x, w, b in
//     let (out, cache) = Module.affineForward(x, weights: w, bias: b)
//     return (out, { Module.affineBackward($0, cache: cache) })
// }
// END TABLE
