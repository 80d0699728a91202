import ActivationsSolutions
import CourseKit
import Foundation
import RecurrentNetsSolutions

/// The position-wise feed-forward network's parameters (or their gradients),
/// for a model width D and a hidden width F (often 4D).
public struct FeedForwardParameters: Sendable {
    /// W₁ `[D, F]`.
    public var firstWeights: Tensor
    /// b₁ `[F]`.
    public var firstBias: Tensor
    /// W₂ `[F, D]`.
    public var secondWeights: Tensor
    /// b₂ `[D]`.
    public var secondBias: Tensor

    public init(firstWeights: Tensor, firstBias: Tensor, secondWeights: Tensor, secondBias: Tensor) {
        self.firstWeights = firstWeights
        self.firstBias = firstBias
        self.secondWeights = secondWeights
        self.secondBias = secondBias
    }

    /// W₁, b₁, W₂, b₂.
    public var tensors: [Tensor] { [firstWeights, firstBias, secondWeights, secondBias] }

    public init(tensors t: [Tensor]) {
        precondition(t.count == 4, "FeedForwardParameters: needs 4 tensors (W₁, b₁, W₂, b₂), got \(t.count)")
        self.init(firstWeights: t[0], firstBias: t[1], secondWeights: t[2], secondBias: t[3])
    }

    /// He-normal W₁ (GELU is close to ReLU), Xavier-normal W₂, zero biases.
    public static func random(width: Int, hidden: Int, using generator: inout SeededGenerator) -> FeedForwardParameters {
        FeedForwardParameters(
            firstWeights: Tensor.randomNormal([width, hidden], standardDeviation: (2 / Double(width)).squareRoot(), using: &generator),
            firstBias: Tensor.zeros([hidden]),
            secondWeights: Tensor.randomNormal([hidden, width], standardDeviation: (2 / Double(width + hidden)).squareRoot(), using: &generator),
            secondBias: Tensor.zeros([width]))
    }
}

/// What `feedForwardForward` keeps.
public struct FeedForwardCache: Sendable {
    public var first: TemporalAffineCache
    /// The pre-activation x·W₁ + b₁, `[B, T, F]`, GELU's input.
    public var preActivation: Tensor
    public var second: TemporalAffineCache

    public init(first: TemporalAffineCache, preActivation: Tensor, second: TemporalAffineCache) {
        self.first = first
        self.preActivation = preActivation
        self.second = second
    }
}

/// Exercise `transformer.feedForward` — the position-wise feed-forward
/// network, forward: the same two-layer network applied to every position
/// on its own.
///
///     out = gelu(x·W₁ + b₁)·W₂ + b₂
///
/// GELU is lesson 01's **tanh approximation** (`geluForward`), as in GPT-2;
/// PyTorch's `nn.GELU()` / `F.gelu` default to the exact erf form
/// ½x(1 + erf(x/√2)), up to 4.7e-4 away. Use lesson 07's
/// `temporalAffineForward` for both layers.
///
/// - Parameters:
///   - x: `[B, T, D]`.
///   - parameters: W₁ `[D, F]`, b₁ `[F]`, W₂ `[F, D]`, b₂ `[D]`.
/// - Returns: out `[B, T, D]` and the cache.
public func feedForwardForward(_ x: Tensor, parameters: FeedForwardParameters) -> (out: Tensor, cache: FeedForwardCache) {
    precondition(x.rank == 3, "feedForwardForward: x must be [B, T, D], got \(x.shape)")
    todo()
}

/// Exercise `transformer.feedForward` — the feed-forward network, backward:
/// the second layer, GELU (lesson 01's `geluBackward`), the first layer.
/// Chapter section "The position-wise feed-forward network".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, T, D]`.
///   - cache: from `feedForwardForward`.
/// - Returns: dx `[B, T, D]` and the gradients in the parameters' shapes.
public func feedForwardBackward(_ dOut: Tensor, cache: FeedForwardCache) -> (dx: Tensor, gradients: FeedForwardParameters) {
    todo()
}
