import CourseKit
import Foundation

/// Exercise `classify.perceptronPredict` — the perceptron's decisions.
///
/// A perceptron is a single layer: one weight per input feature, a bias, and
/// a sign for output. No hidden layer.
///
///     ŷᵢ = +1   if w · xᵢ + b > 0
///     ŷᵢ = −1   otherwise (a point on the boundary counts as −1)
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - weights: w, shape `[D]`.
///   - bias: b.
/// - Returns: labels ±1, shape `[N]`.
public func perceptronPredict(_ X: Tensor, weights: Tensor, bias: Double) -> Tensor {
    // BEGIN SOLUTION
    (matmul(X, weights) + bias).map { $0 > 0 ? 1 : -1 }
    // END SOLUTION
}

/// Exercise `classify.perceptronUpdate` — the perceptron learning rule, for one example.
///
/// The example is a mistake when y (w·x + b) ≤ 0 (wrong side, or on the
/// boundary). Only then do the parameters move, towards classifying it right:
///
///     w ← w + η · y · x,   b ← b + η · y
///
/// This is not gradient descent on a loss, and there is no backpropagation:
/// it is Rosenblatt's rule.
///
/// - Parameters:
///   - x: one example, shape `[D]`.
///   - label: y, +1 or −1.
///   - weights: w, shape `[D]`.
///   - bias: b.
///   - learningRate: η > 0.
/// - Returns: the new w (shape `[D]`) and b, and whether the example was a mistake.
public func perceptronUpdate(_ x: Tensor, label: Double, weights: Tensor, bias: Double, learningRate: Double)
    -> (weights: Tensor, bias: Double, mistake: Bool) {
    // BEGIN SOLUTION
    guard label * (dot(weights, x) + bias) <= 0 else { return (weights, bias, false) }
    return (weights + learningRate * label * x, bias + learningRate * label, true)
    // END SOLUTION
}

/// Exercise `classify.perceptronTrain` — the perceptron's training loop.
///
/// Start from w = 0, b = 0. An epoch visits the rows of X in order, calling
/// your `perceptronUpdate` on each and counting the mistakes. Stop after the
/// first epoch with no mistake (the data are then separated), or after
/// `epochs` epochs.
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - labels: ±1, shape `[N]`.
///   - epochs: the most epochs to run.
///   - learningRate: η > 0.
/// - Returns: the final w (shape `[D]`) and b, and the number of mistakes in
///   each epoch that ran (its last entry is 0 when the loop converged).
public func perceptronTrain(_ X: Tensor, labels: Tensor, epochs: Int, learningRate: Double)
    -> (weights: Tensor, bias: Double, mistakesPerEpoch: [Int]) {
    // BEGIN SOLUTION
    var weights = Tensor.zeros([X.shape[1]])
    var bias = 0.0
    var mistakesPerEpoch: [Int] = []
    for _ in 0..<epochs {
        var mistakes = 0
        for i in 0..<X.shape[0] {
            let step = perceptronUpdate(X.row(i), label: labels[i], weights: weights, bias: bias, learningRate: learningRate)
            weights = step.weights
            bias = step.bias
            if step.mistake { mistakes += 1 }
        }
        mistakesPerEpoch.append(mistakes)
        if mistakes == 0 { break }
    }
    return (weights, bias, mistakesPerEpoch)
    // END SOLUTION
}

// BEGIN TABLE ClassifierFunctions classify.perceptronPredict
// perceptronPredict: Linear = { Module.perceptronPredict($0, weights: $1, bias: $2) }
// END TABLE

// BEGIN TABLE ClassifierFunctions classify.perceptronUpdate
// perceptronUpdate: @Sendable (_ x: Tensor, _ label: Double, _ weights: Tensor, _ bias: Double, _ learningRate: Double)
//     -> (weights: Tensor, bias: Double, mistake: Bool)
// = { Module.perceptronUpdate($0, label: $1, weights: $2, bias: $3, learningRate: $4) }
// END TABLE

// BEGIN TABLE ClassifierFunctions classify.perceptronTrain
// perceptronTrain: @Sendable (_ X: Tensor, _ labels: Tensor, _ epochs: Int, _ learningRate: Double)
//     -> (weights: Tensor, bias: Double, mistakesPerEpoch: [Int])
// = { Module.perceptronTrain($0, labels: $1, epochs: $2, learningRate: $3) }
// END TABLE
