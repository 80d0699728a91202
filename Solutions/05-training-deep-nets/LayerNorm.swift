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
    // BEGIN SOLUTION
    let mean = x.mean(axis: 1, keepingDims: true)
    let variance = x.variance(axis: 1, keepingDims: true)
    let inverseStd = 1 / sqrt(variance + epsilon)
    let normalized = (x - mean) * inverseStd
    return (gamma * normalized + beta, LayerNormCache(normalized: normalized, inverseStandardDeviation: inverseStd, gamma: gamma))
    // END SOLUTION
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
    // BEGIN SOLUTION
    let d = Double(dOut.shape[1])
    let dBeta = dOut.sum(axis: 0)
    let dGamma = (dOut * cache.normalized).sum(axis: 0)
    let dNormalized = dOut * cache.gamma
    let rowSum = dNormalized.sum(axis: 1, keepingDims: true)
    let rowDot = (dNormalized * cache.normalized).sum(axis: 1, keepingDims: true)
    let dx = (cache.inverseStandardDeviation / d) * (d * dNormalized - rowSum - cache.normalized * rowDot)
    return (dx, dGamma, dBeta)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.layerNorm
// layerNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ epsilon: Double) -> (out: Tensor, backward: NormBackward)
// = { x, gamma, beta, eps in
//     let (out, cache) = Module.layerNormForward(x, gamma: gamma, beta: beta, epsilon: eps)
//     return (out, { let r = Module.layerNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
// }
// END TABLE
