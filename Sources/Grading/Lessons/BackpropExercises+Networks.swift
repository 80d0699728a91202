import CourseKit
import Foundation
import Implementations

extension BackpropLesson {
    /// A random network `[D, H₁, …, C]` with weights ~ N(0, 0.5²) and biases ~ N(0, 0.1²), and a batch for it;
    /// each hidden pre-activation moved at least 0.05 from ReLU's kink (by the bias), so that a numerical gradient
    /// never straddles it.
    static func randomNetwork(_ context: inout GradingContext, hiddenLayers: ClosedRange<Int>)
        -> (layers: F.Layers, X: Tensor, labels: [Int]) {
        let n = context.random.nextInt(in: 2...6), classes = context.random.nextInt(in: 2...4)
        var sizes = [context.random.nextInt(in: 2...5)]
        for _ in 0..<context.random.nextInt(in: hiddenLayers) { sizes.append(context.random.nextInt(in: 3...6)) }
        sizes.append(classes)
        var layers: F.Layers = zip(sizes, sizes.dropFirst()).map { inputs, outputs in
            (context.randomTensor([inputs, outputs], scale: 0.5), context.randomTensor([outputs], scale: 0.1))
        }
        let X = context.randomTensor([n, sizes[0]])
        let labels = (0..<n).map { _ in context.random.nextInt(in: 0..<classes) }
        var h = X
        for index in layers.indices.dropLast() {
            // A unit dead for every example would hide its layer's gradients: wake it up through its bias.
            let pre = matmul(h, layers[index].weights) + layers[index].bias
            let highest = pre.max(axis: 0)
            layers[index].bias = layers[index].bias + highest.map { $0 < 0.3 ? 0.3 - $0 : 0 }
            for _ in 0..<1_000 {
                let pre = matmul(h, layers[index].weights) + layers[index].bias
                let tooClose = abs(pre).min(axis: 0).map { $0 < 0.05 ? 1 : 0 }
                if tooClose.sum() == 0 { break }
                layers[index].bias = layers[index].bias + 0.13 * tooClose
            }
            h = maximum(matmul(h, layers[index].weights) + layers[index].bias, 0)
        }
        return (layers, X, labels)
    }

    /// How a message names layer `index`'s parameters: `w1`/`b1` in the two-layer network, `weights of layer 0` in general.
    typealias ParameterNames = @Sendable (_ index: Int) -> (weights: String, bias: String)
    static let twoLayerNames: ParameterNames = { ("w\($0 + 1)", "b\($0 + 1)") }
    static let layerNames: ParameterNames = { ("weights of layer \($0)", "bias of layer \($0)") }

    /// The fifth network of both network exercises: its last layer scaled so the scores sit near 800,
    /// where e^800 overflows and only a max-shifted softmax stays finite.
    static func withScoresNear800(_ layers: F.Layers) -> F.Layers {
        var scaled = layers
        let last = scaled.count - 1
        (scaled[last].weights, scaled[last].bias) = (scaled[last].weights * 100, scaled[last].bias + 800)
        return scaled
    }

    /// `layers` with the last bias lowered so that every score of X is negative (−1 or below):
    /// a ReLU wrongly applied to the scores then zeroes them all, whatever the seed.
    static func withNegativeScores(_ layers: F.Layers, _ X: Tensor) -> F.Layers {
        var shifted = layers
        let last = shifted.count - 1
        let highest = BackpropFunctions.reference.networkScores(layers, X).scalars.max() ?? 0
        shifted[last].bias = shifted[last].bias - (max(highest, 0) + 1)
        return shifted
    }

    /// Every parameter's gradient against centred differences of the candidate's own loss.
    static func checkNetworkGradients(_ what: String, names: ParameterNames, layers: F.Layers, gradients: F.Layers,
                                      loss: @escaping (F.Layers) -> Double, _ context: inout GradingContext) throws -> Double {
        var worst = 0.0
        for index in layers.indices {
            let numericW = GradientCheck.numericalGradient(of: { w in
                var copy = layers
                copy[index].weights = w
                return loss(copy)
            }, at: layers[index].weights)
            let numericB = GradientCheck.numericalGradient(of: { b in
                var copy = layers
                copy[index].bias = b
                return loss(copy)
            }, at: layers[index].bias)
            let name = names(index)
            try context.expectGradient(analytic: gradients[index].weights, numeric: numericW, what: "∂L/∂\(name.weights) of \(what)",
                                       situation: "a network of \(layers.count) layers", threshold: gradientThreshold)
            try context.expectGradient(analytic: gradients[index].bias, numeric: numericB, what: "∂L/∂\(name.bias) of \(what)",
                                       situation: "a network of \(layers.count) layers", threshold: gradientThreshold)
            worst = max(worst, GradientCheck.relativeError(gradients[index].weights, numericW),
                        GradientCheck.relativeError(gradients[index].bias, numericB))
        }
        return worst
    }

    /// Loss and gradients of a candidate against the reference, parameter by parameter.
    static func compareNetworkLoss(_ what: String, names: ParameterNames, got: (loss: Double, gradients: F.Layers), want: (loss: Double, gradients: F.Layers),
                                   suspects: @escaping @Sendable (F) -> (loss: Double, gradients: F.Layers), peers: Peers<F>,
                                   situation: String, inputs: [(name: String, value: Tensor)], batchSize: Int,
                                   regularization: (value: Double, candidate: (Double) -> Double, reference: (Double) -> Double)? = nil,
                                   _ context: inout GradingContext) throws {
        // λ changes from round to round: a number typed in its place is named by the value it gives.
        let parameters = regularization.map { setting in
            [Parameter("λ (the regularization)", setting.value, candidate: { Tensor(setting.candidate($0)) },
                       reference: { Tensor(setting.reference($0)) })]
        } ?? []
        try context.expectClose(got.loss, want.loss, what: "the loss of \(what)", situation: situation, inputs: inputs,
                                suspects: peers.suspects { Tensor(suspects($0).loss) }, parameters: parameters)
        guard got.gradients.count == want.gradients.count else {
            throw CheckFailure("\(what) returned \(got.gradients.count) gradients for \(want.gradients.count) layers (\(situation)): one per layer, in the layers' order.")
        }
        for index in want.gradients.indices {
            // A mistake's gradient for this layer, if it returns one (a shape that cannot match otherwise).
            let layer: @Sendable (F) -> (weights: Tensor, bias: Tensor) = { f in
                let gradients = suspects(f).gradients
                return gradients.indices.contains(index) ? gradients[index] : (Tensor.zeros([0]), Tensor.zeros([0]))
            }
            let name = names(index)
            try context.expectClose(got.gradients[index].weights, want.gradients[index].weights, what: "∂L/∂\(name.weights)",
                                    situation: situation, inputs: inputs, batchSize: batchSize,
                                    suspects: peers.suspects { layer($0).weights })
            try context.expectClose(got.gradients[index].bias, want.gradients[index].bias, what: "∂L/∂\(name.bias)",
                                    situation: situation, inputs: inputs, batchSize: batchSize,
                                    suspects: peers.suspects { layer($0).bias })
        }
    }

    /// The reference network loss, changed in one place: the known mistakes of both network exercises.
    static func networkLossVariant(maskHidden: Bool = true, weightDecayGradient: Bool = true, halfPenalty: Bool = true,
                                   regularizeBiases: Bool = false, reluOnScores: Bool = false, decayLastLayerOnly: Bool = false,
                                   meanBiasGradient: Bool = false)
        -> @Sendable (F.Layers, Tensor, [Int], Double) -> (loss: Double, gradients: F.Layers) {
        { layers, X, labels, lambda in
            let ref = BackpropFunctions.reference
            var h = X
            var backwards: [F.LayerBackward] = []
            var masks: [Tensor] = []
            for (index, layer) in layers.enumerated() {
                let isLast = index == layers.count - 1
                let (pre, backward) = ref.affine(h, layer.weights, layer.bias)
                backwards.append(backward)
                masks.append(pre .> 0)
                h = isLast && !reluOnScores ? pre : maximum(pre, 0)
            }
            let (dataLoss, dScores) = ClassifierFunctions.reference.softmaxCrossEntropy(h, labels)
            let decayed = layers.indices.filter { !decayLastLayerOnly || $0 == layers.count - 1 }
            var penalty = decayed.reduce(0) { $0 + (layers[$1].weights * layers[$1].weights).sum() }
            if regularizeBiases { penalty += layers.reduce(0) { $0 + ($1.bias * $1.bias).sum() } }
            penalty *= halfPenalty ? 0.5 * lambda : lambda
            var gradients = layers
            var upstream = reluOnScores ? dScores * masks[layers.count - 1] : dScores
            for index in layers.indices.reversed() {
                if index < layers.count - 1 && maskHidden { upstream = upstream * masks[index] }
                let (dx, dW, db) = backwards[index](upstream)
                let decay = weightDecayGradient && decayed.contains(index) ? lambda : 0
                gradients[index] = (dW + decay * layers[index].weights,
                                    (meanBiasGradient ? db / Double(X.shape[0]) : db) + (regularizeBiases ? lambda * layers[index].bias : Tensor.zeros(like: db)))
                upstream = dx
            }
            return (dataLoss + penalty, gradients)
        }
    }

    static func asLayers(_ p: F.TwoLayerParameters) -> F.Layers { [(p.w1, p.b1), (p.w2, p.b2)] }
    static func asTwoLayer(_ layers: F.Layers) -> F.TwoLayerParameters {
        (layers[0].weights, layers[0].bias, layers[1].weights, layers[1].bias)
    }

    /// A two-layer variant from a network variant.
    static func twoLayer(_ variant: @escaping @Sendable (F.Layers, Tensor, [Int], Double) -> (loss: Double, gradients: F.Layers))
        -> @Sendable (F.TwoLayerParameters, Tensor, [Int], Double) -> (loss: Double, gradients: F.TwoLayerParameters) {
        { net, X, labels, lambda in
            let result = variant(asLayers(net), X, labels, lambda)
            return (result.loss, asTwoLayer(result.gradients))
        }
    }

    // MARK: - Two-layer network

    static let twoLayerSpec = Spec(
        id: "mlp.twoLayer", title: "A two-layer network: scores, loss and every gradient", file: "TwoLayerNet.swift",
        declarations: ["twoLayerNetScores(_:_:)", "twoLayerNetLoss(_:_:labels:regularization:)"],
        hints: [
            "Forward: hidden = relu(X W1 + b1), scores = hidden W2 + b2; loss = softmax cross-entropy (mean over the batch) + (λ/2)(‖W1‖² + ‖W2‖²). Backward is the forward read backwards: the softmax gradient of the scores, then the second affine layer, the ReLU, the first affine layer.",
            "Read the chapter's sections “The loss and the penalty” and “The two-layer network, end to end”. Use this lesson's `affineReluForward` and `affineForward` (keep both caches), lesson 03's `softmaxCrossEntropy`, then `affineBackward` and `affineReluBackward`.",
            "The penalty (λ/2)‖W‖² has gradient λW: it adds λ·W1 to dW1 and λ·W2 to dW2, and nothing to the biases. ‖W‖² is `(w * w).sum()`. The scores are not passed through a ReLU.",
            "A sketch: `let (hidden, hiddenCache) = affineReluForward(X, …); let (scores, scoresCache) = affineForward(hidden, …); let (dataLoss, dScores) = softmaxCrossEntropy(scores, labels: labels); let (dHidden, dW2, db2) = affineBackward(dScores, cache: scoresCache); …`.",
        ],
        standard: "scores, loss and the four gradients compared with the reference on 4 random networks (D in 2–5, H in 3–6, C in 2–4, N in 2–6, λ of 0, 0.1, 0.5 and 1) and one whose scores are near 800, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of every parameter against your own loss (hidden pre-activations kept 0.05 from the kink): relative error < 1e-7",
        mistakes: [
            Change("weight decay missing from the gradients", "the penalty (λ/2)‖W‖² is in the loss but its gradient λW is missing from ∂L/∂W1 and ∂L/∂W2.") {
                $0.twoLayerLoss = twoLayer(networkLossVariant(weightDecayGradient: false))
            },
            Change("λ hard-coded as 0.1", "the loss and the gradients use λ = 0.1 whatever regularization they are given: use the `regularization` argument (the grader passes 0 to 1).") {
                $0.twoLayerLoss = { net, X, labels, _ in BackpropFunctions.reference.twoLayerLoss(net, X, labels, 0.1) }
            },
            Change("penalty without the ½", "the loss adds λ‖W‖², but this course's penalty is (λ/2)‖W‖², whose gradient is λW.") {
                $0.twoLayerLoss = twoLayer(networkLossVariant(halfPenalty: false))
            },
            Change("ReLU skipped in the backward", "the gradient flows back through the hidden layer as if there were no ReLU: multiply by the mask (hidden pre-activation > 0) — `affineReluBackward` does it.") {
                $0.twoLayerLoss = twoLayer(networkLossVariant(maskHidden: false))
            },
            Change("biases regularized", "the biases are regularized too: the penalty covers the weights only, so ∂L/∂b gets no λb.") {
                $0.twoLayerLoss = twoLayer(networkLossVariant(regularizeBiases: true))
            },
            Change("ReLU on the scores", "the scores go through a ReLU: the last layer is affine only, so the scores can be negative.") {
                $0.twoLayerScores = { net, X in maximum(BackpropFunctions.reference.twoLayerScores(net, X), 0) }
                $0.twoLayerLoss = twoLayer(networkLossVariant(reluOnScores: true))
            },
        ],
        alternatives: [
            Change("through the general network code") {
                $0.twoLayerLoss = { net, X, labels, lambda in
                    let (loss, gradients) = BackpropFunctions.reference.networkLoss(asLayers(net), X, labels, lambda)
                    return (loss, asTwoLayer(gradients))
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.affine, .relu], of: "mlp.twoLayer", candidate: candidate, reference: peers.reference) { context in
            for (round, lambda) in [0, 0.1, 0.5, 1, 0].enumerated() {
                let (drawn, X, labels) = randomNetwork(&context, hiddenLayers: 1...1)
                let net = asTwoLayer(round == 4 ? withScoresNear800(drawn) : drawn)
                let situation = (round == 4 ? "scores near 800" : "random network #\(round + 1)") + ", λ = \(lambda) (seed \(context.seed))"
                let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", Tensor(labels.map(Double.init))), ("w1", net.w1), ("w2", net.w2)]
                try context.expectClose(candidate.twoLayerScores(net, X), peers.reference.twoLayerScores(net, X), what: "twoLayerNetScores",
                                        situation: situation, inputs: inputs, suspects: peers.suspects { $0.twoLayerScores(net, X) })
                let got = candidate.twoLayerLoss(net, X, labels, lambda), want = peers.reference.twoLayerLoss(net, X, labels, lambda)
                try compareNetworkLoss("twoLayerNetLoss", names: twoLayerNames, got: (got.loss, asLayers(got.gradients)), want: (want.loss, asLayers(want.gradients)),
                                       suspects: { f in
                                           let r = f.twoLayerLoss(net, X, labels, lambda)
                                           return (r.loss, asLayers(r.gradients))
                                       }, peers: peers, situation: situation, inputs: inputs, batchSize: X.shape[0],
                                       regularization: (lambda, { candidate.twoLayerLoss(net, X, labels, $0).loss },
                                                        { peers.reference.twoLayerLoss(net, X, labels, $0).loss }), &context)
            }
            context.pass("scores, loss and gradients match the reference on 4 random networks and one with scores near 800")
            let (layers, X, labels) = randomNetwork(&context, hiddenLayers: 1...1)
            let lambda = 0.3
            let gradients = asLayers(candidate.twoLayerLoss(asTwoLayer(layers), X, labels, lambda).gradients)
            let worst = try checkNetworkGradients("twoLayerNetLoss", names: twoLayerNames, layers: layers, gradients: gradients,
                                                  loss: { candidate.twoLayerLoss(asTwoLayer($0), X, labels, lambda).loss }, &context)
            context.pass("gradient check of w1, b1, w2, b2: largest relative error \(Diagnosis.short(worst)) < 1e-7")
        }
    }

    // MARK: - A network of any depth

    static let deepNetSpec = Spec(
        id: "mlp.deepNet", title: "A fully connected network of any depth", file: "FullyConnectedNet.swift",
        declarations: ["networkScores(_:_:)", "networkLoss(_:_:labels:regularization:)"],
        hints: [
            "The two-layer network in a loop: every layer but the last is affine → ReLU, the last is affine only. Forward: keep each layer's cache in an array. Backward: start from the softmax gradient and walk the layers in reverse, each backward handing its dx to the layer below. Every weight gradient gains λW.",
            "Read the chapter's section “Any depth”. `layers.dropLast()` gives the hidden layers; `stride(from: layers.count - 2, through: 0, by: -1)` walks them backwards.",
            "The penalty is (λ/2) Σ over all layers of ‖W‖², including the last; its gradient λW goes to every layer's weights, none to the biases. The gradients come back one per layer, in the layers' order. The last layer has no ReLU, even when it is the only layer.",
            "A sketch: `for layer in layers.dropLast() { let (out, cache) = affineReluForward(h, …); caches.append(cache); h = out }`, then `affineForward` and `softmaxCrossEntropy`; backward `var gradients = layers`, `affineBackward` for the last layer, then the loop with `affineReluBackward`, setting `gradients[index] = DenseLayer(weights: dW + …, bias: db)`.",
        ],
        standard: "scores, loss and every layer's gradients compared with the reference on 4 random networks of 1 to 4 layers (λ of 0, 0.1, 0.5 and 1; the one-layer network's scores all negative) and one whose scores are near 800, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of every parameter of a 3-layer network against your own loss: relative error < 1e-7",
        mistakes: [
            Change("ReLU after the last layer", "the scores go through a ReLU: only the hidden layers have one; the last layer is affine alone.") {
                $0.networkScores = { layers, X in maximum(BackpropFunctions.reference.networkScores(layers, X), 0) }
                $0.networkLoss = networkLossVariant(reluOnScores: true)
            },
            Change("weight decay on the last layer only", "only the last layer is regularized: the penalty (λ/2)Σ‖W_l‖² covers every layer's weights, and each ∂L/∂W_l gains λW_l.") {
                $0.networkLoss = networkLossVariant(decayLastLayerOnly: true)
            },
            Change("gradients in reverse order", "the gradients come out in backward order (last layer first): return them in the layers' order, gradients[l] for layers[l].") {
                $0.networkLoss = { layers, X, labels, lambda in
                    let (loss, gradients) = BackpropFunctions.reference.networkLoss(layers, X, labels, lambda)
                    return (loss, gradients.reversed())
                }
            },
            Change("bias gradients averaged", "∂L/∂b is divided by N: dScores already carries the 1/N of the mean loss, so the bias gradient is the plain sum over the batch.") {
                $0.networkLoss = networkLossVariant(meanBiasGradient: true)
            },
        ],
        alternatives: [
            Change("recursion instead of cache arrays") {
                $0.networkLoss = { layers, X, labels, lambda in
                    let ref = BackpropFunctions.reference
                    // Returns the data loss and the gradients of layers[from...], given the input to layers[from].
                    func pass(_ h: Tensor, from index: Int) -> (loss: Double, dh: Tensor, gradients: F.Layers) {
                        let layer = layers[index]
                        if index == layers.count - 1 {
                            let (scores, backward) = ref.affine(h, layer.weights, layer.bias)
                            let (loss, dScores) = ClassifierFunctions.reference.softmaxCrossEntropy(scores, labels)
                            let (dh, dW, db) = backward(dScores)
                            return (loss, dh, [(dW + lambda * layer.weights, db)])
                        }
                        let (out, backward) = ref.affineRelu(h, layer.weights, layer.bias)
                        let rest = pass(out, from: index + 1)
                        let (dh, dW, db) = backward(rest.dh)
                        return (rest.loss, dh, [(dW + lambda * layer.weights, db)] + rest.gradients)
                    }
                    let result = pass(X, from: 0)
                    let penalty = 0.5 * lambda * layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }
                    return (result.loss + penalty, result.gradients)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.affine, .relu], of: "mlp.deepNet", candidate: candidate, reference: peers.reference) { context in
            for (round, lambda) in [0, 0.1, 0.5, 1, 0].enumerated() {
                let (drawn, X, labels) = randomNetwork(&context, hiddenLayers: round == 0 ? 0...0 : (round == 3 ? 3...3 : 1...2))
                // The one-layer network's scores are all negative, so a ReLU on the scores cannot hide.
                let layers = round == 4 ? withScoresNear800(drawn) : (round == 0 ? withNegativeScores(drawn, X) : drawn)
                let situation = (round == 4 ? "scores near 800" : round == 0 ? "a one-layer network whose scores are all negative" : "random network #\(round + 1)")
                    + " with \(layers.count) layers, λ = \(lambda) (seed \(context.seed))"
                let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", Tensor(labels.map(Double.init)))]
                try context.expectClose(candidate.networkScores(layers, X), peers.reference.networkScores(layers, X), what: "networkScores",
                                        situation: situation, inputs: inputs, suspects: peers.suspects { $0.networkScores(layers, X) })
                try compareNetworkLoss("networkLoss", names: layerNames, got: candidate.networkLoss(layers, X, labels, lambda),
                                       want: peers.reference.networkLoss(layers, X, labels, lambda),
                                       suspects: { $0.networkLoss(layers, X, labels, lambda) }, peers: peers, situation: situation,
                                       inputs: inputs, batchSize: X.shape[0],
                                       regularization: (lambda, { candidate.networkLoss(layers, X, labels, $0).loss },
                                                        { peers.reference.networkLoss(layers, X, labels, $0).loss }), &context)
            }
            context.pass("scores, loss and gradients match the reference on networks of 1 to 4 layers and one with scores near 800")
            let (layers, X, labels) = randomNetwork(&context, hiddenLayers: 2...2)
            let lambda = 0.2
            let worst = try checkNetworkGradients("networkLoss", names: layerNames, layers: layers, gradients: candidate.networkLoss(layers, X, labels, lambda).gradients,
                                                  loss: { candidate.networkLoss($0, X, labels, lambda).loss }, &context)
            context.pass("gradient check of every layer of a 3-layer network: largest relative error \(Diagnosis.short(worst)) < 1e-7")
        }
    }
}

extension Prerequisite where Functions == BackpropFunctions {
    static let affine = layer("mlp.affine", "affineForward/affineBackward") { $0.affine }
    static let relu = layer("mlp.relu", "the ReLU layer and affineRelu") { $0.affineRelu }

    /// A layer agrees when its output and all three gradients match the reference's on a random layer.
    private static func layer(_ exerciseID: String, _ function: String,
                              _ select: @escaping @Sendable (BackpropFunctions) -> (Tensor, Tensor, Tensor) -> (out: Tensor, backward: BackpropFunctions.LayerBackward))
        -> Prerequisite {
        Prerequisite(exerciseID: exerciseID, function: function) { candidate, reference, context in
            let (x, w, b, dOut) = BackpropLesson.randomLayerInputs(&context)
            let got = select(candidate)(x, w, b), want = select(reference)(x, w, b)
            let g = got.backward(dOut), r = want.backward(dOut)
            return Tolerance.standard.accepts(got.out, want.out) && Tolerance.standard.accepts(g.dx, r.dx)
                && Tolerance.standard.accepts(g.dWeights, r.dWeights) && Tolerance.standard.accepts(g.dBias, r.dBias)
        }
    }
}
