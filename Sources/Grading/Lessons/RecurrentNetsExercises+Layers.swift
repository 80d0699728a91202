import CourseKit
import Foundation
import Implementations

extension RecurrentNetsLesson {
    // MARK: - Embeddings

    static func embeddingLayer(_ indices: [[Int]]) -> @Sendable (F) -> LayerUnderTest {
        { f in
            LayerUnderTest(forward: { [f.embedding(indices, $0[0]).out] },
                           run: { i, up in
                               let (out, backward) = f.embedding(indices, i[0])
                               return ([out], [backward(up[0])])
                           })
        }
    }

    /// The reference lookup with a backward that writes each occurrence's gradient by `combine(old, new, count so far)`.
    static func embeddingVariant(_ combine: @escaping @Sendable (_ old: Double, _ new: Double, _ seen: Int) -> Double)
        -> @Sendable ([[Int]], Tensor) -> (out: Tensor, backward: @Sendable (Tensor) -> Tensor) {
        { indices, table in
            let (out, _) = F.reference.embedding(indices, table)
            return (out, { dOut in
                let d = table.shape[1]
                var dTable = Tensor.zeros(table.shape)
                var seen = [Int](repeating: 0, count: table.shape[0])
                dTable.withScalars { s in
                    for (position, token) in indices.flatMap({ $0 }).enumerated() {
                        for k in 0..<d { s[token * d + k] = combine(s[token * d + k], dOut.scalars[position * d + k], seen[token]) }
                        seen[token] += 1
                    }
                }
                return dTable
            })
        }
    }

    static let embeddingSpec = Spec(
        id: "rnn.embedding", title: "Embeddings: a table lookup and its gradient", file: "Embedding.swift",
        declarations: ["embeddingForward(_:table:)", "embeddingBackward(_:cache:)"],
        hints: [
            "An embedding is a learned table with one row per token: the forward looks rows up. It is the same as multiplying a one-hot vector by the table, so the backward is that product's gradient: row v of ∂L/∂W collects the upstream gradients of every position whose token is v.",
            "The chapter's section \"Embeddings\". `table.rows(at:)` looks up many rows at once; `reshaped([N, T, D])` gives them the batch's shape. In the backward, start from a zero [V, D] tensor.",
            "A token can occur many times in a batch (the letter e, the word the): its row's gradient is the sum over all its occurrences, not the last one written. Rows of tokens that do not occur stay zero.",
            "A sketch of the backward: for every position p (flattened n·T + t) with token v = indices[n][t], add dOut's D values at p to row v of dTable — `dTable.withScalars { s in … s[v * D + k] += upstream[p * D + k] … }`.",
        ],
        standard: "the lookup and ∂L/∂W compared with the reference on 3 random batches (V in 5–8, D in 2–4, T up to 6, tokens repeated within and across sequences) and a batch of one with T = 1, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of ∂L/∂W against your forward: relative error < 1e-7",
        mistakes: [
            Change("embeddings overwritten instead of accumulated", "a repeated token's row holds only the gradient of its last occurrence: rows are assigned (=) where they must be added to (+=) — each occurrence contributes.") {
                $0.embedding = embeddingVariant { _, new, _ in new }
            },
            Change("first occurrence only", "a repeated token's row holds only the gradient of its first occurrence: every occurrence contributes, so add them all.") {
                $0.embedding = embeddingVariant { old, new, seen in seen == 0 ? new : old }
            },
            Change("gradient averaged over occurrences", "a repeated token's row holds the mean of its occurrences' gradients: the loss depends on each occurrence separately, so the gradients add up — no division.") {
                $0.embedding = embeddingVariant { old, new, seen in (old * Double(seen) + new) / Double(seen + 1) }
            },
        ],
        alternatives: [
            Change("one-hot matrix product") {
                $0.embedding = { indices, table in
                    let flat = indices.flatMap { $0 }
                    let oneHot = Tensor.oneHot(flat, classes: table.shape[0])
                    let (n, t, d) = (indices.count, indices[0].count, table.shape[1])
                    return (matmul(oneHot, table).reshaped([n, t, d]), { dOut in matmul(oneHot.transposed(), dOut.reshaped([n * t, d])) })
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(LayerCase, [[Int]])] = []
        for round in 1...4 {
            let v = context.random.nextInt(in: 5...8), d = context.random.nextInt(in: 2...4)
            let n = round == 4 ? 1 : context.random.nextInt(in: 2...3), t = round == 4 ? 1 : context.random.nextInt(in: 4...6)
            // Few distinct tokens, so that most occur more than once.
            let used = Array(context.random.permutation(v).prefix(3))
            var indices = (0..<n).map { _ in (0..<t).map { _ in used[context.random.nextInt(in: 0..<used.count)] } }
            if round == 1 { indices[0][0] = used[0]; indices[0][1] = used[0] }   // a repeat within one sequence, at least
            let situation = (round == 4 ? "a batch of one with T = 1" : "random batch #\(round)") + ", V = \(v), D = \(d), indices \(indices) (seed \(context.seed))"
            cases.append((LayerCase(situation: situation, inputs: [context.randomTensor([v, d])], upstream: [context.randomTensor([n, t, d])]), indices))
        }
        for (c, indices) in cases {
            try compareLayer(LayerNames(function: "embeddingForward", backward: "embeddingBackward", inputs: ["table"], outputs: ["out"]),
                             cases: [c], candidate: candidate, peers: peers, select: embeddingLayer(indices), &context)
        }
        context.pass("the lookup and ∂L/∂W match the reference on 3 batches with repeated tokens and a batch of one")
        let (c, indices) = cases[0]
        let worst = try gradientCheckLayer(LayerNames(function: "embeddingForward", backward: "embeddingBackward", inputs: ["table"], outputs: ["out"]),
                                           c, candidate: candidate, select: embeddingLayer(indices), &context)
        context.pass("gradient check of ∂L/∂W: relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Temporal affine layer and the masked loss

    static let temporalAffineNames = LayerNames(function: "temporalAffineForward", backward: "temporalAffineBackward",
                                                inputs: ["x", "weights", "bias"], outputs: ["out"])

    static func temporalAffineLayer(_ f: F) -> LayerUnderTest {
        LayerUnderTest(forward: { [f.temporalAffine($0[0], $0[1], $0[2]).out] },
                       run: { i, up in
                           let (out, backward) = f.temporalAffine(i[0], i[1], i[2])
                           let g = backward(up[0])
                           return ([out], [g.dx, g.dWeights, g.dBias])
                       })
    }

    /// The reference masked loss, changed in one place: `divisor(N, T, counted)` and whether padded positions count.
    static func lossVariant(useMaskInTerms: Bool = true, divisor: @escaping @Sendable (_ n: Int, _ t: Int, _ counted: Int) -> Int)
        -> @Sendable (Tensor, [[Int]], [[Bool]]) -> (loss: Double, dScores: Tensor) {
        { scores, targets, mask in
            let (n, t) = (scores.shape[0], scores.shape[1])
            let effective = useMaskInTerms ? mask : mask.map { $0.map { _ in true } }
            let counted = effective.flatMap { $0 }.filter { $0 }.count
            let (loss, dScores) = F.reference.temporalSoftmaxLoss(scores, targets, effective)
            let scale = Double(counted) / Double(max(1, divisor(n, t, counted)))
            return (loss * scale, dScores * scale)
        }
    }

    static let temporalSpec = Spec(
        id: "rnn.temporal", title: "Temporal affine layer and the masked softmax loss", file: "TemporalLayers.swift",
        declarations: ["temporalAffineForward(_:weights:bias:)", "temporalAffineBackward(_:cache:)", "temporalSoftmaxLoss(_:targets:mask:)"],
        hints: [
            "Both layers are lesson 03–04 layers applied at every time step with the same parameters. The trick: an [N, T, D] tensor is N·T rows of D numbers — reshape to [N·T, D], do the 2-D thing, reshape back.",
            "Temporal affine: `x.reshaped([N * T, D])`, lesson 04's affine forward and backward formulas, then `.reshaped([N, T, M])`; W and b are shared, so their gradients sum over all N·T rows. The loss: a stable softmax over the last axis of the [N·T, V] rows.",
            "The mask: a padded position adds nothing to the loss and gets gradient zero. This course divides by M, the number of real (unmasked) tokens — not by N·T, and not by N as CS231n's assignment does. With no real token at all, the loss and gradient are 0.",
            "For each real row r with target y: loss += −log p[r, y]; the gradient row is (p[r, :] − onehot(y)) / M. Padded rows: all zeros. Compute log p as (s − max) − log Σ exp(s − max) so a score of 1000 does not overflow.",
        ],
        standard: "temporal affine: output, dx, dWeights and dBias compared with the reference on 3 random inputs and a batch of one with T = 1 (N, T, D, M distinct), and a gradient check of all three (relative error < 1e-7); masked loss and ∂L/∂scores compared on 5 batches — a fully padded sequence, a left-padded sequence and one with a hole, a batch of one, scores near ±1000, T = 1 — and an all-padded batch (loss 0), within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of ∂L/∂scores: relative error < 1e-7",
        mistakes: [
            Change("mask ignored in the normalisation", "the masked sum is divided by N·T, every position, padding included: divide by the number of real tokens (true entries of the mask).") {
                $0.temporalSoftmaxLoss = lossVariant { n, t, _ in n * t }
            },
            Change("divided by the number of sequences (CS231n's convention)", "the masked sum is divided by N, the number of sequences — CS231n's convention. This course averages over the real tokens: divide by the number of true entries of the mask.") {
                $0.temporalSoftmaxLoss = lossVariant { n, _, _ in n }
            },
            Change("mask ignored", "padded positions count in the loss and get gradients: a position whose mask is false must add nothing to the loss and get a zero gradient.") {
                $0.temporalSoftmaxLoss = lossVariant(useMaskInTerms: false) { _, _, counted in counted }
            },
            Change("mask read as a length", "only the positions before the mask's first false entry count: the mask is any pattern of real and padded positions (left padding, holes) — count and use exactly the positions whose flag is true.") {
                $0.temporalSoftmaxLoss = { scores, targets, mask in
                    let prefixes = mask.map { row in
                        let length = row.firstIndex(of: false) ?? row.count
                        return row.indices.map { $0 < length }
                    }
                    return F.reference.temporalSoftmaxLoss(scores, targets, prefixes)
                }
            },
            Change("temporal bias gradient averaged", "∂L/∂bias is the mean of dOut over the N·T rows: b is added at every position, so its gradient is the sum.") {
                $0.temporalAffine = { x, w, b in
                    let (out, backward) = F.reference.temporalAffine(x, w, b)
                    return (out, { dOut in
                        let g = backward(dOut)
                        return (g.dx, g.dWeights, g.dBias / Double(x.shape[0] * x.shape[1]))
                    })
                }
            },
        ],
        alternatives: [
            Change("a loop over time steps with 2-D layers, and a per-position log-sum-exp") {
                $0.temporalAffine = { x, w, b in
                    let steps = (0..<x.shape[1]).map { x.select(axis: 1, index: $0) }
                    let out = Tensor.stack(steps.map { matmul($0, w) + b }, axis: 1)
                    return (out, { dOut in
                        var dx: [Tensor] = [], dW = Tensor.zeros(like: w), db = Tensor.zeros(like: b)
                        for (t, xt) in steps.enumerated() {
                            let g = dOut.select(axis: 1, index: t)
                            dx.append(matmul(g, w.transposed()))
                            dW = dW + matmul(xt.transposed(), g)
                            db = db + g.sum(axis: 0)
                        }
                        return (Tensor.stack(dx, axis: 1), dW, db)
                    })
                }
                $0.temporalSoftmaxLoss = { scores, targets, mask in
                    let (n, t, v) = (scores.shape[0], scores.shape[1], scores.shape[2])
                    let m = Double(mask.joined().filter { $0 }.count)
                    var loss = 0.0
                    var d = Tensor.zeros(like: scores)
                    for i in 0..<n {
                        for j in 0..<t where mask[i][j] {
                            let row = (0..<v).map { scores[i, j, $0] }
                            let top = row.max()!
                            let lse = top + log(row.reduce(0) { $0 + exp($1 - top) })
                            loss += lse - row[targets[i][j]]
                            for k in 0..<v {
                                let p = exp(row[k] - lse)
                                d.withScalars { $0[(i * t + j) * v + k] = (p - (k == targets[i][j] ? 1 : 0)) / m }
                            }
                        }
                    }
                    return (m == 0 ? 0 : loss / m, d)
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [LayerCase] = []
        for round in 1...4 {
            let n = round == 4 ? 1 : context.random.nextInt(in: 2...3)
            let t = round == 4 ? 1 : context.random.nextInt(in: 4...5)
            let d = context.random.nextInt(in: 2...4)
            var m = context.random.nextInt(in: 2...5)
            while m == d { m += 1 }
            cases.append(LayerCase(situation: (round == 4 ? "a batch of one with T = 1" : "random input #\(round)") + ", N = \(n), T = \(t), D = \(d), M = \(m) (seed \(context.seed))",
                                   inputs: [context.randomTensor([n, t, d]), context.randomTensor([d, m]), context.randomTensor([m])],
                                   upstream: [context.randomTensor([n, t, m])]))
        }
        try compareLayer(temporalAffineNames, cases: cases, candidate: candidate, peers: peers, select: temporalAffineLayer, &context)
        let worstAffine = try gradientCheckLayer(temporalAffineNames, cases[0], candidate: candidate, select: temporalAffineLayer, &context)
        context.pass("the temporal affine layer matches the reference (3 random inputs and a batch of one); gradient check: relative error \(Diagnosis.short(worstAffine)) < 1e-7")

        // The masked loss.
        var lossCases: [(String, Tensor, [[Int]], [[Bool]])] = []
        for round in 1...5 {
            let n = round == 3 ? 1 : context.random.nextInt(in: 3...4)
            let t = round == 5 ? 1 : context.random.nextInt(in: 4...6)
            let v = context.random.nextInt(in: 3...5)
            var scores = context.randomTensor([n, t, v], scale: 2)
            if round == 4 { scores = scores * 10 + 1000 * sign(context.randomTensor([n, t, 1])) }
            let targets = (0..<n).map { _ in (0..<t).map { _ in context.random.nextInt(in: 0..<v) } }
            // Real tokens first, then padding; some sequence entirely padded (but not every one).
            var mask = (0..<n).map { _ in
                let length = context.random.nextInt(in: 1...t)
                return (0..<t).map { $0 < length }
            }
            if n > 1 { mask[context.random.nextInt(in: 0..<n)] = Array(repeating: false, count: t) }
            if round == 5 && n > 1 { mask[0] = [true] }
            // A mask is any pattern, not only real tokens then padding: a left-padded sequence, and one with a hole.
            if round == 2 && t >= 3 {
                mask[0] = (0..<t).map { $0 >= 1 }
                mask[1] = (0..<t).map { $0 != t / 2 }
                mask[n - 1] = Array(repeating: false, count: t)
            }
            let name = [1: "a batch with a fully padded sequence", 2: "a left-padded sequence, one with a hole, and a fully padded one", 3: "a batch of one",
                        4: "scores near ±1000", 5: "T = 1"][round]!
            lossCases.append(("\(name), N = \(n), T = \(t), V = \(v), mask \(mask.map { $0.map { $0 ? 1 : 0 } }) (seed \(context.seed))", scores, targets, mask))
        }
        let (_, allPaddedScores, allPaddedTargets, _) = lossCases[0]
        let allPadded = allPaddedTargets.map { $0.map { _ in false } }
        lossCases.append(("a batch with every position padded (seed \(context.seed))", allPaddedScores, allPaddedTargets, allPadded))
        for (situation, scores, targets, mask) in lossCases {
            let got = candidate.temporalSoftmaxLoss(scores, targets, mask), want = peers.reference.temporalSoftmaxLoss(scores, targets, mask)
            let inputs: [(name: String, value: Tensor)] = [("scores", scores), ("targets", Tensor(targets.joined().map(Double.init)))]
            try context.expectClose(got.loss, want.loss, what: "the loss of temporalSoftmaxLoss", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.temporalSoftmaxLoss(scores, targets, mask).loss) })
            try context.expectClose(got.dScores, want.dScores, what: "dScores of temporalSoftmaxLoss", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { $0.temporalSoftmaxLoss(scores, targets, mask).dScores })
        }
        let (_, scores, targets, mask) = lossCases[0]
        let numeric = GradientCheck.numericalGradient(of: { candidate.temporalSoftmaxLoss($0, targets, mask).loss }, at: scores)
        let analytic = candidate.temporalSoftmaxLoss(scores, targets, mask).dScores
        try context.expectGradient(analytic: analytic, numeric: numeric, what: "dScores of temporalSoftmaxLoss", situation: lossCases[0].0,
                                   threshold: gradientThreshold)
        context.pass("the masked loss matches the reference with padded sequences, a batch of one, scores near ±1000, T = 1 and an all-padded batch; gradient check: relative error \(Diagnosis.short(GradientCheck.relativeError(analytic, numeric))) < 1e-7")
    }
}
