import CourseKit
import Foundation

/// What `rnnForward` keeps: one step cache per time step, in time order.
public struct RNNCache: Sendable {
    public var steps: [RNNStepCache]
    /// The input's shape `[N, T, D]`.
    public var inputShape: [Int]

    public init(steps: [RNNStepCache], inputShape: [Int]) {
        self.steps = steps
        self.inputShape = inputShape
    }
}

/// Exercise `rnn.sequence` — a vanilla RNN over a whole sequence, forward.
///
/// Starting from h₀, apply your `rnnStepForward` at t = 1, …, T with the same
/// weights at every step, feeding each step the hidden state the previous one
/// produced. Return every hidden state h₁ … h_T (not h₀), stacked along time.
///
/// - Parameters:
///   - x: the inputs, `[N, T, D]` (batch, time, features).
///   - h0: the initial hidden state h₀, `[N, H]`.
///   - parameters: Wx `[D, H]`, Wh `[H, H]`, b `[H]`.
/// - Returns: h `[N, T, H]` (h[:, t, :] is the state after step t) and the cache.
public func rnnForward(_ x: Tensor, h0: Tensor, parameters: RecurrentParameters) -> (h: Tensor, cache: RNNCache) {
    precondition(x.rank == 3 && x.shape[1] >= 1, "rnnForward: x must be [N, T, D] with T ≥ 1, got shape \(x.shape)")
    // BEGIN SOLUTION
    var h = h0
    var states: [Tensor] = []
    var steps: [RNNStepCache] = []
    for t in 0..<x.shape[1] {
        let (next, cache) = rnnStepForward(x.select(axis: 1, index: t), hPrev: h, parameters: parameters)
        states.append(next)
        steps.append(cache)
        h = next
    }
    return (Tensor.stack(states, axis: 1), RNNCache(steps: steps, inputShape: x.shape))
    // END SOLUTION
}

/// Exercise `rnn.sequence` — backpropagation through time.
///
/// dh[:, t, :] is the gradient of the loss with respect to hₜ *from the layer
/// above only* (a loss on each step's output). Each hₜ also feeds step t + 1,
/// so the total gradient reaching hₜ is the sum of both paths. Walk the steps
/// from T down to 1 with your `rnnStepBackward`; the weights are shared by
/// every step, so their gradients are summed over time. What comes out of
/// step 1 as dhPrev is the gradient of the initial state, dh0.
/// Derived in the chapter, section "Backpropagation through time".
///
/// - Parameters:
///   - dh: ∂L/∂h from above, `[N, T, H]`.
///   - cache: from `rnnForward`.
/// - Returns: dx `[N, T, D]`, dh0 `[N, H]`, and the gradients of Wx, Wh, b.
public func rnnBackward(_ dh: Tensor, cache: RNNCache) -> (dx: Tensor, dh0: Tensor, gradients: RecurrentParameters) {
    // BEGIN SOLUTION
    let (n, t, d) = (cache.inputShape[0], cache.inputShape[1], cache.inputShape[2])
    let h = dh.shape[2]
    var gradients = RecurrentParameters(wx: Tensor.zeros([d, h]), wh: Tensor.zeros([h, h]), bias: Tensor.zeros([h]))
    var dx = Tensor.zeros([n, t, d])
    var fromLater = Tensor.zeros([n, h])
    for step in stride(from: t - 1, through: 0, by: -1) {
        let total = dh.select(axis: 1, index: step) + fromLater
        let (dxStep, dhPrev, g) = rnnStepBackward(total, cache: cache.steps[step])
        dx.setSelection(axis: 1, index: step, to: dxStep)
        gradients.wx += g.wx
        gradients.wh += g.wh
        gradients.bias += g.bias
        fromLater = dhPrev
    }
    return (dx, fromLater, gradients)
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.sequence
// rnn: @Sendable (_ x: Tensor, _ h0: Tensor, _ weights: Weights) -> (h: Tensor, backward: SequenceBackward) = { x, h0, w in
//     let (out, cache) = Module.rnnForward(x, h0: h0, parameters: parameters(w))
//     return (out, { let r = Module.rnnBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
// }
// END TABLE
