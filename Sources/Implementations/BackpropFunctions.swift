import Backprop
import BackpropSolutions
import CourseKit

/// Lesson 04's functions as values (learner, reference, or a mix).
///
/// The learner's module and the reference each declare their own caches and
/// parameter types, so the values here speak plain tensors: a layer's forward
/// returns its output and a closure that runs its backward with the cache it
/// captured; parameters travel as `(weights, bias)` pairs.
public struct BackpropFunctions: Sendable {
    public typealias Layers = [(weights: Tensor, bias: Tensor)]
    public typealias TwoLayerParameters = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor)
    public typealias LayerBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    public typealias History = (losses: [Double], trainAccuracy: [Double], validationAccuracy: [Double])

    public var affine: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: LayerBackward)
    public var relu: @Sendable (_ x: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor)
    public var affineRelu: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: LayerBackward)
    public var twoLayerScores: @Sendable (_ net: TwoLayerParameters, _ X: Tensor) -> Tensor
    public var twoLayerLoss: @Sendable (_ net: TwoLayerParameters, _ X: Tensor, _ labels: [Int], _ regularization: Double)
        -> (loss: Double, gradients: TwoLayerParameters)
    public var networkScores: @Sendable (_ layers: Layers, _ X: Tensor) -> Tensor
    public var networkLoss: @Sendable (_ layers: Layers, _ X: Tensor, _ labels: [Int], _ regularization: Double)
        -> (loss: Double, gradients: Layers)
    public var sgdStep: @Sendable (_ layers: Layers, _ gradients: Layers, _ learningRate: Double) -> Layers
    public var accuracy: @Sendable (_ layers: Layers, _ X: Tensor, _ labels: [Int]) -> Double
    public var train: @Sendable (_ layers: Layers, _ train: Dataset, _ validation: Dataset, _ epochs: Int, _ batchSize: Int,
                                 _ learningRate: Double, _ regularization: Double, _ seed: UInt64) -> (layers: Layers, history: History)

    /// The learner's code in `Lessons/04-backprop`.
    public static let learner = BackpropFunctions(
        affine: { x, w, b in
            let (out, cache) = Backprop.affineForward(x, weights: w, bias: b)
            return (out, { Backprop.affineBackward($0, cache: cache) })
        },
        relu: { x in
            let (out, cache) = Backprop.reluLayerForward(x)
            return (out, { Backprop.reluLayerBackward($0, cache: cache) })
        },
        affineRelu: { x, w, b in
            let (out, cache) = Backprop.affineReluForward(x, weights: w, bias: b)
            return (out, { Backprop.affineReluBackward($0, cache: cache) })
        },
        twoLayerScores: { net, X in Backprop.twoLayerNetScores(twoLayer(net), X) },
        twoLayerLoss: { net, X, labels, lambda in
            let (loss, g) = Backprop.twoLayerNetLoss(twoLayer(net), X, labels: labels, regularization: lambda)
            return (loss, (g.w1, g.b1, g.w2, g.b2))
        },
        networkScores: { layers, X in Backprop.networkScores(dense(layers), X) },
        networkLoss: { layers, X, labels, lambda in
            let (loss, gradients) = Backprop.networkLoss(dense(layers), X, labels: labels, regularization: lambda)
            return (loss, pairs(gradients))
        },
        sgdStep: { layers, gradients, lr in pairs(Backprop.sgdStep(dense(layers), gradients: dense(gradients), learningRate: lr)) },
        accuracy: { layers, X, labels in Backprop.accuracy(dense(layers), X, labels: labels) },
        train: { layers, train, validation, epochs, batchSize, lr, lambda, seed in
            let (trained, h) = Backprop.trainNetwork(dense(layers), train: train, validation: validation, epochs: epochs,
                                                     batchSize: batchSize, learningRate: lr, regularization: lambda, seed: seed)
            return (pairs(trained), (h.losses, h.trainAccuracy, h.validationAccuracy))
        })

    /// The reference solutions in `Solutions/04-backprop`.
    public static let reference = BackpropFunctions(
        affine: { x, w, b in
            let (out, cache) = BackpropSolutions.affineForward(x, weights: w, bias: b)
            return (out, { BackpropSolutions.affineBackward($0, cache: cache) })
        },
        relu: { x in
            let (out, cache) = BackpropSolutions.reluLayerForward(x)
            return (out, { BackpropSolutions.reluLayerBackward($0, cache: cache) })
        },
        affineRelu: { x, w, b in
            let (out, cache) = BackpropSolutions.affineReluForward(x, weights: w, bias: b)
            return (out, { BackpropSolutions.affineReluBackward($0, cache: cache) })
        },
        twoLayerScores: { net, X in BackpropSolutions.twoLayerNetScores(twoLayer(net), X) },
        twoLayerLoss: { net, X, labels, lambda in
            let (loss, g) = BackpropSolutions.twoLayerNetLoss(twoLayer(net), X, labels: labels, regularization: lambda)
            return (loss, (g.w1, g.b1, g.w2, g.b2))
        },
        networkScores: { layers, X in BackpropSolutions.networkScores(dense(layers), X) },
        networkLoss: { layers, X, labels, lambda in
            let (loss, gradients) = BackpropSolutions.networkLoss(dense(layers), X, labels: labels, regularization: lambda)
            return (loss, pairs(gradients))
        },
        sgdStep: { layers, gradients, lr in
            pairs(BackpropSolutions.sgdStep(dense(layers), gradients: dense(gradients), learningRate: lr))
        },
        accuracy: { layers, X, labels in BackpropSolutions.accuracy(dense(layers), X, labels: labels) },
        train: { layers, train, validation, epochs, batchSize, lr, lambda, seed in
            let (trained, h) = BackpropSolutions.trainNetwork(dense(layers), train: train, validation: validation, epochs: epochs,
                                                              batchSize: batchSize, learningRate: lr, regularization: lambda, seed: seed)
            return (pairs(trained), (h.losses, h.trainAccuracy, h.validationAccuracy))
        })

    /// Layers with weights ~ N(0, 2/inputs) and zero biases (He initialization, lesson 05):
    /// the reference's `DenseLayer.network(sizes:using:)`, as plain tensors.
    public static func heInitialized(sizes: [Int], using generator: inout SeededGenerator) -> Layers {
        pairs(BackpropSolutions.DenseLayer.network(sizes: sizes, using: &generator))
    }

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> BackpropFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("mlp.affine") { mix.affine = learner.affine }
        if passed.contains("mlp.relu") { (mix.relu, mix.affineRelu) = (learner.relu, learner.affineRelu) }
        if passed.contains("mlp.twoLayer") { (mix.twoLayerScores, mix.twoLayerLoss) = (learner.twoLayerScores, learner.twoLayerLoss) }
        if passed.contains("mlp.deepNet") { (mix.networkScores, mix.networkLoss) = (learner.networkScores, learner.networkLoss) }
        if passed.contains("mlp.training") {
            (mix.sgdStep, mix.accuracy, mix.train) = (learner.sgdStep, learner.accuracy, learner.train)
        }
        return mix
    }
}

/// The two modules' parameter types, converted to and from plain tensors.
protocol DenseParameters {
    init(weights: Tensor, bias: Tensor)
    var weights: Tensor { get }
    var bias: Tensor { get }
}

protocol TwoLayerParameterSet {
    init(w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor)
}

extension Backprop.DenseLayer: DenseParameters {}
extension BackpropSolutions.DenseLayer: DenseParameters {}
extension Backprop.TwoLayerNet: TwoLayerParameterSet {}
extension BackpropSolutions.TwoLayerNet: TwoLayerParameterSet {}

private func dense<Layer: DenseParameters>(_ layers: BackpropFunctions.Layers) -> [Layer] {
    layers.map { Layer(weights: $0.weights, bias: $0.bias) }
}

private func pairs<Layer: DenseParameters>(_ layers: [Layer]) -> BackpropFunctions.Layers {
    layers.map { ($0.weights, $0.bias) }
}

private func twoLayer<Net: TwoLayerParameterSet>(_ p: BackpropFunctions.TwoLayerParameters) -> Net {
    Net(w1: p.w1, b1: p.b1, w2: p.w2, b2: p.b2)
}
