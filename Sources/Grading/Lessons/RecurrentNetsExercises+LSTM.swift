import CourseKit
import Foundation
import Implementations

extension RecurrentNetsLesson {
    // MARK: - One step of the LSTM

    static func lstmStepLayer(_ f: F) -> LayerUnderTest {
        LayerUnderTest(forward: { i in
                           let r = f.lstmStep(i[0], i[1], i[2], (i[3], i[4], i[5]))
                           return [r.hNext, r.cNext]
                       },
                       run: { i, up in
                           let r = f.lstmStep(i[0], i[1], i[2], (i[3], i[4], i[5]))
                           let g = r.backward(up[0], up[1])
                           return ([r.hNext, r.cNext], [g.dx, g.dhPrev, g.dcPrev, g.gradients.wx, g.gradients.wh, g.gradients.bias])
                       })
    }

    static let lstmStepNames = LayerNames(function: "lstmStepForward", backward: "lstmStepBackward",
                                          inputs: ["x", "hPrev", "cPrev", "Wx", "Wh", "b"], outputs: ["hNext", "cNext"])

    private static func sigmoid(_ x: Tensor) -> Tensor { x.map { $0 >= 0 ? 1 / (1 + exp(-$0)) : exp($0) / (1 + exp($0)) } }

    /// An LSTM step written out, changed in one place: the known mistakes of the step.
    static func lstmStepVariant(outputGateBeforeCandidate: Bool = false, cellGradientThroughH: Bool = true,
                                forgetInCellGradient: Bool = true, tanhOnCell: Bool = true, sigmoidByTanh: Bool = false)
        -> @Sendable (Tensor, Tensor, Tensor, F.Weights) -> (hNext: Tensor, cNext: Tensor, backward: F.LSTMStepBackward) {
        { x, hPrev, cPrev, w in
            let h = hPrev.shape[1]
            let a = matmul(x, w.wx) + matmul(hPrev, w.wh) + w.bias
            // Positions of i, f, g, o among the four blocks of a.
            let (pi, pf, pg, po) = outputGateBeforeCandidate ? (0, 1, 3, 2) : (0, 1, 2, 3)
            func block(_ p: Int) -> Tensor { a.slice(axis: 1, (p * h)..<((p + 1) * h)) }
            let gate: (Tensor) -> Tensor = sigmoidByTanh ? { (a: Tensor) -> Tensor in 0.5 * (1 + tanh(0.5 * a)) } : { (a: Tensor) -> Tensor in sigmoid(a) }
            let i = gate(block(pi)), f = gate(block(pf)), g = tanh(block(pg)), o = gate(block(po))
            let c = f * cPrev + i * g
            let squashed = tanhOnCell ? tanh(c) : c
            let hNext = o * squashed
            return (hNext, c, { dhNext, dcNext in
                let derivative = tanhOnCell ? 1 - squashed * squashed : Tensor.ones(like: c)
                let dc = dcNext + (cellGradientThroughH ? dhNext * o * derivative : Tensor.zeros(like: c))
                var blocks = [Tensor](repeating: Tensor.zeros(like: c), count: 4)
                blocks[pi] = dc * g * i * (1 - i)
                blocks[pf] = dc * cPrev * f * (1 - f)
                blocks[pg] = dc * i * (1 - g * g)
                blocks[po] = dhNext * squashed * o * (1 - o)
                let da = Tensor.concatenate(blocks, axis: 1)
                return (matmul(da, w.wx.transposed()), matmul(da, w.wh.transposed()), forgetInCellGradient ? dc * f : dc,
                        (matmul(x.transposed(), da), matmul(hPrev.transposed(), da), da.sum(axis: 0)))
            })
        }
    }

    static func lstmCases(_ context: inout GradingContext) -> [LayerCase] {
        var cases: [LayerCase] = []
        for round in 1...4 {
            let s = sizes(&context, batchOfOne: round == 4, steps: 1...1)
            let w = randomWeights(&context, d: s.d, h: s.h, gates: 4)
            cases.append(LayerCase(situation: (round == 4 ? "a batch of one" : "random step #\(round)") + ", N = \(s.n), D = \(s.d), H = \(s.h) (seed \(context.seed))",
                                   inputs: [context.randomTensor([s.n, s.d]), context.randomTensor([s.n, s.h]), context.randomTensor([s.n, s.h]),
                                            w.wx, w.wh, w.bias],
                                   upstream: [context.randomTensor([s.n, s.h]), context.randomTensor([s.n, s.h])]))
        }
        return cases
    }

    static let lstmStepSpec = Spec(
        id: "rnn.lstmStep", title: "One step of an LSTM: forward and backward", file: "LSTMStep.swift",
        declarations: ["lstmStepForward(_:hPrev:cPrev:parameters:)", "lstmStepBackward(_:dcNext:cache:)"],
        hints: [
            "An LSTM step keeps two states: the cell c (its memory) and the output h. Four gates come out of one product a = x·Wx + hPrev·Wh + b of width 4H: i, f, o through a sigmoid, g through tanh. The cell is updated additively, c = f ⊙ cPrev + i ⊙ g, and h = o ⊙ tanh(c).",
            "The chapter's section \"The LSTM, backward\" derives it. The key: c reaches the loss along two paths, straight to the next step (dcNext) and through h = o ⊙ tanh(c), so its total gradient is the sum of the two; each gate then gets its gradient from one product in c = f ⊙ cPrev + i ⊙ g or h = o ⊙ tanh(c). Slice a with `a.slice(axis: 1, 0..<H)` etc. — the order is i, f, g, o.",
            "The total gradient of c: dc = dcNext + dhNext ⊙ o ⊙ (1 − tanh²(c)). From it: ∂L/∂i = dc ⊙ g, ∂L/∂f = dc ⊙ cPrev, ∂L/∂g = dc ⊙ i, dcPrev = dc ⊙ f, and ∂L/∂o = dhNext ⊙ tanh(c). Each gate's pre-activation gradient multiplies by its own derivative: σ′ = s(1 − s) for i, f, o, tanh′ = 1 − g² for g.",
            "Join the four pre-activation gradients with `Tensor.concatenate([dai, daf, dag, dao], axis: 1)` — same order as the forward — into da [N, 4H]; then dx, dhPrev, dWx, dWh and db come from da exactly as in the vanilla RNN step. Keep i, f, g, o, cPrev and the new c in the cache.",
        ],
        standard: "hNext, cNext and all six gradients (x, hPrev, cPrev, Wx, Wh, b) compared with the reference on 3 random steps (N in 2–3, D in 2–4, H ≠ D) and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of all six against your forward (upstream gradients on both h and c): relative error < 1e-7",
        mistakes: [
            Change("gates in CS231n's order", "the gates are read in the order i, f, o, g (CS231n's): this lesson's order is i, f, g, o (PyTorch's) — the candidate g is the third block of a, the output gate o the fourth.") {
                $0.lstmStep = lstmStepVariant(outputGateBeforeCandidate: true)
            },
            Change("cell gradient misses the path through h", "∂L/∂c is only dcNext: c also reaches the loss through h = o ⊙ tanh(c), so add dhNext ⊙ o ⊙ (1 − tanh²(c)).") {
                $0.lstmStep = lstmStepVariant(cellGradientThroughH: false)
            },
            Change("dcPrev without the forget gate", "dcPrev is the whole cell gradient: c = f ⊙ cPrev + i ⊙ g, so ∂L/∂cPrev = dc ⊙ f.") {
                $0.lstmStep = lstmStepVariant(forgetInCellGradient: false)
            },
            Change("no tanh on the cell", "hNext = o ⊙ c: the output squashes the cell first, hNext = o ⊙ tanh(c).") {
                $0.lstmStep = lstmStepVariant(tanhOnCell: false)
            },
        ],
        alternatives: [
            Change("σ written as ½(1 + tanh(a/2)), the step written out") { $0.lstmStep = lstmStepVariant(sigmoidByTanh: true) },
            Change("each gate with its own weight slices") {
                $0.lstmStep = { x, hPrev, cPrev, w in
                    let h = hPrev.shape[1]
                    func gate(_ k: Int) -> Tensor {
                        let columns = (k * h)..<((k + 1) * h)
                        return matmul(x, w.wx.slice(axis: 1, columns)) + matmul(hPrev, w.wh.slice(axis: 1, columns)) + w.bias.slice(axis: 0, columns)
                    }
                    let (i, f, g, o) = (sigmoid(gate(0)), sigmoid(gate(1)), tanh(gate(2)), sigmoid(gate(3)))
                    let c = f * cPrev + i * g
                    let tc = tanh(c)
                    return (o * tc, c, { dh, dcNext in
                        let dc = dcNext + dh * o * (1 - tc * tc)
                        let parts = [dc * g * i * (1 - i), dc * cPrev * f * (1 - f), dc * i * (1 - g * g), dh * tc * o * (1 - o)]
                        var dx = Tensor.zeros(like: x), dhPrev = Tensor.zeros(like: hPrev)
                        var dWx: [Tensor] = [], dWh: [Tensor] = [], db: [Tensor] = []
                        for (k, da) in parts.enumerated() {
                            let columns = (k * h)..<((k + 1) * h)
                            dx = dx + matmul(da, w.wx.slice(axis: 1, columns).transposed())
                            dhPrev = dhPrev + matmul(da, w.wh.slice(axis: 1, columns).transposed())
                            dWx.append(matmul(x.transposed(), da))
                            dWh.append(matmul(hPrev.transposed(), da))
                            db.append(da.sum(axis: 0))
                        }
                        return (dx, dhPrev, dc * f, (Tensor.concatenate(dWx, axis: 1), Tensor.concatenate(dWh, axis: 1), Tensor.concatenate(db, axis: 0)))
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        let cases = lstmCases(&context)
        try compareLayer(lstmStepNames, cases: cases, candidate: candidate, peers: peers, select: lstmStepLayer, &context)
        context.pass("hNext, cNext and the six gradients match the reference on 3 random steps and a batch of one")
        let worst = try gradientCheckLayer(lstmStepNames, cases[0], candidate: candidate, select: lstmStepLayer, &context)
        context.pass("gradient check of x, hPrev, cPrev, Wx, Wh and b: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - The LSTM over a sequence

    static let lstmNames = LayerNames(function: "lstmForward", backward: "lstmBackward",
                                      inputs: ["x", "h0", "Wx", "Wh", "b"], outputs: ["h"])

    /// The reference LSTM sequence, changed in one place.
    static func lstmVariant(addLaterH: Bool = true, carryCellGradient: Bool = true, resetCell: Bool = false, returnDh0: Bool = true)
        -> @Sendable (Tensor, Tensor, F.Weights) -> (h: Tensor, backward: F.SequenceBackward) {
        { x, h0, w in
            let step = F.reference.lstmStep
            var h = h0, c = Tensor.zeros(like: h0)
            var states: [Tensor] = [], backwards: [F.LSTMStepBackward] = []
            for t in 0..<x.shape[1] {
                let r = step(x.select(axis: 1, index: t), h, resetCell ? Tensor.zeros(like: c) : c, w)
                (h, c) = (r.hNext, r.cNext)
                states.append(h)
                backwards.append(r.backward)
            }
            let (n, steps, d) = (x.shape[0], x.shape[1], x.shape[2])
            let stepBackwards = backwards
            return (Tensor.stack(states, axis: 1), { dh in
                var dx = Tensor.zeros([n, steps, d])
                var dhLater = Tensor.zeros(like: h0), dcLater = Tensor.zeros(like: h0)
                var gradients: F.Weights = (Tensor.zeros(like: w.wx), Tensor.zeros(like: w.wh), Tensor.zeros(like: w.bias))
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    let g = stepBackwards[t](dh.select(axis: 1, index: t) + (addLaterH ? dhLater : Tensor.zeros(like: dhLater)),
                                         carryCellGradient ? dcLater : Tensor.zeros(like: dcLater))
                    dx.setSelection(axis: 1, index: t, to: g.dx)
                    gradients = (gradients.wx + g.gradients.wx, gradients.wh + g.gradients.wh, gradients.bias + g.gradients.bias)
                    (dhLater, dcLater) = (g.dhPrev, resetCell ? Tensor.zeros(like: g.dcPrev) : g.dcPrev)
                }
                return (dx, returnDh0 ? dhLater : Tensor.zeros(like: h0), gradients)
            })
        }
    }

    static let lstmSpec = Spec(
        id: "rnn.lstm", title: "An LSTM over a sequence: forward and backpropagation through time", file: "LSTMSequence.swift",
        declarations: ["lstmForward(_:h0:parameters:)", "lstmBackward(_:cache:)"],
        hints: [
            "The same loop as the vanilla RNN, carrying two states: h and c, both starting the sequence (h from h0, c from zero) and both handed to the next step. Only the h's are the layer's output.",
            "The chapter's section \"The LSTM over a sequence\": backward, each step receives two gradients from the future, ∂L/∂hₜ (plus the output's own dh[:, t, :]) and ∂L/∂cₜ. Both start at zero after the last step.",
            "Keep `dhLater` and `dcLater`. At each step t, from the last down to the first: your `lstmStepBackward(dh[:, t, :] + dhLater, dcNext: dcLater, cache:)`; write its dx at t, add its weight gradients to the running sums, and set dhLater, dcLater to its dhPrev, dcPrev.",
            "At the end dhLater is ∂L/∂h₀ (return it); dcLater is the gradient of c₀, which is a constant zero here, so it is not returned. The weight gradients have the shapes Wx [D, 4H], Wh [H, 4H], b [4H].",
        ],
        standard: "h and the five gradients (x, h0, Wx, Wh, b) compared with the reference on sequences of T = 1, T in 5–7, T in 2–4 and a batch of one (H ≠ D), within |error| ≤ 1e-8 + 1e-6·|expected|; the second of two batches in a row must not depend on the first; gradient check through time of x, h0, Wx, Wh and b on a sequence of T ≥ 5: relative error < 1e-7",
        mistakes: [
            Change("cell gradient not carried back", "the cell's gradient from step t + 1 is dropped: each step must receive dcNext = the dcPrev of the step after it (zero only after the last step).") {
                $0.lstm = lstmVariant(carryCellGradient: false)
            },
            Change("gradient from the next step not added (LSTM)", "the gradient that flows back to hₜ from step t + 1 is dropped: the gradient reaching hₜ is dh[:, t, :] + (dhPrev returned by step t + 1).") {
                $0.lstm = lstmVariant(addLaterH: false)
            },
            Change("cell state reset every step", "the cell starts from zero at every step: carry c from one step to the next — that is the LSTM's memory.") {
                $0.lstm = lstmVariant(resetCell: true)
            },
            Change("dh0 not returned (LSTM)", "∂L/∂h0 is zero: return the dhPrev that comes out of the first step.") {
                $0.lstm = lstmVariant(returnDh0: false)
            },
        ],
        alternatives: [
            Change("states kept in arrays, the step caches rebuilt in the backward, weight gradients summed at the end") {
                $0.lstm = { x, h0, w in
                    let forward = F.reference.lstm(x, h0, w)
                    return (forward.h, { dh in
                        let step = F.reference.lstmStep
                        var hs = [h0], cs = [Tensor.zeros(like: h0)], backwards: [F.LSTMStepBackward] = []
                        for t in 0..<x.shape[1] {
                            let r = step(x.select(axis: 1, index: t), hs[t], cs[t], w)
                            hs.append(r.hNext)
                            cs.append(r.cNext)
                            backwards.append(r.backward)
                        }
                        var dxSteps: [Tensor] = [], weightGradients: [F.Weights] = []
                        var dhLater = Tensor.zeros(like: h0), dcLater = Tensor.zeros(like: h0)
                        for t in (0..<x.shape[1]).reversed() {
                            let g = backwards[t](dh.select(axis: 1, index: t) + dhLater, dcLater)
                            dxSteps.insert(g.dx, at: 0)
                            weightGradients.append(g.gradients)
                            (dhLater, dcLater) = (g.dhPrev, g.dcPrev)
                        }
                        let total = weightGradients.dropFirst().reduce(weightGradients[0]) { ($0.wx + $1.wx, $0.wh + $1.wh, $0.bias + $1.bias) }
                        return (Tensor.stack(dxSteps, axis: 1), dhLater, total)
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.lstmStep], of: "rnn.lstm", candidate: candidate, reference: peers.reference) { context in
            try checkNoCarriedState(lstmNames, candidate: candidate, peers: peers, gates: 4, select: { $0.lstm }, &context)
            let cases = sequenceCases(&context, gates: 4)
            try compareLayer(lstmNames, cases: cases, candidate: candidate, peers: peers, select: sequenceLayer { $0.lstm }, &context)
            context.pass("h and the five gradients match the reference for T = 1, T ≥ 5 and a batch of one; no state carried between batches")
            let worst = try gradientCheckLayer(lstmNames, cases[0], candidate: candidate, select: sequenceLayer { $0.lstm }, &context)
            context.pass("gradient check through \(cases[0].inputs[0].shape[1]) steps of x, h0, Wx, Wh and b: largest relative error \(Diagnosis.short(worst)) < 1e-7")
        }
    }
}

extension Prerequisite where Functions == RecurrentNetsFunctions {
    static let lstmStep = layer("rnn.lstmStep", "lstmStepForward/lstmStepBackward", select: RecurrentNetsLesson.lstmStepLayer) { context in
        RecurrentNetsLesson.lstmCases(&context)[0]
    }
}
