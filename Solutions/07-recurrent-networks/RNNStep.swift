import CourseKit
import Foundation

// Layout (CS231n's, and this whole lesson's): a batch of sequences is x [N, T, D] —
// N sequences, T time steps, D features per step — and the weights multiply from
// the right, x·Wx with Wx [D, H]. PyTorch's nn.RNN defaults to [T, N, D]
// (batch_first: false) and stores weight_ih as [H, D], the transpose of Wx.

/// The weights of one recurrent layer (or their gradients: the same shapes).
public struct RecurrentParameters: Sendable {
    /// Input-to-hidden weights Wx, `[D, G]` (G = H for a vanilla RNN, 4H for an LSTM).
    public var wx: Tensor
    /// Hidden-to-hidden weights Wh, `[H, G]`.
    public var wh: Tensor
    /// The bias b, `[G]`.
    public var bias: Tensor

    public init(wx: Tensor, wh: Tensor, bias: Tensor) {
        self.wx = wx
        self.wh = wh
        self.bias = bias
    }

    /// A vanilla RNN layer: Wx ~ N(0, 1/D), Wh ~ N(0, 1/H), b = 0.
    public static func rnn(inputSize: Int, hiddenSize: Int, using generator: inout SeededGenerator) -> RecurrentParameters {
        RecurrentParameters(
            wx: Tensor.randomNormal([inputSize, hiddenSize], standardDeviation: (1 / Double(inputSize)).squareRoot(), using: &generator),
            wh: Tensor.randomNormal([hiddenSize, hiddenSize], standardDeviation: (1 / Double(hiddenSize)).squareRoot(), using: &generator),
            bias: Tensor.zeros([hiddenSize]))
    }
}

/// What `rnnStepForward` keeps for the backward pass.
public struct RNNStepCache: Sendable {
    /// The input xₜ, `[N, D]`.
    public var x: Tensor
    /// The previous hidden state hₜ₋₁, `[N, H]`.
    public var hPrev: Tensor
    /// The layer's weights.
    public var parameters: RecurrentParameters
    /// The new hidden state hₜ = tanh(aₜ), `[N, H]`.
    public var hNext: Tensor

    public init(x: Tensor, hPrev: Tensor, parameters: RecurrentParameters, hNext: Tensor) {
        self.x = x
        self.hPrev = hPrev
        self.parameters = parameters
        self.hNext = hNext
    }
}

/// Exercise `rnn.step` — one time step of a vanilla (Elman) RNN, forward.
///
///     aₜ = xₜ·Wx + hₜ₋₁·Wh + b
///     hₜ = tanh(aₜ)
///
/// with b added to every row. Keep in the cache what the backward needs.
///
/// - Parameters:
///   - x: xₜ, the inputs of this step, `[N, D]`.
///   - hPrev: hₜ₋₁, the previous hidden state, `[N, H]`.
///   - parameters: Wx `[D, H]`, Wh `[H, H]`, b `[H]`.
/// - Returns: hₜ `[N, H]` and the cache.
public func rnnStepForward(_ x: Tensor, hPrev: Tensor, parameters: RecurrentParameters) -> (hNext: Tensor, cache: RNNStepCache) {
    // BEGIN SOLUTION
    let a = matmul(x, parameters.wx) + matmul(hPrev, parameters.wh) + parameters.bias
    let hNext = tanh(a)
    return (hNext, RNNStepCache(x: x, hPrev: hPrev, parameters: parameters, hNext: hNext))
    // END SOLUTION
}

/// Exercise `rnn.step` — one time step of the vanilla RNN, backward.
///
/// Given ∂L/∂hₜ, compute the gradient with respect to every input of the step:
/// xₜ, hₜ₋₁, Wx, Wh and b. The chain goes through the tanh first (its
/// derivative is easiest written with the output hₜ you kept), then through
/// the affine part aₜ = xₜ·Wx + hₜ₋₁·Wh + b. Derived in the chapter,
/// section "One step, backward".
///
/// - Parameters:
///   - dhNext: ∂L/∂hₜ, `[N, H]`.
///   - cache: from `rnnStepForward`.
/// - Returns: dx `[N, D]`, dhPrev `[N, H]`, and the gradients of Wx `[D, H]`, Wh `[H, H]`, b `[H]`.
public func rnnStepBackward(_ dhNext: Tensor, cache: RNNStepCache)
    -> (dx: Tensor, dhPrev: Tensor, gradients: RecurrentParameters) {
    // BEGIN SOLUTION
    let da = dhNext * (1 - cache.hNext * cache.hNext)
    let dx = matmul(da, cache.parameters.wx.transposed())
    let dhPrev = matmul(da, cache.parameters.wh.transposed())
    let gradients = RecurrentParameters(wx: matmul(cache.x.transposed(), da),
                                        wh: matmul(cache.hPrev.transposed(), da),
                                        bias: da.sum(axis: 0))
    return (dx, dhPrev, gradients)
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.step
// rnnStep: @Sendable (_ x: Tensor, _ hPrev: Tensor, _ weights: Weights) -> (hNext: Tensor, backward: StepBackward) = { x, h, w in
//     let (out, cache) = Module.rnnStepForward(x, hPrev: h, parameters: parameters(w))
//     return (out, { let r = Module.rnnStepBackward($0, cache: cache); return (r.dx, r.dhPrev, weights(r.gradients)) })
// }
// END TABLE
