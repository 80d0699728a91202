import ConvNets
import ConvNetsSolutions
import CourseKit
import DeepTrainingSolutions

/// Lesson 06's functions as values (learner, reference, or a mix), speaking plain tensors:
/// a layer's forward returns its output and a closure that runs its backward with the cache it captured.
public struct ConvNetsFunctions: Sendable {
    public typealias LayerBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    public typealias Conv = @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor, _ stride: Int, _ padding: Int)
        -> (out: Tensor, backward: LayerBackward)
    public typealias Pool = @Sendable (_ x: Tensor, _ poolHeight: Int, _ poolWidth: Int, _ stride: Int)
        -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor)

    /// A residual block's parameters (`projection` nil for the identity shortcut).
    public struct Block: Sendable {
        public var w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor
        public var projection: (weights: Tensor, bias: Tensor)?
        public var stride: Int
        public init(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, projection: (weights: Tensor, bias: Tensor)?, stride: Int) {
            (self.w1, self.b1, self.w2, self.b2, self.projection, self.stride) = (w1, b1, w2, b2, projection, stride)
        }
    }

    /// A residual block's gradients: dx, then the parameters in `Block`'s order.
    public struct BlockGradients: Sendable {
        public var dx: Tensor, dw1: Tensor, db1: Tensor, dw2: Tensor, db2: Tensor
        public var dProjection: (weights: Tensor, bias: Tensor)?
        public init(dx: Tensor, dw1: Tensor, db1: Tensor, dw2: Tensor, db2: Tensor, dProjection: (weights: Tensor, bias: Tensor)?) {
            (self.dx, self.dw1, self.db1, self.dw2, self.db2, self.dProjection) = (dx, dw1, db1, dw2, db2, dProjection)
        }
    }

    /// The small CNN's parameters, in order: conv1 weights, conv1 bias, conv2 weights, conv2 bias, fc weights, fc bias.
    public typealias Net = [Tensor]

    public var outputSize: @Sendable (_ inputSize: Int, _ kernelSize: Int, _ stride: Int, _ padding: Int) -> Int
    public var receptiveField: @Sendable (_ kernelSizes: [Int], _ strides: [Int]) -> Int
    public var conv: Conv
    public var maxPool: Pool
    public var avgPool: Pool
    public var im2col: @Sendable (_ x: Tensor, _ kernelHeight: Int, _ kernelWidth: Int, _ stride: Int, _ padding: Int) -> Tensor
    public var col2im: @Sendable (_ cols: Tensor, _ inputShape: [Int], _ kernelHeight: Int, _ kernelWidth: Int, _ stride: Int,
                                  _ padding: Int) -> Tensor
    public var fastConv: Conv
    public var residual: @Sendable (_ x: Tensor, _ block: Block) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> BlockGradients)
    public var convNetScores: @Sendable (_ net: Net, _ X: Tensor) -> Tensor
    /// Spatial batch norm: returns the output, the updated running mean and variance, and the backward.
    public var spatialBatchNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ running: (mean: Tensor, variance: Tensor),
                                            _ training: Bool, _ momentum: Double, _ epsilon: Double)
        -> (out: Tensor, running: (mean: Tensor, variance: Tensor), backward: @Sendable (_ dOut: Tensor) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor))
    public var globalAveragePool: @Sendable (_ x: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor)
    public var convNetLoss: @Sendable (_ net: Net, _ X: Tensor, _ labels: [Int], _ regularization: Double) -> (loss: Double, gradients: Net)

    /// The learner's code in `Lessons/06-convolutional-networks`.
    public static let learner = ConvNetsFunctions(
        outputSize: { ConvNets.convOutputSize(inputSize: $0, kernelSize: $1, stride: $2, padding: $3) },
        receptiveField: { ConvNets.receptiveField(kernelSizes: $0, strides: $1) },
        conv: { x, w, b, s, p in
            let (out, cache) = ConvNets.conv2dForward(x, weights: w, bias: b, stride: s, padding: p)
            return (out, { ConvNets.conv2dBackward($0, cache: cache) })
        },
        maxPool: { x, ph, pw, s in
            let (out, cache) = ConvNets.maxPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
            return (out, { ConvNets.maxPoolBackward($0, cache: cache) })
        },
        avgPool: { x, ph, pw, s in
            let (out, cache) = ConvNets.avgPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
            return (out, { ConvNets.avgPoolBackward($0, cache: cache) })
        },
        im2col: { ConvNets.im2col($0, kernelHeight: $1, kernelWidth: $2, stride: $3, padding: $4) },
        col2im: { ConvNets.col2im($0, inputShape: $1, kernelHeight: $2, kernelWidth: $3, stride: $4, padding: $5) },
        fastConv: { x, w, b, s, p in
            let (out, cache) = ConvNets.conv2dForwardFast(x, weights: w, bias: b, stride: s, padding: p)
            return (out, { ConvNets.conv2dBackwardFast($0, cache: cache) })
        },
        residual: { x, block in
            let (out, cache) = ConvNets.residualBlockForward(x, block: ConvNets.ResidualBlock(
                weights1: block.w1, bias1: block.b1, weights2: block.w2, bias2: block.b2,
                projectionWeights: block.projection?.weights, projectionBias: block.projection?.bias, stride: block.stride))
            return (out, { dOut in
                let g = ConvNets.residualBlockBackward(dOut, cache: cache)
                return BlockGradients(dx: g.dx, dw1: g.dWeights1, db1: g.dBias1, dw2: g.dWeights2, db2: g.dBias2,
                                      dProjection: g.dProjectionWeights.flatMap { w in g.dProjectionBias.map { (w, $0) } })
            })
        },
        convNetScores: { net, X in ConvNets.convNetScores(learnerNet(net), X) },
        spatialBatchNorm: { x, gamma, beta, running, training, momentum, epsilon in
            var stats = DeepTrainingSolutions.BatchNormRunningStats(mean: running.mean, variance: running.variance)
            let (out, cache) = ConvNets.spatialBatchNormForward(x, gamma: gamma, beta: beta, running: &stats,
                                                               mode: training ? .training : .inference, momentum: momentum, epsilon: epsilon)
            return (out, (stats.mean, stats.variance), { ConvNets.spatialBatchNormBackward($0, cache: cache) })
        },
        globalAveragePool: { x in (ConvNets.globalAveragePoolForward(x), { ConvNets.globalAveragePoolBackward($0, inputShape: x.shape) }) },
        convNetLoss: { net, X, labels, lambda in
            let (loss, g) = ConvNets.convNetLoss(learnerNet(net), X, labels: labels, regularization: lambda)
            return (loss, [g.conv1Weights, g.conv1Bias, g.conv2Weights, g.conv2Bias, g.fcWeights, g.fcBias])
        })

    /// The reference solutions in `Solutions/06-convolutional-networks`.
    public static let reference = ConvNetsFunctions(
        outputSize: { ConvNetsSolutions.convOutputSize(inputSize: $0, kernelSize: $1, stride: $2, padding: $3) },
        receptiveField: { ConvNetsSolutions.receptiveField(kernelSizes: $0, strides: $1) },
        conv: { x, w, b, s, p in
            let (out, cache) = ConvNetsSolutions.conv2dForward(x, weights: w, bias: b, stride: s, padding: p)
            return (out, { ConvNetsSolutions.conv2dBackward($0, cache: cache) })
        },
        maxPool: { x, ph, pw, s in
            let (out, cache) = ConvNetsSolutions.maxPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
            return (out, { ConvNetsSolutions.maxPoolBackward($0, cache: cache) })
        },
        avgPool: { x, ph, pw, s in
            let (out, cache) = ConvNetsSolutions.avgPoolForward(x, poolHeight: ph, poolWidth: pw, stride: s)
            return (out, { ConvNetsSolutions.avgPoolBackward($0, cache: cache) })
        },
        im2col: { ConvNetsSolutions.im2col($0, kernelHeight: $1, kernelWidth: $2, stride: $3, padding: $4) },
        col2im: { ConvNetsSolutions.col2im($0, inputShape: $1, kernelHeight: $2, kernelWidth: $3, stride: $4, padding: $5) },
        fastConv: { x, w, b, s, p in
            let (out, cache) = ConvNetsSolutions.conv2dForwardFast(x, weights: w, bias: b, stride: s, padding: p)
            return (out, { ConvNetsSolutions.conv2dBackwardFast($0, cache: cache) })
        },
        residual: { x, block in
            let (out, cache) = ConvNetsSolutions.residualBlockForward(x, block: ConvNetsSolutions.ResidualBlock(
                weights1: block.w1, bias1: block.b1, weights2: block.w2, bias2: block.b2,
                projectionWeights: block.projection?.weights, projectionBias: block.projection?.bias, stride: block.stride))
            return (out, { dOut in
                let g = ConvNetsSolutions.residualBlockBackward(dOut, cache: cache)
                return BlockGradients(dx: g.dx, dw1: g.dWeights1, db1: g.dBias1, dw2: g.dWeights2, db2: g.dBias2,
                                      dProjection: g.dProjectionWeights.flatMap { w in g.dProjectionBias.map { (w, $0) } })
            })
        },
        convNetScores: { net, X in ConvNetsSolutions.convNetScores(referenceNet(net), X) },
        spatialBatchNorm: { x, gamma, beta, running, training, momentum, epsilon in
            var stats = DeepTrainingSolutions.BatchNormRunningStats(mean: running.mean, variance: running.variance)
            let (out, cache) = ConvNetsSolutions.spatialBatchNormForward(x, gamma: gamma, beta: beta, running: &stats,
                                                                        mode: training ? .training : .inference, momentum: momentum, epsilon: epsilon)
            return (out, (stats.mean, stats.variance), { ConvNetsSolutions.spatialBatchNormBackward($0, cache: cache) })
        },
        globalAveragePool: { x in
            (ConvNetsSolutions.globalAveragePoolForward(x), { ConvNetsSolutions.globalAveragePoolBackward($0, inputShape: x.shape) })
        },
        convNetLoss: { net, X, labels, lambda in
            let (loss, g) = ConvNetsSolutions.convNetLoss(referenceNet(net), X, labels: labels, regularization: lambda)
            return (loss, [g.conv1Weights, g.conv1Bias, g.conv2Weights, g.conv2Bias, g.fcWeights, g.fcBias])
        })

    /// He-initialized parameters of the small CNN (the reference's `ConvNet.heInitialized`), as plain tensors.
    public static func heInitializedNet(channels: Int, height: Int, width: Int, filters1: Int, filters2: Int, classes: Int,
                                        using generator: inout SeededGenerator) -> Net {
        let n = ConvNetsSolutions.ConvNet.heInitialized(channels: channels, height: height, width: width, filters1: filters1,
                                                        filters2: filters2, classes: classes, using: &generator)
        return [n.conv1Weights, n.conv1Bias, n.conv2Weights, n.conv2Bias, n.fcWeights, n.fcBias]
    }

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> ConvNetsFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("cnn.sizes") { (mix.outputSize, mix.receptiveField) = (learner.outputSize, learner.receptiveField) }
        if passed.contains("cnn.conv") { mix.conv = learner.conv }
        if passed.contains("cnn.pool") { (mix.maxPool, mix.avgPool) = (learner.maxPool, learner.avgPool) }
        if passed.contains("cnn.im2col") { (mix.im2col, mix.col2im) = (learner.im2col, learner.col2im) }
        if passed.contains("cnn.fastConv") { mix.fastConv = learner.fastConv }
        if passed.contains("cnn.spatialNorm") { (mix.spatialBatchNorm, mix.globalAveragePool) = (learner.spatialBatchNorm, learner.globalAveragePool) }
        if passed.contains("cnn.residual") { mix.residual = learner.residual }
        if passed.contains("cnn.smallNet") { (mix.convNetScores, mix.convNetLoss) = (learner.convNetScores, learner.convNetLoss) }
        return mix
    }
}

private func learnerNet(_ p: [Tensor]) -> ConvNets.ConvNet {
    precondition(p.count == 6, "ConvNetsFunctions: a net is 6 tensors")
    return ConvNets.ConvNet(conv1Weights: p[0], conv1Bias: p[1], conv2Weights: p[2], conv2Bias: p[3], fcWeights: p[4], fcBias: p[5])
}

private func referenceNet(_ p: [Tensor]) -> ConvNetsSolutions.ConvNet {
    precondition(p.count == 6, "ConvNetsFunctions: a net is 6 tensors")
    return ConvNetsSolutions.ConvNet(conv1Weights: p[0], conv1Bias: p[1], conv2Weights: p[2], conv2Bias: p[3], fcWeights: p[4], fcBias: p[5])
}
