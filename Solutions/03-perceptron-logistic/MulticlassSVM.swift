import CourseKit
import Foundation

/// Exercise `classify.svm` — the multiclass SVM (hinge) loss and its subgradient.
///
/// The softmax loss wants the right class's probability near 1; the SVM loss
/// is content once the right class's score beats every other class's score by
/// at least the margin Δ. For a row of scores s with label c:
///
///     ℓ = Σ over j ≠ c of max(0, s_j − s_c + Δ)
///
/// A wrong class j that is not Δ behind costs s_j − s_c + Δ; one that is,
/// costs 0. The loss L is the mean of ℓ over the N rows. Each term with
/// s_j − s_c + Δ > 0 (an "active" margin) has slope +1 in s_j and −1 in s_c:
///
///     ∂L/∂s_j = [s_j − s_c + Δ > 0] / N          for j ≠ c
///     ∂L/∂s_c = −(the number of active margins in the row) / N
///
/// At a kink (s_j − s_c + Δ = 0 exactly) the hinge has no derivative; use 0
/// there (count only margins > 0), as the formula says. The right class's own
/// term is never in the sum.
///
/// - Parameters:
///   - scores: s, shape `[N, K]`: one row of K class scores per example.
///   - labels: N class indices in `0..<K`.
///   - margin: Δ, usually 1.
/// - Returns: the mean loss L and ∂L/∂s (shape `[N, K]`).
public func multiclassSVMLoss(_ scores: Tensor, labels: [Int], margin: Double) -> (loss: Double, dScores: Tensor) {
    // BEGIN SOLUTION
    let n = scores.shape[0], k = scores.shape[1]
    var loss = 0.0
    var dScores = Tensor.zeros([n, k])
    for i in 0..<n {
        let correct = scores[i, labels[i]]
        for j in 0..<k where j != labels[i] {
            let gap = scores[i, j] - correct + margin
            guard gap > 0 else { continue }
            loss += gap
            dScores[i, j] += 1
            dScores[i, labels[i]] -= 1
        }
    }
    return (loss / Double(n), dScores / Double(n))
    // END SOLUTION
}

// BEGIN TABLE ClassifierFunctions classify.svm
// multiclassSVMLoss: @Sendable (_ scores: Tensor, _ labels: [Int], _ margin: Double) -> (loss: Double, dScores: Tensor)
// = { Module.multiclassSVMLoss($0, labels: $1, margin: $2) }
// END TABLE
