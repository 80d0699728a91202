import BackpropSolutions
import CourseKit
import DeepTraining
import DeepTrainingSolutions

// The learner's block and the reference's block below are the same code with
// the module name swapped: keep them in step.

/// Lesson 05's functions as values (learner, reference, or a mix).
///
/// The learner's module and the reference each declare their own state,
/// cache and network types, so the values here speak plain tensors: states
/// go in and come back out, a normalization's forward returns closures that
/// run its backward with the cache it captured, and randomness is passed as
/// a seed (each call makes its own `SeededGenerator(seed:)`).
public struct DeepTrainingFunctions: Sendable {
    public typealias Layers = [(weights: Tensor, bias: Tensor)]
    public typealias Initializer = @Sendable (_ shape: [Int], _ seed: UInt64) -> Tensor
    public typealias MomentumRule = @Sendable (_ w: Tensor, _ gradient: Tensor, _ velocity: Tensor, _ learningRate: Double, _ momentum: Double)
        -> (w: Tensor, velocity: Tensor)
    public typealias Adam = (firstMoment: Tensor, secondMoment: Tensor, step: Int)
    public typealias Running = (mean: Tensor, variance: Tensor)
    public typealias NormBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor)

    public enum NormalizationKind: Sendable, Equatable { case none, batch, layer }

    /// A network as plain values (see `DeepTrainingSolutions.DeepNetwork`).
    public struct Network: Sendable {
        public var layers: Layers
        public var normalization: NormalizationKind
        public var gammas: [Tensor]
        public var betas: [Tensor]
        public var running: [Running]
        public var dropProbability: Double

        public init(layers: Layers, normalization: NormalizationKind = .none, dropProbability: Double = 0) {
            self.layers = layers
            self.normalization = normalization
            self.dropProbability = dropProbability
            let sizes = layers.dropLast().map { $0.bias.count }
            gammas = normalization == .none ? [] : sizes.map { Tensor.ones([$0]) }
            betas = normalization == .none ? [] : sizes.map { Tensor.zeros([$0]) }
            running = normalization == .batch ? sizes.map { (Tensor.zeros([$0]), Tensor.ones([$0])) } : []
        }

        /// W, b, γ, β of every layer, in `DeepNetwork.parameters`' order.
        public var parameters: [Tensor] {
            layers.indices.flatMap { l in
                l < gammas.count ? [layers[l].weights, layers[l].bias, gammas[l], betas[l]] : [layers[l].weights, layers[l].bias]
            }
        }

        /// The same network with `parameters` replaced.
        public func with(parameters: [Tensor]) -> Network {
            var copy = self
            var index = 0
            for l in layers.indices {
                copy.layers[l] = (parameters[index], parameters[index + 1])
                index += 2
                if l < gammas.count {
                    copy.gammas[l] = parameters[index]
                    copy.betas[l] = parameters[index + 1]
                    index += 2
                }
            }
            return copy
        }
    }

    public enum OptimizerChoice: Sendable, Equatable {
        case sgd
        case momentum(Double)
        case nesterov(Double)
        case adagrad(epsilon: Double)
        case rmsprop(decayRate: Double, epsilon: Double)
        case adam(beta1: Double, beta2: Double, epsilon: Double)
        case adamW(beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double)
    }

    public enum ScheduleChoice: Sendable, Equatable {
        case constant
        case stepDecay(dropEvery: Int, factor: Double)
        case cosineWarmup(warmupSteps: Int, totalSteps: Int, minimumLearningRate: Double)
    }

    public typealias History = (losses: [Double], learningRates: [Double], trainAccuracy: [Double], validationAccuracy: [Double],
                                validationLoss: [Double])

    public var fans: @Sendable (_ shape: [Int]) -> (fanIn: Int, fanOut: Int)
    public var xavierNormal: Initializer
    public var xavierUniform: Initializer
    public var heNormal: Initializer
    public var heUniform: Initializer
    public var momentum: MomentumRule
    public var nesterov: MomentumRule
    public var adagrad: @Sendable (_ w: Tensor, _ gradient: Tensor, _ sum: Tensor, _ learningRate: Double, _ epsilon: Double)
        -> (w: Tensor, sum: Tensor)
    public var rmsprop: @Sendable (_ w: Tensor, _ gradient: Tensor, _ average: Tensor, _ learningRate: Double, _ decayRate: Double,
                                   _ epsilon: Double) -> (w: Tensor, average: Tensor)
    public var adam: @Sendable (_ w: Tensor, _ gradient: Tensor, _ state: Adam, _ learningRate: Double, _ beta1: Double, _ beta2: Double,
                                _ epsilon: Double) -> (w: Tensor, state: Adam)
    public var adamW: @Sendable (_ w: Tensor, _ gradient: Tensor, _ state: Adam, _ learningRate: Double, _ beta1: Double, _ beta2: Double,
                                 _ epsilon: Double, _ weightDecay: Double) -> (w: Tensor, state: Adam)
    public var l2Penalty: @Sendable (_ layers: Layers, _ strength: Double) -> (penalty: Double, gradients: Layers)
    /// `training` false means inference mode.
    public var dropoutForward: @Sendable (_ x: Tensor, _ dropProbability: Double, _ training: Bool, _ seed: UInt64) -> (out: Tensor, mask: Tensor)
    public var dropoutBackward: @Sendable (_ dOut: Tensor, _ mask: Tensor) -> Tensor
    public var clipByGlobalNorm: @Sendable (_ gradients: [Tensor], _ maxNorm: Double) -> (clipped: [Tensor], norm: Double)
    public var batchNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ running: Running, _ training: Bool, _ momentum: Double,
                                     _ epsilon: Double) -> (out: Tensor, running: Running, backward: NormBackward, simplified: NormBackward)
    public var layerNorm: @Sendable (_ x: Tensor, _ gamma: Tensor, _ beta: Tensor, _ epsilon: Double) -> (out: Tensor, backward: NormBackward)
    public var stepDecay: @Sendable (_ step: Int, _ initialLearningRate: Double, _ dropEvery: Int, _ factor: Double) -> Double
    public var cosineWarmup: @Sendable (_ step: Int, _ maximum: Double, _ warmupSteps: Int, _ totalSteps: Int, _ minimum: Double) -> Double
    public var networkScores: @Sendable (_ network: Network, _ X: Tensor) -> Tensor
    /// The loss, the gradients in `Network.parameters`' order, and the network with its running statistics updated.
    public var networkLoss: @Sendable (_ network: Network, _ X: Tensor, _ labels: [Int], _ regularization: Double, _ seed: UInt64)
        -> (loss: Double, gradients: [Tensor], network: Network)
    public var accuracy: @Sendable (_ network: Network, _ X: Tensor, _ labels: [Int]) -> Double
    public var train: @Sendable (_ network: Network, _ train: Dataset, _ validation: Dataset, _ optimizer: OptimizerChoice, _ learningRate: Double,
                                 _ schedule: ScheduleChoice, _ epochs: Int, _ batchSize: Int, _ regularization: Double, _ clipNorm: Double?,
                                 _ seed: UInt64) -> (network: Network, history: History)

    /// The learner's code in `Lessons/05-training-deep-nets`.
    public static let learner = DeepTrainingFunctions(
        fans: { shape in let f = DeepTraining.fans(ofShape: shape); return (f.fanIn, f.fanOut) },
        xavierNormal: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTraining.xavierNormal(shape, using: &g) },
        xavierUniform: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTraining.xavierUniform(shape, using: &g) },
        heNormal: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTraining.heNormal(shape, using: &g) },
        heUniform: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTraining.heUniform(shape, using: &g) },
        momentum: { w, g, v, lr, mu in
            var velocity = v
            let out = DeepTraining.sgdMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
            return (out, velocity)
        },
        nesterov: { w, g, v, lr, mu in
            var velocity = v
            let out = DeepTraining.nesterovMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
            return (out, velocity)
        },
        adagrad: { w, g, s, lr, eps in
            var sum = s
            let out = DeepTraining.adagradUpdate(w, gradient: g, squaredGradientSum: &sum, learningRate: lr, epsilon: eps)
            return (out, sum)
        },
        rmsprop: { w, g, s, lr, rho, eps in
            var average = s
            let out = DeepTraining.rmspropUpdate(w, gradient: g, squaredGradientAverage: &average, learningRate: lr, decayRate: rho, epsilon: eps)
            return (out, average)
        },
        adam: { w, g, s, lr, b1, b2, eps in
            var state = DeepTraining.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
            let out = DeepTraining.adamUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
            return (out, (state.firstMoment, state.secondMoment, state.step))
        },
        adamW: { w, g, s, lr, b1, b2, eps, wd in
            var state = DeepTraining.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
            let out = DeepTraining.adamWUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
            return (out, (state.firstMoment, state.secondMoment, state.step))
        },
        l2Penalty: { layers, strength in
            let (penalty, gradients) = DeepTraining.l2Penalty(layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) }, strength: strength)
            return (penalty, gradients.map { ($0.weights, $0.bias) })
        },
        dropoutForward: { x, p, training, seed in
            var g = SeededGenerator(seed: seed)
            let (out, mask) = DeepTraining.dropoutForward(x, dropProbability: p, mode: training ? .training : .inference, using: &g)
            return (out, mask)
        },
        dropoutBackward: { dOut, mask in DeepTraining.dropoutBackward(dOut, mask: mask) },
        clipByGlobalNorm: { gradients, maxNorm in let (c, n) = DeepTraining.clipByGlobalNorm(gradients, maxNorm: maxNorm); return (c, n) },
        batchNorm: { x, gamma, beta, running, training, momentum, eps in
            var stats = DeepTraining.BatchNormRunningStats(mean: running.mean, variance: running.variance)
            let (out, cache) = DeepTraining.batchNormForward(x, gamma: gamma, beta: beta, running: &stats, mode: training ? .training : .inference,
                                                  momentum: momentum, epsilon: eps)
            return (out, (stats.mean, stats.variance),
                    { let r = DeepTraining.batchNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) },
                    { let r = DeepTraining.batchNormBackwardSimplified($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
        },
        layerNorm: { x, gamma, beta, eps in
            let (out, cache) = DeepTraining.layerNormForward(x, gamma: gamma, beta: beta, epsilon: eps)
            return (out, { let r = DeepTraining.layerNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
        },
        stepDecay: { step, lr, every, factor in DeepTraining.stepDecayLearningRate(step: step, initialLearningRate: lr, dropEvery: every, factor: factor) },
        cosineWarmup: { step, maximum, warmup, total, minimum in
            DeepTraining.cosineWarmupLearningRate(step: step, maximumLearningRate: maximum, warmupSteps: warmup, totalSteps: total,
                                       minimumLearningRate: minimum)
        },
        networkScores: { network, X in DeepTraining.deepNetworkScores(networkLearner(network), X) },
        networkLoss: { network, X, labels, lambda, seed in
            var net = networkLearner(network)
            var g = SeededGenerator(seed: seed)
            let (loss, gradients) = DeepTraining.deepNetworkLoss(&net, X, labels: labels, regularization: lambda, using: &g)
            return (loss, gradients.flattened, plainLearner(net))
        },
        accuracy: { network, X, labels in DeepTraining.deepNetworkAccuracy(networkLearner(network), X, labels: labels) },
        train: { network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed in
            let (net, _, h) = DeepTraining.trainDeepNetwork(networkLearner(network), train: train, validation: validation,
                                                 optimizer: DeepTraining.Optimizer(ruleLearner(optimizer), learningRate: lr), schedule: scheduleLearner(schedule),
                                                 epochs: epochs, batchSize: batchSize, regularization: lambda, clipNorm: clip, seed: seed)
            return (plainLearner(net), (h.losses, h.learningRates, h.trainAccuracy, h.validationAccuracy, h.validationLoss))
        })

    /// The reference solutions in `Solutions/05-training-deep-nets`.
    public static let reference = DeepTrainingFunctions(
        fans: { shape in let f = DeepTrainingSolutions.fans(ofShape: shape); return (f.fanIn, f.fanOut) },
        xavierNormal: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTrainingSolutions.xavierNormal(shape, using: &g) },
        xavierUniform: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTrainingSolutions.xavierUniform(shape, using: &g) },
        heNormal: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTrainingSolutions.heNormal(shape, using: &g) },
        heUniform: { shape, seed in var g = SeededGenerator(seed: seed); return DeepTrainingSolutions.heUniform(shape, using: &g) },
        momentum: { w, g, v, lr, mu in
            var velocity = v
            let out = DeepTrainingSolutions.sgdMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
            return (out, velocity)
        },
        nesterov: { w, g, v, lr, mu in
            var velocity = v
            let out = DeepTrainingSolutions.nesterovMomentumUpdate(w, gradient: g, velocity: &velocity, learningRate: lr, momentum: mu)
            return (out, velocity)
        },
        adagrad: { w, g, s, lr, eps in
            var sum = s
            let out = DeepTrainingSolutions.adagradUpdate(w, gradient: g, squaredGradientSum: &sum, learningRate: lr, epsilon: eps)
            return (out, sum)
        },
        rmsprop: { w, g, s, lr, rho, eps in
            var average = s
            let out = DeepTrainingSolutions.rmspropUpdate(w, gradient: g, squaredGradientAverage: &average, learningRate: lr, decayRate: rho, epsilon: eps)
            return (out, average)
        },
        adam: { w, g, s, lr, b1, b2, eps in
            var state = DeepTrainingSolutions.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
            let out = DeepTrainingSolutions.adamUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
            return (out, (state.firstMoment, state.secondMoment, state.step))
        },
        adamW: { w, g, s, lr, b1, b2, eps, wd in
            var state = DeepTrainingSolutions.AdamState(firstMoment: s.firstMoment, secondMoment: s.secondMoment, step: s.step)
            let out = DeepTrainingSolutions.adamWUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
            return (out, (state.firstMoment, state.secondMoment, state.step))
        },
        l2Penalty: { layers, strength in
            let (penalty, gradients) = DeepTrainingSolutions.l2Penalty(layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) }, strength: strength)
            return (penalty, gradients.map { ($0.weights, $0.bias) })
        },
        dropoutForward: { x, p, training, seed in
            var g = SeededGenerator(seed: seed)
            let (out, mask) = DeepTrainingSolutions.dropoutForward(x, dropProbability: p, mode: training ? .training : .inference, using: &g)
            return (out, mask)
        },
        dropoutBackward: { dOut, mask in DeepTrainingSolutions.dropoutBackward(dOut, mask: mask) },
        clipByGlobalNorm: { gradients, maxNorm in let (c, n) = DeepTrainingSolutions.clipByGlobalNorm(gradients, maxNorm: maxNorm); return (c, n) },
        batchNorm: { x, gamma, beta, running, training, momentum, eps in
            var stats = DeepTrainingSolutions.BatchNormRunningStats(mean: running.mean, variance: running.variance)
            let (out, cache) = DeepTrainingSolutions.batchNormForward(x, gamma: gamma, beta: beta, running: &stats, mode: training ? .training : .inference,
                                                  momentum: momentum, epsilon: eps)
            return (out, (stats.mean, stats.variance),
                    { let r = DeepTrainingSolutions.batchNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) },
                    { let r = DeepTrainingSolutions.batchNormBackwardSimplified($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
        },
        layerNorm: { x, gamma, beta, eps in
            let (out, cache) = DeepTrainingSolutions.layerNormForward(x, gamma: gamma, beta: beta, epsilon: eps)
            return (out, { let r = DeepTrainingSolutions.layerNormBackward($0, cache: cache); return (r.dx, r.dGamma, r.dBeta) })
        },
        stepDecay: { step, lr, every, factor in DeepTrainingSolutions.stepDecayLearningRate(step: step, initialLearningRate: lr, dropEvery: every, factor: factor) },
        cosineWarmup: { step, maximum, warmup, total, minimum in
            DeepTrainingSolutions.cosineWarmupLearningRate(step: step, maximumLearningRate: maximum, warmupSteps: warmup, totalSteps: total,
                                       minimumLearningRate: minimum)
        },
        networkScores: { network, X in DeepTrainingSolutions.deepNetworkScores(networkReference(network), X) },
        networkLoss: { network, X, labels, lambda, seed in
            var net = networkReference(network)
            var g = SeededGenerator(seed: seed)
            let (loss, gradients) = DeepTrainingSolutions.deepNetworkLoss(&net, X, labels: labels, regularization: lambda, using: &g)
            return (loss, gradients.flattened, plainReference(net))
        },
        accuracy: { network, X, labels in DeepTrainingSolutions.deepNetworkAccuracy(networkReference(network), X, labels: labels) },
        train: { network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed in
            let (net, _, h) = DeepTrainingSolutions.trainDeepNetwork(networkReference(network), train: train, validation: validation,
                                                 optimizer: DeepTrainingSolutions.Optimizer(ruleReference(optimizer), learningRate: lr), schedule: scheduleReference(schedule),
                                                 epochs: epochs, batchSize: batchSize, regularization: lambda, clipNorm: clip, seed: seed)
            return (plainReference(net), (h.losses, h.learningRates, h.trainAccuracy, h.validationAccuracy, h.validationLoss))
        })

    /// The dropout masks `deepNetworkLoss` draws with this seed (one `dropoutForward` per hidden
    /// layer, in layer order, from one generator, as the exercise prescribes), for hidden
    /// activations of these shapes: lets a grader see the pre-activations the loss will see.
    public static func dropoutMasks(hiddenShapes: [[Int]], dropProbability: Double, seed: UInt64) -> [Tensor] {
        var generator = SeededGenerator(seed: seed)
        return hiddenShapes.map {
            DeepTrainingSolutions.dropoutForward(Tensor.zeros($0), dropProbability: dropProbability, mode: .training,
                                                 using: &generator).mask
        }
    }

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> DeepTrainingFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("dnn.initialization") {
            (mix.fans, mix.xavierNormal, mix.xavierUniform, mix.heNormal, mix.heUniform)
                = (learner.fans, learner.xavierNormal, learner.xavierUniform, learner.heNormal, learner.heUniform)
        }
        if passed.contains("dnn.momentum") { (mix.momentum, mix.nesterov) = (learner.momentum, learner.nesterov) }
        if passed.contains("dnn.adaptive") { (mix.adagrad, mix.rmsprop) = (learner.adagrad, learner.rmsprop) }
        if passed.contains("dnn.adam") { (mix.adam, mix.adamW) = (learner.adam, learner.adamW) }
        if passed.contains("dnn.l2") { mix.l2Penalty = learner.l2Penalty }
        if passed.contains("dnn.dropout") { (mix.dropoutForward, mix.dropoutBackward) = (learner.dropoutForward, learner.dropoutBackward) }
        if passed.contains("dnn.clipping") { mix.clipByGlobalNorm = learner.clipByGlobalNorm }
        if passed.contains("dnn.batchNorm") { mix.batchNorm = learner.batchNorm }
        if passed.contains("dnn.layerNorm") { mix.layerNorm = learner.layerNorm }
        if passed.contains("dnn.schedules") { (mix.stepDecay, mix.cosineWarmup) = (learner.stepDecay, learner.cosineWarmup) }
        // The learner's network and training loop call the learner's own layers and
        // optimizers, so they are used only when everything they call has passed too.
        let everything: Set<String> = ["dnn.momentum", "dnn.adaptive", "dnn.adam", "dnn.l2", "dnn.dropout", "dnn.clipping",
                                       "dnn.batchNorm", "dnn.layerNorm", "dnn.schedules", "dnn.network"]
        if everything.isSubset(of: passed) {
            (mix.networkScores, mix.networkLoss) = (learner.networkScores, learner.networkLoss)
            if passed.contains("dnn.training") { (mix.accuracy, mix.train) = (learner.accuracy, learner.train) }
        }
        return mix
    }
}

private func networkLearner(_ n: DeepTrainingFunctions.Network) -> DeepTraining.DeepNetwork {
    let normalization: DeepTraining.Normalization = switch n.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var net = DeepTraining.DeepNetwork(layers: n.layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) },
                            normalization: normalization, dropProbability: n.dropProbability)
    net.gammas = n.gammas
    net.betas = n.betas
    net.runningStats = n.running.map { DeepTraining.BatchNormRunningStats(mean: $0.mean, variance: $0.variance) }
    return net
}

private func plainLearner(_ net: DeepTraining.DeepNetwork) -> DeepTrainingFunctions.Network {
    let kind: DeepTrainingFunctions.NormalizationKind = switch net.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var n = DeepTrainingFunctions.Network(layers: net.layers.map { ($0.weights, $0.bias) }, normalization: kind,
                                          dropProbability: net.dropProbability)
    n.gammas = net.gammas
    n.betas = net.betas
    n.running = net.runningStats.map { ($0.mean, $0.variance) }
    return n
}

private func ruleLearner(_ choice: DeepTrainingFunctions.OptimizerChoice) -> DeepTraining.OptimizerRule {
    switch choice {
    case .sgd: .sgd
    case .momentum(let mu): .momentum(mu)
    case .nesterov(let mu): .nesterov(mu)
    case .adagrad(let eps): .adagrad(epsilon: eps)
    case .rmsprop(let rho, let eps): .rmsprop(decayRate: rho, epsilon: eps)
    case .adam(let b1, let b2, let eps): .adam(beta1: b1, beta2: b2, epsilon: eps)
    case .adamW(let b1, let b2, let eps, let wd): .adamW(beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
    }
}

private func scheduleLearner(_ choice: DeepTrainingFunctions.ScheduleChoice) -> DeepTraining.LearningRateSchedule {
    switch choice {
    case .constant: .constant
    case .stepDecay(let every, let factor): .stepDecay(dropEvery: every, factor: factor)
    case .cosineWarmup(let w, let t, let m): .cosineWarmup(warmupSteps: w, totalSteps: t, minimumLearningRate: m)
    }
}

func networkReference(_ n: DeepTrainingFunctions.Network) -> DeepTrainingSolutions.DeepNetwork {
    let normalization: DeepTrainingSolutions.Normalization = switch n.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var net = DeepTrainingSolutions.DeepNetwork(layers: n.layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) },
                            normalization: normalization, dropProbability: n.dropProbability)
    net.gammas = n.gammas
    net.betas = n.betas
    net.runningStats = n.running.map { DeepTrainingSolutions.BatchNormRunningStats(mean: $0.mean, variance: $0.variance) }
    return net
}

func plainReference(_ net: DeepTrainingSolutions.DeepNetwork) -> DeepTrainingFunctions.Network {
    let kind: DeepTrainingFunctions.NormalizationKind = switch net.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var n = DeepTrainingFunctions.Network(layers: net.layers.map { ($0.weights, $0.bias) }, normalization: kind,
                                          dropProbability: net.dropProbability)
    n.gammas = net.gammas
    n.betas = net.betas
    n.running = net.runningStats.map { ($0.mean, $0.variance) }
    return n
}

func ruleReference(_ choice: DeepTrainingFunctions.OptimizerChoice) -> DeepTrainingSolutions.OptimizerRule {
    switch choice {
    case .sgd: .sgd
    case .momentum(let mu): .momentum(mu)
    case .nesterov(let mu): .nesterov(mu)
    case .adagrad(let eps): .adagrad(epsilon: eps)
    case .rmsprop(let rho, let eps): .rmsprop(decayRate: rho, epsilon: eps)
    case .adam(let b1, let b2, let eps): .adam(beta1: b1, beta2: b2, epsilon: eps)
    case .adamW(let b1, let b2, let eps, let wd): .adamW(beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
    }
}

func scheduleReference(_ choice: DeepTrainingFunctions.ScheduleChoice) -> DeepTrainingSolutions.LearningRateSchedule {
    switch choice {
    case .constant: .constant
    case .stepDecay(let every, let factor): .stepDecay(dropEvery: every, factor: factor)
    case .cosineWarmup(let w, let t, let m): .cosineWarmup(warmupSteps: w, totalSteps: t, minimumLearningRate: m)
    }
}
