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
    todo()
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
    todo()
}
