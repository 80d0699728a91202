import CourseKit
import Foundation

/// Batch norm's running averages, used in inference mode.
public struct BatchNormRunningStats: Sendable, Equatable {
    /// The running mean of each feature, `[D]` (starts at 0).
    public var mean: Tensor
    /// The running variance of each feature, `[D]` (starts at 1).
    public var variance: Tensor

    public init(mean: Tensor, variance: Tensor) {
        precondition(mean.shape == variance.shape && mean.rank == 1,
                     "BatchNormRunningStats: mean \(mean.shape) and variance \(variance.shape) must both be [D]")
        self.mean = mean
        self.variance = variance
    }

    /// Fresh statistics for D features: mean 0, variance 1 (PyTorch's start).
    public init(features: Int) {
        self.init(mean: Tensor.zeros([features]), variance: Tensor.ones([features]))
    }
}

/// What `batchNormForward` keeps for the backward pass.
public struct BatchNormCache: Sendable {
    /// The mode of the forward pass that made this cache.
    public var mode: ForwardMode
    /// x̂ = (x − μ)/√(σ² + ε), `[N, D]`.
    public var normalized: Tensor
    /// x − μ, `[N, D]`.
    public var centered: Tensor
    /// σ², the variance used to normalize (the batch's biased variance in
    /// training, the running variance in inference), `[D]`.
    public var variance: Tensor
    /// 1/√(σ² + ε), `[D]`.
    public var inverseStandardDeviation: Tensor
    /// γ, `[D]`.
    public var gamma: Tensor
    /// ε.
    public var epsilon: Double

    public init(mode: ForwardMode, normalized: Tensor, centered: Tensor, variance: Tensor,
                inverseStandardDeviation: Tensor, gamma: Tensor, epsilon: Double) {
        self.mode = mode
        self.normalized = normalized
        self.centered = centered
        self.variance = variance
        self.inverseStandardDeviation = inverseStandardDeviation
        self.gamma = gamma
        self.epsilon = epsilon
    }
}

/// Exercise `dnn.batchNorm` — batch normalization, forward.
///
/// Each feature (column) is normalized over the batch (the rows, axis 0),
/// then scaled and shifted by learned γ and β:
///
///     training:   μ = (1/N) Σᵢ xᵢ,   σ² = (1/N) Σᵢ (xᵢ − μ)²   (the biased variance)
///                 running.mean     ← (1 − m)·running.mean     + m·μ
///                 running.variance ← (1 − m)·running.variance + m·σ²·N/(N − 1)
///     inference:  μ = running.mean, σ² = running.variance (running untouched)
///     both:       x̂ = (x − μ)/√(σ² + ε),   out = γ ⊙ x̂ + β
///
/// These are PyTorch's conventions: `momentum` m = 0.1 is the weight of the
/// NEW batch, and the running variance averages the unbiased batch variance
/// (CS231n's code calls 1 − m "momentum" = 0.9 and averages the biased one).
///
/// - Parameters:
///   - x: `[N, D]`, N ≥ 2 in training mode.
///   - gamma: γ, `[D]`.
///   - beta: β, `[D]`.
///   - running: the running averages, `[D]` each; updated in training mode.
///   - mode: `.training` or `.inference`.
///   - momentum: m in [0, 1].
///   - epsilon: ε > 0.
/// - Returns: out `[N, D]` and the cache.
public func batchNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, running: inout BatchNormRunningStats,
                             mode: ForwardMode, momentum: Double = 0.1, epsilon: Double = 1e-5)
    -> (out: Tensor, cache: BatchNormCache) {
    precondition(x.rank == 2, "batchNormForward: x must be [N, D], got \(x.shape)")
    let features = x.shape[1]
    precondition(gamma.shape == [features] && beta.shape == [features] && running.mean.shape == [features],
                 "batchNormForward: gamma \(gamma.shape), beta \(beta.shape) and running \(running.mean.shape) must be [\(features)]")
    precondition(mode == .inference || x.shape[0] >= 2, "batchNormForward: training needs a batch of N ≥ 2 rows to have a variance")
    // BEGIN SOLUTION
    let n = Double(x.shape[0])
    let mean: Tensor, variance: Tensor
    switch mode {
    case .training:
        mean = x.mean(axis: 0)
        variance = x.variance(axis: 0)
        running.mean = (1 - momentum) * running.mean + momentum * mean
        running.variance = (1 - momentum) * running.variance + momentum * variance * (n / (n - 1))
    case .inference:
        mean = running.mean
        variance = running.variance
    }
    let centered = x - mean
    let inverseStd = 1 / sqrt(variance + epsilon)
    let normalized = centered * inverseStd
    let cache = BatchNormCache(mode: mode, normalized: normalized, centered: centered, variance: variance,
                               inverseStandardDeviation: inverseStd, gamma: gamma, epsilon: epsilon)
    return (gamma * normalized + beta, cache)
    // END SOLUTION
}

/// Exercise `dnn.batchNorm` — batch normalization, backward, one step at a
/// time through the computational graph (x → μ → x − μ → σ² → 1/√(σ² + ε)
/// → x̂ → out). Chapter section "Batch norm, backward" derives each step.
///
/// Compute ∂L/∂x, ∂L/∂γ and ∂L/∂β. In training mode μ and σ² depend on
/// every row of x, so every row's gradient depends on the whole batch. In
/// inference mode (`cache.mode`) μ and σ² are constants and the layer is a
/// per-feature affine map. γ and β are shared by every row of the batch.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, D]`.
///   - cache: from `batchNormForward`.
/// - Returns: dx `[N, D]`, dGamma `[D]`, dBeta `[D]`.
public func batchNormBackward(_ dOut: Tensor, cache: BatchNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    precondition(dOut.shape == cache.normalized.shape,
                 "batchNormBackward: dOut \(dOut.shape) must have the forward's output shape \(cache.normalized.shape)")
    // BEGIN SOLUTION
    let n = Double(dOut.shape[0])
    let dBeta = dOut.sum(axis: 0)
    let dGamma = (dOut * cache.normalized).sum(axis: 0)
    let dNormalized = dOut * cache.gamma
    guard cache.mode == .training else { return (dNormalized * cache.inverseStandardDeviation, dGamma, dBeta) }
    // x̂ = centered · s with s = (σ² + ε)^(−1/2)
    let dInverseStd = (dNormalized * cache.centered).sum(axis: 0)
    let dVariance = dInverseStd * (-0.5) * pow(cache.variance + cache.epsilon, -1.5)
    // σ² = mean of centered², centered = x − μ
    let dCentered = dNormalized * cache.inverseStandardDeviation + (2 / n) * cache.centered * dVariance
    let dMean = -dCentered.sum(axis: 0)
    let dx = dCentered + dMean / n
    return (dx, dGamma, dBeta)
    // END SOLUTION
}

/// Exercise `dnn.batchNorm` — batch normalization, backward, in closed form.
/// Chapter section "Batch norm, backward" simplifies the staged backward to
/// one line for dx. Same results as `batchNormBackward`, fewer operations;
/// dGamma and dBeta as there. Inference-mode caches as there.
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, D]`.
///   - cache: from `batchNormForward`.
/// - Returns: dx `[N, D]`, dGamma `[D]`, dBeta `[D]`.
public func batchNormBackwardSimplified(_ dOut: Tensor, cache: BatchNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor) {
    precondition(dOut.shape == cache.normalized.shape,
                 "batchNormBackwardSimplified: dOut \(dOut.shape) must have the forward's output shape \(cache.normalized.shape)")
    // BEGIN SOLUTION
    let n = Double(dOut.shape[0])
    let dBeta = dOut.sum(axis: 0)
    let dGamma = (dOut * cache.normalized).sum(axis: 0)
    let scale = cache.gamma * cache.inverseStandardDeviation
    guard cache.mode == .training else { return (dOut * scale, dGamma, dBeta) }
    let dx = (scale / n) * (n * dOut - dBeta - cache.normalized * dGamma)
    return (dx, dGamma, dBeta)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.batchNorm
// batchNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ running: Running, _ training: Bool, _ momentum: Double,
//     _ epsilon: Double) -> (out: Tensor, running: Running, backward: NormBackward, simplified: NormBackward)
// = { x, gamma, beta, running, training, momentum, eps in
//     var stats = Module.BatchNormRunningStats(mean: running.mean, variance: running.variance)
//     let (out, cache) = Module.batchNormForward(x, gamma: gamma, beta: beta, running: &stats, mode: training ? .training : .inference,
//                                                momentum: momentum, epsilon: eps)
//     return (out, (stats.mean, stats.variance),
//             { let r = Module.batchNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) },
//             { let r = Module.batchNormBackwardSimplified($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
// }
// END TABLE
