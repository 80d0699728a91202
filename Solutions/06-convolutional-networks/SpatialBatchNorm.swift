import CourseKit
import DeepTrainingSolutions
import Foundation

/// What `spatialBatchNormForward` keeps for the backward pass.
public struct SpatialBatchNormCache: Sendable {
    /// Lesson 05's batch-norm cache, for the `[N·H·W, C]` matrix.
    public var batchNorm: BatchNormCache
    /// The input's shape, `[N, C, H, W]`.
    public var inputShape: [Int]

    public init(batchNorm: BatchNormCache, inputShape: [Int]) {
        self.batchNorm = batchNorm
        self.inputShape = inputShape
    }
}

/// Exercise `cnn.spatialNorm` — spatial batch normalization, forward.
///
/// A convolution shares each filter over every position, so batch norm for a convolutional layer
/// normalizes each CHANNEL with statistics taken over the batch AND every position: for channel c,
/// the mean and (biased) variance run over all N·H·W values x[n, c, i, j]; γ[c] and β[c] are shared
/// the same way. That is lesson 05's `batchNormForward` applied to an `[N·H·W, C]` matrix whose
/// columns are the channels — move the channel axis last before reshaping, and back afterwards.
/// The running statistics follow lesson 05's conventions (PyTorch's: momentum 0.1, unbiased running variance).
///
/// - Parameters:
///   - x: `[N, C, H, W]`, N·H·W ≥ 2 in training mode.
///   - gamma: γ, `[C]`.
///   - beta: β, `[C]`.
///   - running: the running mean and variance, `[C]` each; updated in training mode.
///   - mode: `.training` or `.inference`.
///   - momentum: as in lesson 05.
///   - epsilon: ε > 0.
/// - Returns: out `[N, C, H, W]` and the cache.
public func spatialBatchNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, running: inout BatchNormRunningStats,
                                    mode: ForwardMode, momentum: Double = 0.1, epsilon: Double = 1e-5)
    -> (out: Tensor, cache: SpatialBatchNormCache) {
    // BEGIN SOLUTION
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let rows = x.permuted([0, 2, 3, 1]).reshaped([n * h * w, c])
    let (out, cache) = batchNormForward(rows, gamma: gamma, beta: beta, running: &running, mode: mode, momentum: momentum, epsilon: epsilon)
    return (out.reshaped([n, h, w, c]).permuted([0, 3, 1, 2]), SpatialBatchNormCache(batchNorm: cache, inputShape: x.shape))
    // END SOLUTION
}

/// Exercise `cnn.spatialNorm` — spatial batch normalization, backward: lesson 05's backward on the same
/// `[N·H·W, C]` arrangement (chapter 05's section on the batch-norm backward derives it).
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, C, H, W]`.
///   - cache: from `spatialBatchNormForward`.
/// - Returns: dx `[N, C, H, W]`, dGamma `[C]`, dBeta `[C]`.
public func spatialBatchNormBackward(_ dOut: Tensor, cache: SpatialBatchNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    // BEGIN SOLUTION
    let (n, c, h, w) = (cache.inputShape[0], cache.inputShape[1], cache.inputShape[2], cache.inputShape[3])
    let rows = dOut.permuted([0, 2, 3, 1]).reshaped([n * h * w, c])
    let (dx, dGamma, dBeta) = batchNormBackward(rows, cache: cache.batchNorm)
    return (dx.reshaped([n, h, w, c]).permuted([0, 3, 1, 2]), dGamma, dBeta)
    // END SOLUTION
}

/// Exercise `cnn.spatialNorm` — global average pooling: each channel of each image averaged over all its
/// positions, out[n, c] = (1/(H·W)) Σ_i Σ_j x[n, c, i, j]. Modern CNNs use it in place of flattening
/// before the last affine layer.
///
/// - Parameter x: `[N, C, H, W]`.
/// - Returns: `[N, C]`.
public func globalAveragePoolForward(_ x: Tensor) -> Tensor {
    // BEGIN SOLUTION
    x.reshaped([x.shape[0], x.shape[1], -1]).mean(axis: 2)
    // END SOLUTION
}

/// Exercise `cnn.spatialNorm` — global average pooling, backward: every position of a channel receives an
/// equal share of that channel's gradient. Chapter section "Spatial batch norm and global average pooling".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, C]`.
///   - inputShape: `[N, C, H, W]`.
/// - Returns: ∂L/∂x, `[N, C, H, W]`.
public func globalAveragePoolBackward(_ dOut: Tensor, inputShape: [Int]) -> Tensor {
    // BEGIN SOLUTION
    let positions = Double(inputShape[2] * inputShape[3])
    return (dOut.reshaped([inputShape[0], inputShape[1], 1, 1]) / positions) * Tensor.ones(inputShape)
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.spatialNorm
// /// Spatial batch norm: returns the output, the updated running mean and variance, and the backward.
// spatialBatchNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ running: (mean: Tensor, variance: Tensor),
//     _ training: Bool, _ momentum: Double, _ epsilon: Double)
//     -> (out: Tensor, running: (mean: Tensor, variance: Tensor), backward: @Sendable (_ dOut: Tensor) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor))
// = { x, gamma, beta, running, training, momentum, epsilon in
//     var stats = DeepTrainingSolutions.BatchNormRunningStats(mean: running.mean, variance: running.variance)
//     let (out, cache) = Module.spatialBatchNormForward(x, gamma: gamma, beta: beta, running: &stats,
//                                                       mode: training ? .training : .inference, momentum: momentum, epsilon: epsilon)
//     return (out, (stats.mean, stats.variance), { Module.spatialBatchNormBackward($0, cache: cache) })
// }
// globalAveragePool: @Sendable (_ x: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor) = { x in
//     (Module.globalAveragePoolForward(x), { Module.globalAveragePoolBackward($0, inputShape: x.shape) })
// }
// END TABLE
