import BackpropSolutions
import CourseKit
import Foundation

/// The parameters of a residual block.
public struct ResidualBlock: Sendable {
    /// The first convolution, `[F, C, K, K]` (K odd), and its bias `[F]`.
    public var weights1: Tensor
    public var bias1: Tensor
    /// The second convolution, `[F, F, K, K]`, and its bias `[F]`.
    public var weights2: Tensor
    public var bias2: Tensor
    /// The projection shortcut, a 1 × 1 convolution `[F, C, 1, 1]` with bias `[F]`, used when the block changes
    /// the shape (F ≠ C or stride > 1); `nil` for the identity shortcut.
    public var projectionWeights: Tensor?
    public var projectionBias: Tensor?
    /// The first convolution's stride (and the projection's); the second always has stride 1.
    public var stride: Int

    public init(weights1: Tensor, bias1: Tensor, weights2: Tensor, bias2: Tensor,
                projectionWeights: Tensor? = nil, projectionBias: Tensor? = nil, stride: Int = 1) {
        self.weights1 = weights1
        self.bias1 = bias1
        self.weights2 = weights2
        self.bias2 = bias2
        self.projectionWeights = projectionWeights
        self.projectionBias = projectionBias
        self.stride = stride
    }
}

/// The gradients of a residual block's parameters, and of its input.
public struct ResidualBlockGradients: Sendable {
    public var dx: Tensor
    public var dWeights1: Tensor
    public var dBias1: Tensor
    public var dWeights2: Tensor
    public var dBias2: Tensor
    /// `nil` for the identity shortcut.
    public var dProjectionWeights: Tensor?
    public var dProjectionBias: Tensor?

    public init(dx: Tensor, dWeights1: Tensor, dBias1: Tensor, dWeights2: Tensor, dBias2: Tensor,
                dProjectionWeights: Tensor? = nil, dProjectionBias: Tensor? = nil) {
        self.dx = dx
        self.dWeights1 = dWeights1
        self.dBias1 = dBias1
        self.dWeights2 = dWeights2
        self.dBias2 = dBias2
        self.dProjectionWeights = dProjectionWeights
        self.dProjectionBias = dProjectionBias
    }
}

/// What `residualBlockForward` keeps for the backward pass: the caches of its layers.
public struct ResidualBlockCache: Sendable {
    public var conv1: FastConv2DCache
    public var relu1: ReLUCache
    public var conv2: FastConv2DCache
    /// `nil` for the identity shortcut.
    public var projection: FastConv2DCache?
    public var reluOut: ReLUCache

    public init(conv1: FastConv2DCache, relu1: ReLUCache, conv2: FastConv2DCache, projection: FastConv2DCache?, reluOut: ReLUCache) {
        self.conv1 = conv1
        self.relu1 = relu1
        self.conv2 = conv2
        self.projection = projection
        self.reluOut = reluOut
    }
}

/// Exercise `cnn.residual` — a residual block, forward (He et al., 2016, without batch norm):
///
///     F(x) = conv₂(relu(conv₁(x)))        out = relu(F(x) + shortcut(x))
///
/// conv₁ has stride S and padding K/2 (rounded down), conv₂ stride 1 and padding K/2, so F(x) has the
/// spatial size of a stride-S convolution. The shortcut is the identity, shortcut(x) = x, when the
/// block keeps the shape (no projection given); otherwise it is the 1 × 1 projection convolution
/// with stride S and no padding. The layers learn the residual F(x); the block outputs F(x) + x
/// (then the ReLU). Use your `conv2dForwardFast` and lesson 04's ReLU layer.
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - block: the parameters; with the identity shortcut F must equal C and S must be 1.
/// - Returns: out `[N, F, H′, W′]` and the cache.
public func residualBlockForward(_ x: Tensor, block: ResidualBlock) -> (out: Tensor, cache: ResidualBlockCache) {
    // BEGIN SOLUTION
    let k = block.weights1.shape[2]
    let (h1, conv1) = conv2dForwardFast(x, weights: block.weights1, bias: block.bias1, stride: block.stride, padding: k / 2)
    let (a1, relu1) = reluLayerForward(h1)
    let (residual, conv2) = conv2dForwardFast(a1, weights: block.weights2, bias: block.bias2, stride: 1, padding: block.weights2.shape[2] / 2)
    var shortcut = x
    var projection: FastConv2DCache?
    if let wp = block.projectionWeights, let bp = block.projectionBias {
        let (projected, cache) = conv2dForwardFast(x, weights: wp, bias: bp, stride: block.stride, padding: 0)
        (shortcut, projection) = (projected, cache)
    } else {
        precondition(residual.shape == x.shape,
                     "residualBlockForward: an identity shortcut needs F(x) and x of one shape, got \(residual.shape) and \(x.shape); give a projection")
    }
    let (out, reluOut) = reluLayerForward(residual + shortcut)
    return (out, ResidualBlockCache(conv1: conv1, relu1: relu1, conv2: conv2, projection: projection, reluOut: reluOut))
    // END SOLUTION
}

/// Exercise `cnn.residual` — the residual block, backward. The sum F(x) + shortcut(x) sends the same
/// gradient into both branches, and x reaches the output along both paths: its gradient is the sum of
/// the two. The chapter's section "Residual connections" works it out.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, F, H′, W′]`.
///   - cache: from `residualBlockForward`.
/// - Returns: dx `[N, C, H, W]` and the gradient of every parameter (the projection's only when it has one).
public func residualBlockBackward(_ dOut: Tensor, cache: ResidualBlockCache) -> ResidualBlockGradients {
    // BEGIN SOLUTION
    let dSum = reluLayerBackward(dOut, cache: cache.reluOut)
    let conv2 = conv2dBackwardFast(dSum, cache: cache.conv2)
    let conv1 = conv2dBackwardFast(reluLayerBackward(conv2.dx, cache: cache.relu1), cache: cache.conv1)
    var gradients = ResidualBlockGradients(dx: conv1.dx, dWeights1: conv1.dWeights, dBias1: conv1.dBias,
                                           dWeights2: conv2.dWeights, dBias2: conv2.dBias)
    if let projection = cache.projection {
        let p = conv2dBackwardFast(dSum, cache: projection)
        gradients.dx = gradients.dx + p.dx
        (gradients.dProjectionWeights, gradients.dProjectionBias) = (p.dWeights, p.dBias)
    } else {
        gradients.dx = gradients.dx + dSum
    }
    return gradients
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.residual
// residual: @Sendable (_ x: Tensor, _ block: Block) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> BlockGradients)
// = { x, block in
//     let (out, cache) = Module.residualBlockForward(x, block: Module.ResidualBlock(
//         weights1: block.w1, bias1: block.b1, weights2: block.w2, bias2: block.b2,
//         projectionWeights: block.projection?.weights, projectionBias: block.projection?.bias, stride: block.stride))
//     return (out, { dOut in
//         let g = Module.residualBlockBackward(dOut, cache: cache)
//         return BlockGradients(dx: g.dx, dw1: g.dWeights1, db1: g.dBias1, dw2: g.dWeights2, db2: g.dBias2,
//                               dProjection: g.dProjectionWeights.flatMap { w in g.dProjectionBias.map { (w, $0) } })
//     })
// }
// END TABLE
