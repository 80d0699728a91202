import CourseKit
import DeepTrainingSolutions
import Foundation

/// Exercise `transformer.trainingStep` — one update of a Transformer's
/// parameters, the way they are usually trained: clip, schedule, Adam.
///
/// 1. Clip all the gradients together by their global norm (lesson 05's
///    `clipByGlobalNorm`): one factor for every tensor, so the update keeps
///    its direction. Record the norm before clipping.
/// 2. Set the optimizer's learning rate for this step from lesson 05's
///    `cosineWarmupLearningRate` (linear warmup (t + 1)/W, then cosine decay
///    to 0; the first update is step 0).
/// 3. Take the optimizer's step (lesson 05's `Optimizer`, e.g. `.adam`) with
///    the clipped gradients.
///
/// Attention's early steps are fragile (a few large gradients through the
/// softmax can wreck the first updates of Adam, whose v̂ starts tiny): the
/// warmup and the clipping are what keep them small.
///
/// - Parameters:
///   - parameters: every trainable tensor; updated.
///   - gradients: one per parameter, the same shapes.
///   - optimizer: lesson 05's optimizer with its state; updated (its learning rate too).
///   - step: t ≥ 0, this update's number.
///   - maximumLearningRate: η_max, reached at the end of the warmup.
///   - warmupSteps: W ≥ 0.
///   - totalSteps: T > W, where the cosine reaches 0.
///   - maxGradientNorm: c > 0.
/// - Returns: the learning rate used and the global gradient norm before clipping.
public func transformerTrainingStep(_ parameters: inout [Tensor], gradients: [Tensor], optimizer: inout Optimizer, step: Int,
                                    maximumLearningRate: Double, warmupSteps: Int, totalSteps: Int, maxGradientNorm: Double)
    -> (learningRate: Double, gradientNorm: Double) {
    precondition(parameters.count == gradients.count,
                 "transformerTrainingStep: \(parameters.count) parameters but \(gradients.count) gradients")
    // BEGIN SOLUTION
    let (clipped, norm) = clipByGlobalNorm(gradients, maxNorm: maxGradientNorm)
    let learningRate = cosineWarmupLearningRate(step: step, maximumLearningRate: maximumLearningRate,
                                                warmupSteps: warmupSteps, totalSteps: totalSteps)
    optimizer.learningRate = learningRate
    optimizer.step(&parameters, gradients: clipped)
    return (learningRate, norm)
    // END SOLUTION
}

// BEGIN TABLE TransformersFunctions transformer.trainingStep
// trainingStep: @Sendable (_ parameters: [Tensor], _ gradients: [Tensor], _ optimizer: Optimizer, _ step: Int,
//     _ schedule: Schedule, _ maxGradientNorm: Double)
//     -> (parameters: [Tensor], optimizer: Optimizer, learningRate: Double, gradientNorm: Double)
// = { parameters, gradients, optimizer, step, schedule, maxNorm in
//     var (p, o) = (parameters, optimizer)
//     let (lr, norm) = Module.transformerTrainingStep(&p, gradients: gradients, optimizer: &o, step: step,
//                                                     maximumLearningRate: schedule.maximumLearningRate,
//                                                     warmupSteps: schedule.warmupSteps, totalSteps: schedule.totalSteps,
//                                                     maxGradientNorm: maxNorm)
//     return (p, o, lr, norm)
// }
// END TABLE
