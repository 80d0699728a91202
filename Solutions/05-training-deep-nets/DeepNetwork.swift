import BackpropSolutions
import ClassifiersSolutions
import CourseKit
import Foundation

/// Which normalization a `DeepNetwork` puts after each hidden affine layer.
public enum Normalization: Sendable, Equatable {
    case none
    case batch
    case layer
}

/// A fully connected network of any depth: for each hidden layer
/// affine → [batch norm | layer norm] → ReLU → [dropout], then a last affine
/// layer that gives the class scores.
public struct DeepNetwork: Sendable {
    /// L ≥ 1 affine layers; layer l has weights `[D_l, D_(l+1)]` and bias `[D_(l+1)]`.
    public var layers: [DenseLayer]
    public var normalization: Normalization
    /// γ of each hidden layer's normalization, `[D_(l+1)]`; empty when `normalization == .none`.
    public var gammas: [Tensor]
    /// β of each hidden layer's normalization, `[D_(l+1)]`; empty when `normalization == .none`.
    public var betas: [Tensor]
    /// Batch norm's running averages, one per hidden layer; empty unless `normalization == .batch`.
    public var runningStats: [BatchNormRunningStats]
    /// p, the drop probability of the dropout after each hidden ReLU (0: no dropout).
    public var dropProbability: Double
    /// Batch norm's `momentum` (the weight of each new batch in the running averages).
    public var batchNormMomentum: Double = 0.1
    /// ε of batch and layer norm.
    public var normalizationEpsilon: Double = 1e-5

    /// A network with the given layers; γ = 1, β = 0 and fresh running statistics for its normalizations.
    public init(layers: [DenseLayer], normalization: Normalization = .none, dropProbability: Double = 0) {
        precondition(!layers.isEmpty, "DeepNetwork: a network needs at least one layer")
        precondition((0..<1).contains(dropProbability), "DeepNetwork: the drop probability must be in [0, 1), got \(dropProbability)")
        self.layers = layers
        self.normalization = normalization
        self.dropProbability = dropProbability
        let hiddenSizes = layers.dropLast().map { $0.bias.count }
        gammas = normalization == .none ? [] : hiddenSizes.map { Tensor.ones([$0]) }
        betas = normalization == .none ? [] : hiddenSizes.map { Tensor.zeros([$0]) }
        runningStats = normalization == .batch ? hiddenSizes.map { BatchNormRunningStats(features: $0) } : []
    }

    /// Every learned tensor in one list, in the order W₀, b₀, γ₀, β₀, W₁, b₁, γ₁, β₁, …, W_(L−1), b_(L−1)
    /// (γ and β only when the network normalizes) — the order `DeepNetworkGradients.flattened` uses.
    public var parameters: [Tensor] {
        get { Self.flatten(layers: layers, gammas: gammas, betas: betas) }
        set {
            precondition(newValue.count == parameters.count, "DeepNetwork.parameters: expected \(parameters.count) tensors, got \(newValue.count)")
            var index = 0
            for l in layers.indices {
                layers[l] = DenseLayer(weights: newValue[index], bias: newValue[index + 1])
                index += 2
                if l < gammas.count {
                    gammas[l] = newValue[index]
                    betas[l] = newValue[index + 1]
                    index += 2
                }
            }
        }
    }

    /// For each tensor of `parameters`: true for the weights W, which weight decay shrinks; false for b, γ and β.
    public var decayedParameters: [Bool] {
        layers.indices.flatMap { l in l < gammas.count ? [true, false, false, false] : [true, false] }
    }

    static func flatten(layers: [DenseLayer], gammas: [Tensor], betas: [Tensor]) -> [Tensor] {
        layers.indices.flatMap { l in
            l < gammas.count ? [layers[l].weights, layers[l].bias, gammas[l], betas[l]] : [layers[l].weights, layers[l].bias]
        }
    }
}

/// The gradients of a `DeepNetwork`'s loss, with the shapes of its parameters.
public struct DeepNetworkGradients: Sendable {
    public var layers: [DenseLayer]
    /// Empty when the network does not normalize.
    public var gammas: [Tensor]
    public var betas: [Tensor]

    public init(layers: [DenseLayer], gammas: [Tensor], betas: [Tensor]) {
        self.layers = layers
        self.gammas = gammas
        self.betas = betas
    }

    /// In the order of `DeepNetwork.parameters`.
    public var flattened: [Tensor] { DeepNetwork.flatten(layers: layers, gammas: gammas, betas: betas) }
}

/// Exercise `dnn.network` — the class scores in inference mode: batch norm
/// with its running averages, no dropout.
///
/// - Parameters:
///   - network: the network.
///   - X: `[N, D_0]`.
/// - Returns: scores `[N, C]`.
public func deepNetworkScores(_ network: DeepNetwork, _ X: Tensor) -> Tensor {
    // BEGIN SOLUTION
    var h = X
    var generator = SeededGenerator(seed: 0) // never drawn from in inference mode
    for l in network.layers.indices {
        let layer = network.layers[l]
        h = affineForward(h, weights: layer.weights, bias: layer.bias).out
        if l == network.layers.count - 1 { break }
        switch network.normalization {
        case .none: break
        case .batch:
            var running = network.runningStats[l]
            h = batchNormForward(h, gamma: network.gammas[l], beta: network.betas[l], running: &running, mode: .inference,
                                 momentum: network.batchNormMomentum, epsilon: network.normalizationEpsilon).out
        case .layer:
            h = layerNormForward(h, gamma: network.gammas[l], beta: network.betas[l], epsilon: network.normalizationEpsilon).out
        }
        h = reluLayerForward(h).out
        h = dropoutForward(h, dropProbability: network.dropProbability, mode: .inference, using: &generator).out
    }
    return h
    // END SOLUTION
}

/// Exercise `dnn.network` — the training loss and every gradient.
///
///     for each hidden layer l:  a = h·W_l + b_l
///                               a = batchNorm(a) or layerNorm(a) (training mode), if any
///                               h = dropout(relu(a)) (training mode), if p > 0
///     scores = h·W_(L−1) + b_(L−1)
///     L = (1/N) Σᵢ −log softmax(scores)ᵢ,yᵢ + (λ/2) Σₗ ‖W_l‖²
///
/// Use your `l2Penalty` (biases, γ and β are not decayed), lesson 04's
/// layers and lesson 03's `softmaxCrossEntropy`. Draw the dropout masks in
/// layer order from `generator`, one `dropoutForward` per hidden layer, only
/// when p > 0. Batch norm updates `network.runningStats` (training mode).
/// Both functions pass `network.batchNormMomentum` and
/// `network.normalizationEpsilon` to the normalizations.
/// Backward: walk the layers in reverse, each backward handing its dx to the
/// layer below.
///
/// - Parameters:
///   - network: the network; its running statistics are updated.
///   - X: `[N, D_0]`.
///   - labels: N class indices.
///   - regularization: λ ≥ 0.
///   - generator: the source of the dropout masks.
/// - Returns: the loss and the gradients, with the parameters' shapes.
public func deepNetworkLoss(_ network: inout DeepNetwork, _ X: Tensor, labels: [Int], regularization: Double,
                            using generator: inout SeededGenerator) -> (loss: Double, gradients: DeepNetworkGradients) {
    // BEGIN SOLUTION
    enum NormCache { case none, batch(BatchNormCache), layer(LayerNormCache) }
    var h = X
    var affineCaches: [AffineCache] = [], normCaches: [NormCache] = [], reluCaches: [ReLUCache] = [], masks: [Tensor?] = []
    let last = network.layers.count - 1
    for l in 0..<last {
        let layer = network.layers[l]
        let (a, affineCache) = affineForward(h, weights: layer.weights, bias: layer.bias)
        affineCaches.append(affineCache)
        var normalized = a
        switch network.normalization {
        case .none:
            normCaches.append(.none)
        case .batch:
            let (out, cache) = batchNormForward(a, gamma: network.gammas[l], beta: network.betas[l], running: &network.runningStats[l],
                                                mode: .training, momentum: network.batchNormMomentum, epsilon: network.normalizationEpsilon)
            normalized = out
            normCaches.append(.batch(cache))
        case .layer:
            let (out, cache) = layerNormForward(a, gamma: network.gammas[l], beta: network.betas[l], epsilon: network.normalizationEpsilon)
            normalized = out
            normCaches.append(.layer(cache))
        }
        let (activated, reluCache) = reluLayerForward(normalized)
        reluCaches.append(reluCache)
        if network.dropProbability > 0 {
            let (dropped, mask) = dropoutForward(activated, dropProbability: network.dropProbability, mode: .training, using: &generator)
            h = dropped
            masks.append(mask)
        } else {
            h = activated
            masks.append(nil)
        }
    }
    let (scores, lastCache) = affineForward(h, weights: network.layers[last].weights, bias: network.layers[last].bias)
    let (dataLoss, dScores) = softmaxCrossEntropy(scores, labels: labels)
    let (penalty, penaltyGradients) = l2Penalty(network.layers, strength: regularization)

    var gradients = DeepNetworkGradients(layers: network.layers, gammas: network.gammas, betas: network.betas)
    var (dh, dW, db) = affineBackward(dScores, cache: lastCache)
    gradients.layers[last] = DenseLayer(weights: dW + penaltyGradients[last].weights, bias: db + penaltyGradients[last].bias)
    for l in stride(from: last - 1, through: 0, by: -1) {
        if let mask = masks[l] { dh = dropoutBackward(dh, mask: mask) }
        dh = reluLayerBackward(dh, cache: reluCaches[l])
        switch normCaches[l] {
        case .none: break
        case .batch(let cache):
            let (dx, dGamma, dBeta) = batchNormBackwardSimplified(dh, cache: cache)
            (dh, gradients.gammas[l], gradients.betas[l]) = (dx, dGamma, dBeta)
        case .layer(let cache):
            let (dx, dGamma, dBeta) = layerNormBackward(dh, cache: cache)
            (dh, gradients.gammas[l], gradients.betas[l]) = (dx, dGamma, dBeta)
        }
        (dh, dW, db) = affineBackward(dh, cache: affineCaches[l])
        gradients.layers[l] = DenseLayer(weights: dW + penaltyGradients[l].weights, bias: db + penaltyGradients[l].bias)
    }
    return (dataLoss + penalty, gradients)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.network needs dnn.momentum dnn.adaptive dnn.adam dnn.l2 dnn.dropout dnn.clipping dnn.batchNorm dnn.layerNorm dnn.schedules
// networkScores: @Sendable (_ network: Network, _ X: Tensor) -> Tensor
// = { network, X in Module.deepNetworkScores(native(network), X) }
// /// The loss, the gradients in `Network.parameters`' order, and the network with its running statistics updated.
// networkLoss: @Sendable (_ network: Network, _ X: Tensor, _ labels: [Int], _ regularization: Double, _ seed: UInt64)
//     -> (loss: Double, gradients: [Tensor], network: Network)
// = { network, X, labels, lambda, seed in
//     var net: Module.DeepNetwork = native(network)
//     var g = SeededGenerator(seed: seed)
//     let (loss, gradients) = Module.deepNetworkLoss(&net, X, labels: labels, regularization: lambda, using: &g)
//     return (loss, gradients.flattened, plain(net))
// }
// END TABLE
