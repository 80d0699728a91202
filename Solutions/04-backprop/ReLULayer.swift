import CourseKit
import Foundation

/// What `reluLayerForward` keeps for the backward pass.
public struct ReLUCache: Sendable {
    /// The input x, any shape.
    public var x: Tensor

    public init(x: Tensor) {
        self.x = x
    }
}

/// Exercise `mlp.relu` — ReLU as a layer, forward: max(0, x) elementwise.
///
/// - Parameter x: any shape.
/// - Returns: out, the shape of `x`, and the cache.
public func reluLayerForward(_ x: Tensor) -> (out: Tensor, cache: ReLUCache) {
    // BEGIN SOLUTION
    (maximum(x, 0), ReLUCache(x: x))
    // END SOLUTION
}

/// Exercise `mlp.relu` — ReLU as a layer, backward: the upstream gradient
/// passes where x > 0 and is stopped elsewhere.
///
///     ∂L/∂x = ∂L/∂out ⊙ [x > 0]
///
/// - Parameters:
///   - dOut: ∂L/∂out, the shape of x.
///   - cache: from `reluLayerForward`.
/// - Returns: ∂L/∂x, the shape of x.
public func reluLayerBackward(_ dOut: Tensor, cache: ReLUCache) -> Tensor {
    // BEGIN SOLUTION
    dOut * (cache.x .> 0)
    // END SOLUTION
}

/// What `affineReluForward` keeps: each layer's own cache.
public struct AffineReLUCache: Sendable {
    /// The affine layer's cache: its input x `[N, D]` and weights `[D, M]`.
    public var affine: AffineCache
    /// The ReLU's cache: its input, the pre-activation xW + b `[N, M]`.
    public var relu: ReLUCache

    public init(affine: AffineCache, relu: ReLUCache) {
        self.affine = affine
        self.relu = relu
    }
}

/// Exercise `mlp.relu` — the affine–ReLU "sandwich", forward:
/// out = relu(xW + b), built from your two layers.
///
/// - Parameters:
///   - x: `[N, D]`.
///   - weights: `[D, M]`.
///   - bias: `[M]`.
/// - Returns: out `[N, M]` and both caches.
public func affineReluForward(_ x: Tensor, weights: Tensor, bias: Tensor) -> (out: Tensor, cache: AffineReLUCache) {
    // BEGIN SOLUTION
    let (a, affineCache) = affineForward(x, weights: weights, bias: bias)
    let (out, reluCache) = reluLayerForward(a)
    return (out, AffineReLUCache(affine: affineCache, relu: reluCache))
    // END SOLUTION
}

/// Exercise `mlp.relu` — the sandwich, backward: through the ReLU first
/// (the last layer of the forward is the first of the backward), then the affine layer.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, M]`.
///   - cache: from `affineReluForward`.
/// - Returns: dx `[N, D]`, dWeights `[D, M]`, dBias `[M]`.
public func affineReluBackward(_ dOut: Tensor, cache: AffineReLUCache) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
    // BEGIN SOLUTION
    affineBackward(reluLayerBackward(dOut, cache: cache.relu), cache: cache.affine)
    // END SOLUTION
}

// BEGIN TABLE BackpropFunctions mlp.relu
// relu: @Sendable (_ x: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor) = { x in
//     let (out, cache) = Module.reluLayerForward(x)
//     return (out, { Module.reluLayerBackward($0, cache: cache) })
// }
// affineRelu: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: LayerBackward) = { x, w, b in
//     let (out, cache) = Module.affineReluForward(x, weights: w, bias: b)
//     return (out, { Module.affineReluBackward($0, cache: cache) })
// }
// END TABLE
