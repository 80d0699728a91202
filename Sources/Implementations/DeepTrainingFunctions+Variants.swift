import BackpropSolutions
import ClassifiersSolutions
import CourseKit
import DeepTrainingSolutions

/// Changed copies of the reference network and training loop, for the
/// graders' known mistakes and correct rewrites (they need the reference's
/// own types, which only this module sees).
extension DeepTrainingFunctions {
    /// Ways a network's loss can differ from the reference.
    public struct NetworkChanges: Sendable {
        public var normalizeAfterReLU = false
        public var decayBiases = false
        public var penaltyOnlyInLoss = false
        public var keepRunningStatistics = true
        public var stagedBatchNormBackward = false
        public init() {}
    }

    /// The reference `deepNetworkLoss`, written out again with `changes`.
    public static func referenceNetworkLoss(with changes: NetworkChanges)
        -> @Sendable (Network, Tensor, [Int], Double, UInt64) -> (loss: Double, gradients: [Tensor], network: Network) {
        { network, X, labels, lambda, seed in
            var generator = SeededGenerator(seed: seed)
            var net = network
            let last = net.layers.count - 1
            let momentum = net.batchNormMomentum, epsilon = net.normalizationEpsilon
            var h = X
            var backwards: [@Sendable (Tensor) -> (Tensor, [Tensor])] = []   // each returns dx and [dW, db, (dγ, dβ)]
            for l in 0..<last {
                let (w, b) = net.layers[l]
                let input = h
                let a = matmul(h, w) + b
                func normalize(_ t: Tensor) -> (Tensor, DeepTrainingFunctions.NormBackward?) {
                    switch net.normalization {
                    case .none: return (t, nil)
                    case .batch:
                        var stats = BatchNormRunningStats(mean: net.running[l].mean, variance: net.running[l].variance)
                        let (out, cache) = batchNormForward(t, gamma: net.gammas[l], beta: net.betas[l], running: &stats, mode: .training,
                                                            momentum: momentum, epsilon: epsilon)
                        if changes.keepRunningStatistics { net.running[l] = (stats.mean, stats.variance) }
                        let staged = changes.stagedBatchNormBackward
                        return (out, { let r = staged ? batchNormBackward($0, cache: cache) : batchNormBackwardSimplified($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
                    case .layer:
                        let (out, cache) = layerNormForward(t, gamma: net.gammas[l], beta: net.betas[l], epsilon: epsilon)
                        return (out, { let r = layerNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
                    }
                }
                var out: Tensor
                var normBackward: DeepTrainingFunctions.NormBackward?
                var reluInput: Tensor
                if changes.normalizeAfterReLU {
                    reluInput = a
                    (out, normBackward) = normalize(maximum(a, 0))
                } else {
                    (reluInput, normBackward) = normalize(a)
                    out = maximum(reluInput, 0)
                }
                var mask: Tensor?
                if net.dropProbability > 0 {
                    let m = DeepTrainingSolutions.dropoutForward(out, dropProbability: net.dropProbability, mode: .training, using: &generator).mask
                    out = out * m
                    mask = m
                }
                h = out
                let after = changes.normalizeAfterReLU
                let frozenReluInput = reluInput, frozenMask = mask, frozenNorm = normBackward
                backwards.append { dOut in
                    var d = frozenMask.map { dOut * $0 } ?? dOut
                    var normGradients: [Tensor] = []
                    if after, let nb = frozenNorm { let r = nb(d); d = r.dx; normGradients = [r.dGamma, r.dBeta] }
                    d = d * (frozenReluInput .> 0)
                    if !after, let nb = frozenNorm { let r = nb(d); d = r.dx; normGradients = [r.dGamma, r.dBeta] }
                    return (matmul(d, w.transposed()), [matmul(input.transposed(), d), d.sum(axis: 0)] + normGradients)
                }
            }
            let (wLast, bLast) = net.layers[last]
            let scores = matmul(h, wLast) + bLast
            let (dataLoss, dScores) = ClassifiersSolutions.softmaxCrossEntropy(scores, labels: labels)
            var penalty = 0.5 * lambda * net.layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }
            if changes.decayBiases { penalty += 0.5 * lambda * net.layers.reduce(0) { $0 + ($1.bias * $1.bias).sum() } }
            let decay = changes.penaltyOnlyInLoss ? 0 : lambda
            var perLayer: [[Tensor]] = Array(repeating: [], count: net.layers.count)
            perLayer[last] = [matmul(h.transposed(), dScores) + decay * wLast,
                              dScores.sum(axis: 0) + (changes.decayBiases ? decay * bLast : Tensor.zeros(like: bLast))]
            var d = matmul(dScores, wLast.transposed())
            for l in stride(from: last - 1, through: 0, by: -1) {
                let (dx, g) = backwards[l](d)
                var grads = g
                grads[0] = grads[0] + decay * net.layers[l].weights
                if changes.decayBiases { grads[1] = grads[1] + decay * net.layers[l].bias }
                perLayer[l] = grads
                d = dx
            }
            return (dataLoss + penalty, perLayer.flatMap { $0 }, net)
        }
    }

    /// Ways a training loop can differ from the reference.
    public struct TrainingChanges: Sendable {
        public var resetOptimizerEveryStep = false
        public var ignoreSchedule = false
        public var scheduleByEpoch = false
        public var ignoreClipping = false
        public var decayEveryParameter = false
        public var penaltyInValidationLoss = false
        public init() {}
    }

    /// The reference `trainDeepNetwork`, written out again with `changes`.
    public static func referenceTrain(with changes: TrainingChanges)
        -> @Sendable (Network, Dataset, Dataset, OptimizerChoice, Double, ScheduleChoice, Int, Int, Double, Double?, UInt64)
        -> (network: Network, history: History) {
        { network, train, validation, choice, lr, scheduleChoice, epochs, batchSize, lambda, clip, seed in
            let reference = DeepTrainingFunctions.reference
            var generator = SeededGenerator(seed: seed)
            var net = network
            let fresh = Optimizer(ruleReference(choice), learningRate: lr)
            var optimizer = fresh
            let schedule = changes.ignoreSchedule ? LearningRateSchedule.constant : scheduleReference(scheduleChoice)
            var history: History = ([], [], [], [], [])
            var step = 0
            for epoch in 0..<epochs {
                for batch in train.minibatches(size: batchSize, using: &generator) {
                    if changes.resetOptimizerEveryStep { optimizer = fresh }
                    optimizer.learningRate = schedule.learningRate(atStep: changes.scheduleByEpoch ? epoch : step, base: lr)
                    history.learningRates.append(optimizer.learningRate)
                    var reference = networkReference(net)
                    let (loss, gradients) = DeepTrainingSolutions.deepNetworkLoss(&reference, batch.features, labels: batch.labels, regularization: lambda,
                                                            using: &generator)
                    net = plainReference(reference)
                    history.losses.append(loss)
                    var flat = gradients.flattened
                    if let clip, !changes.ignoreClipping { flat = DeepTrainingSolutions.clipByGlobalNorm(flat, maxNorm: clip).clipped }
                    var parameters = reference.parameters
                    optimizer.step(&parameters, gradients: flat, decaying: changes.decayEveryParameter ? nil : reference.decayedParameters)
                    reference.parameters = parameters
                    net = plainReference(reference)
                    step += 1
                }
                history.trainAccuracy.append(reference.accuracy(net, train.features, train.labels))
                history.validationAccuracy.append(reference.accuracy(net, validation.features, validation.labels))
                var validationLoss = ClassifiersSolutions.softmaxCrossEntropy(reference.networkScores(net, validation.features), labels: validation.labels).loss
                if changes.penaltyInValidationLoss { validationLoss += 0.5 * lambda * net.layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() } }
                history.validationLoss.append(validationLoss)
            }
            return (net, history)
        }
    }
}
