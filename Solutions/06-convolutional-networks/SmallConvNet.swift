import BackpropSolutions
import ClassifiersSolutions
import CourseKit
import Foundation

/// A small convolutional network for images `[N, C, H, W]` (H and W divisible by 4):
///
///     conv(3 × 3, padding 1) → ReLU → 2 × 2 max pool → conv(3 × 3, padding 1) → ReLU → 2 × 2 max pool → affine
///
/// The affine layer reads each image's F₂ × H/4 × W/4 feature maps flattened in row-major order (channel,
/// row, column), that is `pooled.reshaped([N, -1])`.
public struct ConvNet: Sendable {
    /// `[F₁, C, 3, 3]` and `[F₁]`.
    public var conv1Weights: Tensor
    public var conv1Bias: Tensor
    /// `[F₂, F₁, 3, 3]` and `[F₂]`.
    public var conv2Weights: Tensor
    public var conv2Bias: Tensor
    /// `[F₂·(H/4)·(W/4), K]` and `[K]`.
    public var fcWeights: Tensor
    public var fcBias: Tensor

    public init(conv1Weights: Tensor, conv1Bias: Tensor, conv2Weights: Tensor, conv2Bias: Tensor, fcWeights: Tensor, fcBias: Tensor) {
        self.conv1Weights = conv1Weights
        self.conv1Bias = conv1Bias
        self.conv2Weights = conv2Weights
        self.conv2Bias = conv2Bias
        self.fcWeights = fcWeights
        self.fcBias = fcBias
    }

    /// He initialization (weights ~ N(0, 2/fan_in), biases 0) for images of C channels, H × W pixels, K classes.
    public static func heInitialized(channels: Int, height: Int, width: Int, filters1: Int, filters2: Int, classes: Int,
                                     using generator: inout SeededGenerator) -> ConvNet {
        precondition(height % 4 == 0 && width % 4 == 0, "ConvNet: H and W must be divisible by 4, got \(height) × \(width)")
        let flat = filters2 * (height / 4) * (width / 4)
        func he(_ shape: [Int], fanIn: Int) -> Tensor {
            Tensor.randomNormal(shape, standardDeviation: (2 / Double(fanIn)).squareRoot(), using: &generator)
        }
        return ConvNet(conv1Weights: he([filters1, channels, 3, 3], fanIn: channels * 9), conv1Bias: .zeros([filters1]),
                       conv2Weights: he([filters2, filters1, 3, 3], fanIn: filters1 * 9), conv2Bias: .zeros([filters2]),
                       fcWeights: he([flat, classes], fanIn: flat), fcBias: .zeros([classes]))
    }
}

/// Exercise `cnn.smallNet` — the class scores of the network (no softmax).
///
/// - Parameters:
///   - net: the parameters.
///   - X: `[N, C, H, W]`.
/// - Returns: scores `[N, K]`.
public func convNetScores(_ net: ConvNet, _ X: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let c1 = conv2dForwardFast(X, weights: net.conv1Weights, bias: net.conv1Bias, stride: 1, padding: 1).out
    let p1 = maxPoolForward(maximum(c1, 0), poolHeight: 2, poolWidth: 2, stride: 2).out
    let c2 = conv2dForwardFast(p1, weights: net.conv2Weights, bias: net.conv2Bias, stride: 1, padding: 1).out
    let p2 = maxPoolForward(maximum(c2, 0), poolHeight: 2, poolWidth: 2, stride: 2).out
    return affineForward(p2.reshaped([X.shape[0], -1]), weights: net.fcWeights, bias: net.fcBias).out
    // END SOLUTION
}

/// Exercise `cnn.smallNet` — the loss and the gradient of every parameter.
///
///     L = softmax cross-entropy of the scores (mean over the batch) + (λ/2)·(‖W₁‖² + ‖W₂‖² + ‖W_fc‖²)
///
/// (weights only, no biases — lesson 04's convention). Run the forward keeping every layer's cache,
/// then the backward from the scores down, layer by layer: your `conv2dForwardFast`/`conv2dBackwardFast`,
/// `maxPoolForward`/`maxPoolBackward`, lesson 04's ReLU and affine layers, lesson 03's `softmaxCrossEntropy`.
/// Chapter section "The small CNN".
///
/// - Parameters:
///   - net: the parameters.
///   - X: `[N, C, H, W]`.
///   - labels: N labels in 0..<K.
///   - regularization: λ ≥ 0.
/// - Returns: the loss and the gradients, in a `ConvNet` of the same shapes.
public func convNetLoss(_ net: ConvNet, _ X: Tensor, labels: [Int], regularization: Double) -> (loss: Double, gradients: ConvNet) {
    // BEGIN SOLUTION
    let (c1, conv1) = conv2dForwardFast(X, weights: net.conv1Weights, bias: net.conv1Bias, stride: 1, padding: 1)
    let (a1, relu1) = reluLayerForward(c1)
    let (p1, pool1) = maxPoolForward(a1, poolHeight: 2, poolWidth: 2, stride: 2)
    let (c2, conv2) = conv2dForwardFast(p1, weights: net.conv2Weights, bias: net.conv2Bias, stride: 1, padding: 1)
    let (a2, relu2) = reluLayerForward(c2)
    let (p2, pool2) = maxPoolForward(a2, poolHeight: 2, poolWidth: 2, stride: 2)
    let (scores, fc) = affineForward(p2.reshaped([X.shape[0], -1]), weights: net.fcWeights, bias: net.fcBias)
    let (dataLoss, dScores) = softmaxCrossEntropy(scores, labels: labels)
    let squares = [net.conv1Weights, net.conv2Weights, net.fcWeights].reduce(0) { $0 + ($1 * $1).sum() }
    let loss = dataLoss + 0.5 * regularization * squares

    let dFC = affineBackward(dScores, cache: fc)
    let dA2 = maxPoolBackward(dFC.dx.reshaped(p2.shape), cache: pool2)
    let dConv2 = conv2dBackwardFast(reluLayerBackward(dA2, cache: relu2), cache: conv2)
    let dA1 = maxPoolBackward(dConv2.dx, cache: pool1)
    let dConv1 = conv2dBackwardFast(reluLayerBackward(dA1, cache: relu1), cache: conv1)
    let gradients = ConvNet(conv1Weights: dConv1.dWeights + regularization * net.conv1Weights, conv1Bias: dConv1.dBias,
                            conv2Weights: dConv2.dWeights + regularization * net.conv2Weights, conv2Bias: dConv2.dBias,
                            fcWeights: dFC.dWeights + regularization * net.fcWeights, fcBias: dFC.dBias)
    return (loss, gradients)
    // END SOLUTION
}

// BEGIN TABLE ConvNetsFunctions cnn.smallNet
// convNetScores: @Sendable (_ net: Net, _ X: Tensor) -> Tensor = { net, X in Module.convNetScores(convNet(net), X) }
// convNetLoss: @Sendable (_ net: Net, _ X: Tensor, _ labels: [Int], _ regularization: Double) -> (loss: Double, gradients: Net)
// = { net, X, labels, lambda in
//     let (loss, g) = Module.convNetLoss(convNet(net), X, labels: labels, regularization: lambda)
//     return (loss, [g.conv1Weights, g.conv1Bias, g.conv2Weights, g.conv2Bias, g.fcWeights, g.fcBias])
// }
// END TABLE
