import CourseKit
import Foundation
import Implementations

extension RecurrentNetsLesson {
    // MARK: - Sampling

    /// `count` tokens drawn in a row from one generator seeded with `seed`, as a tensor of indices.
    static func draws(_ f: F, _ logits: Tensor, _ temperature: Double, _ topK: Int?, seed: UInt64, count: Int) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor((0..<count).map { _ in Double(f.sampleToken(logits, temperature, topK, &generator)) })
    }

    private static func stableSoftmax(_ z: Tensor) -> Tensor {
        let e = exp(z - z.max())
        return e / e.sum()
    }

    /// The reference sampler over probabilities `p(logits, τ, k)`.
    static func samplerOver(_ p: @escaping @Sendable (Tensor, Double, Int?) -> Tensor) -> @Sendable (Tensor, Double, Int?, inout SeededGenerator) -> Int {
        { logits, temperature, topK, generator in
            let probabilities = p(logits, temperature, topK)
            let u = generator.nextUniform()
            var cumulative = 0.0
            for (j, pj) in probabilities.scalars.enumerated() {
                cumulative += pj
                if u < cumulative { return j }
            }
            return probabilities.scalars.lastIndex { $0 > 0 } ?? logits.count - 1
        }
    }

    /// Top-k on already-computed probabilities, optionally not renormalized.
    static func keepTopK(_ p: Tensor, logits: Tensor, _ topK: Int?, renormalize: Bool) -> Tensor {
        guard let k = topK else { return p }
        let kept = Set(logits.scalars.indices.sorted { (logits[$0], -$0) > (logits[$1], -$1) }.prefix(k))
        let masked = Tensor(shape: p.shape, scalars: p.scalars.indices.map { kept.contains($0) ? p[$0] : 0 })
        return renormalize ? masked / masked.sum() : masked
    }

    /// Both sampling functions changed to use the probabilities `p`.
    static func useProbabilities(_ f: inout F, _ p: @escaping @Sendable (Tensor, Double, Int?) -> Tensor) {
        f.samplingProbabilities = p
        f.sampleToken = samplerOver(p)
    }

    static let samplingSpec = Spec(
        id: "rnn.sampling", title: "Sampling the next token: temperature and top-k", file: "Sampling.swift",
        declarations: ["samplingProbabilities(_:temperature:topK:)", "sampleToken(_:temperature:topK:using:)"],
        hints: [
            "A language model gives scores (logits) for the next token; generating text means drawing from softmax(logits), appending the token, and repeating. The temperature τ divides the logits before the softmax: τ < 1 sharpens, τ > 1 flattens. Top-k keeps only the k most likely tokens.",
            "The chapter's section \"Sampling and temperature\". Divide first, then the (stable) softmax: softmax(logits / τ). For top-k, set every logit outside the k largest to −∞ before the softmax, so those tokens get probability exactly 0 and the rest are renormalized.",
            "Inverse-CDF sampling with one uniform u = `generator.nextUniform()`: walk the probabilities, adding them up, and return the first index where the running sum exceeds u. One draw per token, always — that is what lets the grader replay your samples from a seed.",
            "Top-k's k largest, ties broken by the lower index: `logits.scalars.indices.sorted { (logits[$0], -$0) > (logits[$1], -$1) }.prefix(k)`. If rounding leaves the running sum below u at the end, return the last index whose probability is above 0.",
        ],
        standard: "samplingProbabilities compared with the reference on random logits at τ = 0.5, 1 and 1.7, with and without top-k (k = 1, k < V, k = V, a tie on the boundary of k = 2) and logits near 1000, within |error| ≤ 1e-8 + 1e-6·|expected|; sampleToken must draw the same 300 tokens as the reference from the same seed (one generator.nextUniform() per token) for 4 settings, and for 300 draws from one generator alternating top-k 1 and no top-k; the frequencies of 4,000 draws must lie within 0.04 of the probabilities",
        mistakes: [
            Change("temperature applied after the softmax", "the temperature is applied to the probabilities (softmax(softmax(z)/τ) or similar): it divides the logits, before the one softmax — p = softmax(z/τ).") {
                useProbabilities(&$0) { logits, t, k in keepTopK(stableSoftmax(stableSoftmax(logits) / t), logits: logits, k, renormalize: true) }
            },
            Change("temperature multiplies the logits", "the logits are multiplied by τ: divide them, p = softmax(z/τ), so that τ > 1 flattens the distribution and τ < 1 sharpens it.") {
                useProbabilities(&$0) { logits, t, k in keepTopK(stableSoftmax(logits * t), logits: logits, k, renormalize: true) }
            },
            Change("top-k not renormalized", "after top-k the kept probabilities do not sum to 1: the tokens outside the top k are removed before the softmax (logits set to −∞), so the kept ones share all the probability.") {
                useProbabilities(&$0) { logits, t, k in keepTopK(stableSoftmax(logits / t), logits: logits, k, renormalize: false) }
            },
            Change("top-k by a threshold (every tie kept)", "top-k keeps every logit at least as large as the k-th largest, so a tie at the boundary keeps more than k tokens: keep exactly k, ties broken by the lower index.") {
                useProbabilities(&$0) { logits, t, k in
                    guard let k else { return stableSoftmax(logits / t) }
                    let threshold = logits.scalars.sorted(by: >)[k - 1]
                    let z = Tensor(shape: logits.shape, scalars: logits.scalars.map { $0 >= threshold ? $0 / t : -Double.infinity })
                    return stableSoftmax(z)
                }
            },
            Change("top-k ties broken by the higher index", "at a tie on the top-k boundary the higher index is kept: ties go to the lower index (sort by logit, then by index ascending).") {
                useProbabilities(&$0) { logits, t, k in
                    guard let k else { return stableSoftmax(logits / t) }
                    let kept = Set(logits.scalars.indices.sorted { (logits[$0], $0) > (logits[$1], $1) }.prefix(k))
                    return stableSoftmax(Tensor(shape: logits.shape, scalars: logits.scalars.indices.map { kept.contains($0) ? logits[$0] / t : -Double.infinity }))
                }
            },
            Change("no draw when only one token can come out", "sampleToken returns the only possible token (top-k 1) without drawing a uniform: draw one uniform per token, always, so the generator's sequence — and every later sample from it — does not depend on the settings.") {
                $0.sampleToken = { logits, t, k, generator in
                    let p = F.reference.samplingProbabilities(logits, t, k)
                    if p.scalars.filter({ $0 > 0 }).count == 1 { return p.argmax() }
                    return F.reference.sampleToken(logits, t, k, &generator)
                }
            },
            Change("greedy instead of sampling", "sampleToken always returns the most likely token: draw from the distribution with one uniform number (inverse CDF), so less likely tokens appear as often as their probability says.") {
                $0.sampleToken = { logits, t, k, generator in
                    _ = generator.nextUniform()
                    return F.reference.samplingProbabilities(logits, t, k).argmax()
                }
            },
        ],
        alternatives: [
            Change("temperature as a power of the probabilities: p^(1/τ), renormalized") {
                $0.samplingProbabilities = { logits, t, k in
                    var z = logits
                    if let k {
                        let kept = Set(logits.scalars.indices.sorted { (logits[$0], -$0) > (logits[$1], -$1) }.prefix(k))
                        z = Tensor(shape: logits.shape, scalars: logits.scalars.indices.map { kept.contains($0) ? logits[$0] : -Double.infinity })
                    }
                    let p = stableSoftmax(z).map { Foundation.pow($0, 1 / t) }
                    return p / p.sum()
                }
            },
            Change("log-probabilities, a threshold for top-k, and a binary search over the cumulative sums") {
                $0.samplingProbabilities = { logits, t, k in
                    var z = logits.scalars.map { $0 / t }
                    if let k {
                        let ranked = logits.scalars.enumerated().sorted { $0.element != $1.element ? $0.element > $1.element : $0.offset < $1.offset }
                        let kept = Set(ranked.prefix(k).map(\.offset))
                        z = z.enumerated().map { kept.contains($0.offset) ? $0.element : -.infinity }
                    }
                    let top = z.max()!
                    let logSum = top + log(z.reduce(0) { $0 + exp($1 - top) })
                    return Tensor(z.map { exp($0 - logSum) })
                }
                $0.sampleToken = { logits, t, k, generator in
                    let p = F.reference.samplingProbabilities(logits, t, k).scalars
                    var cumulative: [Double] = []
                    for value in p { cumulative.append((cumulative.last ?? 0) + value) }
                    let u = generator.nextUniform()
                    var (low, high) = (0, cumulative.count - 1)
                    while low < high {
                        let middle = (low + high) / 2
                        if u < cumulative[middle] { high = middle } else { low = middle + 1 }
                    }
                    if u >= cumulative[low] { return p.lastIndex { $0 > 0 }! }
                    return low
                }
            },
        ]
    ) { candidate, peers, context in
        var settings: [(String, Tensor, Double, Int?)] = []
        for (round, (t, k)) in [(1.0, nil), (0.5, nil), (1.7, nil), (1.0, 3), (0.5, 1), (1.7, -1)].enumerated() {
            let v = context.random.nextInt(in: 5...9)
            let logits = context.randomTensor([v], scale: 1.5)
            let topK: Int? = k.map { $0 == -1 ? v : $0 }
            settings.append(("random logits #\(round + 1), V = \(v), τ = \(t), top-k \(topK.map(String.init) ?? "off") (seed \(context.seed))", logits, t, topK))
        }
        settings.append(("logits near 1000, τ = 0.8 (seed \(context.seed))", context.randomTensor([6], scale: 3) + 1000, 0.8, nil))
        // The 2nd and 3rd largest logits tie: k = 2 keeps only the lower index of the two.
        settings.append(("a tie at the top-k boundary (logits 3 and 4 tie for 2nd place), τ = 1.3, k = 2", Tensor([0.5, 2, -1, 1, 1, 0.2]), 1.3, 2))
        for (situation, logits, t, k) in settings {
            try context.expectClose(candidate.samplingProbabilities(logits, t, k), peers.reference.samplingProbabilities(logits, t, k),
                                    what: "samplingProbabilities", situation: situation, inputs: [("logits", logits)],
                                    suspects: peers.suspects { $0.samplingProbabilities(logits, t, k) })
        }
        context.pass("samplingProbabilities matches the reference at τ = 0.5, 1, 1.7, with top-k (ties included) and logits near 1000")

        for index in [0, 1, 2, 3] {
            let (situation, logits, t, k) = settings[index == 3 ? 5 : index]
            let seed = context.random.next() >> 11
            let got = draws(candidate, logits, t, k, seed: seed, count: 300), want = draws(peers.reference, logits, t, k, seed: seed, count: 300)
            try context.expectClose(got, want, what: "the tokens drawn by sampleToken", situation: situation + ", 300 draws from SeededGenerator(seed: \(seed))",
                                    inputs: [("logits", logits)], tolerance: .tight,
                                    suspects: peers.suspects { draws($0, logits, t, k, seed: seed, count: 300) })
        }
        // One generator shared by two settings in turn, as when one generator serves several generations: a draw
        // skipped where the answer is certain (top-k 1) shifts every later token.
        let (certain, uncertain) = (settings[4], settings[0])
        @Sendable func alternating(_ f: F, seed: UInt64) -> Tensor {
            var generator = SeededGenerator(seed: seed)
            return Tensor((0..<300).map { i in
                let (_, logits, t, k) = i % 2 == 0 ? certain : uncertain
                return Double(f.sampleToken(logits, t, k, &generator))
            })
        }
        let sharedSeed = context.random.next() >> 11
        try context.expectClose(alternating(candidate, seed: sharedSeed), alternating(peers.reference, seed: sharedSeed),
                                what: "the tokens drawn by sampleToken",
                                situation: "300 draws from one SeededGenerator(seed: \(sharedSeed)), alternating top-k 1 (\(certain.0)) and no top-k (\(uncertain.0))",
                                inputs: [("logits (top-k 1)", certain.1), ("logits (no top-k)", uncertain.1)], tolerance: .tight,
                                suspects: peers.suspects { alternating($0, seed: sharedSeed) })
        let (situation, logits, t, k) = settings[1]
        let many = draws(candidate, logits, t, k, seed: context.random.next() >> 11, count: 4_000)
        let p = peers.reference.samplingProbabilities(logits, t, k)
        for j in 0..<logits.count {
            let frequency = Double(many.scalars.filter { $0 == Double(j) }.count) / 4_000
            guard abs(frequency - p[j]) < 0.04 else {
                throw CheckFailure("sampleToken draws token \(j) with frequency \(Diagnosis.short(frequency)) over 4,000 draws, but its probability is \(Diagnosis.short(p[j])) (\(situation)).")
            }
        }
        context.pass("sampleToken replays the reference's tokens from the same seed, and its frequencies match the probabilities")
    }

    // MARK: - Bidirectional and stacked

    static let bidirectionalNames = LayerNames(function: "bidirectionalRNNForward", backward: "bidirectionalRNNBackward",
                                               inputs: ["x", "h0Forward", "h0Backward", "forward.wx", "forward.wh", "forward.bias",
                                                        "backward.wx", "backward.wh", "backward.bias"], outputs: ["h"])

    static func bidirectionalLayer(_ f: F) -> LayerUnderTest {
        LayerUnderTest(forward: { i in [f.bidirectional(i[0], i[1], i[2], (i[3], i[4], i[5]), (i[6], i[7], i[8])).h] },
                       run: { i, up in
                           let (h, backward) = f.bidirectional(i[0], i[1], i[2], (i[3], i[4], i[5]), (i[6], i[7], i[8]))
                           let g = backward(up[0])
                           return ([h], [g.dx, g.dh0Forward, g.dh0Backward, g.forward.wx, g.forward.wh, g.forward.bias,
                                         g.backward.wx, g.backward.wh, g.backward.bias])
                       })
    }

    static func stackedNames(layers: Int) -> LayerNames {
        LayerNames(function: "stackedRNNForward", backward: "stackedRNNBackward",
                   inputs: ["x"] + (0..<layers).map { "h0[\($0)]" } + (0..<layers).flatMap { ["layers[\($0)].wx", "layers[\($0)].wh", "layers[\($0)].bias"] },
                   outputs: ["h"])
    }

    static func stackedLayer(layers count: Int) -> @Sendable (F) -> LayerUnderTest {
        { f in
            let unpack: @Sendable ([Tensor]) -> (Tensor, [Tensor], [F.Weights]) = { i in
                (i[0], Array(i[1...count]), (0..<count).map { (i[1 + count + 3 * $0], i[2 + count + 3 * $0], i[3 + count + 3 * $0]) })
            }
            return LayerUnderTest(forward: { i in let (x, h0, w) = unpack(i); return [f.stacked(x, h0, w).h] },
                                  run: { i, up in
                                      let (x, h0, w) = unpack(i)
                                      let (h, backward) = f.stacked(x, h0, w)
                                      let g = backward(up[0])
                                      return ([h], [g.dx] + g.dh0 + g.gradients.flatMap { [$0.wx, $0.wh, $0.bias] })
                                  })
        }
    }

    /// The reference bidirectional RNN, changed in one place.
    static func bidirectionalVariant(reverseOutputs: Bool = true, addBackwardDx: Bool = true, reverseUpstream: Bool = true)
        -> @Sendable (Tensor, Tensor, Tensor, F.Weights, F.Weights) -> (h: Tensor, backward: F.BidirectionalBackward) {
        { x, h0f, h0b, wf, wb in
            let rnn = F.reference.rnn
            let forward = rnn(x, h0f, wf), backward = rnn(F.reversingTime(x), h0b, wb)
            let hf = h0f.shape[1]
            let h = Tensor.concatenate([forward.h, reverseOutputs ? F.reversingTime(backward.h) : backward.h], axis: 2)
            return (h, { dh in
                let gf = forward.backward(dh.slice(axis: 2, 0..<hf))
                let upstream = dh.slice(axis: 2, hf..<dh.shape[2])
                let gb = backward.backward(reverseUpstream && reverseOutputs ? F.reversingTime(upstream) : upstream)
                return (addBackwardDx ? gf.dx + F.reversingTime(gb.dx) : gf.dx, gf.dh0, gb.dh0, gf.gradients, gb.gradients)
            })
        }
    }

    static let compositionSpec = Spec(
        id: "rnn.composition", title: "Bidirectional and stacked RNNs", file: "Composition.swift",
        declarations: ["bidirectionalRNNForward(_:h0Forward:h0Backward:forward:backward:)", "bidirectionalRNNBackward(_:cache:)",
                       "stackedRNNForward(_:h0:layers:)", "stackedRNNBackward(_:cache:)"],
        hints: [
            "Both are compositions of your rnnForward/rnnBackward, nothing new to differentiate. Bidirectional: one RNN reads the sequence forwards, another backwards, and each time step gets both states side by side. Stacked: the hidden states of one layer are the input sequence of the next.",
            "The chapter's section \"Deeper and both ways\". `reversingTime(x)` flips the time axis; `Tensor.concatenate([a, b], axis: 2)` puts states side by side; `dh.slice(axis: 2, 0..<H_f)` takes the forward direction's part back out.",
            "Bidirectional, mind the time order: the backward RNN's output from `rnnForward(reversingTime(x), …)` is in reversed time, so reverse it before concatenating; in the backward pass, reverse its part of dh before `rnnBackward`, and reverse the dx it returns. x feeds both directions: add the two dx.",
            "Stacked backward: walk the layers from the top down; each layer's dx is the dh of the layer below it. Collect dh0 and the weight gradients and return them bottom first (`insert(…, at: 0)` or reverse at the end).",
        ],
        standard: "bidirectional: h and all nine gradients (x, both h0, both directions' Wx, Wh, b) compared with the reference on sequences of T = 1, T in 5–6 and a batch of one (H_f ≠ H_b ≠ D); stacked: h and every layer's gradients on 2- and 3-layer stacks of different widths; within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of every input of both, through time: relative error < 1e-7",
        mistakes: [
            Change("backward direction's outputs left in reversed time", "the backward RNN's states are concatenated in the order it produced them: it read x reversed, so reverse its output in time before putting it next to the forward states.") {
                $0.bidirectional = bidirectionalVariant(reverseOutputs: false)
            },
            Change("x's gradient from the forward direction only", "dx holds the forward direction's gradient only: x feeds both directions, so add the backward direction's dx (reversed back into time order).") {
                $0.bidirectional = bidirectionalVariant(addBackwardDx: false)
            },
            Change("backward direction's upstream gradient not reversed", "the backward direction's part of dh goes into rnnBackward in time order: that RNN ran on reversed time, so reverse its dh first.") {
                $0.bidirectional = bidirectionalVariant(reverseUpstream: false)
            },
            Change("stacked gradients top layer first", "the stacked backward returns the layers' gradients top first: return them in the layers' order, bottom first.") {
                $0.stacked = { x, h0, layers in
                    let (h, backward) = F.reference.stacked(x, h0, layers)
                    return (h, { dh in
                        let g = backward(dh)
                        return (g.dx, g.dh0.reversed(), g.gradients.reversed())
                    })
                }
            },
        ],
        alternatives: [
            Change("both directions from reversed copies, the stack by recursion") {
                $0.bidirectional = { x, h0f, h0b, wf, wb in
                    let rnn = F.reference.rnn
                    let reversed = F.reversingTime(x)
                    let forward = rnn(x, h0f, wf), backward = rnn(reversed, h0b, wb)
                    let steps = x.shape[1]
                    let h = Tensor.stack((0..<steps).map { t in
                        Tensor.concatenate([forward.h.select(axis: 1, index: t), backward.h.select(axis: 1, index: steps - 1 - t)], axis: 1)
                    }, axis: 1)
                    let hf = h0f.shape[1]
                    return (h, { dh in
                        let gf = forward.backward(dh.slice(axis: 2, 0..<hf))
                        let gb = backward.backward(F.reversingTime(dh.slice(axis: 2, hf..<dh.shape[2])))
                        return (gf.dx + F.reversingTime(gb.dx), gf.dh0, gb.dh0, gf.gradients, gb.gradients)
                    })
                }
                $0.stacked = { x, h0, layers in
                    func run(_ input: Tensor, _ index: Int) -> (h: Tensor, backward: F.StackedBackward) {
                        let (h, backward) = F.reference.rnn(input, h0[index], layers[index])
                        guard index + 1 < layers.count else {
                            return (h, { dh in let g = backward(dh); return (g.dx, [g.dh0], [g.gradients]) })
                        }
                        let above = run(h, index + 1)
                        return (above.h, { dh in
                            let upper = above.backward(dh)
                            let g = backward(upper.dx)
                            return (g.dx, [g.dh0] + upper.dh0, [g.gradients] + upper.gradients)
                        })
                    }
                    return run(x, 0)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.sequence], of: "rnn.composition", candidate: candidate, reference: peers.reference) { context in
            var cases: [LayerCase] = []
            for (round, steps) in [(1, 5...6), (2, 1...1), (3, 2...4)] {
                let s = sizes(&context, batchOfOne: round == 3, steps: steps)
                var hb = context.random.nextInt(in: 2...4)
                while hb == s.h || hb == s.d { hb += 1 }
                let wf = randomWeights(&context, d: s.d, h: s.h, gates: 1), wb = randomWeights(&context, d: s.d, h: hb, gates: 1)
                let name = round == 3 ? "a batch of one" : round == 2 ? "T = 1" : "a random sequence"
                cases.append(LayerCase(situation: "\(name), N = \(s.n), T = \(s.t), D = \(s.d), H_f = \(s.h), H_b = \(hb) (seed \(context.seed))",
                                       inputs: [context.randomTensor([s.n, s.t, s.d]), context.randomTensor([s.n, s.h]), context.randomTensor([s.n, hb]),
                                                wf.wx, wf.wh, wf.bias, wb.wx, wb.wh, wb.bias],
                                       upstream: [context.randomTensor([s.n, s.t, s.h + hb])]))
            }
            try compareLayer(bidirectionalNames, cases: cases, candidate: candidate, peers: peers, select: bidirectionalLayer, &context)
            let worstBidirectional = try gradientCheckLayer(bidirectionalNames, cases[0], candidate: candidate, select: bidirectionalLayer, &context)
            context.pass("the bidirectional RNN matches the reference (T = 1, T ≥ 5, a batch of one); gradient check of all nine inputs: relative error \(Diagnosis.short(worstBidirectional)) < 1e-7")

            var worstStacked = 0.0
            for depth in [2, 3] {
                let s = sizes(&context, batchOfOne: depth == 3, steps: 3...5)
                var widths = [s.d]
                for _ in 0..<depth { widths.append(context.random.nextInt(in: 2...5)) }
                widths[1] = widths[0] == widths[1] ? widths[1] + 1 : widths[1]
                let layers = (0..<depth).map { randomWeights(&context, d: widths[$0], h: widths[$0 + 1], gates: 1) }
                let h0 = (0..<depth).map { context.randomTensor([s.n, widths[$0 + 1]]) }
                let c = LayerCase(situation: "a stack of \(depth) layers of widths \(widths), N = \(s.n), T = \(s.t) (seed \(context.seed))",
                                  inputs: [context.randomTensor([s.n, s.t, s.d])] + h0 + layers.flatMap { [$0.wx, $0.wh, $0.bias] },
                                  upstream: [context.randomTensor([s.n, s.t, widths[depth]])])
                try compareLayer(stackedNames(layers: depth), cases: [c], candidate: candidate, peers: peers, select: stackedLayer(layers: depth), &context)
                if depth == 2 {
                    worstStacked = try gradientCheckLayer(stackedNames(layers: depth), c, candidate: candidate, select: stackedLayer(layers: depth), &context)
                }
            }
            context.pass("the stacked RNN matches the reference with 2 and 3 layers; gradient check of every input of the 2-layer stack: relative error \(Diagnosis.short(worstStacked)) < 1e-7")
        }
    }
}
