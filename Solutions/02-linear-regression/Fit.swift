import CourseKit
import Foundation

/// Exercise `linreg.fit` — the training loop.
///
/// Start from w = 0 and b = 0, then repeat `epochs` times: compute the loss
/// and its gradients on the whole data set with your `mseLoss`, record the
/// loss, and take one `gradientDescentStep`. (Do `linreg.mse` and
/// `linreg.step` first: this exercise calls them.)
///
/// - Parameters:
///   - X: inputs, shape `[N, D]`.
///   - y: targets, shape `[N]`.
///   - learningRate: η.
///   - epochs: the number of steps.
/// - Returns: the final w (shape `[D]`) and b, and `losses` with
///   `losses[i]` the loss *before* step i (so `losses.count == epochs`).
public func fit(_ X: Tensor, _ y: Tensor, learningRate: Double, epochs: Int)
    -> (weights: Tensor, bias: Double, losses: [Double]) {
    // BEGIN SOLUTION
    var weights = Tensor.zeros([X.shape[1]])
    var bias = 0.0
    var losses: [Double] = []
    for _ in 0..<epochs {
        let (loss, dWeights, dBias) = mseLoss(X, y, weights: weights, bias: bias)
        losses.append(loss)
        (weights, bias) = gradientDescentStep(weights: weights, bias: bias, dWeights: dWeights, dBias: dBias,
                                              learningRate: learningRate)
    }
    return (weights, bias, losses)
    // END SOLUTION
}

// BEGIN TABLE LinearRegressionFunctions linreg.fit
// fit: @Sendable (_ X: Tensor, _ y: Tensor, _ learningRate: Double, _ epochs: Int)
//     -> (weights: Tensor, bias: Double, losses: [Double])
// = { Module.fit($0, $1, learningRate: $2, epochs: $3) }
// END TABLE
