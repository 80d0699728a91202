import ActivationsSolutions
import CourseKit
import Foundation

// Gate order. The four gates' pre-activations come out of one product
// a = x·Wx + h·Wh + b of width 4H, in this lesson in the order
//     i (input), f (forget), g (candidate), o (output)
// — PyTorch's, cuDNN's and Keras's order, so that Wx here is PyTorch's
// weight_ih_l0 transposed and b is bias_ih_l0 + bias_hh_l0. CS231n's
// assignment uses i, f, o, g: the same LSTM with Wx's columns permuted.

extension RecurrentParameters {
    /// An LSTM layer: Wx `[D, 4H]` ~ N(0, 1/D), Wh `[H, 4H]` ~ N(0, 1/H), and a bias of
    /// 0 except the forget gate's, which starts at 1 (Jozefowicz et al., 2015): f ≈ σ(1) ≈ 0.73,
    /// so the cell keeps most of its memory from the first step, and gradients along the cell
    /// path do not start out vanishing. PyTorch initializes every bias uniformly in ±1/√H instead.
    public static func lstm(inputSize: Int, hiddenSize: Int, using generator: inout SeededGenerator) -> RecurrentParameters {
        var bias = Tensor.zeros([4 * hiddenSize])
        bias.withScalars { for k in hiddenSize..<(2 * hiddenSize) { $0[k] = 1 } }
        return RecurrentParameters(
            wx: Tensor.randomNormal([inputSize, 4 * hiddenSize], standardDeviation: (1 / Double(inputSize)).squareRoot(), using: &generator),
            wh: Tensor.randomNormal([hiddenSize, 4 * hiddenSize], standardDeviation: (1 / Double(hiddenSize)).squareRoot(), using: &generator),
            bias: bias)
    }
}

/// What `lstmStepForward` keeps for the backward pass.
public struct LSTMStepCache: Sendable {
    /// xₜ `[N, D]`, hₜ₋₁ `[N, H]`, cₜ₋₁ `[N, H]`.
    public var x: Tensor, hPrev: Tensor, cPrev: Tensor
    /// The gates after their nonlinearities, each `[N, H]`.
    public var i: Tensor, f: Tensor, g: Tensor, o: Tensor
    /// The new cell state cₜ `[N, H]`.
    public var cNext: Tensor
    /// The layer's weights.
    public var parameters: RecurrentParameters

    public init(x: Tensor, hPrev: Tensor, cPrev: Tensor, i: Tensor, f: Tensor, g: Tensor, o: Tensor, cNext: Tensor,
                parameters: RecurrentParameters) {
        (self.x, self.hPrev, self.cPrev) = (x, hPrev, cPrev)
        (self.i, self.f, self.g, self.o) = (i, f, g, o)
        self.cNext = cNext
        self.parameters = parameters
    }
}

/// Exercise `rnn.lstmStep` — one time step of an LSTM, forward.
///
///     a = xₜ·Wx + hₜ₋₁·Wh + b                         [N, 4H]
///     i = σ(a[:, 0..<H])        input gate
///     f = σ(a[:, H..<2H])       forget gate
///     g = tanh(a[:, 2H..<3H])   candidate values
///     o = σ(a[:, 3H..<4H])      output gate
///     cₜ = f ⊙ cₜ₋₁ + i ⊙ g
///     hₜ = o ⊙ tanh(cₜ)
///
/// The gate order is i, f, g, o (PyTorch's); CS231n's is i, f, o, g.
/// σ is lesson 01's `sigmoidForward` (stable for large |a|).
///
/// - Parameters:
///   - x: xₜ, `[N, D]`.
///   - hPrev: hₜ₋₁, `[N, H]`.
///   - cPrev: cₜ₋₁, the previous cell state, `[N, H]`.
///   - parameters: Wx `[D, 4H]`, Wh `[H, 4H]`, b `[4H]`.
/// - Returns: hₜ `[N, H]`, cₜ `[N, H]` and the cache.
public func lstmStepForward(_ x: Tensor, hPrev: Tensor, cPrev: Tensor, parameters: RecurrentParameters)
    -> (hNext: Tensor, cNext: Tensor, cache: LSTMStepCache) {
    // BEGIN SOLUTION
    let h = hPrev.shape[1]
    let a = matmul(x, parameters.wx) + matmul(hPrev, parameters.wh) + parameters.bias
    let i = sigmoidForward(a.slice(axis: 1, 0..<h))
    let f = sigmoidForward(a.slice(axis: 1, h..<(2 * h)))
    let g = tanh(a.slice(axis: 1, (2 * h)..<(3 * h)))
    let o = sigmoidForward(a.slice(axis: 1, (3 * h)..<(4 * h)))
    let cNext = f * cPrev + i * g
    let hNext = o * tanh(cNext)
    return (hNext, cNext, LSTMStepCache(x: x, hPrev: hPrev, cPrev: cPrev, i: i, f: f, g: g, o: o, cNext: cNext, parameters: parameters))
    // END SOLUTION
}

/// Exercise `rnn.lstmStep` — one time step of the LSTM, backward.
///
/// Given ∂L/∂hₜ and ∂L/∂cₜ (the cell state also flows to the next step),
/// compute the gradients of xₜ, hₜ₋₁, cₜ₋₁, Wx, Wh and b. Remember that cₜ
/// reaches the loss along two paths — directly, and through hₜ = o ⊙ tanh(cₜ).
/// Derived in the chapter, section "The LSTM, backward".
///
/// - Parameters:
///   - dhNext: ∂L/∂hₜ, `[N, H]`.
///   - dcNext: ∂L/∂cₜ from later steps, `[N, H]`.
///   - cache: from `lstmStepForward`.
/// - Returns: dx `[N, D]`, dhPrev `[N, H]`, dcPrev `[N, H]`, and the gradients of Wx `[D, 4H]`, Wh `[H, 4H]`, b `[4H]`.
public func lstmStepBackward(_ dhNext: Tensor, dcNext: Tensor, cache: LSTMStepCache)
    -> (dx: Tensor, dhPrev: Tensor, dcPrev: Tensor, gradients: RecurrentParameters) {
    // BEGIN SOLUTION
    let tanhC = tanh(cache.cNext)
    let dc = dcNext + dhNext * cache.o * (1 - tanhC * tanhC)
    let dO = dhNext * tanhC
    let dI = dc * cache.g, dF = dc * cache.cPrev, dG = dc * cache.i
    let da = Tensor.concatenate([dI * cache.i * (1 - cache.i),
                                 dF * cache.f * (1 - cache.f),
                                 dG * (1 - cache.g * cache.g),
                                 dO * cache.o * (1 - cache.o)], axis: 1)
    let gradients = RecurrentParameters(wx: matmul(cache.x.transposed(), da), wh: matmul(cache.hPrev.transposed(), da),
                                        bias: da.sum(axis: 0))
    return (matmul(da, cache.parameters.wx.transposed()), matmul(da, cache.parameters.wh.transposed()), dc * cache.f, gradients)
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.lstmStep
// lstmStep: @Sendable (_ x: Tensor, _ hPrev: Tensor, _ cPrev: Tensor, _ weights: Weights)
//     -> (hNext: Tensor, cNext: Tensor, backward: LSTMStepBackward)
// = { x, h, c, w in
//     let (hNext, cNext, cache) = Module.lstmStepForward(x, hPrev: h, cPrev: c, parameters: parameters(w))
//     return (hNext, cNext, {
//         let r = Module.lstmStepBackward($0, dcNext: $1, cache: cache)
//         return (r.dx, r.dhPrev, r.dcPrev, weights(r.gradients))
//     })
// }
// END TABLE
