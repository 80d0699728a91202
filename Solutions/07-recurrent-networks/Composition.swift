import CourseKit
import Foundation

/// x with its time axis reversed: out[:, t, :] = x[:, T − 1 − t, :], for x `[N, T, D]`.
public func reversingTime(_ x: Tensor) -> Tensor {
    precondition(x.rank == 3, "reversingTime: x must be [N, T, D], got shape \(x.shape)")
    let t = x.shape[1]
    return Tensor.stack((0..<t).reversed().map { x.select(axis: 1, index: $0) }, axis: 1)
}

/// What `bidirectionalRNNForward` keeps: each direction's cache.
public struct BidirectionalRNNCache: Sendable {
    /// The forward direction's cache (it read x in time order).
    public var forward: RNNCache
    /// The backward direction's cache (it read x reversed in time).
    public var backward: RNNCache
    /// H_f, the forward direction's hidden size.
    public var forwardHiddenSize: Int

    public init(forward: RNNCache, backward: RNNCache, forwardHiddenSize: Int) {
        self.forward = forward
        self.backward = backward
        self.forwardHiddenSize = forwardHiddenSize
    }
}

/// Exercise `rnn.composition` — a bidirectional RNN, forward.
///
/// Two independent vanilla RNNs (your `rnnForward`): one reads x from t = 1
/// to T, the other from t = T down to 1 (run it on `reversingTime(x)`). At
/// each time step t the output is the two hidden states that belong to t,
/// side by side: the forward one (which has seen x₁ … xₜ) first, then the
/// backward one (which has seen x_T … xₜ).
///
/// - Parameters:
///   - x: `[N, T, D]`.
///   - h0Forward: `[N, H_f]`, h0Backward: `[N, H_b]`, the two initial states.
///   - forward: Wx `[D, H_f]`, Wh `[H_f, H_f]`, b `[H_f]`; backward: the same with H_b.
/// - Returns: h `[N, T, H_f + H_b]` and the cache.
public func bidirectionalRNNForward(_ x: Tensor, h0Forward: Tensor, h0Backward: Tensor,
                                    forward: RecurrentParameters, backward: RecurrentParameters)
    -> (h: Tensor, cache: BidirectionalRNNCache) {
    // BEGIN SOLUTION
    let (hForward, forwardCache) = rnnForward(x, h0: h0Forward, parameters: forward)
    let (hBackwardReversed, backwardCache) = rnnForward(reversingTime(x), h0: h0Backward, parameters: backward)
    let h = Tensor.concatenate([hForward, reversingTime(hBackwardReversed)], axis: 2)
    return (h, BidirectionalRNNCache(forward: forwardCache, backward: backwardCache, forwardHiddenSize: h0Forward.shape[1]))
    // END SOLUTION
}

/// Exercise `rnn.composition` — the bidirectional RNN, backward.
///
/// Split ∂L/∂h into the two directions' parts, send each through its own
/// `rnnBackward` (minding which one ran on reversed time), and combine: both
/// directions read the same x, so x's gradient is the sum of the two.
/// Chapter section "Deeper and both ways".
///
/// - Parameters:
///   - dh: ∂L/∂h, `[N, T, H_f + H_b]`.
///   - cache: from `bidirectionalRNNForward`.
/// - Returns: dx `[N, T, D]`, the two initial states' gradients, and each direction's weight gradients.
public func bidirectionalRNNBackward(_ dh: Tensor, cache: BidirectionalRNNCache)
    -> (dx: Tensor, dh0Forward: Tensor, dh0Backward: Tensor, forward: RecurrentParameters, backward: RecurrentParameters) {
    // BEGIN SOLUTION
    let hf = cache.forwardHiddenSize
    let forward = rnnBackward(dh.slice(axis: 2, 0..<hf), cache: cache.forward)
    let backward = rnnBackward(reversingTime(dh.slice(axis: 2, hf..<dh.shape[2])), cache: cache.backward)
    return (forward.dx + reversingTime(backward.dx), forward.dh0, backward.dh0, forward.gradients, backward.gradients)
    // END SOLUTION
}

/// What `stackedRNNForward` keeps: each layer's cache, bottom first.
public struct StackedRNNCache: Sendable {
    public var layers: [RNNCache]

    public init(layers: [RNNCache]) {
        self.layers = layers
    }
}

/// Exercise `rnn.composition` — a stack of vanilla RNN layers, forward.
///
/// Layer 1 reads x; layer l + 1 reads the hidden states of layer l as its
/// input sequence. The output is the top layer's hidden states.
///
/// - Parameters:
///   - x: `[N, T, D]`.
///   - h0: one initial state per layer, `[N, H_l]`, bottom first.
///   - layers: L ≥ 1 layers, bottom first; layer l's Wx is `[H_(l−1), H_l]` (H₀ = D).
/// - Returns: h `[N, T, H_L]` and the cache.
public func stackedRNNForward(_ x: Tensor, h0: [Tensor], layers: [RecurrentParameters]) -> (h: Tensor, cache: StackedRNNCache) {
    precondition(!layers.isEmpty && h0.count == layers.count, "stackedRNNForward: give L ≥ 1 layers and one h0 per layer")
    // BEGIN SOLUTION
    var input = x
    var caches: [RNNCache] = []
    for (layer, start) in zip(layers, h0) {
        let (h, cache) = rnnForward(input, h0: start, parameters: layer)
        caches.append(cache)
        input = h
    }
    return (input, StackedRNNCache(layers: caches))
    // END SOLUTION
}

/// Exercise `rnn.composition` — the stack, backward: the top layer first;
/// each layer's dx is the gradient of the layer below's hidden states.
/// Chapter section "Deeper and both ways".
///
/// - Parameters:
///   - dh: ∂L/∂h of the top layer, `[N, T, H_L]`.
///   - cache: from `stackedRNNForward`.
/// - Returns: dx `[N, T, D]`, one dh0 per layer and one set of weight gradients per layer, bottom first.
public func stackedRNNBackward(_ dh: Tensor, cache: StackedRNNCache)
    -> (dx: Tensor, dh0: [Tensor], gradients: [RecurrentParameters]) {
    // BEGIN SOLUTION
    var upstream = dh
    var dh0: [Tensor] = [], gradients: [RecurrentParameters] = []
    for layerCache in cache.layers.reversed() {
        let back = rnnBackward(upstream, cache: layerCache)
        dh0.insert(back.dh0, at: 0)
        gradients.insert(back.gradients, at: 0)
        upstream = back.dx
    }
    return (upstream, dh0, gradients)
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.composition
// bidirectional: @Sendable (_ x: Tensor, _ h0Forward: Tensor, _ h0Backward: Tensor, _ forward: Weights, _ backward: Weights)
//     -> (h: Tensor, backward: BidirectionalBackward)
// = { x, h0f, h0b, f, b in
//     let (out, cache) = Module.bidirectionalRNNForward(x, h0Forward: h0f, h0Backward: h0b,
//                                                       forward: parameters(f), backward: parameters(b))
//     return (out, {
//         let r = Module.bidirectionalRNNBackward($0, cache: cache)
//         return (r.dx, r.dh0Forward, r.dh0Backward, weights(r.forward), weights(r.backward))
//     })
// }
// stacked: @Sendable (_ x: Tensor, _ h0: [Tensor], _ layers: [Weights]) -> (h: Tensor, backward: StackedBackward)
// = { x, h0, layers in
//     let (out, cache) = Module.stackedRNNForward(x, h0: h0, layers: layers.map(parameters))
//     return (out, {
//         let r = Module.stackedRNNBackward($0, cache: cache)
//         return (r.dx, r.dh0, r.gradients.map(weights))
//     })
// }
// END TABLE
