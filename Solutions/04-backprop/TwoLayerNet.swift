import ClassifiersSolutions
import CourseKit
import Foundation

/// The parameters of a two-layer network, scores = relu(X W1 + b1) W2 + b2.
/// Its gradients have the same shapes, so the same type holds them.
public struct TwoLayerNet: Sendable {
    /// `[D, H]`
    public var w1: Tensor
    /// `[H]`
    public var b1: Tensor
    /// `[H, C]`
    public var w2: Tensor
    /// `[C]`
    public var b2: Tensor

    public init(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) {
        self.w1 = w1
        self.b1 = b1
        self.w2 = w2
        self.b2 = b2
    }

    /// Small random weights (standard deviation `weightScale`) and zero biases.
    public init(inputSize: Int, hiddenSize: Int, classCount: Int, weightScale: Double = 0.1,
                using generator: inout SeededGenerator) {
        self.init(w1: Tensor.randomNormal([inputSize, hiddenSize], standardDeviation: weightScale, using: &generator),
                  b1: Tensor.zeros([hiddenSize]),
                  w2: Tensor.randomNormal([hiddenSize, classCount], standardDeviation: weightScale, using: &generator),
                  b2: Tensor.zeros([classCount]))
    }
}

/// Exercise `mlp.twoLayer` — the network's class scores (the forward pass only).
///
///     scores = relu(X W₁ + b₁) W₂ + b₂
///
/// - Parameters:
///   - net: the parameters.
///   - X: `[N, D]`.
/// - Returns: scores, `[N, C]`.
public func twoLayerNetScores(_ net: TwoLayerNet, _ X: Tensor) -> Tensor {
    // BEGIN SOLUTION
    let hidden = affineReluForward(X, weights: net.w1, bias: net.b1).out
    return affineForward(hidden, weights: net.w2, bias: net.b2).out
    // END SOLUTION
}

/// Exercise `mlp.twoLayer` — the loss and every gradient of the two-layer network.
///
/// The loss is the mean softmax cross-entropy of the scores (lesson 03's
/// `softmaxCrossEntropy` is available) plus L2 regularization of the weights
/// (not the biases):
///
///     L = (1/N) · Σᵢ −log p[i, yᵢ] + (λ/2) · (‖W₁‖² + ‖W₂‖²)
///
/// so each weight gradient gains λW. Backward: through the second affine
/// layer, the ReLU, then the first affine layer — your layers from this lesson.
///
/// - Parameters:
///   - net: the parameters.
///   - X: `[N, D]`.
///   - labels: N class indices in `0..<C`.
///   - regularization: λ ≥ 0.
/// - Returns: the loss and ∂L/∂(each parameter), with the parameters' shapes.
public func twoLayerNetLoss(_ net: TwoLayerNet, _ X: Tensor, labels: [Int], regularization: Double)
    -> (loss: Double, gradients: TwoLayerNet) {
    // BEGIN SOLUTION
    let (hidden, hiddenCache) = affineReluForward(X, weights: net.w1, bias: net.b1)
    let (scores, scoresCache) = affineForward(hidden, weights: net.w2, bias: net.b2)
    let (dataLoss, dScores) = softmaxCrossEntropy(scores, labels: labels)
    let penalty = 0.5 * regularization * ((net.w1 * net.w1).sum() + (net.w2 * net.w2).sum())

    let (dHidden, dW2, db2) = affineBackward(dScores, cache: scoresCache)
    let (_, dW1, db1) = affineReluBackward(dHidden, cache: hiddenCache)
    let gradients = TwoLayerNet(w1: dW1 + regularization * net.w1, b1: db1,
                                w2: dW2 + regularization * net.w2, b2: db2)
    return (dataLoss + penalty, gradients)
    // END SOLUTION
}

// BEGIN TABLE BackpropFunctions mlp.twoLayer
// twoLayerScores: @Sendable (_ net: TwoLayerParameters, _ X: Tensor) -> Tensor
// = { net, X in Module.twoLayerNetScores(twoLayer(net), X) }
// twoLayerLoss: @Sendable (_ net: TwoLayerParameters, _ X: Tensor, _ labels: [Int], _ regularization: Double)
//     -> (loss: Double, gradients: TwoLayerParameters)
// = { net, X, labels, lambda in
//     let (loss, g) = Module.twoLayerNetLoss(twoLayer(net), X, labels: labels, regularization: lambda)
//     return (loss, (g.w1, g.b1, g.w2, g.b2))
// }
// END TABLE
