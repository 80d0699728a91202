import CourseKit
import Foundation

/// Exercise `dnn.schedules` — step decay: the learning rate is multiplied by
/// `factor` every `dropEvery` steps.
///
///     η(t) = η₀ · factor^⌊t / dropEvery⌋
///
/// Steps count from 0: steps 0 … dropEvery − 1 use η₀ itself.
///
/// - Parameters:
///   - step: t ≥ 0 (an update or an epoch, whichever the caller counts).
///   - initialLearningRate: η₀ > 0.
///   - dropEvery: ≥ 1.
///   - factor: in (0, 1], e.g. 0.1.
/// - Returns: η(t).
public func stepDecayLearningRate(step: Int, initialLearningRate: Double, dropEvery: Int, factor: Double) -> Double {
    precondition(step >= 0 && dropEvery >= 1, "stepDecayLearningRate: needs step ≥ 0 and dropEvery ≥ 1, got \(step), \(dropEvery)")
    // BEGIN SOLUTION
    return initialLearningRate * pow(factor, Double(step / dropEvery))
    // END SOLUTION
}

/// Exercise `dnn.schedules` — cosine decay after a linear warmup.
///
/// Steps count from 0 (the first update is step 0):
///
///     t < W:        η(t) = η_max · (t + 1)/W          (so step 0 is not wasted at η = 0
///                                                     and step W − 1 reaches η_max)
///     W ≤ t < T:    η(t) = η_min + ½(η_max − η_min)(1 + cos(π·(t − W)/(T − W)))
///     t ≥ T:        η(t) = η_min
///
/// Some libraries warm up with t/W instead (their step 0 has η = 0).
///
/// - Parameters:
///   - step: t ≥ 0.
///   - maximumLearningRate: η_max > 0, reached at the end of the warmup.
///   - warmupSteps: W ≥ 0 (0: no warmup).
///   - totalSteps: T > W.
///   - minimumLearningRate: η_min, 0 ≤ η_min ≤ η_max.
/// - Returns: η(t).
public func cosineWarmupLearningRate(step: Int, maximumLearningRate: Double, warmupSteps: Int, totalSteps: Int,
                                     minimumLearningRate: Double = 0) -> Double {
    precondition(step >= 0 && warmupSteps >= 0 && totalSteps > warmupSteps,
                 "cosineWarmupLearningRate: needs step ≥ 0 and 0 ≤ warmupSteps < totalSteps, got \(step), \(warmupSteps), \(totalSteps)")
    // BEGIN SOLUTION
    if step < warmupSteps { return maximumLearningRate * Double(step + 1) / Double(warmupSteps) }
    if step >= totalSteps { return minimumLearningRate }
    let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
    return minimumLearningRate + 0.5 * (maximumLearningRate - minimumLearningRate) * (1 + cos(Double.pi * progress))
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.schedules
// stepDecay: @Sendable (_ step: Int, _ initialLearningRate: Double, _ dropEvery: Int, _ factor: Double) -> Double
// = { step, lr, every, factor in Module.stepDecayLearningRate(step: step, initialLearningRate: lr, dropEvery: every, factor: factor) }
// cosineWarmup: @Sendable (_ step: Int, _ maximum: Double, _ warmupSteps: Int, _ totalSteps: Int, _ minimum: Double) -> Double
// = { step, maximum, warmup, total, minimum in
//     Module.cosineWarmupLearningRate(step: step, maximumLearningRate: maximum, warmupSteps: warmup, totalSteps: total,
//                                     minimumLearningRate: minimum)
// }
// END TABLE
