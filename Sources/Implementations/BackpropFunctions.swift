import Backprop
import BackpropSolutions
import CourseKit

/// Lesson 04's functions as values (learner, reference, or a mix).
///
/// The learner's module and the reference each declare their own caches and
/// parameter types, so the values here speak plain tensors: a layer's forward
/// returns its output and a closure that runs its backward with the cache it
/// captured; parameters travel as `(weights, bias)` pairs.
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/BackpropFunctions+Tables.swift`.)
extension BackpropFunctions {
    public typealias Layers = [(weights: Tensor, bias: Tensor)]
    public typealias TwoLayerParameters = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor)
    public typealias LayerBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    public typealias History = (losses: [Double], trainAccuracy: [Double], validationAccuracy: [Double])

    /// Layers with weights ~ N(0, 2/inputs) and zero biases (He initialization, lesson 05):
    /// the reference's `DenseLayer.network(sizes:using:)`, as plain tensors.
    public static func heInitialized(sizes: [Int], using generator: inout SeededGenerator) -> Layers {
        pairs(BackpropSolutions.DenseLayer.network(sizes: sizes, using: &generator))
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

func dense<Layer: DenseParameters>(_ layers: BackpropFunctions.Layers) -> [Layer] {
    layers.map { Layer(weights: $0.weights, bias: $0.bias) }
}

func pairs<Layer: DenseParameters>(_ layers: [Layer]) -> BackpropFunctions.Layers {
    layers.map { ($0.weights, $0.bias) }
}

func twoLayer<Net: TwoLayerParameterSet>(_ p: BackpropFunctions.TwoLayerParameters) -> Net {
    Net(w1: p.w1, b1: p.b1, w2: p.w2, b2: p.b2)
}
