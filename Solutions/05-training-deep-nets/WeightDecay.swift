import BackpropSolutions
import CourseKit
import Foundation

/// Exercise `dnn.l2` — L2 regularization of a network's weights, and its gradient.
///
///     penalty = (λ/2) · Σₗ ‖Wₗ‖²        (the sum of every squared weight)
///
/// and its gradient with respect to every Wₗ and bₗ (chapter section
/// "L2 regularization"). The convention of lesson 04 (½λ; lesson 02 wrote
/// λ‖w‖² without the ½). Biases are not decayed: a bias shifts a unit without
/// making the function any less smooth, and pulling it to 0 only hurts the fit.
///
/// - Parameters:
///   - layers: the network's layers (weights `[D_in, D_out]`, bias `[D_out]`).
///   - strength: λ ≥ 0.
/// - Returns: the penalty and one gradient per layer, with the layers' shapes.
public func l2Penalty(_ layers: [DenseLayer], strength: Double) -> (penalty: Double, gradients: [DenseLayer]) {
    precondition(strength >= 0, "l2Penalty: the strength λ must be ≥ 0, got \(strength)")
    // BEGIN SOLUTION
    let penalty = 0.5 * strength * layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }
    let gradients = layers.map { DenseLayer(weights: strength * $0.weights, bias: Tensor.zeros(like: $0.bias)) }
    return (penalty, gradients)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.l2
// l2Penalty: @Sendable (_ layers: Layers, _ strength: Double) -> (penalty: Double, gradients: Layers) = { layers, strength in
//     let (penalty, gradients) = Module.l2Penalty(layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) }, strength: strength)
//     return (penalty, gradients.map { ($0.weights, $0.bias) })
// }
// END TABLE
