import CourseKit
import Foundation
import Implementations

extension DeepTrainingLesson {
    /// Random layers [D_0, D_1, …] with distinct, non-square sizes and nonzero biases.
    static func randomLayers(_ context: inout GradingContext, count: Int) -> F.Layers {
        var sizes = [context.random.nextInt(in: 2...5)]
        for _ in 0..<count { var next = context.random.nextInt(in: 2...6); while next == sizes.last { next += 1 }; sizes.append(next) }
        return zip(sizes, sizes.dropFirst()).map { (context.randomTensor([$0, $1]), context.randomTensor([$1])) }
    }

    // MARK: - L2

    static let l2Spec = Spec(
        id: "dnn.l2", title: "L2 regularization and its gradient (biases not decayed)", file: "WeightDecay.swift",
        declarations: ["l2Penalty(_:strength:)"],
        hints: [
            "L2 regularization adds the squared size of the weights to the loss, so gradient descent also pulls every weight a little towards 0: large weights must earn their place by lowering the data loss. It fights overfitting by preferring smoother functions.",
            "Only the weights W are penalized, never the biases (shifting a unit does not make the function wigglier). Use lesson 04's convention with the ½ (chapter section “L2 regularization”), so the gradient has no stray factor 2.",
            "penalty = (λ/2)·Σ over layers of Σ W², gradient of layer l: weights λ·W_l, bias all zeros with the bias's shape.",
            "Sketch: `layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }` for the sum of squares, and `DenseLayer(weights: strength * layer.weights, bias: Tensor.zeros(like: layer.bias))` per layer.",
        ],
        standard: "the penalty and every layer's gradient compared with the reference on 4 random networks of 1–3 layers (non-square, nonzero biases) with λ of 0, 0.1, 2.5 and a random λ (|error| ≤ 1e-8 + 1e-6·|expected|); a gradient check of the penalty with respect to every weight (relative error < 1e-7)",
        mistakes: [
            Change("biases decayed", "the biases are penalized too: L2 regularization here decays the weights only — the bias gradient of the penalty is 0.") {
                $0.l2Penalty = { layers, lambda in
                    let penalty = 0.5 * lambda * layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() + ($1.bias * $1.bias).sum() }
                    return (penalty, layers.map { (lambda * $0.weights, lambda * $0.bias) })
                }
            },
            Change("λ hard-coded as 0.01", "the penalty uses λ = 0.01 whatever strength it is given: use the `strength` argument (the grader passes 0, 0.1, 2.5 and a random λ).") {
                $0.l2Penalty = { layers, _ in F.reference.l2Penalty(layers, 0.01) }
            },
            Change("λ‖W‖² without the ½", "the penalty is λ·ΣW² (gradient 2λW); this course uses (λ/2)·ΣW², whose gradient is λW — lesson 04's convention.") {
                $0.l2Penalty = { layers, lambda in
                    (lambda * layers.reduce(0) { $0 + ($1.weights * $1.weights).sum() }, layers.map { (2 * lambda * $0.weights, Tensor.zeros(like: $0.bias)) })
                }
            },
            Change("last layer not decayed", "every layer's weights are penalized, the output layer's too.") {
                $0.l2Penalty = { layers, lambda in
                    let r = F.reference.l2Penalty(Array(layers.dropLast()), lambda)
                    return (r.penalty, r.gradients + [(Tensor.zeros(like: layers.last!.weights), Tensor.zeros(like: layers.last!.bias))])
                }
            },
            Change("penalty on |W| (L1)", "the penalty squares the weights: (λ/2)·ΣW², not λ·Σ|W|.") {
                $0.l2Penalty = { layers, lambda in
                    (lambda * layers.reduce(0) { $0 + abs($1.weights).sum() }, layers.map { (lambda * sign($0.weights), Tensor.zeros(like: $0.bias)) })
                }
            },
        ],
        alternatives: [
            Change("sum of squares as a dot product of the flattened weights") {
                $0.l2Penalty = { layers, lambda in
                    var total = 0.0
                    for layer in layers { total += dot(layer.weights.flattened(), layer.weights.flattened()) }
                    return (lambda / 2 * total, layers.map { ($0.weights * lambda, $0.bias * 0) })
                }
            },
        ]
    ) { candidate, peers, context in
        for (round, lambdaChoice) in [0.0, 0.1, 2.5, -1].enumerated() {
            let lambda = lambdaChoice < 0 ? context.random.nextUniform(in: 0.2..<1.5) : lambdaChoice
            let layers = randomLayers(&context, count: round == 0 ? 1 : context.random.nextInt(in: 2...3))
            let got = candidate.l2Penalty(layers, lambda), want = peers.reference.l2Penalty(layers, lambda)
            let situation = "\(layers.count) layers of shapes \(layers.map(\.weights.shape)), λ = \(Diagnosis.short(lambda)) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("first weights", layers[0].weights), ("first bias", layers[0].bias)]
            let strength = [Parameter("strength (λ)", lambda, candidate: { Tensor(candidate.l2Penalty(layers, $0).penalty) },
                                      reference: { Tensor(peers.reference.l2Penalty(layers, $0).penalty) })]
            try expect(context, Tensor(got.penalty), Tensor(want.penalty), what: "the penalty", situation: situation, inputs: inputs, peers: peers,
                       parameters: strength) {
                Tensor($0.l2Penalty(layers, lambda).penalty)
            }
            guard got.gradients.count == layers.count else { throw CheckFailure("l2Penalty returned \(got.gradients.count) gradients for \(layers.count) layers.") }
            for l in layers.indices {
                try expect(context, got.gradients[l].weights, want.gradients[l].weights, what: "the weight gradient of layer \(l)", situation: situation,
                           inputs: inputs, peers: peers) { $0.l2Penalty(layers, lambda).gradients[l].weights }
                try expect(context, got.gradients[l].bias, want.gradients[l].bias, what: "the bias gradient of layer \(l)", situation: situation,
                           inputs: inputs, peers: peers) { $0.l2Penalty(layers, lambda).gradients[l].bias }
            }
        }
        context.pass("the penalty and its gradients match the reference for λ of 0, 0.1, 2.5 and a random λ")
        let layers = randomLayers(&context, count: 2), lambda = 0.7
        let analytic = candidate.l2Penalty(layers, lambda).gradients
        for l in layers.indices {
            let numeric = GradientCheck.numericalGradient(of: { w in
                var changed = layers; changed[l].weights = w; return candidate.l2Penalty(changed, lambda).penalty
            }, at: layers[l].weights)
            try context.expectGradient(analytic: analytic[l].weights, numeric: numeric, what: "the weight gradient of layer \(l)",
                                       situation: "λ = 0.7", threshold: gradientThreshold)
        }
        context.pass("gradient check of the penalty: relative error < 1e-7 for every layer's weights")
    }

    // MARK: - Dropout

    static func dropoutVariant(keepProbability: Bool = false, scale: Bool = true, scaleByKeep: Bool = false, dropInInference: Bool = false,
                               scaleAtInference: Bool = false)
        -> @Sendable (Tensor, Double, Bool, UInt64) -> (out: Tensor, mask: Tensor) {
        { x, p, training, seed in
            var g = SeededGenerator(seed: seed)
            if !training && !dropInInference { return (scaleAtInference ? x * (1 - p) : x, Tensor.ones(like: x)) }
            let u = Tensor.randomUniform(x.shape, using: &g)
            let keep = keepProbability ? 1 - p : 1 - p   // the probability of keeping
            var mask = keepProbability ? (u .< p) : (u .>= p)
            let kept = keepProbability ? p : keep
            if scale { mask = scaleByKeep ? mask * kept : mask / kept }
            return (x * mask, mask)
        }
    }

    static let dropoutSpec = Spec(
        id: "dnn.dropout", title: "Inverted dropout, forward and backward", file: "Dropout.swift",
        declarations: ["dropoutForward(_:dropProbability:mode:using:)", "dropoutBackward(_:mask:)"],
        hints: [
            "Dropout zeroes a random fraction p of the units during training, so no unit can rely on any one other; at test time every unit is used. To keep the expected activation the same in both modes, the kept units are scaled up by 1/(1 − p) during training (“inverted” dropout) — so inference needs no change at all.",
            "Here p is the DROP probability (PyTorch's convention; CS231n's code calls its p the keep probability). Draw one uniform number per element with `Tensor.randomUniform(x.shape, using: &generator)` and drop where u < p. In `.inference` mode return x unchanged with a mask of ones, drawing nothing. Chapter section “Dropout”.",
            "mask = [u ≥ p]/(1 − p), out = x ⊙ mask. Backward: out is x times a constant mask, so ∂L/∂x = ∂L/∂out ⊙ mask — the same mask the forward drew.",
            "Sketch: `guard mode == .training else { return (x, Tensor.ones(like: x)) }`, then `let mask = (Tensor.randomUniform(x.shape, using: &generator) .>= dropProbability) / (1 - dropProbability)`.",
        ],
        standard: "inference mode returns x and a mask of ones; training mode compared with the reference with a fixed seed (out and mask) for p of 0.2, 0.5 and 0.75 on non-square shapes; statistically on a [100, 400] input of ones with a random p: the dropped fraction within 5 standard errors of p, every kept value exactly 1/(1 − p), the mean within 5 standard errors of 1, out = x ⊙ mask; p = 0 passes everything; backward compared with the reference on a given mask and gradient-checked against the forward with a fixed seed (relative error < 1e-7)",
        mistakes: [
            Change("p used as the keep probability", "p is the probability of DROPPING a unit here (PyTorch's convention): keep where u ≥ p and scale by 1/(1 − p). CS231n's code uses p as the keep probability — the other side of the same trap.") {
                $0.dropoutForward = dropoutVariant(keepProbability: true)
            },
            Change("dropout not scaled", "the kept units are not scaled by 1/(1 − p): then the expected activation in training is (1 − p)·x, and the network sees larger inputs at test time than it was trained on. Inverted dropout divides the mask by 1 − p.") {
                $0.dropoutForward = dropoutVariant(scale: false)
            },
            Change("scaled by 1 − p instead of 1/(1 − p)", "the kept units are multiplied by 1 − p: divide by it, so that E[out] = (1 − p)·x/(1 − p) = x.") {
                $0.dropoutForward = dropoutVariant(scaleByKeep: true)
            },
            Change("inference mode forgotten", "units are dropped in inference mode too: at test time (`.inference`, PyTorch's `model.eval()`) dropout must pass x through unchanged, with a mask of ones.") {
                $0.dropoutForward = dropoutVariant(dropInInference: true)
            },
            Change("classic dropout scaled at test time", "this is the original, non-inverted dropout: no scaling in training and ×(1 − p) at test time. Inverted dropout scales the kept units by 1/(1 − p) during training and leaves inference untouched.") {
                $0.dropoutForward = dropoutVariant(scale: false, scaleAtInference: true)
            },
            Change("backward scales again", "the mask already holds 1/(1 − p): the backward multiplies by the mask and nothing else.") {
                $0.dropoutBackward = { dOut, mask in
                    let nonzero = mask.scalars.first { $0 != 0 } ?? 1
                    return dOut * mask * nonzero
                }
            },
        ],
        alternatives: [
            Change("a mask built element by element") {
                $0.dropoutForward = { x, p, training, seed in
                    guard training else { return (x, Tensor.ones(like: x)) }
                    var g = SeededGenerator(seed: seed)
                    let mask = Tensor(shape: x.shape, scalars: (0..<x.count).map { _ in g.nextUniform() < p ? 0 : 1 / (1 - p) })
                    return (x * mask, mask)
                }
                $0.dropoutBackward = { dOut, mask in dOut.zipMap(mask, *) }
            },
        ]
    ) { candidate, peers, context in
        for p in [0.2, 0.5, 0.75] {
            let x = context.randomTensor([context.random.nextInt(in: 2...4), context.random.nextInt(in: 5...8)])
            let seed = context.random.next() >> 12
            let got = candidate.dropoutForward(x, p, false, seed)
            let situation = "inference mode, p = \(p)"
            try expect(context, got.out, x, what: "dropoutForward's out", situation: situation, inputs: [("x", x)], peers: peers) {
                $0.dropoutForward(x, p, false, seed).out
            }
            try expect(context, got.mask, Tensor.ones(like: x), what: "dropoutForward's mask", situation: situation, inputs: [("x", x)], peers: peers) {
                $0.dropoutForward(x, p, false, seed).mask
            }
        }
        context.pass("inference mode passes x through with a mask of ones")

        for p in [0.2, 0.5, 0.75] {
            let x = context.randomTensor([context.random.nextInt(in: 2...4), context.random.nextInt(in: 5...8)])
            let seed = context.random.next() >> 12
            let got = candidate.dropoutForward(x, p, true, seed), want = peers.reference.dropoutForward(x, p, true, seed)
            let situation = "training mode, p = \(p) (the drop probability), fixed seed \(seed): one Tensor.randomUniform(x.shape, using:) draw, dropped where u < p"
            try expect(context, got.mask, want.mask, what: "dropoutForward's mask", situation: situation, inputs: [("x", x)], peers: peers) {
                $0.dropoutForward(x, p, true, seed).mask
            }
            try expect(context, got.out, want.out, what: "dropoutForward's out", situation: situation, inputs: [("x", x)], peers: peers) {
                $0.dropoutForward(x, p, true, seed).out
            }
        }
        context.pass("training mode matches the reference with a fixed seed for p of 0.2, 0.5 and 0.75")

        let p = context.random.nextUniform(in: 0.1..<0.9), seed = context.random.next() >> 12
        let ones = Tensor.ones([100, 400]), n = Double(ones.count)
        let (out, mask) = candidate.dropoutForward(ones, p, true, seed)
        guard out.shape == ones.shape, mask.shape == ones.shape else { throw CheckFailure("dropoutForward returned shapes \(out.shape) and \(mask.shape) for an input of shape \(ones.shape).") }
        var cause: String {   // evaluated only when a check fails
            let named = peers.mistakes.filter { Tolerance.standard.accepts($0.functions.dropoutForward(ones, p, true, seed).out, out) }.map(\.explanation)
            return named.isEmpty ? "" : "\n  likely cause: " + named.joined(separator: "\n  or: ")
        }
        let dropped = Double(out.scalars.filter { $0 == 0 }.count) / n
        let standardError = (p * (1 - p) / n).squareRoot()
        guard abs(dropped - p) < 5 * standardError else {
            throw CheckFailure("dropoutForward with p = \(Diagnosis.short(p)) dropped \(Diagnosis.short(100 * dropped))% of 40 000 units; p is the DROP probability, so about \(Diagnosis.short(100 * p))% should be 0.\(cause)")
        }
        guard out.scalars.allSatisfy({ $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-12 }) else {
            throw CheckFailure("dropoutForward with p = \(Diagnosis.short(p)) on an input of ones: every kept unit should be exactly 1/(1 − p) = \(Diagnosis.short(1 / (1 - p))), found \(Diagnosis.short(out.scalars.first { $0 != 0 } ?? 0)). Inverted dropout scales the kept units so that E[out] = x.\(cause)")
        }
        guard abs(out.mean() - 1) < 5 * standardError / (1 - p) else {
            throw CheckFailure("dropoutForward with p = \(Diagnosis.short(p)): the mean of out over 40 000 ones is \(Diagnosis.short(out.mean())); inverted dropout keeps it at 1.\(cause)")
        }
        guard Tolerance.tight.accepts(out, ones * mask) else { throw CheckFailure("dropoutForward: out should equal x ⊙ mask (the mask you return is the one the backward will use).") }
        let x0 = context.randomTensor([3, 4])
        try expect(context, candidate.dropoutForward(x0, 0, true, 1).out, x0, what: "dropoutForward's out", situation: "p = 0 in training mode (nothing dropped)",
                   inputs: [("x", x0)], peers: peers) { $0.dropoutForward(x0, 0, true, 1).out }
        context.pass("statistics over 40 000 units with p = \(Diagnosis.short(p)): \(Diagnosis.short(100 * dropped))% dropped, kept units scaled by 1/(1 − p), mean \(Diagnosis.short(out.mean())); p = 0 passes everything")

        let x = context.randomTensor([4, 6]), dOut = context.randomTensor([4, 6])
        let givenMask = Tensor(shape: [4, 6], scalars: (0..<24).map { _ in context.random.nextBool(probability: 0.4) ? 0 : 1 / 0.6 })
        try expect(context, candidate.dropoutBackward(dOut, givenMask), peers.reference.dropoutBackward(dOut, givenMask), what: "dropoutBackward",
                   situation: "a given mask (p = 0.4)", inputs: [("dOut", dOut), ("mask", givenMask)], peers: peers) { $0.dropoutBackward(dOut, givenMask) }
        let fixedSeed = context.random.next() >> 12
        let forwardMask = candidate.dropoutForward(x, 0.4, true, fixedSeed).mask
        let numeric = GradientCheck.numericalGradient(of: { candidate.dropoutForward($0, 0.4, true, fixedSeed).out }, at: x, upstream: dOut)
        try context.expectGradient(analytic: candidate.dropoutBackward(dOut, forwardMask), numeric: numeric, what: "dropoutBackward",
                                   situation: "p = 0.4, the forward's own mask", threshold: gradientThreshold)
        context.pass("backward matches the reference on a given mask; gradient check < 1e-7")
    }

    // MARK: - Clipping

    static let clippingSpec = Spec(
        id: "dnn.clipping", title: "Gradient clipping by global norm", file: "GradientClipping.swift",
        declarations: ["clipByGlobalNorm(_:maxNorm:)"],
        hints: [
            "When the gradients of all parameters together are too long, one bad minibatch can throw the weights far away (exploding gradients, common in recurrent networks). Clipping by the global norm shrinks them all by one common factor, so the step keeps its direction and only its length is capped.",
            "“Global” means one norm over every element of every tensor in the list — not one per tensor. Gradients already short enough are returned as they are (including a norm exactly equal to the maximum). Chapter section “Gradient clipping”.",
            "n = √(Σ over tensors of Σ g²); if n > c multiply every tensor by c/n. Return n itself (before clipping) as `norm`.",
            "Sketch: `let norm = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()`, then `guard norm > maxNorm else { return (gradients, norm) }`.",
        ],
        standard: "compared with the reference (the clipped tensors and the norm) on lists of 2–3 tensors of different shapes (one much shorter than the others): norms above the maximum (×1.5 to ×1000), below it, exactly equal to it, all-zero gradients (no NaN), and gradients about 1e-6 in size (clipping is scale-invariant: no ε added to the norm); |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("clipped per tensor", "each tensor is clipped by its own norm: the norm is global, one number over every element of every gradient, and one factor scales them all (so the direction of the whole step is kept).") {
                $0.clipByGlobalNorm = { gradients, c in
                    let total = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
                    return (gradients.map { g in let n = g.norm(); return n > c ? g * (c / n) : g }, total)
                }
            },
            Change("short gradients scaled up", "gradients whose norm is below the maximum are scaled up to it: clipping only ever shrinks, multiply by c/n only when n > c.") {
                $0.clipByGlobalNorm = { gradients, c in
                    let total = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
                    return (total == 0 ? gradients : gradients.map { $0 * (c / total) }, total)
                }
            },
            Change("squared norm", "the norm is the square root of the sum of squares: n = √(Σ g²).") {
                $0.clipByGlobalNorm = { gradients, c in
                    let squared = gradients.reduce(0) { $0 + ($1 * $1).sum() }
                    return (squared > c ? gradients.map { $0 * (c / squared) } : gradients, squared)
                }
            },
            Change("ε added to the norm", "the factor is c/(‖g‖ + ε): clipping is scale-invariant, and with gradients about 1e-6 in size the ε changes the factor by tens of percent. Use c/‖g‖ — the zero case never reaches it, since 0 is not above c.") {
                $0.clipByGlobalNorm = { gradients, c in
                    let reference = DeepTrainingFunctions.reference.clipByGlobalNorm(gradients, c)
                    guard reference.norm > c else { return reference }
                    return (gradients.map { $0 * (c / (reference.norm + 1e-6)) }, reference.norm)
                }
            },
            Change("the norm after clipping returned", "`norm` is the global norm BEFORE clipping (what you would log to see whether gradients explode).") {
                $0.clipByGlobalNorm = { gradients, c in let r = F.reference.clipByGlobalNorm(gradients, c); return (r.clipped, min(r.norm, c)) }
            },
        ],
        alternatives: [
            Change("clipped when the norm is ≥ c (at c the factor is 1)") {
                $0.clipByGlobalNorm = { gradients, c in
                    let n = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
                    return n >= c && n > 0 ? (gradients.map { $0 * (c / n) }, n) : (gradients, n)
                }
            },
            Change("a factor min(1, c/n) applied always") {
                $0.clipByGlobalNorm = { gradients, c in
                    let n = gradients.map { $0.norm() }.reduce(0) { ($0 * $0 + $1 * $1).squareRoot() }
                    let factor = Swift.min(1, c / n)
                    return (gradients.map { $0 * factor }, n)
                }
            },
        ]
    ) { candidate, peers, context in
        // Clipping is scale-invariant: gradients a millionth as large, clipped to a millionth of the maximum, give the
        // same factor, so a guard such as c/(‖g‖ + 1e-6) (PyTorch adds one) shows there.
        let cases: [(String, Double?, Double)] = [("norm above the maximum (×1.5)", 1.5, 1), ("norm far above the maximum (×1000)", 1000, 1),
                                                  ("norm below the maximum (×0.6)", 0.6, 1), ("norm exactly the maximum", 1, 1),
                                                  ("all-zero gradients", nil, 1), ("tiny gradients (about 1e-6) with the norm ×2 the maximum", 2, 1e-6)]
        for (situationName, factor, scale) in cases {
            // Two or three tensors, the last much shorter than the rest: clipping each tensor by its own norm leaves it alone.
            let count = context.random.nextInt(in: 2...3)
            var gradients = (0..<count).map { _ in context.randomTensor(context.randomShape(ranks: 1...2, sizes: 2...4), scale: scale) }
            gradients[count - 1] = gradients[count - 1] * 0.01
            if factor == nil { gradients = gradients.map { Tensor.zeros(like: $0) } }
            let norm = gradients.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot()
            let maxNorm: Double
            if let factor {
                maxNorm = norm / factor
                if factor == 1 { gradients = gradients.map { $0 * (maxNorm / norm) } }   // rescaled so that the norm is the maximum up to rounding
            } else {
                maxNorm = 1
            }
            let frozen = gradients
            let exact = factor == 1 ? frozen.reduce(0) { $0 + ($1 * $1).sum() }.squareRoot() : maxNorm
            let limit = factor == 1 ? exact : maxNorm
            let got = candidate.clipByGlobalNorm(frozen, limit), want = peers.reference.clipByGlobalNorm(frozen, limit)
            let situation = "\(situationName): shapes \(frozen.map(\.shape)), maxNorm \(Diagnosis.short(limit)) (seed \(context.seed))"
            try expect(context, Tensor(got.norm), Tensor(want.norm), what: "the norm", situation: situation, peers: peers) {
                Tensor($0.clipByGlobalNorm(frozen, limit).norm)
            }
            guard got.clipped.count == frozen.count else { throw CheckFailure("clipByGlobalNorm returned \(got.clipped.count) tensors for \(frozen.count).") }
            for k in frozen.indices {
                try expect(context, got.clipped[k], want.clipped[k], what: "clipped gradient \(k)", situation: situation,
                           inputs: [("gradient \(k)", frozen[k])], peers: peers) { $0.clipByGlobalNorm(frozen, limit).clipped[k] }
            }
        }
        context.pass("matches the reference above, far above, below and exactly at the maximum, on zero gradients, and on tiny ones")
    }
}
