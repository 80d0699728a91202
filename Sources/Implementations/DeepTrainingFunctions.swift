import BackpropSolutions
import CourseKit
import DeepTraining
import DeepTrainingSolutions

/// Lesson 05's functions as values (learner, reference, or a mix).
///
/// The learner's module and the reference each declare their own state,
/// cache and network types, so the values here speak plain tensors: states
/// go in and come back out, a normalization's forward returns closures that
/// run its backward with the cache it captured, and randomness is passed as
/// a seed (each call makes its own `SeededGenerator(seed:)`).
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/DeepTrainingFunctions+Tables.swift`.)
extension DeepTrainingFunctions {
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
        /// Batch norm's momentum and the normalizations' ε (`DeepNetwork.batchNormMomentum`, `.normalizationEpsilon`).
        public var batchNormMomentum: Double = 0.1
        public var normalizationEpsilon: Double = 1e-5

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
}

// The generated tables call one name for both modules: `native` makes the module's own
// value (the type it is passed to picks the module), `plain` turns it back into plain values.
func native(_ n: DeepTrainingFunctions.Network) -> DeepTraining.DeepNetwork {
    let normalization: DeepTraining.Normalization = switch n.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var net = DeepTraining.DeepNetwork(layers: n.layers.map { BackpropSolutions.DenseLayer(weights: $0.weights, bias: $0.bias) },
                            normalization: normalization, dropProbability: n.dropProbability)
    net.gammas = n.gammas
    net.betas = n.betas
    net.batchNormMomentum = n.batchNormMomentum
    net.normalizationEpsilon = n.normalizationEpsilon
    net.runningStats = n.running.map { DeepTraining.BatchNormRunningStats(mean: $0.mean, variance: $0.variance) }
    return net
}

func plain(_ net: DeepTraining.DeepNetwork) -> DeepTrainingFunctions.Network {
    let kind: DeepTrainingFunctions.NormalizationKind = switch net.normalization {
    case .none: .none
    case .batch: .batch
    case .layer: .layer
    }
    var n = DeepTrainingFunctions.Network(layers: net.layers.map { ($0.weights, $0.bias) }, normalization: kind,
                                          dropProbability: net.dropProbability)
    n.gammas = net.gammas
    n.betas = net.betas
    n.batchNormMomentum = net.batchNormMomentum
    n.normalizationEpsilon = net.normalizationEpsilon
    n.running = net.runningStats.map { ($0.mean, $0.variance) }
    return n
}

func native(_ choice: DeepTrainingFunctions.OptimizerChoice) -> DeepTraining.OptimizerRule {
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

func native(_ choice: DeepTrainingFunctions.ScheduleChoice) -> DeepTraining.LearningRateSchedule {
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
    net.batchNormMomentum = n.batchNormMomentum
    net.normalizationEpsilon = n.normalizationEpsilon
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
    n.batchNormMomentum = net.batchNormMomentum
    n.normalizationEpsilon = net.normalizationEpsilon
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

func native(_ n: DeepTrainingFunctions.Network) -> DeepTrainingSolutions.DeepNetwork { networkReference(n) }
func plain(_ net: DeepTrainingSolutions.DeepNetwork) -> DeepTrainingFunctions.Network { plainReference(net) }
func native(_ choice: DeepTrainingFunctions.OptimizerChoice) -> DeepTrainingSolutions.OptimizerRule { ruleReference(choice) }
func native(_ choice: DeepTrainingFunctions.ScheduleChoice) -> DeepTrainingSolutions.LearningRateSchedule { scheduleReference(choice) }
