import CourseKit
import Foundation

/// What `lstmForward` keeps: one step cache per time step, in time order.
public struct LSTMCache: Sendable {
    public var steps: [LSTMStepCache]
    /// The input's shape `[N, T, D]`.
    public var inputShape: [Int]

    public init(steps: [LSTMStepCache], inputShape: [Int]) {
        self.steps = steps
        self.inputShape = inputShape
    }
}

/// Exercise `rnn.lstm` — an LSTM over a whole sequence, forward.
///
/// The initial hidden state h₀ is given; the initial cell state c₀ is zero.
/// Apply your `lstmStepForward` at every step with the same weights, carrying
/// both h and c forward, and return every hidden state h₁ … h_T.
///
/// - Parameters:
///   - x: `[N, T, D]`.
///   - h0: h₀, `[N, H]`.
///   - parameters: Wx `[D, 4H]`, Wh `[H, 4H]`, b `[4H]` (gates in the order i, f, g, o).
/// - Returns: h `[N, T, H]` and the cache.
public func lstmForward(_ x: Tensor, h0: Tensor, parameters: RecurrentParameters) -> (h: Tensor, cache: LSTMCache) {
    precondition(x.rank == 3 && x.shape[1] >= 1, "lstmForward: x must be [N, T, D] with T ≥ 1, got shape \(x.shape)")
    // BEGIN SOLUTION
    var h = h0, c = Tensor.zeros(like: h0)
    var states: [Tensor] = []
    var steps: [LSTMStepCache] = []
    for t in 0..<x.shape[1] {
        let step = lstmStepForward(x.select(axis: 1, index: t), hPrev: h, cPrev: c, parameters: parameters)
        (h, c) = (step.hNext, step.cNext)
        states.append(h)
        steps.append(step.cache)
    }
    return (Tensor.stack(states, axis: 1), LSTMCache(steps: steps, inputShape: x.shape))
    // END SOLUTION
}

/// Exercise `rnn.lstm` — backpropagation through time for the LSTM.
///
/// As for the vanilla RNN, the gradient reaching hₜ is dh[:, t, :] plus what
/// step t + 1 sends back; the cell state also carries a gradient from step
/// t + 1 to step t (zero after the last step, since only h is an output).
/// Sum the weight gradients over time; return the gradient of h₀ (c₀ is a
/// constant zero, so it has none to return).
/// Chapter section "The LSTM over a sequence".
///
/// - Parameters:
///   - dh: ∂L/∂h from above, `[N, T, H]`.
///   - cache: from `lstmForward`.
/// - Returns: dx `[N, T, D]`, dh0 `[N, H]`, and the gradients of Wx, Wh, b.
public func lstmBackward(_ dh: Tensor, cache: LSTMCache) -> (dx: Tensor, dh0: Tensor, gradients: RecurrentParameters) {
    // BEGIN SOLUTION
    let (n, t, d) = (cache.inputShape[0], cache.inputShape[1], cache.inputShape[2])
    let h = dh.shape[2]
    var gradients = RecurrentParameters(wx: Tensor.zeros([d, 4 * h]), wh: Tensor.zeros([h, 4 * h]), bias: Tensor.zeros([4 * h]))
    var dx = Tensor.zeros([n, t, d])
    var dhLater = Tensor.zeros([n, h]), dcLater = Tensor.zeros([n, h])
    for step in stride(from: t - 1, through: 0, by: -1) {
        let back = lstmStepBackward(dh.select(axis: 1, index: step) + dhLater, dcNext: dcLater, cache: cache.steps[step])
        dx.setSelection(axis: 1, index: step, to: back.dx)
        gradients.wx += back.gradients.wx
        gradients.wh += back.gradients.wh
        gradients.bias += back.gradients.bias
        (dhLater, dcLater) = (back.dhPrev, back.dcPrev)
    }
    return (dx, dhLater, gradients)
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.lstm
// lstm: @Sendable (_ x: Tensor, _ h0: Tensor, _ weights: Weights) -> (h: Tensor, backward: SequenceBackward) = { x, h0, w in
//     let (out, cache) = Module.lstmForward(x, h0: h0, parameters: parameters(w))
//     return (out, { let r = Module.lstmBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
// }
// END TABLE
