import CourseKit
import Foundation
import Implementations

extension TransformersLesson {
    /// Ways to get the pre-norm block wrong (all off: correct).
    struct BlockFlaws: Sendable {
        var residualAfterNorm = false
        var postNorm = false
        var sharedNorm = false
        var contextGradientDropped = false
        var residualGradientDropped = false
        var maskIgnored = false
    }

    /// The pre-norm block from the reference's sublayers, with the chosen flaws.
    static func flawedBlock(_ flaws: BlockFlaws)
        -> @Sendable (Tensor, [Tensor], Int, Tensor?) -> (out: Tensor, weights: Tensor, backward: F.ParameterBackward) {
        { x, p, heads, mask in
            let ref = F.reference
            let attention = Array(p[2..<10]), feedForward = Array(p[12..<16])
            let (g2, b2) = flaws.sharedNorm ? (p[0], p[1]) : (p[10], p[11])
            if flaws.postNorm {
                let (a, weights, _) = ref.multiHeadAttention(x, x, attention, heads, mask)
                let h = F.layerNorm(x + a, gamma: p[0], beta: p[1]).out
                let out = F.layerNorm(h + ref.feedForward(h, feedForward).out, gamma: g2, beta: b2).out
                return (out, weights, ref.block(x, p, heads, mask).backward)
            }
            let (n1, norm1Backward) = F.layerNorm(x, gamma: p[0], beta: p[1])
            let (a, weights, attentionBackward) = ref.multiHeadAttention(n1, n1, attention, heads, flaws.maskIgnored ? nil : mask)
            let h = (flaws.residualAfterNorm ? n1 : x) + a
            let (n2, norm2Backward) = F.layerNorm(h, gamma: g2, beta: b2)
            let (f, feedForwardBackward) = ref.feedForward(n2, feedForward)
            let out = (flaws.residualAfterNorm ? n2 : h) + f
            return (out, weights, { dOut in
                let (dn2, feedForwardGradients) = feedForwardBackward(dOut)
                let norm2 = norm2Backward(dn2)
                let dh = (flaws.residualGradientDropped ? Tensor.zeros(like: dOut) : dOut) + norm2.dx
                let (dQuery, dContext, attentionGradients) = attentionBackward(dh)
                let norm1 = norm1Backward(flaws.contextGradientDropped ? dQuery : dQuery + dContext)
                return (dh + norm1.dx, [norm1.dGamma, norm1.dBeta] + attentionGradients + [norm2.dGamma, norm2.dBeta] + feedForwardGradients)
            })
        }
    }

    static let blockSpec = Spec(
        id: "transformer.block", title: "A pre-norm Transformer block, forward and backward", file: "TransformerBlock.swift",
        declarations: ["transformerBlockForward(_:parameters:heads:mask:)", "transformerBlockBackward(_:cache:)"],
        hints: [
            "A block is two sublayers on a residual stream: attention (positions talk to each other), then the feed-forward network (each position thinks alone). Pre-norm: each sublayer reads a layer-normalized copy of the stream and adds its result back to the stream itself.",
            "Chapter sections \"Residual streams and pre-norm\" and \"Residual streams, backward\". `tokenLayerNormForward` (given, ε = 1e-5) normalizes every position; self-attention is your multiHeadAttentionForward with the normalized x as both x and context.",
            "Backward: the gradient at a residual fork is the sum of both paths. dh = dOut + (the feed-forward path: feedForwardBackward, then tokenLayerNormBackward); then dx = dh + (the attention path: multiHeadAttentionBackward, whose dx and dContext you add because both came from LN₁(x), then tokenLayerNormBackward).",
            "A sketch of the forward: `let (n1, c1) = tokenLayerNormForward(x, gamma: parameters.attentionNormGamma, beta: parameters.attentionNormBeta)`, `let (a, ca) = multiHeadAttentionForward(n1, context: n1, parameters: parameters.attention, heads: heads, mask: mask)`, `let h = x + a`, and the same pattern for the feed-forward sublayer.",
        ],
        standard: "output, attention weights, dx and all 16 parameter gradients compared with the reference on a causal block (B = 2, T = 6, D = 8, 2 heads), padding plus causal masks with a sequence of padding only (4 heads), a batch of one with T = 1, and no mask, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check through the whole block (B = 2, T = 3, D = 4, 2 heads, padding and causal masks) of x and every parameter: relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("residual taken after the norm", "the residual is added to the normalized stream (h = LN₁(x) + Attention(LN₁(x))): in a pre-norm block the stream itself is carried, h = x + Attention(LN₁(x)), and likewise out = h + FeedForward(LN₂(h)).") {
                $0.block = flawedBlock(BlockFlaws(residualAfterNorm: true))
            },
            Change("post-norm instead of pre-norm", "the block normalizes after each residual addition (LN(x + Sublayer(x)), the original paper's post-norm): this course's block is pre-norm, x + Sublayer(LN(x)).") {
                $0.block = flawedBlock(BlockFlaws(postNorm: true))
            },
            Change("one layer norm for both sublayers", "the feed-forward sublayer reads LN₁'s γ₁ and β₁: each sublayer has its own layer norm (γ₂, β₂ before the feed-forward network).") {
                $0.block = flawedBlock(BlockFlaws(sharedNorm: true))
            },
            Change("mask not passed to attention", "the mask is not passed on to self-attention: padded and future positions are being attended to.") {
                $0.block = flawedBlock(BlockFlaws(maskIgnored: true))
            },
            Change("attention's context gradient dropped", "dx misses attention's dContext: in self-attention LN₁(x) is both the queries' source and the context (keys and values), so the gradient reaching LN₁ is dx + dContext.") {
                $0.block = flawedBlock(BlockFlaws(contextGradientDropped: true))
            },
            Change("residual path dropped in the backward", "dh misses the residual path: h reaches out both directly and through the feed-forward sublayer, so dh = dOut + (the gradient through LN₂ and the feed-forward network).") {
                $0.block = flawedBlock(BlockFlaws(residualGradientDropped: true))
            },
        ],
        alternatives: [
            Change("built from the reference's sublayers and lesson 05's layer norm") { $0.block = flawedBlock(BlockFlaws()) },
        ]
    ) { candidate, peers, context in
        let lengths = randomLengths(batch: 3, length: 6, &context)
        let cases: [(String, Tensor, Int, Tensor?)] = [
            ("a causal block, B = 2, T = 6, D = 8, 2 heads", context.randomTensor([2, 6, 8]), 2, peers.reference.causalMask(6)),
            ("padding (lengths \(lengths)) and causal masks, 4 heads", context.randomTensor([3, 6, 8]), 4,
             peers.reference.paddingMask(lengths, lengths, 6, 6) * peers.reference.causalMask(6)),
            ("a batch of one with T = 1, 2 heads", context.randomTensor([1, 1, 8]), 2, nil),
            ("no mask, T = 6, 4 heads", context.randomTensor([2, 6, 8]), 4, nil),
        ]
        for (situation, x, heads, mask) in cases {
            let what = situation + " (seed \(context.seed))"
            let p = randomBlockParameters(8, 12, &context)
            let inputs: Inputs = [("x", x)]
            let got = candidate.block(x, p, heads, mask), want = peers.reference.block(x, p, heads, mask)
            try expect(got.out, want.out, "the output of transformerBlockForward", what, inputs, peers, context) { $0.block(x, p, heads, mask).out }
            try expect(got.weights, want.weights, "the attention weights (cache.attention.attention.weights)", what, inputs, peers, context) {
                $0.block(x, p, heads, mask).weights
            }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            try expect(g.dx, r.dx, "dx of transformerBlockBackward", what, inputs, peers, context) { $0.block(x, p, heads, mask).backward(dOut).dx }
            try expectGradients(g.gradients, r.gradients, names: blockNames, "transformerBlockBackward", what, inputs, peers, context) {
                $0.block(x, p, heads, mask).backward(dOut).gradients
            }
        }
        context.pass("output, weights, dx and all 16 parameter gradients match the reference on \(cases.count) cases")

        let x = context.randomTensor([2, 3, 4]), p = randomBlockParameters(4, 8, &context), dOut = context.randomTensor([2, 3, 4])
        let mask = peers.reference.paddingMask([3, 2], [3, 2], 3, 3) * peers.reference.causalMask(3)
        let g = candidate.block(x, p, 2, mask).backward(dOut)
        let worst = try checkGradients(of: { candidate.block($0[0], Array($0[1...]), 2, mask).out }, at: [x] + p, names: ["x"] + blockNames,
                                       upstream: dOut, gradients: [g.dx] + g.gradients, what: "transformerBlockBackward",
                                       situation: "B = 2, T = 3, D = 4, 2 heads, padding and causal masks", &context)
        context.pass("gradient check through the whole block, x and all 16 parameters: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Decoder block

    /// Ways to get the decoder block wrong (all off: correct).
    struct DecoderFlaws: Sendable {
        var encoderNormalized = false
        var selfMaskIgnored = false
        var crossResidualDropped = false
        var encoderGradientDropped = false
    }

    static func flawedDecoder(_ flaws: DecoderFlaws)
        -> @Sendable (Tensor, Tensor, [Tensor], Int, Tensor?, Tensor?) -> (out: Tensor, crossWeights: Tensor, backward: F.DecoderBackward) {
        { x, e, p, heads, selfMask, crossMask in
            let ref = F.reference
            let (n1, norm1Backward) = F.layerNorm(x, gamma: p[0], beta: p[1])
            let (a1, _, self1Backward) = ref.multiHeadAttention(n1, n1, Array(p[2..<10]), heads, flaws.selfMaskIgnored ? nil : selfMask)
            let h1 = x + a1
            let (n2, norm2Backward) = F.layerNorm(h1, gamma: p[10], beta: p[11])
            let source = flaws.encoderNormalized ? F.layerNorm(e, gamma: p[10], beta: p[11]).out : e
            let (a2, crossWeights, crossBackward) = ref.multiHeadAttention(n2, source, Array(p[12..<20]), heads, crossMask)
            let h2 = (flaws.crossResidualDropped ? Tensor.zeros(like: h1) : h1) + a2
            let (n3, norm3Backward) = F.layerNorm(h2, gamma: p[20], beta: p[21])
            let (f, feedForwardBackward) = ref.feedForward(n3, Array(p[22..<26]))
            return (h2 + f, crossWeights, { dOut in
                let (dn3, feedForwardGradients) = feedForwardBackward(dOut)
                let norm3 = norm3Backward(dn3)
                let dh2 = dOut + norm3.dx
                let (dn2, dEncoder, crossGradients) = crossBackward(dh2)
                let norm2 = norm2Backward(dn2)
                let dh1 = dh2 + norm2.dx
                let (dQuery, dContext, selfGradients) = self1Backward(dh1)
                let norm1 = norm1Backward(dQuery + dContext)
                let gradients = [norm1.dGamma, norm1.dBeta] + selfGradients + [norm2.dGamma, norm2.dBeta] + crossGradients
                    + [norm3.dGamma, norm3.dBeta] + feedForwardGradients
                return (dh1 + norm1.dx, flaws.encoderGradientDropped ? Tensor.zeros(like: e) : dEncoder, gradients)
            })
        }
    }

    static let decoderSpec = Spec(
        id: "transformer.decoder", title: "Cross-attention: a pre-norm decoder block", file: "DecoderBlock.swift",
        declarations: ["decoderBlockForward(_:encoderOutput:parameters:heads:selfMask:crossMask:)", "decoderBlockBackward(_:cache:)"],
        hints: [
            "A decoder block has three sublayers on its residual stream: masked self-attention (each target position reads the earlier ones), cross-attention (each target position reads the whole encoded source), and the feed-forward network. Cross-attention is multi-head attention whose queries come from the decoder and whose keys and values come from the encoder.",
            "Chapter section \"Encoder, decoder, cross-attention\". Your `multiHeadAttentionForward(n2, context: encoderOutput, …)` is cross-attention: Tq and Tk may differ, and the mask is [B, Tq, Tk]. The encoder output is used as it is (no norm of this block touches it).",
            "Backward: as the encoder block, one sublayer more, from the top: feed-forward, then cross-attention — whose dContext is the gradient of the encoder output — then self-attention, where dx and dContext add up. Each residual fork adds its two paths.",
            "A sketch of the middle sublayer: `let (n2, c2) = tokenLayerNormForward(h1, gamma: parameters.crossAttentionNormGamma, beta: parameters.crossAttentionNormBeta)`, `let (a2, ca2) = multiHeadAttentionForward(n2, context: encoderOutput, parameters: parameters.crossAttention, heads: heads, mask: crossMask)`, `let h2 = h1 + a2`.",
        ],
        standard: "output, cross-attention weights, dx, dEncoderOutput and all 26 parameter gradients compared with the reference on B = 3, Tq = 6, Tk = 7 (causal self-mask, a padding cross-mask with a sequence of padding only, 2 heads) and a batch of one with Tq = 1, Tk = 6 (4 heads), within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of x, the encoder output and every parameter (B = 2, Tq = 2, Tk = 3, D = 4, F = 6, padding and causal masks): relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("encoder output normalized by LN₂", "the encoder output goes through this block's LN₂ before cross-attention: LN₂ normalizes the decoder's stream (the queries' source); keys and values come from the encoder output as it is.") {
                $0.decoderBlock = flawedDecoder(DecoderFlaws(encoderNormalized: true))
            },
            Change("self-attention mask ignored", "the decoder's self-attention ignores selfMask: without the causal mask a target position reads the positions after it, which it will not have when generating.") {
                $0.decoderBlock = flawedDecoder(DecoderFlaws(selfMaskIgnored: true))
            },
            Change("cross-attention without its residual", "cross-attention's output replaces the stream (h₂ = CrossAttention(…)): it must be added to it, h₂ = h₁ + CrossAttention(LN₂(h₁), e).") {
                $0.decoderBlock = flawedDecoder(DecoderFlaws(crossResidualDropped: true))
            },
            Change("no gradient for the encoder output", "dEncoderOutput is zero: the encoder output is cross-attention's context (its keys and values), so its gradient is cross-attention's dContext.") {
                $0.decoderBlock = flawedDecoder(DecoderFlaws(encoderGradientDropped: true))
            },
        ],
        alternatives: [
            Change("built from the reference's sublayers and lesson 05's layer norm") { $0.decoderBlock = flawedDecoder(DecoderFlaws()) },
        ]
    ) { candidate, peers, context in
        let queryLengths = randomLengths(batch: 3, length: 6, &context), keyLengths = [7, 3, 5]
        let cases: [(String, Tensor, Tensor, Int, Tensor?, Tensor?)] = [
            ("B = 3, Tq = 6, Tk = 7, 2 heads, causal self-mask, cross-mask for query lengths \(queryLengths) and key lengths \(keyLengths)",
             context.randomTensor([3, 6, 8]), context.randomTensor([3, 7, 8]), 2, peers.reference.causalMask(6),
             peers.reference.paddingMask(queryLengths, keyLengths, 6, 7)),
            ("a batch of one, Tq = 1, Tk = 6, 4 heads", context.randomTensor([1, 1, 8]), context.randomTensor([1, 6, 8]), 4,
             peers.reference.causalMask(1), nil),
        ]
        for (situation, x, e, heads, selfMask, crossMask) in cases {
            let what = situation + " (seed \(context.seed))"
            let p = randomDecoderParameters(8, 12, &context)
            let inputs: Inputs = [("x", x), ("encoderOutput", e)]
            let got = candidate.decoderBlock(x, e, p, heads, selfMask, crossMask)
            let want = peers.reference.decoderBlock(x, e, p, heads, selfMask, crossMask)
            try expect(got.out, want.out, "the output of decoderBlockForward", what, inputs, peers, context) {
                $0.decoderBlock(x, e, p, heads, selfMask, crossMask).out
            }
            try expect(got.crossWeights, want.crossWeights, "the cross-attention weights (cache.crossAttention.attention.weights)", what, inputs,
                       peers, context) { $0.decoderBlock(x, e, p, heads, selfMask, crossMask).crossWeights }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            try expect(g.dx, r.dx, "dx of decoderBlockBackward", what, inputs, peers, context) {
                $0.decoderBlock(x, e, p, heads, selfMask, crossMask).backward(dOut).dx
            }
            try expect(g.dEncoderOutput, r.dEncoderOutput, "dEncoderOutput of decoderBlockBackward", what, inputs, peers, context) {
                $0.decoderBlock(x, e, p, heads, selfMask, crossMask).backward(dOut).dEncoderOutput
            }
            try expectGradients(g.gradients, r.gradients, names: decoderNames, "decoderBlockBackward", what, inputs, peers, context) {
                $0.decoderBlock(x, e, p, heads, selfMask, crossMask).backward(dOut).gradients
            }
        }
        context.pass("output, cross-attention weights, dx, dEncoderOutput and all 26 parameter gradients match the reference on \(cases.count) cases")

        let x = context.randomTensor([2, 2, 4]), e = context.randomTensor([2, 3, 4]), p = randomDecoderParameters(4, 6, &context)
        let dOut = context.randomTensor([2, 2, 4])
        let selfMask = peers.reference.causalMask(2), crossMask = peers.reference.paddingMask([2, 1], [3, 2], 2, 3)
        let g = candidate.decoderBlock(x, e, p, 2, selfMask, crossMask).backward(dOut)
        let worst = try checkGradients(of: { candidate.decoderBlock($0[0], $0[1], Array($0[2...]), 2, selfMask, crossMask).out },
                                       at: [x, e] + p, names: ["x", "encoderOutput"] + decoderNames, upstream: dOut,
                                       gradients: [g.dx, g.dEncoderOutput] + g.gradients, what: "decoderBlockBackward",
                                       situation: "B = 2, Tq = 2, Tk = 3, D = 4, F = 6, 2 heads", &context)
        context.pass("gradient check of x, the encoder output and all 26 parameters: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Training step

    static let trainingStepSpec = Spec(
        id: "transformer.trainingStep", title: "The training step: clipping, warmup, Adam", file: "TrainingStep.swift",
        declarations: ["transformerTrainingStep(_:gradients:optimizer:step:maximumLearningRate:warmupSteps:totalSteps:maxGradientNorm:)"],
        hints: [
            "Three of lesson 05's tools in a fixed order: cap the length of the whole gradient, pick this step's learning rate from the schedule, let Adam take the step.",
            "Lesson 05's `clipByGlobalNorm(gradients, maxNorm:)` returns the clipped gradients and the norm before clipping; `cosineWarmupLearningRate(step:maximumLearningRate:warmupSteps:totalSteps:)` gives η for this step (the first update is step 0); `Optimizer` has a settable `learningRate` and `step(&parameters, gradients:)`. Chapter section \"Training a Transformer\".",
            "One norm over every element of every gradient (not one per tensor): per-tensor clipping changes the update's direction. Set the learning rate before the step, and return the norm measured before clipping.",
            "A sketch: `let (clipped, norm) = clipByGlobalNorm(gradients, maxNorm: maxGradientNorm)`, `optimizer.learningRate = cosineWarmupLearningRate(…)`, `optimizer.step(&parameters, gradients: clipped)`, then return the rate and the norm.",
        ],
        standard: "7–9 successive steps (warmup 2–4, then 5 more) and 4 without warmup, η_max and c drawn at random (η_max in 0.01–0.2, c in 0.4–3), with gradients whose global norm alternates above c (about 9c) and below it (about 0.45c): the parameters after every step, the learning rate and the norm compared with the reference within |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("no clipping", "the gradients are not clipped: when their global norm exceeds maxGradientNorm, scale them all by c/norm before the step.") {
                $0.trainingStep = F.trainingStepVariant(noClipping: true)
            },
            Change("each tensor clipped on its own", "each gradient is clipped by its own norm: clip by the global norm over all of them, one factor for every tensor, so the update keeps its direction.") {
                $0.trainingStep = F.trainingStepVariant(clipEachTensor: true)
            },
            Change("warmup from η = 0", "the warmup uses t/W, so step 0 has η = 0 and is wasted: lesson 05's schedule uses (t + 1)/W.") {
                $0.trainingStep = F.trainingStepVariant(warmupFromZero: true)
            },
            Change("no schedule", "the learning rate stays at η_max: set it from cosineWarmupLearningRate at every step.") {
                $0.trainingStep = F.trainingStepVariant(constantRate: true)
            },
            Change("maxGradientNorm ignored (clipped at 1)", "the gradients are clipped at a global norm of 1 whatever maxGradientNorm says: pass maxGradientNorm to the clipping.") {
                $0.trainingStep = { parameters, gradients, optimizer, step, schedule, _ in
                    F.reference.trainingStep(parameters, gradients, optimizer, step, schedule, 1)
                }
            },
            Change("maximumLearningRate ignored (η_max = 0.05)", "the schedule peaks at η_max = 0.05 whatever maximumLearningRate says: pass maximumLearningRate to the schedule.") {
                $0.trainingStep = { parameters, gradients, optimizer, step, schedule, maxNorm in
                    F.reference.trainingStep(parameters, gradients, optimizer, step, (0.05, schedule.warmupSteps, schedule.totalSteps), maxNorm)
                }
            },
            Change("norm reported after clipping", "the returned norm is measured after clipping: report the norm before clipping (it is what tells you how often clipping fires).") {
                $0.trainingStep = F.trainingStepVariant(normAfterClipping: true)
            },
        ],
        alternatives: [
            Change("clipping and the schedule written by hand") { $0.trainingStep = F.trainingStepVariant() },
        ]
    ) { candidate, peers, context in
        for run in 0..<2 {
            // η_max and c drawn at random (a value typed in place of the argument shows), the warmup 2–4 steps, or none.
            let warmup = run == 0 ? context.random.nextInt(in: 2...4) : 0
            let total = warmup + (run == 0 ? 5 : 4)
            let maxNorm = context.random.nextUniform(in: 0.4..<3)
            let schedule: F.Schedule = (context.random.nextUniform(in: 0.01..<0.2), warmup, total)
            let start = [context.randomTensor([3, 4]), context.randomTensor([4]), context.randomTensor([2, 2])]
            // The global norm alternates around c: about 9c on even steps (clipped), about 0.45c on odd ones (not).
            let gradientSteps = (0..<total).map { step in
                [context.randomTensor([3, 4]), context.randomTensor([4]), context.randomTensor([2, 2])].map { $0 * (step % 2 == 0 ? 2 : 0.1) * maxNorm }
            }
            // A whole run from the same start, each implementation along its own trajectory (its own Adam state):
            // a mistake is compared where it would have led, not from the candidate's state.
            let trajectory: @Sendable (F, F.Schedule, Double) -> [(parameters: [Tensor], learningRate: Double, gradientNorm: Double)] = { f, schedule, c in
                var (parameters, optimizer) = (start, F.adam())
                return gradientSteps.enumerated().map { step, gradients in
                    let r = f.trainingStep(parameters, gradients, optimizer, step, schedule, c)
                    (parameters, optimizer) = (r.parameters, r.optimizer)
                    return (r.parameters, r.learningRate, r.gradientNorm)
                }
            }
            let got = trajectory(candidate, schedule, maxNorm), want = trajectory(peers.reference, schedule, maxNorm)
            for step in 0..<total {
                let situation = "step \(step) of \(total), warmup \(warmup), η_max = \(Diagnosis.short(schedule.maximumLearningRate)), c = \(Diagnosis.short(maxNorm)) (seed \(context.seed))"
                let gradients = gradientSteps[step]
                let inputs: Inputs = [("gradient 0", gradients[0]), ("gradient 2", gradients[2])]
                try expect(Tensor(got[step].learningRate), Tensor(want[step].learningRate), "the learning rate", situation, inputs, peers, context) {
                    Tensor(trajectory($0, schedule, maxNorm)[step].learningRate)
                }
                try expect(Tensor(got[step].gradientNorm), Tensor(want[step].gradientNorm), "the gradient norm", situation, inputs, peers, context) {
                    Tensor(trajectory($0, schedule, maxNorm)[step].gradientNorm)
                }
                guard got[step].parameters.count == want[step].parameters.count else {
                    throw CheckFailure("transformerTrainingStep changed the number of parameters (\(situation)).")
                }
                for index in want[step].parameters.indices {
                    @Sendable func parameter(_ f: F, rate: Double? = nil, norm: Double? = nil) -> Tensor {
                        let changed: F.Schedule = (rate ?? schedule.maximumLearningRate, schedule.warmupSteps, schedule.totalSteps)
                        let all = trajectory(f, changed, norm ?? maxNorm)[step].parameters
                        return all.indices.contains(index) ? all[index] : Tensor.zeros([0])
                    }
                    // The two settings, varied to tell a value typed in place of the argument.
                    let reference = peers.reference
                    let settings = [
                        Parameter("maxGradientNorm (c)", maxNorm, allows: { $0 > 0 }, candidate: { parameter(candidate, norm: $0) }, reference: { parameter(reference, norm: $0) }),
                        Parameter("maximumLearningRate (η_max)", schedule.maximumLearningRate,
                                  candidate: { parameter(candidate, rate: $0) }, reference: { parameter(reference, rate: $0) }),
                    ]
                    try context.expectClose(got[step].parameters[index], want[step].parameters[index], what: "parameter \(index) after the step",
                                            situation: situation, inputs: inputs, suspects: peers.suspects { parameter($0) }, parameters: settings)
                }
            }
        }
        context.pass("parameters, learning rate and gradient norm match the reference over 7–9 steps with warmup and 4 without, η_max and c drawn at random")
    }
}
