import CourseKit
import Foundation

/// What `trainNetwork` records.
public struct TrainingHistory: Sendable {
    /// The loss of every minibatch, computed before its step.
    public var losses: [Double] = []
    /// Accuracy on the training set after each epoch.
    public var trainAccuracy: [Double] = []
    /// Accuracy on the validation set after each epoch.
    public var validationAccuracy: [Double] = []

    public init() {}
}

/// Exercise `mlp.training` — one step of stochastic gradient descent on every layer.
///
///     Wₗ ← Wₗ − η · ∂L/∂Wₗ,   bₗ ← bₗ − η · ∂L/∂bₗ
///
/// - Parameters:
///   - layers: the parameters.
///   - gradients: one per layer, the same shapes.
///   - learningRate: η.
/// - Returns: the updated layers.
public func sgdStep(_ layers: [DenseLayer], gradients: [DenseLayer], learningRate: Double) -> [DenseLayer] {
    // BEGIN SOLUTION
    zip(layers, gradients).map { layer, gradient in
        DenseLayer(weights: layer.weights - learningRate * gradient.weights,
                   bias: layer.bias - learningRate * gradient.bias)
    }
    // END SOLUTION
}

/// Exercise `mlp.training` — the fraction of rows whose highest score is the label.
///
/// - Parameters:
///   - layers: the network.
///   - X: `[N, D]`.
///   - labels: N class indices.
/// - Returns: a number in [0, 1].
public func accuracy(_ layers: [DenseLayer], _ X: Tensor, labels: [Int]) -> Double {
    // BEGIN SOLUTION
    let predictions = networkScores(layers, X).argmax(axis: 1).scalars
    let correct = zip(predictions, labels).filter { Int($0) == $1 }.count
    return Double(correct) / Double(labels.count)
    // END SOLUTION
}

/// Exercise `mlp.training` — minibatch SGD, with training and validation accuracy per epoch.
///
/// Make one generator, `var generator = SeededGenerator(seed: seed)`. For each
/// of the `epochs` epochs: for each minibatch of
/// `train.minibatches(size: batchSize, using: &generator)` (a fresh shuffle
/// every epoch), compute `networkLoss`, append the loss to `history.losses`,
/// and take an `sgdStep`. After the epoch append the accuracy on `train` and
/// on `validation`.
///
/// - Parameters:
///   - layers: the starting network.
///   - train: the training set (features `[N, D]`, labels).
///   - validation: held-out examples, never trained on.
///   - epochs, batchSize, learningRate, regularization: as named.
///   - seed: the shuffling seed.
/// - Returns: the trained layers and the history.
public func trainNetwork(_ layers: [DenseLayer], train: Dataset, validation: Dataset, epochs: Int, batchSize: Int,
                         learningRate: Double, regularization: Double, seed: UInt64) -> (layers: [DenseLayer], history: TrainingHistory) {
    // BEGIN SOLUTION
    var generator = SeededGenerator(seed: seed)
    var layers = layers
    var history = TrainingHistory()
    for _ in 0..<epochs {
        for batch in train.minibatches(size: batchSize, using: &generator) {
            let (loss, gradients) = networkLoss(layers, batch.features, labels: batch.labels, regularization: regularization)
            history.losses.append(loss)
            layers = sgdStep(layers, gradients: gradients, learningRate: learningRate)
        }
        history.trainAccuracy.append(accuracy(layers, train.features, labels: train.labels))
        history.validationAccuracy.append(accuracy(layers, validation.features, labels: validation.labels))
    }
    return (layers, history)
    // END SOLUTION
}

// BEGIN TABLE BackpropFunctions mlp.training
// sgdStep: @Sendable (_ layers: Layers, _ gradients: Layers, _ learningRate: Double) -> Layers = { layers, gradients, lr in
//     pairs(Module.sgdStep(dense(layers), gradients: dense(gradients), learningRate: lr))
// }
// accuracy: @Sendable (_ layers: Layers, _ X: Tensor, _ labels: [Int]) -> Double
// = { layers, X, labels in Module.accuracy(dense(layers), X, labels: labels) }
// train: @Sendable (_ layers: Layers, _ train: Dataset, _ validation: Dataset, _ epochs: Int, _ batchSize: Int,
//     _ learningRate: Double, _ regularization: Double, _ seed: UInt64) -> (layers: Layers, history: History)
// = { layers, train, validation, epochs, batchSize, lr, lambda, seed in
//     let (trained, h) = Module.trainNetwork(dense(layers), train: train, validation: validation, epochs: epochs,
//                                            batchSize: batchSize, learningRate: lr, regularization: lambda, seed: seed)
//     return (pairs(trained), (h.losses, h.trainAccuracy, h.validationAccuracy))
// }
// END TABLE
