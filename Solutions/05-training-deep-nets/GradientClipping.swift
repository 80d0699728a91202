import CourseKit
import Foundation

/// Exercise `dnn.clipping` — gradient clipping by global norm.
///
///     n = √(Σₖ ‖gₖ‖²)          (over every element of every gradient)
///     gₖ ← gₖ · c / n   if n > c, unchanged otherwise
///
/// One factor for all the gradients, so the update keeps its direction and
/// only its length is capped. Gradients whose norm is exactly c are returned
/// unchanged (PyTorch scales by c/(n + 1e-6) instead, which touches them by
/// a factor 1 − 1e-6/c).
///
/// - Parameters:
///   - gradients: any number of tensors of any shapes.
///   - maxNorm: c > 0.
/// - Returns: the clipped gradients (the same shapes) and n, the norm before clipping.
public func clipByGlobalNorm(_ gradients: [Tensor], maxNorm: Double) -> (clipped: [Tensor], norm: Double) {
    precondition(maxNorm > 0, "clipByGlobalNorm: maxNorm must be > 0, got \(maxNorm)")
    // BEGIN SOLUTION
    let norm = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
    guard norm > maxNorm else { return (gradients, norm) }
    let scale = maxNorm / norm
    return (gradients.map { $0 * scale }, norm)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.clipping
// clipByGlobalNorm: @Sendable (_ gradients: [Tensor], _ maxNorm: Double) -> (clipped: [Tensor], norm: Double)
// = { gradients, maxNorm in let (c, n) = Module.clipByGlobalNorm(gradients, maxNorm: maxNorm); return (c, n) }
// END TABLE
