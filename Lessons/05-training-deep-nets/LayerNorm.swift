import CourseKit
import Foundation

/// What `layerNormForward` keeps for the backward pass.
public struct LayerNormCache: Sendable {
    /// x̂, each row normalized, `[N, D]`.
    public var normalized: Tensor
    /// 1/√(σ²ᵢ + ε) of each row, `[N, 1]`.
    public var inverseStandardDeviation: Tensor
    /// γ, `[D]`.
    public var gamma: Tensor

    public init(normalized: Tensor, inverseStandardDeviation: Tensor, gamma: Tensor) {
        self.normalized = normalized
        self.inverseStandardDeviation = inverseStandardDeviation
        self.gamma = gamma
    }
}

/// Exercise `dnn.layerNorm` — layer normalization, forward.
///
/// Each example (row) is normalized over its own D features (axis 1), then
/// scaled and shifted per feature:
///
///     μᵢ = (1/D) Σⱼ xᵢⱼ,   σ²ᵢ = (1/D) Σⱼ (xᵢⱼ − μᵢ)²   (biased)
///     x̂ᵢⱼ = (xᵢⱼ − μᵢ)/√(σ²ᵢ + ε),   outᵢⱼ = γⱼ x̂ᵢⱼ + βⱼ
///
/// No batch statistics, so no running averages and no mode: training and
/// inference compute the same thing, and a batch of one works.
///
/// - Parameters:
///   - x: `[N, D]`.
///   - gamma: γ, `[D]`.
///   - beta: β, `[D]`.
///   - epsilon: ε > 0.
/// - Returns: out `[N, D]` and the cache.
public func layerNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, epsilon: Double = 1e-5)
    -> (out: Tensor, cache: LayerNormCache) {
    precondition(x.rank == 2, "layerNormForward: x must be [N, D], got \(x.shape)")
    precondition(gamma.shape == [x.shape[1]] && beta.shape == [x.shape[1]],
                 "layerNormForward: gamma \(gamma.shape) and beta \(beta.shape) must be [\(x.shape[1])]")
    todo()
}

/// Exercise `dnn.layerNorm` — layer normalization, backward.
///
/// Compute ∂L/∂x, ∂L/∂γ and ∂L/∂β. Batch norm's backward with the roles of
/// the axes swapped for dx: each row's statistics depend on that row's D
/// features only. γ and β are still per feature and shared by every row.
/// Chapter section "Layer norm, backward" derives it.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, D]`.
///   - cache: from `layerNormForward`.
/// - Returns: dx `[N, D]`, dGamma `[D]`, dBeta `[D]`.
public func layerNormBackward(_ dOut: Tensor, cache: LayerNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    precondition(dOut.shape == cache.normalized.shape,
                 "layerNormBackward: dOut \(dOut.shape) must have the forward's output shape \(cache.normalized.shape)")
    todo()
}
