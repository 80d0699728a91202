import ClassifiersSolutions
import CourseKit
import Foundation

/// One affine layer's parameters (or their gradients).
public struct DenseLayer: Sendable {
    /// `[inputs, outputs]`
    public var weights: Tensor
    /// `[outputs]`
    public var bias: Tensor

    public init(weights: Tensor, bias: Tensor) {
        self.weights = weights
        self.bias = bias
    }

    /// A fully connected network with the given layer sizes, e.g.
    /// `[64, 100, 10]`: He initialization (weights ~ N(0, 2/inputs), biases 0),
    /// which keeps ReLU activations at a steady scale — lesson 05 says why.
    public static func network(sizes: [Int], using generator: inout SeededGenerator) -> [DenseLayer] {
        precondition(sizes.count >= 2, "DenseLayer.network: give at least the input and output sizes")
        return zip(sizes, sizes.dropFirst()).map { inputs, outputs in
            DenseLayer(weights: Tensor.randomNormal([inputs, outputs], standardDeviation: (2 / Double(inputs)).squareRoot(),
                                                    using: &generator),
                       bias: Tensor.zeros([outputs]))
        }
    }
}

/// Exercise `mlp.deepNet` — the class scores of a fully connected network:
/// affine → ReLU for every layer but the last, which is affine only.
///
/// - Parameters:
///   - layers: L ≥ 1 layers; layer l maps `[N, Dₗ]` to `[N, Dₗ₊₁]`.
///   - X: `[N, D_0]`.
/// - Returns: scores, `[N, C]`.
public func networkScores(_ layers: [DenseLayer], _ X: Tensor) -> Tensor {
    // BEGIN SOLUTION
    var h = X
    for (index, layer) in layers.enumerated() {
        h = index < layers.count - 1
            ? affineReluForward(h, weights: layer.weights, bias: layer.bias).out
            : affineForward(h, weights: layer.weights, bias: layer.bias).out
    }
    return h
    // END SOLUTION
}

/// Exercise `mlp.deepNet` — loss and gradients of a fully connected network
/// of any depth: the two-layer network's loss, generalized.
///
///     L = (1/N) · Σᵢ −log p[i, yᵢ] + (λ/2) · Σₗ ‖Wₗ‖²
///
/// Forward: keep every layer's cache. Backward: from the softmax gradient of
/// the scores, walk the layers in reverse, each backward handing its dx to the
/// layer below; add λW_l to each weight gradient.
///
/// - Parameters:
///   - layers: L ≥ 1 layers.
///   - X: `[N, D_0]`.
///   - labels: N class indices.
///   - regularization: λ ≥ 0.
/// - Returns: the loss and one gradient per layer, in the same order and shapes.
public func networkLoss(_ layers: [DenseLayer], _ X: Tensor, labels: [Int], regularization: Double)
    -> (loss: Double, gradients: [DenseLayer]) {
    precondition(!layers.isEmpty, "networkLoss: a network needs at least one layer")
    // BEGIN SOLUTION
    var h = X
    var hiddenCaches: [AffineReLUCache] = []
    for layer in layers.dropLast() {
        let (out, cache) = affineReluForward(h, weights: layer.weights, bias: layer.bias)
        hiddenCaches.append(cache)
        h = out
    }
    let last = layers[layers.count - 1]
    let (scores, lastCache) = affineForward(h, weights: last.weights, bias: last.bias)
    let (dataLoss, dScores) = softmaxCrossEntropy(scores, labels: labels)
    let penalty = 0.5 * regularization * layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }

    var gradients = layers
    var (dh, dW, db) = affineBackward(dScores, cache: lastCache)
    gradients[layers.count - 1] = DenseLayer(weights: dW + regularization * last.weights, bias: db)
    for index in stride(from: layers.count - 2, through: 0, by: -1) {
        (dh, dW, db) = affineReluBackward(dh, cache: hiddenCaches[index])
        gradients[index] = DenseLayer(weights: dW + regularization * layers[index].weights, bias: db)
    }
    return (dataLoss + penalty, gradients)
    // END SOLUTION
}

// BEGIN TABLE BackpropFunctions mlp.deepNet
// networkScores: @Sendable (_ layers: Layers, _ X: Tensor) -> Tensor = { layers, X in Module.networkScores(dense(layers), X) }
// networkLoss: @Sendable (_ layers: Layers, _ X: Tensor, _ labels: [Int], _ regularization: Double)
//     -> (loss: Double, gradients: Layers)
// = { layers, X, labels, lambda in
//     let (loss, gradients) = Module.networkLoss(dense(layers), X, labels: labels, regularization: lambda)
//     return (loss, pairs(gradients))
// }
// END TABLE
