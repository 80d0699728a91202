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
    todo()
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
    todo()
}
