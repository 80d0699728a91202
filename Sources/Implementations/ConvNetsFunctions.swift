import ConvNets
import ConvNetsSolutions
import CourseKit
import DeepTrainingSolutions

/// Lesson 06's functions as values (learner, reference, or a mix), speaking plain tensors:
/// a layer's forward returns its output and a closure that runs its backward with the cache it captured.
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/ConvNetsFunctions+Tables.swift`.)
extension ConvNetsFunctions {
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

    /// He-initialized parameters of the small CNN (the reference's `ConvNet.heInitialized`), as plain tensors.
    public static func heInitializedNet(channels: Int, height: Int, width: Int, filters1: Int, filters2: Int, classes: Int,
                                        using generator: inout SeededGenerator) -> Net {
        let n = ConvNetsSolutions.ConvNet.heInitialized(channels: channels, height: height, width: width, filters1: filters1,
                                                        filters2: filters2, classes: classes, using: &generator)
        return [n.conv1Weights, n.conv1Bias, n.conv2Weights, n.conv2Bias, n.fcWeights, n.fcBias]
    }
}

/// The small CNN of either module from its six tensors (the result type picks the module).
func convNet(_ p: [Tensor]) -> ConvNets.ConvNet {
    precondition(p.count == 6, "ConvNetsFunctions: a net is 6 tensors")
    return ConvNets.ConvNet(conv1Weights: p[0], conv1Bias: p[1], conv2Weights: p[2], conv2Bias: p[3], fcWeights: p[4], fcBias: p[5])
}

func convNet(_ p: [Tensor]) -> ConvNetsSolutions.ConvNet {
    precondition(p.count == 6, "ConvNetsFunctions: a net is 6 tensors")
    return ConvNetsSolutions.ConvNet(conv1Weights: p[0], conv1Bias: p[1], conv2Weights: p[2], conv2Bias: p[3], fcWeights: p[4], fcBias: p[5])
}
