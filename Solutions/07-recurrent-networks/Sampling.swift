import CourseKit
import Foundation

/// Exercise `rnn.sampling` — the distribution a language model samples its next token from.
///
///     p = softmax(logits / τ)
///
/// τ (the temperature) > 0: below 1 it sharpens the distribution towards the
/// most likely token, above 1 it flattens it, τ = 1 leaves it as the model
/// said. With `topK = k`, only the k largest logits keep their chance (ties at
/// the boundary: the lower index first); every other token gets probability 0,
/// and the k kept ones are renormalized. Compute the softmax stably.
///
/// - Parameters:
///   - logits: `[V]`, the model's scores for the next token.
///   - temperature: τ > 0.
///   - topK: nil for the whole vocabulary, else k in 1…V.
/// - Returns: p, `[V]`, non-negative and summing to 1.
public func samplingProbabilities(_ logits: Tensor, temperature: Double, topK: Int? = nil) -> Tensor {
    precondition(logits.rank == 1 && logits.count >= 1, "samplingProbabilities: logits must be [V] with V ≥ 1, got shape \(logits.shape)")
    precondition(temperature > 0, "samplingProbabilities: the temperature must be positive, got \(temperature)")
    precondition(topK.map { $0 >= 1 && $0 <= logits.count } ?? true, "samplingProbabilities: topK must lie in 1…\(logits.count)")
    // BEGIN SOLUTION
    var scaled = logits / temperature
    if let k = topK {
        let kept = Set(logits.scalars.indices.sorted { (logits[$0], -$0) > (logits[$1], -$1) }.prefix(k))
        scaled = Tensor(shape: [logits.count], scalars: scaled.scalars.indices.map { kept.contains($0) ? scaled[$0] : -Double.infinity })
    }
    let weights = exp(scaled - scaled.max())
    return weights / weights.sum()
    // END SOLUTION
}

/// Exercise `rnn.sampling` — draw the next token.
///
/// Take exactly one number u = `generator.nextUniform()` (uniform in [0, 1))
/// and return the first index j whose cumulative probability p₀ + … + pⱼ
/// exceeds u (inverse-CDF sampling). Rounding can leave the total a hair
/// below 1: if no index qualifies, return the last one with p > 0. Using the
/// generator exactly once per token is what makes a sample replayable from its seed.
///
/// - Parameters:
///   - logits: `[V]`.
///   - temperature: τ > 0.
///   - topK: nil, or k in 1…V.
///   - generator: the seeded generator to draw u from.
/// - Returns: a token index in `0..<V`.
public func sampleToken(_ logits: Tensor, temperature: Double, topK: Int? = nil, using generator: inout SeededGenerator) -> Int {
    // BEGIN SOLUTION
    let p = samplingProbabilities(logits, temperature: temperature, topK: topK)
    let u = generator.nextUniform()
    var cumulative = 0.0
    for (j, pj) in p.scalars.enumerated() {
        cumulative += pj
        if u < cumulative { return j }
    }
    return p.scalars.lastIndex { $0 > 0 } ?? p.count - 1
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.sampling
// samplingProbabilities: @Sendable (_ logits: Tensor, _ temperature: Double, _ topK: Int?) -> Tensor
// = { Module.samplingProbabilities($0, temperature: $1, topK: $2) }
// sampleToken: @Sendable (_ logits: Tensor, _ temperature: Double, _ topK: Int?, _ generator: inout SeededGenerator) -> Int
// = { Module.sampleToken($0, temperature: $1, topK: $2, using: &$3) }
// END TABLE
