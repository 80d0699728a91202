import ClassifiersSolutions
import CourseKit
import Foundation

/// What `trainDeepNetwork` records.
public struct DeepTrainingHistory: Sendable {
    /// The training loss of every minibatch (with the L2 penalty), computed before its step.
    public var losses: [Double] = []
    /// The learning rate of every step.
    public var learningRates: [Double] = []
    /// Accuracy on the whole training set after each epoch, in inference mode.
    public var trainAccuracy: [Double] = []
    /// Accuracy on the validation set after each epoch, in inference mode.
    public var validationAccuracy: [Double] = []
    /// The mean cross-entropy on the validation set after each epoch, in inference mode, without the L2 penalty.
    public var validationLoss: [Double] = []

    public init() {}
}

/// Exercise `dnn.training` — the fraction of rows whose highest inference-mode score is the label.
///
/// - Parameters:
///   - network: the network.
///   - X: `[N, D_0]`.
///   - labels: N class indices.
/// - Returns: a number in [0, 1].
public func deepNetworkAccuracy(_ network: DeepNetwork, _ X: Tensor, labels: [Int]) -> Double {
    // BEGIN SOLUTION
    let predictions = deepNetworkScores(network, X).argmax(axis: 1).scalars
    return Double(zip(predictions, labels).filter { Int($0) == $1 }.count) / Double(labels.count)
    // END SOLUTION
}

/// Exercise `dnn.training` — minibatch training with any optimizer and schedule.
///
/// Make one generator, `var generator = SeededGenerator(seed: seed)`, and
/// remember η₀ = `optimizer.learningRate`. For each epoch, for each minibatch of
/// `train.minibatches(size: batchSize, using: &generator)` (a fresh shuffle
/// every epoch), with s the number of updates so far (0 for the first):
///
/// 1. set `optimizer.learningRate = schedule.learningRate(atStep: s, base: η₀)`
///    and append it to `history.learningRates`;
/// 2. compute `deepNetworkLoss` (its dropout masks drawn from the same
///    generator) and append the loss to `history.losses`;
/// 3. if `clipNorm` is given, clip the gradients (`flattened`) with `clipByGlobalNorm`;
/// 4. take `optimizer.step` on `network.parameters`, with
///    `decaying: network.decayedParameters`.
///
/// After each epoch append, in inference mode, the accuracy on `train` and on
/// `validation`, and the validation cross-entropy (no penalty).
///
/// - Parameters:
///   - network: the starting network.
///   - train: the training set (features `[N, D_0]`, labels).
///   - validation: held-out examples, never trained on.
///   - optimizer: the update rule, its η₀ and any state it already holds.
///   - schedule: how η changes with the step.
///   - epochs, batchSize: as named.
///   - regularization: λ of the L2 penalty in the loss (use 0 with AdamW's decoupled decay).
///   - clipNorm: the maximum global gradient norm, or nil for no clipping.
///   - seed: seeds the shuffles and the dropout masks.
/// - Returns: the trained network, the optimizer with its state, and the history.
public func trainDeepNetwork(_ network: DeepNetwork, train: Dataset, validation: Dataset, optimizer: Optimizer,
                             schedule: LearningRateSchedule = .constant, epochs: Int, batchSize: Int, regularization: Double,
                             clipNorm: Double? = nil, seed: UInt64)
    -> (network: DeepNetwork, optimizer: Optimizer, history: DeepTrainingHistory) {
    precondition(epochs >= 0 && batchSize >= 1, "trainDeepNetwork: needs epochs ≥ 0 and batchSize ≥ 1")
    // BEGIN SOLUTION
    var generator = SeededGenerator(seed: seed)
    var network = network, optimizer = optimizer, history = DeepTrainingHistory()
    let base = optimizer.learningRate
    var step = 0
    for _ in 0..<epochs {
        for batch in train.minibatches(size: batchSize, using: &generator) {
            optimizer.learningRate = schedule.learningRate(atStep: step, base: base)
            history.learningRates.append(optimizer.learningRate)
            let (loss, gradients) = deepNetworkLoss(&network, batch.features, labels: batch.labels,
                                                    regularization: regularization, using: &generator)
            history.losses.append(loss)
            var flat = gradients.flattened
            if let clipNorm { flat = clipByGlobalNorm(flat, maxNorm: clipNorm).clipped }
            var parameters = network.parameters
            optimizer.step(&parameters, gradients: flat, decaying: network.decayedParameters)
            network.parameters = parameters
            step += 1
        }
        history.trainAccuracy.append(deepNetworkAccuracy(network, train.features, labels: train.labels))
        history.validationAccuracy.append(deepNetworkAccuracy(network, validation.features, labels: validation.labels))
        history.validationLoss.append(softmaxCrossEntropy(deepNetworkScores(network, validation.features),
                                                          labels: validation.labels).loss)
    }
    return (network, optimizer, history)
    // END SOLUTION
}


/// An update rule and its hyperparameters (η is kept by `Optimizer`, so a
/// schedule can change it between steps).
public enum OptimizerRule: Sendable, Equatable {
    /// w ← w − η·g.
    case sgd
    /// `sgdMomentumUpdate` with momentum μ.
    case momentum(Double)
    /// `nesterovMomentumUpdate` with momentum μ.
    case nesterov(Double)
    /// `adagradUpdate`.
    case adagrad(epsilon: Double)
    /// `rmspropUpdate`.
    case rmsprop(decayRate: Double, epsilon: Double)
    /// `adamUpdate`.
    case adam(beta1: Double, beta2: Double, epsilon: Double)
    /// `adamWUpdate`, decaying the parameters marked in `Optimizer.step`'s `decaying`.
    case adamW(beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double)

    /// A short name for tables and legends, e.g. "Adam".
    public var name: String {
        switch self {
        case .sgd: "SGD"
        case .momentum: "Momentum"
        case .nesterov: "Nesterov"
        case .adagrad: "AdaGrad"
        case .rmsprop: "RMSprop"
        case .adam: "Adam"
        case .adamW: "AdamW"
        }
    }
}

/// One parameter's optimizer state.
public enum OptimizerSlot: Sendable, Equatable {
    /// Plain SGD keeps nothing.
    case stateless
    /// The velocity (momentum, Nesterov) or the squared-gradient sum/average (AdaGrad, RMSprop), the parameter's shape.
    case buffer(Tensor)
    /// Adam's and AdamW's moments and step count.
    case adam(AdamState)
}

/// An update rule applied to a list of parameters, with each parameter's state
/// kept between steps (a value type: copy it to branch an experiment).
///
/// ```swift
/// var optimizer = Optimizer.adam(learningRate: 1e-3)
/// var parameters = network.parameters
/// optimizer.step(&parameters, gradients: gradients.flattened)
/// network.parameters = parameters
/// ```
///
/// The states are created, at zero, on the first `step`; every later step must
/// pass the same number of parameters with the same shapes. Set
/// `learningRate` between steps to follow a schedule.
public struct Optimizer: Sendable {
    public var rule: OptimizerRule
    /// η, used by the next `step`.
    public var learningRate: Double
    /// One state per parameter, in the order of the parameters; empty before the first step.
    public private(set) var slots: [OptimizerSlot] = []

    public init(_ rule: OptimizerRule, learningRate: Double) {
        precondition(learningRate >= 0, "Optimizer: the learning rate must be ≥ 0, got \(learningRate)")
        self.rule = rule
        self.learningRate = learningRate
    }

    public static func sgd(learningRate: Double) -> Optimizer { Optimizer(.sgd, learningRate: learningRate) }
    public static func momentum(learningRate: Double, momentum: Double = 0.9) -> Optimizer {
        Optimizer(.momentum(momentum), learningRate: learningRate)
    }
    public static func nesterov(learningRate: Double, momentum: Double = 0.9) -> Optimizer {
        Optimizer(.nesterov(momentum), learningRate: learningRate)
    }
    public static func adagrad(learningRate: Double, epsilon: Double = 1e-8) -> Optimizer {
        Optimizer(.adagrad(epsilon: epsilon), learningRate: learningRate)
    }
    public static func rmsprop(learningRate: Double, decayRate: Double = 0.99, epsilon: Double = 1e-8) -> Optimizer {
        Optimizer(.rmsprop(decayRate: decayRate, epsilon: epsilon), learningRate: learningRate)
    }
    public static func adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) -> Optimizer {
        Optimizer(.adam(beta1: beta1, beta2: beta2, epsilon: epsilon), learningRate: learningRate)
    }
    public static func adamW(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                             weightDecay: Double = 0.01) -> Optimizer {
        Optimizer(.adamW(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay), learningRate: learningRate)
    }

    /// "Adam", "SGD", …
    public var name: String { rule.name }

    /// Updates every parameter by its gradient, with this lesson's update rules.
    ///
    /// - Parameters:
    ///   - parameters: any number of tensors; updated in place.
    ///   - gradients: one per parameter, the same shapes.
    ///   - decaying: for AdamW, which parameters to decay (`DeepNetwork.decayedParameters`);
    ///     nil decays them all. Ignored by the other rules.
    public mutating func step(_ parameters: inout [Tensor], gradients: [Tensor], decaying: [Bool]? = nil) {
        precondition(parameters.count == gradients.count,
                     "Optimizer.step: \(parameters.count) parameters but \(gradients.count) gradients")
        precondition(decaying == nil || decaying?.count == parameters.count,
                     "Optimizer.step: `decaying` must have one entry per parameter")
        if slots.isEmpty {
            slots = parameters.map { p in
                switch rule {
                case .sgd: .stateless
                case .momentum, .nesterov, .adagrad, .rmsprop: .buffer(Tensor.zeros(like: p))
                case .adam, .adamW: .adam(AdamState(shape: p.shape))
                }
            }
        }
        precondition(slots.count == parameters.count,
                     "Optimizer.step: this optimizer holds state for \(slots.count) parameters, got \(parameters.count)")
        let lr = learningRate
        for k in parameters.indices {
            let (w, g) = (parameters[k], gradients[k])
            precondition(w.shape == g.shape, "Optimizer.step: parameter \(k) is \(w.shape) but its gradient is \(g.shape)")
            switch (rule, slots[k]) {
            case (.sgd, _):
                parameters[k] = w - lr * g
            case (.momentum(let mu), .buffer(var v)):
                parameters[k] = sgdMomentumUpdate(w, gradient: g, velocity: &v, learningRate: lr, momentum: mu)
                slots[k] = .buffer(v)
            case (.nesterov(let mu), .buffer(var v)):
                parameters[k] = nesterovMomentumUpdate(w, gradient: g, velocity: &v, learningRate: lr, momentum: mu)
                slots[k] = .buffer(v)
            case (.adagrad(let eps), .buffer(var s)):
                parameters[k] = adagradUpdate(w, gradient: g, squaredGradientSum: &s, learningRate: lr, epsilon: eps)
                slots[k] = .buffer(s)
            case (.rmsprop(let rho, let eps), .buffer(var s)):
                parameters[k] = rmspropUpdate(w, gradient: g, squaredGradientAverage: &s, learningRate: lr, decayRate: rho, epsilon: eps)
                slots[k] = .buffer(s)
            case (.adam(let b1, let b2, let eps), .adam(var state)):
                parameters[k] = adamUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
                slots[k] = .adam(state)
            case (.adamW(let b1, let b2, let eps, let wd), .adam(var state)):
                let decay = decaying?[k] ?? true
                parameters[k] = adamWUpdate(w, gradient: g, state: &state, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps,
                                            weightDecay: decay ? wd : 0)
                slots[k] = .adam(state)
            default:
                preconditionFailure("Optimizer.step: the state does not fit the rule \(rule.name) (was `rule` changed after the first step?)")
            }
        }
    }
}

/// A learning-rate schedule for `trainDeepNetwork`, by update step (the first update is step 0).
public enum LearningRateSchedule: Sendable, Equatable {
    case constant
    /// `stepDecayLearningRate` with the optimizer's starting η as η₀.
    case stepDecay(dropEvery: Int, factor: Double)
    /// `cosineWarmupLearningRate` with the optimizer's starting η as η_max.
    case cosineWarmup(warmupSteps: Int, totalSteps: Int, minimumLearningRate: Double)

    /// η at update `step`, for a base rate `base`.
    public func learningRate(atStep step: Int, base: Double) -> Double {
        switch self {
        case .constant:
            base
        case .stepDecay(let every, let factor):
            stepDecayLearningRate(step: step, initialLearningRate: base, dropEvery: every, factor: factor)
        case .cosineWarmup(let warmup, let total, let minimum):
            cosineWarmupLearningRate(step: step, maximumLearningRate: base, warmupSteps: warmup, totalSteps: total,
                                     minimumLearningRate: minimum)
        }
    }
}

// BEGIN TABLE DeepTrainingFunctions dnn.training needs dnn.momentum dnn.adaptive dnn.adam dnn.l2 dnn.dropout dnn.clipping dnn.batchNorm dnn.layerNorm dnn.schedules dnn.network
// accuracy: @Sendable (_ network: Network, _ X: Tensor, _ labels: [Int]) -> Double
// = { network, X, labels in Module.deepNetworkAccuracy(native(network), X, labels: labels) }
// train: @Sendable (_ network: Network, _ train: Dataset, _ validation: Dataset, _ optimizer: OptimizerChoice, _ learningRate: Double,
//     _ schedule: ScheduleChoice, _ epochs: Int, _ batchSize: Int, _ regularization: Double, _ clipNorm: Double?,
//     _ seed: UInt64) -> (network: Network, history: History)
// = { network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed in
//     let (net, _, h) = Module.trainDeepNetwork(native(network), train: train, validation: validation,
//                                               optimizer: Module.Optimizer(native(optimizer), learningRate: lr), schedule: native(schedule),
//                                               epochs: epochs, batchSize: batchSize, regularization: lambda, clipNorm: clip, seed: seed)
//     return (plain(net), (h.losses, h.learningRates, h.trainAccuracy, h.validationAccuracy, h.validationLoss))
// }
// END TABLE
