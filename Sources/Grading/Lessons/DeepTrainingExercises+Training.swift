import CourseKit
import Foundation
import Implementations

extension DeepTrainingLesson {
    // MARK: - Schedules

    static let schedulesSpec = Spec(
        id: "dnn.schedules", title: "Step decay and cosine with linear warmup", file: "Schedules.swift",
        declarations: ["stepDecayLearningRate(step:initialLearningRate:dropEvery:factor:)",
                       "cosineWarmupLearningRate(step:maximumLearningRate:warmupSteps:totalSteps:minimumLearningRate:)"],
        hints: [
            "A schedule changes the learning rate as training goes: large steps early to make progress, small steps late to settle into a minimum. A warmup starts small because at the start the gradients (and Adam's statistics) are unreliable.",
            "Steps count from 0. Step decay multiplies by `factor` once every `dropEvery` steps (integer division). The cosine warmup ramps linearly to η_max during the first W steps — step 0 already gets η_max/W, step W − 1 gets η_max — then follows half a cosine from η_max down to η_min at step T, and stays at η_min after. Chapter section “Learning-rate schedules”.",
            "Step decay: η₀·factor^⌊t/dropEvery⌋. Cosine: for W ≤ t < T, η_min + ½(η_max − η_min)(1 + cos(π·(t − W)/(T − W))).",
            "Sketch: `pow(factor, Double(step / dropEvery))` (Int division floors); for the cosine three cases, `if step < warmupSteps { … } ; if step >= totalSteps { … }`, then the progress p = Double(step − warmupSteps)/Double(totalSteps − warmupSteps).",
        ],
        standard: "both schedules compared with the reference at every step from 0 to past the end (step decay: random η₀, dropEvery 2–7, factor 0.1–0.9; cosine: warmup of 0 and 3–6 steps, 5–20 cosine steps, η_min of 0 and > 0); |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("decay counted from step 1", "the first drop comes one step early: steps count from 0, so steps 0 … dropEvery − 1 use η₀ (⌊t/dropEvery⌋, not ⌊(t + 1)/dropEvery⌋).") {
                $0.stepDecay = { t, lr, every, factor in F.reference.stepDecay(t + 1, lr, every, factor) }
            },
            Change("decay without the floor", "the rate decays smoothly, factor^(t/dropEvery): step decay drops in stairs, factor^⌊t/dropEvery⌋ (integer division).") {
                $0.stepDecay = { t, lr, every, factor in lr * pow(factor, Double(t) / Double(every)) }
            },
            Change("warmup from 0 (t/W)", "the warmup gives η = 0 at step 0 (t/W): this course's convention is (t + 1)/W, so the first step already moves and step W − 1 reaches η_max.") {
                $0.cosineWarmup = { t, maximum, w, total, minimum in
                    t < w ? maximum * Double(t) / Double(w) : F.reference.cosineWarmup(t, maximum, w, total, minimum)
                }
            },
            Change("cosine over the whole run", "the cosine's progress counts from step 0 instead of from the end of the warmup: use (t − W)/(T − W), so the cosine starts at η_max right after the warmup.") {
                $0.cosineWarmup = { t, maximum, w, total, minimum in
                    if t < w { return maximum * Double(t + 1) / Double(w) }
                    if t >= total { return minimum }
                    return minimum + 0.5 * (maximum - minimum) * (1 + cos(Double.pi * Double(t) / Double(total)))
                }
            },
            Change("η_min ignored", "the cosine decays to 0 instead of to η_min: η_min + ½(η_max − η_min)(1 + cos(…)).") {
                $0.cosineWarmup = { t, maximum, w, total, _ in F.reference.cosineWarmup(t, maximum, w, total, 0) }
            },
            Change("cosine continued past the end", "after step T the rate must stay at η_min; the cosine climbs back up if you keep evaluating it.") {
                $0.cosineWarmup = { t, maximum, w, total, minimum in
                    if t < w { return maximum * Double(t + 1) / Double(w) }
                    return minimum + 0.5 * (maximum - minimum) * (1 + cos(Double.pi * Double(t - w) / Double(total - w)))
                }
            },
        ],
        alternatives: [
            Change("step decay by repeated multiplication, cosine as cos²") {
                $0.stepDecay = { t, lr, every, factor in
                    var rate = lr
                    for _ in 0..<(t / every) { rate *= factor }
                    return rate
                }
                $0.cosineWarmup = { t, maximum, w, total, minimum in
                    if t < w { return Double(t + 1) * (maximum / Double(w)) }
                    let progress = min(1, Double(t - w) / Double(total - w))
                    let c = cos(Double.pi / 2 * progress)
                    return minimum + (maximum - minimum) * c * c
                }
            },
        ]
    ) { candidate, peers, context in
        for round in 1...3 {
            let lr = context.random.nextUniform(in: 0.01..<1), every = context.random.nextInt(in: 2...7)
            let factor = context.random.nextUniform(in: 0.1..<0.9)
            let steps = Array(0..<(4 * every + 3))
            let got = Tensor(steps.map { candidate.stepDecay($0, lr, every, factor) })
            let want = Tensor(steps.map { peers.reference.stepDecay($0, lr, every, factor) })
            try expect(context, got, want, what: "stepDecayLearningRate at steps 0…\(steps.count - 1)",
                       situation: "η₀ = \(Diagnosis.short(lr)), dropEvery = \(every), factor = \(Diagnosis.short(factor)) (round \(round), seed \(context.seed))",
                       peers: peers) { f in Tensor(steps.map { f.stepDecay($0, lr, every, factor) }) }
        }
        context.pass("step decay matches the reference at every step on 3 random schedules")
        for round in 1...4 {
            let maximum = context.random.nextUniform(in: 0.01..<1)
            let warmup = round == 1 ? 0 : context.random.nextInt(in: 3...6)
            let total = warmup + context.random.nextInt(in: 5...20)
            let minimum = round <= 2 ? 0 : maximum * context.random.nextUniform(in: 0.05..<0.5)
            let steps = Array(0..<(total + 4))
            let got = Tensor(steps.map { candidate.cosineWarmup($0, maximum, warmup, total, minimum) })
            let want = Tensor(steps.map { peers.reference.cosineWarmup($0, maximum, warmup, total, minimum) })
            try expect(context, got, want, what: "cosineWarmupLearningRate at steps 0…\(steps.count - 1)",
                       situation: "η_max = \(Diagnosis.short(maximum)), W = \(warmup), T = \(total), η_min = \(Diagnosis.short(minimum)) (seed \(context.seed))",
                       peers: peers) { f in Tensor(steps.map { f.cosineWarmup($0, maximum, warmup, total, minimum) }) }
        }
        context.pass("cosine with warmup matches the reference at every step, with and without warmup and η_min")
    }

    // MARK: - Network

    /// A random network and batch whose pre-activations all stay ≥ 0.01 from ReLU's kink (so gradient checks are
    /// meaningful) — with the dropout masks that `seed` draws applied, as the loss will apply them — and with
    /// batch norm's `momentum` and the normalizations' `epsilon`.
    static func randomDeepNetwork(_ context: inout GradingContext, normalization: F.NormalizationKind, dropProbability: Double,
                                  dropoutSeed: UInt64 = 0, momentum: Double = 0.1, epsilon: Double = 1e-5)
        -> (network: F.Network, X: Tensor, labels: [Int]) {
        for _ in 0..<50 {
            let n = 5, hidden = context.random.nextInt(in: 1...2)
            var sizes = [4]
            for _ in 0..<hidden { sizes.append(context.random.nextInt(in: 6...7)) }
            sizes.append(3)
            let layers: F.Layers = zip(sizes, sizes.dropFirst()).map {
                (context.randomTensor([$0, $1], scale: (2 / Double($0)).squareRoot()), context.randomTensor([$1], scale: 0.3))
            }
            var network = F.Network(layers: layers, normalization: normalization, dropProbability: dropProbability)
            network.batchNormMomentum = momentum
            network.normalizationEpsilon = epsilon
            if normalization != .none {
                network.gammas = network.gammas.map { $0 + context.randomTensor($0.shape, scale: 0.3) }
                network.betas = network.betas.map { context.randomTensor($0.shape, scale: 0.3) }
            }
            if normalization == .batch {
                network.running = network.running.map { (context.randomTensor($0.mean.shape), abs(context.randomTensor($0.mean.shape)) + 0.3) }
            }
            let X = context.randomTensor([n, sizes[0]])
            let labels = (0..<n).map { _ in context.random.nextInt(in: 0..<3) }
            // The pre-activations of every hidden layer, training mode, behind the masks the loss will draw.
            let masks = dropProbability > 0
                ? F.dropoutMasks(hiddenShapes: sizes.dropFirst().dropLast().map { [n, $0] }, dropProbability: dropProbability, seed: dropoutSeed)
                : []
            var h = X, safe = true
            for l in 0..<(layers.count - 1) {
                var a = matmul(h, layers[l].weights) + layers[l].bias
                switch normalization {
                case .none: break
                case .batch: a = F.reference.batchNorm(a, network.gammas[l], network.betas[l], network.running[l], true, momentum, epsilon).out
                case .layer: a = F.reference.layerNorm(a, network.gammas[l], network.betas[l], epsilon).out
                }
                if abs(a).min() < 0.01 { safe = false }
                h = maximum(a, 0)
                if !masks.isEmpty { h = h * masks[l] }
            }
            if safe { return (network, X, labels) }
        }
        preconditionFailure("randomDeepNetwork: no network kept its pre-activations away from 0 in 50 draws")
    }

    static let networkConfigurations: [(name: String, normalization: F.NormalizationKind, dropProbability: Double, lambda: Double)] = [
        ("no normalization, no dropout, λ = 0.1", .none, 0, 0.1),
        ("batch norm, λ = 0.05", .batch, 0, 0.05),
        ("layer norm, λ = 0", .layer, 0, 0),
        ("dropout p = 0.3, λ = 0.2", .none, 0.3, 0.2),
        ("batch norm and dropout p = 0.25, λ = 0.1", .batch, 0.25, 0.1),
    ]

    static let networkSpec = Spec(
        id: "dnn.network", title: "A network of any depth with batch/layer norm and dropout", file: "DeepNetwork.swift",
        declarations: ["deepNetworkScores(_:_:)", "deepNetworkLoss(_:_:labels:regularization:using:)"],
        hints: [
            "This is lesson 04's `networkLoss` with two optional layers slotted into every hidden block: affine → normalization → ReLU → dropout. The forward keeps every cache; the backward walks the blocks in reverse, each layer's backward handing its dx to the layer below.",
            "Two modes: `deepNetworkScores` is for predictions — batch norm with its running averages, dropout off (`.inference`). `deepNetworkLoss` is for training — batch norm with batch statistics (updating `network.runningStats[l]`), dropout on, its masks drawn in layer order from the generator you are given, only when p > 0. Both read batch norm's momentum and ε from the network (`network.batchNormMomentum`, `network.normalizationEpsilon`), not the defaults. Chapter section “A deep network, assembled”.",
            "The loss is the softmax cross-entropy of the scores plus your `l2Penalty(network.layers, strength: λ)`; add the penalty's gradients to the affine gradients. Gradients go in `DeepNetworkGradients` (layers, gammas, betas — the last two empty without normalization).",
            "Sketch of one hidden block's backward: `if let mask { dh = dropoutBackward(dh, mask: mask) }`, `dh = reluLayerBackward(dh, cache: …)`, the normalization's backward (its dGamma, dBeta into `gradients.gammas[l]`, `gradients.betas[l]`), then `affineBackward`.",
        ],
        standard: "scores (inference mode, random running averages) and the loss, every gradient and the updated running averages compared with the reference on 5 configurations (none, batch norm, layer norm, dropout p = 0.3, batch norm with dropout p = 0.25; 1–2 hidden layers of distinct sizes, batch of 5, λ from 0 to 0.2, a fixed dropout seed, batch norm's momentum drawn from 0.2–0.6 and ε from 0.02–0.2, never the defaults 0.1 and 1e-5), |error| ≤ 1e-8 + 1e-6·|expected|; a gradient check of every parameter (W, b, γ, β) in each configuration, with the dropout masks fixed by the seed and the pre-activations kept ≥ 0.01 from ReLU's kink (relative error < 1e-6; a gradient that is 0 in theory — a bias before batch norm — by absolute error < 1e-8)",
        mistakes: [
            Change("normalization after the ReLU", "the normalization comes after the ReLU here; this course's block is affine → normalization → ReLU → dropout (normalize the pre-activations).") {
                var c = F.NetworkChanges(); c.normalizeAfterReLU = true
                $0.networkLoss = F.referenceNetworkLoss(with: c)
            },
            Change("biases decayed", "the L2 penalty decays the biases too: only the weights are penalized (use your `l2Penalty`, whose bias gradients are 0).") {
                var c = F.NetworkChanges(); c.decayBiases = true
                $0.networkLoss = F.referenceNetworkLoss(with: c)
            },
            Change("penalty in the loss but not in the gradients", "the L2 penalty is added to the loss but its gradient λW is missing from the weight gradients.") {
                var c = F.NetworkChanges(); c.penaltyOnlyInLoss = true
                $0.networkLoss = F.referenceNetworkLoss(with: c)
            },
            Change("running averages not kept", "training must update the network's running mean and variance (`network.runningStats[l]`, passed to `batchNormForward` as `running:`); inference uses them.") {
                var c = F.NetworkChanges(); c.keepRunningStatistics = false
                $0.networkLoss = F.referenceNetworkLoss(with: c)
            },
            Change("scores in training mode", "the scores use the batch's own statistics (or dropout): predictions run in inference mode — batch norm with the running averages, no dropout.") {
                $0.networkScores = { network, X in
                    var copy = network
                    copy.dropProbability = 0
                    let reference = F.reference
                    // The training-mode forward, read off the loss's machinery: the scores are what the affine layers see.
                    var h = X
                    for l in 0..<(copy.layers.count - 1) {
                        var a = matmul(h, copy.layers[l].weights) + copy.layers[l].bias
                        switch copy.normalization {
                        case .none: break
                        case .batch: a = reference.batchNorm(a, copy.gammas[l], copy.betas[l], copy.running[l], true, copy.batchNormMomentum,
                                                             copy.normalizationEpsilon).out
                        case .layer: a = reference.layerNorm(a, copy.gammas[l], copy.betas[l], copy.normalizationEpsilon).out
                        }
                        h = maximum(a, 0)
                    }
                    return matmul(h, copy.layers.last!.weights) + copy.layers.last!.bias
                }
            },
            Change("ε written in as 1e-5", "the normalizations use ε = 1e-5 (the usual default) whatever the network holds: pass `network.normalizationEpsilon` to `batchNormForward` and `layerNormForward`, in the scores and in the loss.") {
                $0.networkScores = { network, X in
                    var typed = network; typed.normalizationEpsilon = 1e-5
                    return F.reference.networkScores(typed, X)
                }
                $0.networkLoss = { network, X, labels, lambda, seed in
                    var typed = network; typed.normalizationEpsilon = 1e-5
                    var result = F.reference.networkLoss(typed, X, labels, lambda, seed)
                    result.network.normalizationEpsilon = network.normalizationEpsilon
                    return result
                }
            },
            Change("momentum written in as 0.1", "the running averages move by momentum 0.1 (the usual default) whatever the network holds: pass `network.batchNormMomentum` to `batchNormForward`.") {
                $0.networkLoss = { network, X, labels, lambda, seed in
                    var typed = network; typed.batchNormMomentum = 0.1
                    var result = F.reference.networkLoss(typed, X, labels, lambda, seed)
                    result.network.batchNormMomentum = network.batchNormMomentum
                    return result
                }
            },
        ],
        alternatives: [
            Change("the staged batch-norm backward, the layers written inline") {
                var c = F.NetworkChanges(); c.stagedBatchNormBackward = true
                $0.networkLoss = F.referenceNetworkLoss(with: c)
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.l2, .dropout, .batchNorm, .layerNorm], of: "dnn.network", candidate: candidate, reference: peers.reference) { context in
            try checkNetwork(candidate, peers: peers, &context)
        }
    }

    static func checkNetwork(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        for configuration in networkConfigurations {
            let seed = context.random.next() >> 12, lambda = configuration.lambda
            // Batch norm's momentum and ε are never the defaults (0.1, 1e-5): a number typed in place of the network's shows.
            let momentum = (context.random.nextUniform(in: 0.2..<0.6) * 100).rounded() / 100
            let epsilon = (context.random.nextUniform(in: 0.02..<0.2) * 100).rounded() / 100
            let (network, X, labels) = randomDeepNetwork(&context, normalization: configuration.normalization,
                                                         dropProbability: configuration.dropProbability, dropoutSeed: seed,
                                                         momentum: momentum, epsilon: epsilon)
            let constants = switch configuration.normalization {
            case .none: ""
            case .batch: ", momentum \(Diagnosis.short(momentum)), ε = \(Diagnosis.short(epsilon))"
            case .layer: ", ε = \(Diagnosis.short(epsilon))"
            }
            let situation = "\(configuration.name)\(constants), layer sizes \([network.layers[0].weights.shape[0]] + network.layers.map { $0.bias.count }), dropout seed \(seed) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", Tensor(labels.map(Double.init)))]
            func withEpsilon(_ e: Double) -> F.Network { var n = network; n.normalizationEpsilon = e; return n }
            func withMomentum(_ m: Double) -> F.Network { var n = network; n.batchNormMomentum = m; return n }
            let epsilonParameter = configuration.normalization == .none ? [] : [
                Parameter("network.normalizationEpsilon (ε)", epsilon, candidate: { candidate.networkScores(withEpsilon($0), X) },
                          reference: { peers.reference.networkScores(withEpsilon($0), X) })]
            try expect(context, candidate.networkScores(network, X), peers.reference.networkScores(network, X), what: "deepNetworkScores",
                       situation: situation, inputs: inputs, peers: peers, parameters: epsilonParameter) { $0.networkScores(network, X) }
            let got = candidate.networkLoss(network, X, labels, lambda, seed), want = peers.reference.networkLoss(network, X, labels, lambda, seed)
            try expect(context, Tensor(got.loss), Tensor(want.loss), what: "the loss of deepNetworkLoss", situation: situation, inputs: inputs, peers: peers) {
                Tensor($0.networkLoss(network, X, labels, lambda, seed).loss)
            }
            let names = parameterNames(network)
            guard got.gradients.count == want.gradients.count else {
                throw CheckFailure("deepNetworkLoss returned \(got.gradients.count) gradient tensors (flattened) for \(want.gradients.count) parameters: \(names.joined(separator: ", ")) (\(situation)).")
            }
            for k in want.gradients.indices {
                try expect(context, got.gradients[k], want.gradients[k], what: "the gradient of \(names[k])", situation: situation, inputs: inputs,
                           peers: peers, batchSize: X.shape[0]) { $0.networkLoss(network, X, labels, lambda, seed).gradients[k] }
            }
            for l in want.network.running.indices {
                let momentumParameter = [
                    Parameter("network.batchNormMomentum", momentum,
                              candidate: { candidate.networkLoss(withMomentum($0), X, labels, lambda, seed).network.running[l].mean },
                              reference: { peers.reference.networkLoss(withMomentum($0), X, labels, lambda, seed).network.running[l].mean })]
                try expect(context, got.network.running[l].mean, want.network.running[l].mean, what: "runningStats[\(l)].mean after deepNetworkLoss",
                           situation: situation, inputs: inputs, peers: peers, parameters: momentumParameter) {
                    $0.networkLoss(network, X, labels, lambda, seed).network.running[l].mean
                }
                try expect(context, got.network.running[l].variance, want.network.running[l].variance,
                           what: "runningStats[\(l)].variance after deepNetworkLoss", situation: situation, inputs: inputs, peers: peers) {
                    $0.networkLoss(network, X, labels, lambda, seed).network.running[l].variance
                }
            }
            let parameters = network.parameters
            for k in parameters.indices {
                let numeric = GradientCheck.numericalGradient(of: { p in
                    var changed = parameters; changed[k] = p
                    return candidate.networkLoss(network.with(parameters: changed), X, labels, lambda, seed).loss
                }, at: parameters[k])
                // A bias right before a training-mode batch norm has gradient exactly 0 (the mean subtracts it):
                // relative error means nothing there, so such gradients are compared by absolute error.
                if numeric.scalars.allSatisfy({ abs($0) < 1e-8 }) {
                    guard got.gradients[k].scalars.allSatisfy({ abs($0) < 1e-8 }) else {
                        throw CheckFailure("gradient check failed for the gradient of \(names[k]) (\(situation)): the numerical gradient is 0 (every |element| < 1e-8), yours is \(Diagnosis.preview(got.gradients[k])).")
                    }
                    continue
                }
                try context.expectGradient(analytic: got.gradients[k], numeric: numeric, what: "the gradient of \(names[k])",
                                           situation: situation, threshold: 1e-6)
            }
        }
        context.pass("scores, loss, every gradient and the running averages match the reference in 5 configurations; every parameter gradient-checked (< 1e-6)")
    }

    static func parameterNames(_ network: F.Network) -> [String] {
        network.layers.indices.flatMap { l in
            l < network.gammas.count ? ["W\(l)", "b\(l)", "γ\(l)", "β\(l)"] : ["W\(l)", "b\(l)"]
        }
    }

    // MARK: - Training

    static func clusters(_ context: inout GradingContext, count: Int) -> Dataset {
        let centers = [Tensor([2, 0, 0, 1]), Tensor([0, 2, 0, -1]), Tensor([0, 0, 2, 0])]
        let labels = (0..<count).map { _ in context.random.nextInt(in: 0..<3) }
        let rows = labels.map { centers[$0] + context.randomTensor([4], scale: 0.8) }
        return Dataset(features: Tensor.stack(rows, axis: 0), labels: labels, classCount: 3)
    }

    static let trainingSpec = Spec(
        id: "dnn.training", title: "A training loop with any optimizer, schedule and clipping", file: "Training.swift",
        declarations: ["deepNetworkAccuracy(_:_:labels:)",
                       "trainDeepNetwork(_:train:validation:optimizer:schedule:epochs:batchSize:regularization:clipNorm:seed:)"],
        hints: [
            "The loop of lesson 04 with the pieces of this lesson plugged in: each minibatch sets the learning rate from the schedule, computes the loss and gradients, optionally clips them, and lets the optimizer update the parameters. The optimizer keeps its state (velocities, moments) across all the steps — make it once, before the loop.",
            "Read the numbered steps in the doc comment: one generator from the seed (shuffles and dropout masks share it), the schedule's step s counts updates from 0 across epochs, `optimizer.step(&parameters, gradients: gradients.flattened, decaying: network.decayedParameters)` then write `parameters` back into the network. Accuracy and validation loss use inference mode (`deepNetworkScores`). Chapter section “The training loop”.",
            "Per minibatch: η = schedule.learningRate(atStep: s, base: η₀); (loss, g) = deepNetworkLoss(&network, …, using: &generator); flat = clip?(g.flattened); optimizer.step; s += 1. Per epoch: trainAccuracy, validationAccuracy, validationLoss = softmaxCrossEntropy(deepNetworkScores(network, validation.features), labels:).loss.",
            "Sketch: `var parameters = network.parameters; optimizer.step(&parameters, gradients: flat, decaying: network.decayedParameters); network.parameters = parameters` — the optimizer is a `var` declared before the epochs.",
        ],
        standard: "deepNetworkAccuracy compared with the reference; trainDeepNetwork compared with the reference (every loss, learning rate, accuracy, validation loss and the final parameters) on 3 runs over clusters in 4-D: momentum with a constant rate and no normalization; Adam with cosine warmup, batch norm, dropout p = 0.2 and clipping (at a norm drawn from 0.4–0.9); AdamW with step decay and layer norm — μ, β₁, β₂, ε, the weight decay, the decay factor and step, and the warmup drawn afresh each time, so a value written into the loop shows; 2–3 epochs, batch sizes leaving a partial last batch; |error| ≤ 1e-8 + 1e-6·|expected|; 0 epochs return the network unchanged with an empty history; integration: a [64, 32, 10] network with batch norm and Adam reaches 100% training accuracy on 20 digits within 40 epochs (one batch of 20 per epoch)",
        mistakes: [
            Change("μ written into the loop as 0.9", "the loop runs momentum with μ = 0.9 whatever `.momentum(μ)` it is given: pass the optimizer choice's own μ on (the grader draws it from 0.55–0.85).") {
                $0.train = { network, train, validation, choice, lr, schedule, epochs, batchSize, lambda, clip, seed in
                    var typed = choice
                    if case .momentum = choice { typed = .momentum(0.9) }
                    return F.reference.train(network, train, validation, typed, lr, schedule, epochs, batchSize, lambda, clip, seed)
                }
            },
            Change("optimizer state reset every step", "the optimizer is re-created for every minibatch, so its state (the momentum buffer, Adam's moments) resets every step: make it once before the loop and keep using it.") {
                var c = F.TrainingChanges(); c.resetOptimizerEveryStep = true
                $0.train = F.referenceTrain(with: c)
            },
            Change("schedule ignored", "the learning rate stays at η₀: set `optimizer.learningRate = schedule.learningRate(atStep: s, base: η₀)` before every step.") {
                var c = F.TrainingChanges(); c.ignoreSchedule = true
                $0.train = F.referenceTrain(with: c)
            },
            Change("schedule stepped per epoch", "the schedule is given the epoch number: its step s counts updates (minibatches) from 0 across all epochs.") {
                var c = F.TrainingChanges(); c.scheduleByEpoch = true
                $0.train = F.referenceTrain(with: c)
            },
            Change("clipping ignored", "`clipNorm` is not applied: clip the flattened gradients with `clipByGlobalNorm` before the optimizer step when it is given.") {
                var c = F.TrainingChanges(); c.ignoreClipping = true
                $0.train = F.referenceTrain(with: c)
            },
            Change("weight decay on every parameter", "AdamW decays every parameter: pass `decaying: network.decayedParameters` so that only the weights W are decayed, not b, γ or β.") {
                var c = F.TrainingChanges(); c.decayEveryParameter = true
                $0.train = F.referenceTrain(with: c)
            },
            Change("penalty in the validation loss", "the validation loss includes the L2 penalty: it is the mean cross-entropy alone (what you compare across models and λ).") {
                var c = F.TrainingChanges(); c.penaltyInValidationLoss = true
                $0.train = F.referenceTrain(with: c)
            },
        ],
        alternatives: [
            Change("the loop written with the grader's own copy of the reference pieces") {
                $0.train = F.referenceTrain(with: F.TrainingChanges())
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.network, .momentum, .adam, .clipping, .schedules], of: "dnn.training", candidate: candidate,
                           reference: peers.reference) { context in
            try checkTraining(candidate, peers: peers, &context)
        }
    }

    static func checkTraining(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        for round in 1...3 {
            let (network, X, labels) = randomDeepNetwork(&context, normalization: [.none, .batch, .layer][round - 1], dropProbability: round == 2 ? 0.2 : 0)
            try expect(context, Tensor(candidate.accuracy(network, X, labels)), Tensor(peers.reference.accuracy(network, X, labels)),
                       what: "deepNetworkAccuracy", situation: "random network #\(round) (seed \(context.seed))",
                       inputs: [("labels", Tensor(labels.map(Double.init)))], peers: peers) { Tensor($0.accuracy(network, X, labels)) }
        }
        context.pass("deepNetworkAccuracy matches the reference on 3 random networks")

        // The settings are drawn afresh each time (none of them a round number a learner would type): the loop must
        // pass on what it is given, and a μ, β, ε, decay factor or clipping norm written into the loop shows.
        func draw(_ range: Range<Double>) -> Double { (context.random.nextUniform(in: range) * 1000).rounded() / 1000 }
        let mu = draw(0.55..<0.85), beta1 = draw(0.7..<0.85), beta2 = draw(0.9..<0.98), epsilon = [1e-7, 1e-5, 1e-3][context.random.nextInt(in: 0..<3)]
        let beta1W = draw(0.7..<0.85), beta2W = draw(0.9..<0.98), decay = draw(0.03..<0.3), factor = draw(0.3..<0.7), clipNorm = draw(0.4..<0.9)
        let dropEvery = context.random.nextInt(in: 2...4), warmup = context.random.nextInt(in: 2...3)
        let runs: [(String, F.NormalizationKind, Double, F.OptimizerChoice, Double, F.ScheduleChoice, Double, Double?)] = [
            ("momentum \(mu), constant η = 0.05, λ = 0.01", .none, 0, .momentum(mu), 0.05, .constant, 0.01, nil),
            ("Adam (β₁ = \(beta1), β₂ = \(beta2), ε = \(epsilon)), cosine warmup (\(warmup) warmup steps of 10), batch norm, dropout 0.2, clipping at \(clipNorm)",
             .batch, 0.2, .adam(beta1: beta1, beta2: beta2, epsilon: epsilon), 0.02,
             .cosineWarmup(warmupSteps: warmup, totalSteps: 10, minimumLearningRate: 0.001), 0.001, clipNorm),
            ("AdamW (β₁ = \(beta1W), β₂ = \(beta2W), ε = 1e-6, λ_w = \(decay)), step decay every \(dropEvery) steps by \(factor), layer norm", .layer, 0,
             .adamW(beta1: beta1W, beta2: beta2W, epsilon: 1e-6, weightDecay: decay), 0.03, .stepDecay(dropEvery: dropEvery, factor: factor), 0, nil),
        ]
        for (name, normalization, p, optimizer, lr, schedule, lambda, clip) in runs {
            let train = clusters(&context, count: context.random.nextInt(in: 13...17)), validation = clusters(&context, count: 7)
            var generator = SeededGenerator(seed: context.random.next())
            let layers: F.Layers = [(Tensor.randomNormal([4, 6], standardDeviation: 0.7, using: &generator), Tensor.zeros([6])),
                                    (Tensor.randomNormal([6, 3], standardDeviation: 0.5, using: &generator), Tensor.zeros([3]))]
            let network = F.Network(layers: layers, normalization: normalization, dropProbability: p)
            let epochs = context.random.nextInt(in: 2...3)
            let batchSize = [4, 5, 6].first { train.count % $0 >= 2 } ?? 4   // a partial last batch, but never of one row (batch norm needs two)
            let seed = context.random.next() >> 12
            let situation = "\(name): \(train.count) examples, \(epochs) epochs, batches of \(batchSize), seed \(seed) (replay with DLFS_SEED=\(context.seed))"
            let got = candidate.train(network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed)
            let want = peers.reference.train(network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed)
            let fields: [(String, @Sendable (F.History) -> [Double], String)] = [
                ("history.learningRates", { $0.learningRates }, "one per minibatch"), ("history.losses", { $0.losses }, "one per minibatch"),
                ("history.trainAccuracy", { $0.trainAccuracy }, "one per epoch"), ("history.validationAccuracy", { $0.validationAccuracy }, "one per epoch"),
                ("history.validationLoss", { $0.validationLoss }, "one per epoch"),
            ]
            for (field, select, unit) in fields {
                let g = select(got.history), w = select(want.history)
                guard g.count == w.count else { throw CheckFailure("\(field) has \(g.count) entries; it needs \(w.count), \(unit) (\(situation)).") }
                try expect(context, Tensor(g), Tensor(w), what: field, situation: situation, peers: peers) {
                    Tensor(select($0.train(network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed).history))
                }
            }
            let names = parameterNames(network)
            let gotParameters = got.network.parameters, wantParameters = want.network.parameters
            guard gotParameters.count == wantParameters.count else { throw CheckFailure("the trained network has \(gotParameters.count) parameter tensors, expected \(wantParameters.count).") }
            for k in wantParameters.indices {
                try expect(context, gotParameters[k], wantParameters[k], what: "the trained \(names[k])", situation: situation, peers: peers) {
                    $0.train(network, train, validation, optimizer, lr, schedule, epochs, batchSize, lambda, clip, seed).network.parameters[k]
                }
            }
        }
        let small = clusters(&context, count: 8)
        let untouched = F.Network(layers: [(context.randomTensor([4, 3]), context.randomTensor([3]))])
        let none = candidate.train(untouched, small, small, .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 0.1, .constant, 0, 4, 0, nil, 1)
        guard none.history.losses.isEmpty, none.history.trainAccuracy.isEmpty, none.network.parameters == untouched.parameters else {
            throw CheckFailure("trainDeepNetwork with epochs = 0 must return the network unchanged and an empty history; it returned \(none.history.losses.count) losses.")
        }
        context.pass("trainDeepNetwork matches the reference on 3 runs (momentum; Adam with cosine warmup, batch norm, dropout and clipping; AdamW with step decay and layer norm) and with 0 epochs")

        let digits = try Dataset.digits()
        let tiny = digits.subset(Array(0..<20))
        var generator = SeededGenerator(seed: 5)
        let start = F.Network(layers: [(Tensor.randomNormal([64, 32], standardDeviation: 0.25, using: &generator), Tensor.zeros([32])),
                                       (Tensor.randomNormal([32, 10], standardDeviation: 0.25, using: &generator), Tensor.zeros([10]))],
                              normalization: .batch)
        let run = candidate.train(start, tiny, tiny, .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 0.01, .constant, 40, 20, 0, nil, 3)
        guard let final = run.history.trainAccuracy.last, final == 1 else {
            throw CheckFailure("the “overfit a tiny batch” check failed: a [64, 32, 10] network with batch norm trained by Adam (η = 0.01) on 20 digits for 40 epochs should reach 100% training accuracy (inference mode), but reached \(Diagnosis.short(run.history.trainAccuracy.last ?? .nan)); the loss went from \(Diagnosis.short(run.history.losses.first ?? .nan)) to \(Diagnosis.short(run.history.losses.last ?? .nan)).")
        }
        let epoch = (run.history.trainAccuracy.firstIndex(of: 1) ?? 0) + 1
        context.pass("overfits 20 digits with batch norm and Adam: 100% training accuracy from epoch \(epoch)")
    }
}

/// The earlier exercises the network and the training loop call: when those
/// fail, a note names any of these that still disagrees with the reference.
extension Prerequisite where Functions == DeepTrainingFunctions {
    static let l2 = Prerequisite(exerciseID: "dnn.l2", function: "l2Penalty") { candidate, reference, context in
        let layers = DeepTrainingLesson.randomLayers(&context, count: 2)
        let got = candidate.l2Penalty(layers, 0.3), want = reference.l2Penalty(layers, 0.3)
        return Tolerance.standard.accepts(got.penalty, want.penalty) && got.gradients.count == want.gradients.count
            && zip(got.gradients, want.gradients).allSatisfy { Tolerance.standard.accepts($0.weights, $1.weights) && Tolerance.standard.accepts($0.bias, $1.bias) }
    }

    static let dropout = Prerequisite(exerciseID: "dnn.dropout", function: "dropoutForward/dropoutBackward") { candidate, reference, context in
        let x = context.randomTensor([3, 5]), dOut = context.randomTensor([3, 5]), seed = context.random.next() >> 12
        let got = candidate.dropoutForward(x, 0.4, true, seed), want = reference.dropoutForward(x, 0.4, true, seed)
        return Tolerance.standard.accepts(got.out, want.out) && Tolerance.standard.accepts(got.mask, want.mask)
            && Tolerance.standard.accepts(candidate.dropoutBackward(dOut, want.mask), reference.dropoutBackward(dOut, want.mask))
    }

    static let batchNorm = Prerequisite(exerciseID: "dnn.batchNorm", function: "batchNormForward/batchNormBackwardSimplified") { candidate, reference, context in
        let (x, gamma, beta, dOut) = DeepTrainingLesson.randomNormInputs(&context)
        let running: DeepTrainingFunctions.Running = (Tensor.zeros([x.shape[1]]), Tensor.ones([x.shape[1]]))
        let got = candidate.batchNorm(x, gamma, beta, running, true, 0.1, 1e-5), want = reference.batchNorm(x, gamma, beta, running, true, 0.1, 1e-5)
        let g = got.simplified(dOut), r = want.simplified(dOut)
        return Tolerance.standard.accepts(got.out, want.out) && Tolerance.standard.accepts(got.running.mean, want.running.mean)
            && Tolerance.standard.accepts(got.running.variance, want.running.variance) && Tolerance.standard.accepts(g.dx, r.dx)
            && Tolerance.standard.accepts(g.dGamma, r.dGamma) && Tolerance.standard.accepts(g.dBeta, r.dBeta)
    }

    static let layerNorm = Prerequisite(exerciseID: "dnn.layerNorm", function: "layerNormForward/layerNormBackward") { candidate, reference, context in
        let (x, gamma, beta, dOut) = DeepTrainingLesson.randomNormInputs(&context)
        let got = candidate.layerNorm(x, gamma, beta, 1e-5), want = reference.layerNorm(x, gamma, beta, 1e-5)
        let g = got.backward(dOut), r = want.backward(dOut)
        return Tolerance.standard.accepts(got.out, want.out) && Tolerance.standard.accepts(g.dx, r.dx)
            && Tolerance.standard.accepts(g.dGamma, r.dGamma) && Tolerance.standard.accepts(g.dBeta, r.dBeta)
    }

    static let network = Prerequisite(exerciseID: "dnn.network", function: "deepNetworkLoss/deepNetworkScores") { candidate, reference, context in
        let (network, X, labels) = DeepTrainingLesson.randomDeepNetwork(&context, normalization: .batch, dropProbability: 0.2)
        let got = candidate.networkLoss(network, X, labels, 0.1, 3), want = reference.networkLoss(network, X, labels, 0.1, 3)
        return Tolerance.standard.accepts(got.loss, want.loss) && got.gradients.count == want.gradients.count
            && zip(got.gradients, want.gradients).allSatisfy { Tolerance.standard.accepts($0, $1) }
            && Tolerance.standard.accepts(candidate.networkScores(network, X), reference.networkScores(network, X))
    }

    /// One optimizer rule over a few steps with η changing.
    static func updates(_ exerciseID: String, _ function: String, _ rules: [@Sendable (DeepTrainingLesson.Hyper) -> DeepTrainingLesson.UpdateRule]) -> Prerequisite {
        Prerequisite(exerciseID: exerciseID, function: function) { candidate, reference, context in
            let hyper = DeepTrainingLesson.Hyper(momentum: 0.8, decayRate: 0.9, beta1: 0.85, beta2: 0.95, epsilon: 1e-3, weightDecay: 0.1)
            let w0 = context.randomTensor([2, 3]), gradients = (0..<4).map { _ in context.randomTensor([2, 3]) }
            return rules.allSatisfy { makeRule in
                let rule = makeRule(hyper)
                var (a, sa) = (w0, rule.initialState([2, 3])), (b, sb) = (w0, rule.initialState([2, 3]))
                for (t, g) in gradients.enumerated() {
                    (a, sa) = rule.apply(candidate, a, g, sa, 0.05 * Double(t + 1))
                    (b, sb) = rule.apply(reference, b, g, sb, 0.05 * Double(t + 1))
                }
                return Tolerance.standard.accepts(a, b)
            }
        }
    }

    static let momentum = updates("dnn.momentum", "sgdMomentumUpdate/nesterovMomentumUpdate",
                                  [DeepTrainingLesson.momentumRule, DeepTrainingLesson.nesterovRule])
    static let adaptive = updates("dnn.adaptive", "adagradUpdate/rmspropUpdate", [DeepTrainingLesson.adagradRule, DeepTrainingLesson.rmspropRule])
    static let adam = updates("dnn.adam", "adamUpdate/adamWUpdate", [DeepTrainingLesson.adamRule, DeepTrainingLesson.adamWRule])

    static let clipping = Prerequisite(exerciseID: "dnn.clipping", function: "clipByGlobalNorm") { candidate, reference, context in
        let gradients = [context.randomTensor([2, 3]), context.randomTensor([4])]
        let got = candidate.clipByGlobalNorm(gradients, 1), want = reference.clipByGlobalNorm(gradients, 1)
        return Tolerance.standard.accepts(got.norm, want.norm) && got.clipped.count == want.clipped.count
            && zip(got.clipped, want.clipped).allSatisfy { Tolerance.standard.accepts($0, $1) }
    }

    static let schedules = Prerequisite(exerciseID: "dnn.schedules", function: "stepDecayLearningRate/cosineWarmupLearningRate") { candidate, reference, _ in
        (0..<14).allSatisfy { t in
            Tolerance.standard.accepts(candidate.stepDecay(t, 0.3, 3, 0.5), reference.stepDecay(t, 0.3, 3, 0.5))
                && Tolerance.standard.accepts(candidate.cosineWarmup(t, 0.3, 3, 11, 0.01), reference.cosineWarmup(t, 0.3, 3, 11, 0.01))
        }
    }
}
