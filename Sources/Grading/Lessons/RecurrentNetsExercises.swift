import CourseKit
import Foundation
import Implementations

/// Lesson 07 — Recurrent networks: the vanilla RNN and backpropagation through
/// time, embeddings, temporal layers and a masked loss, the LSTM, sampling,
/// and bidirectional and stacked composition.
enum RecurrentNetsLesson {
    typealias F = RecurrentNetsFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "07-recurrent-networks"

    static var exercises: [Exercise] {
        [stepSpec, sequenceSpec, embeddingSpec, temporalSpec, lstmStepSpec, lstmSpec, samplingSpec, compositionSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    // MARK: - A layer under test, as plain lists of tensors

    /// A forward and backward as lists: named inputs → named outputs, and
    /// (inputs, upstream gradients of the outputs) → the gradient of every input, in the inputs' order.
    struct LayerUnderTest: Sendable {
        let forward: @Sendable ([Tensor]) -> [Tensor]
        let run: @Sendable (_ inputs: [Tensor], _ upstream: [Tensor]) -> (outputs: [Tensor], gradients: [Tensor])
    }

    /// One set of inputs to grade a layer on.
    struct LayerCase {
        var situation: String
        var inputs: [Tensor]
        var upstream: [Tensor]
    }

    /// Names: what each output and each input's gradient is called in messages.
    struct LayerNames: Sendable {
        var function: String
        var backward: String
        var inputs: [String]
        var outputs: [String]
    }

    /// Every output and every gradient of `candidate` against the reference, on every case, naming known mistakes.
    static func compareLayer(_ names: LayerNames, cases: [LayerCase], candidate: F, peers: Peers<F>,
                             select: @escaping @Sendable (F) -> LayerUnderTest, _ context: inout GradingContext) throws {
        let mine = select(candidate), reference = select(peers.reference)
        for c in cases {
            let (inputs, upstream) = (c.inputs, c.upstream)
            let shown = zip(names.inputs, inputs).map { (name: $0.0, value: $0.1) }
            let got = mine.run(inputs, upstream), want = reference.run(inputs, upstream)
            guard got.outputs.count == want.outputs.count, got.gradients.count == want.gradients.count else {
                throw CheckFailure("\(names.function) returned the wrong number of results (\(c.situation)).")
            }
            for k in want.outputs.indices {
                try context.expectClose(got.outputs[k], want.outputs[k], what: "\(names.outputs[k]) of \(names.function)", situation: c.situation,
                                        inputs: shown, suspects: statelessSuspects(peers) { select($0).run(inputs, upstream).outputs[k] })
            }
            let withUpstream = shown + zip(names.outputs, upstream).map { (name: "∂L/∂" + $0.0, value: $0.1) }
            for k in want.gradients.indices {
                try context.expectClose(got.gradients[k], want.gradients[k], what: "∂L/∂\(names.inputs[k]) of \(names.backward)",
                                        situation: c.situation, inputs: withUpstream,
                                        suspects: statelessSuspects(peers) { select($0).run(inputs, upstream).gradients[k] })
            }
        }
    }

    /// The numerical gradient of every input, through the candidate's own forward, against its backward.
    /// Returns the largest relative error.
    static func gradientCheckLayer(_ names: LayerNames, _ c: LayerCase, candidate: F, select: @escaping @Sendable (F) -> LayerUnderTest,
                                   only: [Int]? = nil, _ context: inout GradingContext) throws -> Double {
        let mine = select(candidate)
        let analytic = mine.run(c.inputs, c.upstream).gradients
        let flatUpstream = Tensor(c.upstream.flatMap(\.scalars))
        var worst = 0.0
        for k in only ?? Array(c.inputs.indices) {
            let numeric = GradientCheck.numericalGradient(of: { value in
                var inputs = c.inputs
                inputs[k] = value
                return Tensor(mine.forward(inputs).flatMap(\.scalars))
            }, at: c.inputs[k], upstream: flatUpstream)
            try context.expectGradient(analytic: analytic[k], numeric: numeric, what: "∂L/∂\(names.inputs[k]) of \(names.backward)",
                                       situation: c.situation, threshold: gradientThreshold)
            worst = max(worst, GradientCheck.relativeError(analytic[k], numeric))
        }
        return worst
    }

    /// Sizes with D ≠ H (a swapped Wx and Wh shows as a wrong shape), N = 1 when asked.
    static func sizes(_ context: inout GradingContext, batchOfOne: Bool = false, steps: ClosedRange<Int>) -> (n: Int, t: Int, d: Int, h: Int) {
        let n = batchOfOne ? 1 : context.random.nextInt(in: 2...3)
        let t = context.random.nextInt(in: steps)
        let d = context.random.nextInt(in: 2...4)
        var h = context.random.nextInt(in: 2...5)
        while h == d || h == n { h += 1 }
        return (n, t, d, h)
    }

    /// Weights with the given gate width G: Wx `[D, G]`, Wh `[H, G]`, b `[G]`, scaled so tanh and σ are neither saturated nor linear.
    static func randomWeights(_ context: inout GradingContext, d: Int, h: Int, gates: Int) -> F.Weights {
        (context.randomTensor([d, gates * h], scale: 0.6), context.randomTensor([h, gates * h], scale: 0.5), context.randomTensor([gates * h], scale: 0.3))
    }

    // MARK: - One step of the vanilla RNN

    static func stepLayer(_ f: F) -> LayerUnderTest {
        LayerUnderTest(forward: { [f.rnnStep(($0[0]), $0[1], ($0[2], $0[3], $0[4])).hNext] },
                       run: { i, up in
                           let (out, backward) = f.rnnStep(i[0], i[1], (i[2], i[3], i[4]))
                           let g = backward(up[0])
                           return ([out], [g.dx, g.dhPrev, g.gradients.wx, g.gradients.wh, g.gradients.bias])
                       })
    }

    static let stepNames = LayerNames(function: "rnnStepForward", backward: "rnnStepBackward",
                                      inputs: ["x", "hPrev", "Wx", "Wh", "b"], outputs: ["hNext"])

    /// The reference step with its backward rebuilt from `da(dhNext, a, hNext)`, and the weight gradient of Wh taken from `whInput`.
    static func stepVariant(da: @escaping @Sendable (_ dhNext: Tensor, _ a: Tensor, _ hNext: Tensor) -> Tensor = { d, _, h in d * (1 - h * h) },
                            whFromNewState: Bool = false, meanBias: Bool = false, dhPrevSkipsTanh: Bool = false)
        -> @Sendable (Tensor, Tensor, F.Weights) -> (hNext: Tensor, backward: F.StepBackward) {
        { x, hPrev, w in
            let a = matmul(x, w.wx) + matmul(hPrev, w.wh) + w.bias
            let hNext = tanh(a)
            return (hNext, { dhNext in
                let local = da(dhNext, a, hNext)
                let dhPrev = matmul(dhPrevSkipsTanh ? dhNext : local, w.wh.transposed())
                let dWh = matmul((whFromNewState ? hNext : hPrev).transposed(), local)
                let db = meanBias ? local.mean(axis: 0) : local.sum(axis: 0)
                return (matmul(local, w.wx.transposed()), dhPrev, (matmul(x.transposed(), local), dWh, db))
            })
        }
    }

    static let stepSpec = Spec(
        id: "rnn.step", title: "One step of a vanilla RNN: forward and backward", file: "RNNStep.swift",
        declarations: ["rnnStepForward(_:hPrev:parameters:)", "rnnStepBackward(_:cache:)"],
        hints: [
            "A step is an affine layer with two inputs followed by tanh: aₜ = xₜ·Wx + hₜ₋₁·Wh + b, hₜ = tanh(aₜ). The backward is lesson 04's affine backward, done twice (once for x with Wx, once for hₜ₋₁ with Wh), after going back through the tanh.",
            "The chapter's section \"One step, backward\" derives it. tanh′ is best written with the output you kept: d tanh(a)/da = 1 − tanh²(a) = 1 − hₜ². Keep x, hPrev, the weights and hNext in the cache.",
            "Call the gradient at the pre-activation da = dhNext ⊙ (1 − hNext²), shape [N, H]. Then each of the five gradients is one product or one sum with da: which matrix must multiply da so that the shape comes out [N, D]? [D, H]? [H, H]?",
            "A sketch: `let da = dhNext * (1 - cache.hNext * cache.hNext)`; dx = da·Wxᵀ, dhPrev = da·Whᵀ, dWx = xᵀ·da, dWh = hPrevᵀ·da, db = the sum of da over the batch axis. Return them in a `RecurrentParameters(wx:wh:bias:)` for the weights.",
        ],
        standard: "hNext and all five gradients compared with the reference on 3 random steps (N in 2–3, D in 2–4, H ≠ D) and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of x, hPrev, Wx, Wh and b against your forward: relative error < 1e-7",
        mistakes: [
            Change("tanh′ from the pre-activation", "tanh′ is computed as 1 − a² from the pre-activation a = x·Wx + h·Wh + b: the derivative of tanh is 1 − tanh²(a), which is 1 − hNext² with the output — square the output, not the input.") {
                $0.rnnStep = stepVariant(da: { d, a, _ in d * (1 - a * a) })
            },
            Change("tanh applied twice in tanh′", "tanh′ is computed as 1 − tanh²(hNext): hNext is already tanh(a), so the derivative is 1 − hNext², without another tanh.") {
                $0.rnnStep = stepVariant(da: { d, _, h in let t = tanh(h); return d * (1 - t * t) })
            },
            Change("dWh from the new state", "∂L/∂Wh uses hNext: Wh multiplies the previous state in aₜ = xₜ·Wx + hₜ₋₁·Wh + b, so ∂L/∂Wh = hPrevᵀ·da.") {
                $0.rnnStep = stepVariant(whFromNewState: true)
            },
            Change("dhPrev skips the tanh", "dhPrev is dhNext·Whᵀ: the gradient must go back through the tanh first — use da = dhNext ⊙ (1 − hNext²), then dhPrev = da·Whᵀ.") {
                $0.rnnStep = stepVariant(dhPrevSkipsTanh: true)
            },
            Change("bias gradient averaged over the batch", "∂L/∂b is the mean of da over the batch: b is added to every row, so its gradient is the sum over the rows.") {
                $0.rnnStep = stepVariant(meanBias: true)
            },
        ],
        alternatives: [
            Change("one matrix product on [x, hPrev] and stacked weights") {
                $0.rnnStep = { x, hPrev, w in
                    let joined = Tensor.concatenate([x, hPrev], axis: 1)
                    let stacked = Tensor.concatenate([w.wx, w.wh], axis: 0)
                    let hNext = tanh(matmul(joined, stacked) + w.bias)
                    return (hNext, { dhNext in
                        let da = dhNext - dhNext * hNext * hNext
                        let dJoined = matmul(da, stacked.transposed())
                        let dStacked = matmul(joined.transposed(), da)
                        let d = x.shape[1]
                        return (dJoined.slice(axis: 1, 0..<d), dJoined.slice(axis: 1, d..<dJoined.shape[1]),
                                (dStacked.slice(axis: 0, 0..<d), dStacked.slice(axis: 0, d..<dStacked.shape[0]), matmul(Tensor.ones([x.shape[0]]), da)))
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [LayerCase] = []
        for round in 1...4 {
            let s = sizes(&context, batchOfOne: round == 4, steps: 1...1)
            let w = randomWeights(&context, d: s.d, h: s.h, gates: 1)
            cases.append(LayerCase(situation: (round == 4 ? "a batch of one" : "random step #\(round)") + ", N = \(s.n), D = \(s.d), H = \(s.h) (seed \(context.seed))",
                                   inputs: [context.randomTensor([s.n, s.d]), context.randomTensor([s.n, s.h]), w.wx, w.wh, w.bias],
                                   upstream: [context.randomTensor([s.n, s.h])]))
        }
        try compareLayer(stepNames, cases: cases, candidate: candidate, peers: peers, select: stepLayer, &context)
        context.pass("hNext and the five gradients match the reference on 3 random steps and a batch of one")
        let worst = try gradientCheckLayer(stepNames, cases[0], candidate: candidate, select: stepLayer, &context)
        context.pass("gradient check of x, hPrev, Wx, Wh and b: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - The vanilla RNN over a sequence

    static func sequenceLayer(_ select: @escaping @Sendable (F) -> @Sendable (Tensor, Tensor, F.Weights) -> (h: Tensor, backward: F.SequenceBackward))
        -> @Sendable (F) -> LayerUnderTest {
        { f in
            let layer = select(f)
            return LayerUnderTest(forward: { [layer($0[0], $0[1], ($0[2], $0[3], $0[4])).h] },
                                  run: { i, up in
                                      let (out, backward) = layer(i[0], i[1], (i[2], i[3], i[4]))
                                      let g = backward(up[0])
                                      return ([out], [g.dx, g.dh0, g.gradients.wx, g.gradients.wh, g.gradients.bias])
                                  })
        }
    }

    /// The final hidden state of the previous call with the same weights — a layer that remembers its
    /// last state, for the "state carried across batches" mistake. Keyed by the weights, so that a grader
    /// and its suspects see the same history whatever ran before.
    final class CarriedState: @unchecked Sendable {
        private let lock = NSLock()
        private var states: [[Double]: Tensor] = [:]
        func exchange(_ new: Tensor, weights: Tensor) -> Tensor? {
            lock.lock()
            defer { lock.unlock() }
            let old = states[weights.scalars]
            states[weights.scalars] = new
            return old
        }
    }

    /// A sequence layer built from a step function, changed in one place: the known BPTT mistakes (vanilla RNN and LSTM alike).
    static func sequenceVariant(step: @escaping @Sendable (F) -> @Sendable (Tensor, Tensor, F.Weights) -> (hNext: Tensor, backward: F.StepBackward),
                                addLaterGradient: Bool = true, sumWeightGradients: Bool = true, returnDh0: Bool = true,
                                ignoreH0: Bool = false, carried: CarriedState? = nil)
        -> @Sendable (Tensor, Tensor, F.Weights) -> (h: Tensor, backward: F.SequenceBackward) {
        { x, h0, w in
            let stepFunction = step(F.reference)
            var h = ignoreH0 ? Tensor.zeros(like: h0) : h0
            var states: [Tensor] = [], backwards: [F.StepBackward] = []
            for t in 0..<x.shape[1] {
                if t == 0, let carried, let previous = carried.exchange(h0, weights: w.wx), previous.shape == h0.shape { h = previous }
                let (next, backward) = stepFunction(x.select(axis: 1, index: t), h, w)
                states.append(next)
                backwards.append(backward)
                h = next
            }
            _ = carried?.exchange(h, weights: w.wx)
            let (n, steps, d) = (x.shape[0], x.shape[1], x.shape[2])
            let stepBackwards = backwards
            return (Tensor.stack(states, axis: 1), { dh in
                var dx = Tensor.zeros([n, steps, d])
                var later = Tensor.zeros(like: h0)
                var gradients: F.Weights = (Tensor.zeros(like: w.wx), Tensor.zeros(like: w.wh), Tensor.zeros(like: w.bias))
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    let g = stepBackwards[t](dh.select(axis: 1, index: t) + (addLaterGradient ? later : Tensor.zeros(like: later)))
                    dx.setSelection(axis: 1, index: t, to: g.dx)
                    gradients = sumWeightGradients
                        ? (gradients.wx + g.gradients.wx, gradients.wh + g.gradients.wh, gradients.bias + g.gradients.bias)
                        : g.gradients
                    later = g.dhPrev
                }
                return (dx, returnDh0 ? later : Tensor.zeros(like: h0), gradients)
            })
        }
    }

    static let sequenceNames = LayerNames(function: "rnnForward", backward: "rnnBackward",
                                          inputs: ["x", "h0", "Wx", "Wh", "b"], outputs: ["h"])

    /// Cases for a sequence layer: T = 1, T ≥ 5 (twice), a batch of one, with gate width `gates`.
    static func sequenceCases(_ context: inout GradingContext, gates: Int) -> [LayerCase] {
        var cases: [LayerCase] = []
        for (round, steps) in [(1, 5...7), (2, 1...1), (3, 5...6), (4, 2...4)] {
            let s = sizes(&context, batchOfOne: round == 4, steps: steps)
            let w = randomWeights(&context, d: s.d, h: s.h, gates: gates)
            let name = round == 4 ? "a batch of one" : round == 2 ? "a sequence of length T = 1" : "random sequence #\(round)"
            cases.append(LayerCase(situation: "\(name), N = \(s.n), T = \(s.t), D = \(s.d), H = \(s.h) (seed \(context.seed))",
                                   inputs: [context.randomTensor([s.n, s.t, s.d]), context.randomTensor([s.n, s.h]), w.wx, w.wh, w.bias],
                                   upstream: [context.randomTensor([s.n, s.t, s.h])]))
        }
        return cases
    }

    /// Two batches in a row through the same layer: the second must not depend on the first.
    static func checkNoCarriedState(_ names: LayerNames, candidate: F, peers: Peers<F>, gates: Int,
                                    select: @escaping @Sendable (F) -> @Sendable (Tensor, Tensor, F.Weights) -> (h: Tensor, backward: F.SequenceBackward),
                                    _ context: inout GradingContext) throws {
        let s = sizes(&context, steps: 3...4)
        let w = randomWeights(&context, d: s.d, h: s.h, gates: gates)
        let (xA, h0A) = (context.randomTensor([s.n, s.t, s.d]), context.randomTensor([s.n, s.h]))
        let (xB, h0B) = (context.randomTensor([s.n, s.t, s.d]), context.randomTensor([s.n, s.h]))
        let mine = select(candidate), reference = select(peers.reference)
        _ = mine(xA, h0A, w)
        // Named explicitly, not through the stateful mistake in `peers`: its memory depends on what ran before.
        let fromFinalStateOfA = reference(xA, h0A, w).h.select(axis: 1, index: s.t - 1)
        let carried = Suspect(carriedStateExplanation) { reference(xB, fromFinalStateOfA, w).h }
        try context.expectClose(mine(xB, h0B, w).h, reference(xB, h0B, w).h, what: "h of \(names.function)",
                                situation: "the second of two batches in a row (seed \(context.seed))", inputs: [("x", xB), ("h0", h0B)],
                                suspects: [carried] + peers.suspects { select($0)(xB, h0B, w).h })
    }

    /// The known mistakes as suspects, less the one that keeps state between calls: evaluated again on
    /// inputs it has already seen, it answers from its remembered state, so it cannot be compared on them
    /// (the check of two batches in a row names it with an explicit expected output).
    static func statelessSuspects(_ peers: Peers<F>, _ output: @escaping @Sendable (F) -> Tensor) -> [Suspect] {
        peers.suspects(output).filter { $0.explanation != carriedStateExplanation }
    }

    static let carriedStateExplanation = "the second batch starts from the first batch's final hidden state: every call must start from its own h0 — keep no state between calls."

    static let sequenceSpec = Spec(
        id: "rnn.sequence", title: "A vanilla RNN over a sequence: forward and backpropagation through time", file: "RNNSequence.swift",
        declarations: ["rnnForward(_:h0:parameters:)", "rnnBackward(_:cache:)"],
        hints: [
            "Unrolled, an RNN over T steps is a T-layer network whose layers all share one set of weights. Forward: a loop over t calling your step, each step's hNext becoming the next step's hPrev. Backward: the same loop in reverse.",
            "The chapter's section \"Backpropagation through time\" derives it. hₜ reaches the loss along two paths: through the output at step t (that is dh[:, t, :]) and through hₜ₊₁. And the weights are used at every step, so their gradient is a sum over t.",
            "Keep a running gradient `dhLater` (zero after the last step). At step t (from T − 1 down to 0, zero-based): the total gradient of hₜ is dh[:, t, :] + dhLater; run your step backward on it; store its dx at position t, add its weight gradients to running sums, and set dhLater to its dhPrev. After step 0, dhLater is ∂L/∂h₀.",
            "Useful: `x.select(axis: 1, index: t)` is step t, [N, D]; `Tensor.stack(states, axis: 1)` builds [N, T, H]; `dx.setSelection(axis: 1, index: t, to: …)` writes step t of a zero [N, T, D] tensor. Keep one `RNNStepCache` per step in the cache.",
        ],
        standard: "h and all five gradients (x, h0, Wx, Wh, b) compared with the reference on sequences of T = 1, T in 5–7, T in 2–4 and a batch of one (H ≠ D), within |error| ≤ 1e-8 + 1e-6·|expected|; the second of two batches in a row must not depend on the first; gradient check through time of x, h0, Wx, Wh and b on a sequence of T ≥ 5: relative error < 1e-7",
        mistakes: [
            Change("gradient from the next step not added", "the gradient that flows back from step t + 1 is dropped: hₜ feeds both the output at t and the next step, so the gradient reaching it is dh[:, t, :] + (dhPrev returned by step t + 1).") {
                $0.rnn = sequenceVariant(step: { $0.rnnStep }, addLaterGradient: false)
            },
            Change("weight gradients overwritten", "the weight gradients hold only one step's contribution: Wx, Wh and b are used at every step, so their gradients are summed over all T steps.") {
                $0.rnn = sequenceVariant(step: { $0.rnnStep }, sumWeightGradients: false)
            },
            Change("dh0 not returned", "∂L/∂h0 is zero: the gradient that comes out of the first step as dhPrev is the gradient of the initial state — return it.") {
                $0.rnn = sequenceVariant(step: { $0.rnnStep }, returnDh0: false)
            },
            Change("h0 ignored", "the forward starts from a zero state: start from the h0 you are given.") {
                $0.rnn = sequenceVariant(step: { $0.rnnStep }, ignoreH0: true)
            },
            Change("hidden state carried across batches", carriedStateExplanation) {
                $0.rnn = sequenceVariant(step: { $0.rnnStep }, carried: CarriedState())
            },
        ],
        alternatives: [
            Change("recursion over time instead of a loop") {
                $0.rnn = { x, h0, w in
                    let step = F.reference.rnnStep
                    func run(from t: Int, _ h: Tensor) -> [(hNext: Tensor, backward: F.StepBackward)] {
                        guard t < x.shape[1] else { return [] }
                        let here = step(x.select(axis: 1, index: t), h, w)
                        return [here] + run(from: t + 1, here.hNext)
                    }
                    let steps = run(from: 0, h0)
                    return (Tensor.stack(steps.map(\.hNext), axis: 1), { dh in
                        var dxSteps: [Tensor] = []
                        var later = Tensor.zeros(like: h0)
                        var (dWx, dWh, db) = (Tensor.zeros(like: w.wx), Tensor.zeros(like: w.wh), Tensor.zeros(like: w.bias))
                        for (t, s) in steps.enumerated().reversed() {
                            let g = s.backward(later + dh.select(axis: 1, index: t))
                            dxSteps.insert(g.dx, at: 0)
                            (dWx, dWh, db) = (dWx + g.gradients.wx, dWh + g.gradients.wh, db + g.gradients.bias)
                            later = g.dhPrev
                        }
                        return (Tensor.stack(dxSteps, axis: 1), later, (dWx, dWh, db))
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.step], of: "rnn.sequence", candidate: candidate, reference: peers.reference) { context in
            try checkNoCarriedState(sequenceNames, candidate: candidate, peers: peers, gates: 1, select: { $0.rnn }, &context)
            let cases = sequenceCases(&context, gates: 1)
            try compareLayer(sequenceNames, cases: cases, candidate: candidate, peers: peers, select: sequenceLayer { $0.rnn }, &context)
            context.pass("h and the five gradients match the reference for T = 1, T ≥ 5 and a batch of one; no state carried between batches")
            let worst = try gradientCheckLayer(sequenceNames, cases[0], candidate: candidate, select: sequenceLayer { $0.rnn }, &context)
            context.pass("gradient check through \(cases[0].inputs[0].shape[1]) steps of x, h0, Wx, Wh and b: largest relative error \(Diagnosis.short(worst)) < 1e-7")
        }
    }
}

extension Prerequisite where Functions == RecurrentNetsFunctions {
    /// A layer agrees when every output and gradient matches the reference's on one random case.
    static func layer(_ exerciseID: String, _ function: String, select: @escaping @Sendable (RecurrentNetsFunctions) -> RecurrentNetsLesson.LayerUnderTest,
                      makeCase: @escaping @Sendable (inout GradingContext) -> RecurrentNetsLesson.LayerCase) -> Prerequisite {
        Prerequisite(exerciseID: exerciseID, function: function) { candidate, reference, context in
            let c = makeCase(&context)
            let got = select(candidate).run(c.inputs, c.upstream), want = select(reference).run(c.inputs, c.upstream)
            return got.outputs.count == want.outputs.count && got.gradients.count == want.gradients.count
                && zip(got.outputs + got.gradients, want.outputs + want.gradients).allSatisfy { Tolerance.standard.accepts($0, $1) }
        }
    }

    static let step = layer("rnn.step", "rnnStepForward/rnnStepBackward", select: RecurrentNetsLesson.stepLayer) { context in
        let s = RecurrentNetsLesson.sizes(&context, steps: 1...1)
        let w = RecurrentNetsLesson.randomWeights(&context, d: s.d, h: s.h, gates: 1)
        return .init(situation: "", inputs: [context.randomTensor([s.n, s.d]), context.randomTensor([s.n, s.h]), w.wx, w.wh, w.bias],
                     upstream: [context.randomTensor([s.n, s.h])])
    }

    static let sequence = layer("rnn.sequence", "rnnForward/rnnBackward", select: RecurrentNetsLesson.sequenceLayer { $0.rnn }) { context in
        RecurrentNetsLesson.sequenceCases(&context, gates: 1)[0]
    }
}
