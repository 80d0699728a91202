import CourseKit
import Foundation
import Implementations

extension TransformersLesson {
    /// Ways to get attention wrong, for the named mistakes (all off: the correct attention).
    struct AttentionFlaws: Sendable {
        var scaleByWidth = false
        var softmaxOverQueries = false
        var maskAfterSoftmax = false
        var fillMinusBillion = false
        var noRowSumTerm = false
        var unscaledBackward = false
        var scaleByValueWidth = false
        var maximumOverBlocked = false
    }

    /// Softmax along `axis` over the entries `allowed` marks (non-zero), zero elsewhere; a row with none allowed is all zeros.
    static func maskedSoftmax(_ s: Tensor, allowed: Tensor, axis: Int) -> Tensor {
        let rowMax = Tensor.where(allowed, s, Tensor(-Double.infinity)).max(axis: axis, keepingDims: true).map { $0.isFinite ? $0 : 0 }
        let e = Tensor.where(allowed, exp(s - rowMax), Tensor(0))
        return e / e.sum(axis: axis, keepingDims: true).map { $0 > 0 ? $0 : 1 }
    }

    /// Attention written out plainly, with the chosen flaws.
    static func flawedAttention(_ flaws: AttentionFlaws)
        -> @Sendable (Tensor, Tensor, Tensor, Tensor?) -> (out: Tensor, weights: Tensor, backward: F.AttentionBackward) {
        { q, k, v, mask in
            let dk = Double(flaws.scaleByValueWidth ? v.shape[v.rank - 1] : q.shape[q.rank - 1])
            let scale = flaws.scaleByWidth ? 1 / dk : 1 / dk.squareRoot()
            let s = matmul(q, k.transposed()) * scale
            let allowed = (mask ?? Tensor.ones([1])).broadcast(to: s.shape)
            let axis = flaws.softmaxOverQueries ? -2 : -1
            let p: Tensor
            if flaws.maximumOverBlocked {
                // exp(S − max over the whole row): an allowed score far below a blocked one underflows to 0.
                let e = Tensor.where(allowed, exp(s - s.max(axis: axis, keepingDims: true)), Tensor(0))
                p = e / e.sum(axis: axis, keepingDims: true).map { $0 > 0 ? $0 : 1 }
            } else if flaws.maskAfterSoftmax {
                p = maskedSoftmax(s, allowed: Tensor.ones(like: s), axis: axis) * allowed
            } else if flaws.fillMinusBillion {
                p = maskedSoftmax(Tensor.where(allowed, s, Tensor(-1e9)), allowed: Tensor.ones(like: s), axis: axis)
            } else {
                p = maskedSoftmax(s, allowed: allowed, axis: axis)
            }
            return (matmul(p, v), p, { dOut in
                let dValue = matmul(p.transposed(), dOut)
                let dP = matmul(dOut, v.transposed())
                var dS = flaws.noRowSumTerm ? p * dP : p * (dP - (dP * p).sum(axis: -1, keepingDims: true))
                if !flaws.unscaledBackward { dS = dS * scale }
                return (matmul(dS, k), matmul(dS.transposed(), q), dValue)
            })
        }
    }

    /// Attention one row at a time with explicit loops, the softmax Jacobian built as a matrix: a correct rewrite.
    static let loopAttention: @Sendable (Tensor, Tensor, Tensor, Tensor?) -> (out: Tensor, weights: Tensor, backward: F.AttentionBackward) = { q, k, v, mask in
        let (tq, dk, tk, dv) = (q.shape[q.rank - 2], q.shape[q.rank - 1], k.shape[k.rank - 2], v.shape[v.rank - 1])
        let lead = Array(q.shape.dropLast(2))
        let matrices = lead.reduce(1, *)
        let allowed = (mask ?? Tensor.ones([1])).broadcast(to: lead + [tq, tk]).reshaped([matrices, tq, tk])
        let (qs, ks, vs) = (q.reshaped([matrices, tq, dk]), k.reshaped([matrices, tk, dk]), v.reshaped([matrices, tk, dv]))
        var weightsBuilt = Tensor.zeros([matrices, tq, tk])
        for m in 0..<matrices {
            for i in 0..<tq {
                let visible = (0..<tk).filter { allowed[m, i, $0] != 0 }
                guard !visible.isEmpty else { continue }
                let scores = visible.map { j in (0..<dk).reduce(0.0) { $0 + qs[m, i, $1] * ks[m, j, $1] } / Double(dk).squareRoot() }
                let top = scores.max()!
                let e = scores.map { Foundation.exp($0 - top) }
                let total = e.reduce(0, +)
                weightsBuilt.withScalars { w in for (n, j) in visible.enumerated() { w[(m * tq + i) * tk + j] = e[n] / total } }
            }
        }
        let p = weightsBuilt
        let out = matmul(p, vs).reshaped(lead + [tq, dv])
        let weights = p.reshaped(lead + [tq, tk])
        return (out, weights, { dOut in
            let g = dOut.reshaped([matrices, tq, dv])
            let dP = matmul(g, vs.transposed())
            var dS = Tensor.zeros([matrices, tq, tk])
            for m in 0..<matrices {
                for i in 0..<tq {
                    let row = p.select(axis: 0, index: m).row(i)
                    let jacobian = Tensor.identity(tk) * row - outer(row, row)   // diag(p) − p pᵀ
                    let dRow = matmul(jacobian, dP.select(axis: 0, index: m).row(i))
                    dS.withScalars { s in for j in 0..<tk { s[(m * tq + i) * tk + j] = dRow[j] / Double(dk).squareRoot() } }
                }
            }
            return (matmul(dS, ks).reshaped(q.shape), matmul(dS.transposed(), qs).reshaped(k.shape),
                    matmul(p.transposed(), g).reshaped(v.shape))
        })
    }

    // MARK: - Attention

    static let attentionSpec = Spec(
        id: "transformer.attention", title: "Scaled dot-product attention with padding and causal masks", file: "Attention.swift",
        declarations: ["causalMask(length:)", "paddingMask(queryLengths:keyLengths:queries:keys:)",
                       "attentionForward(query:key:value:mask:)", "attentionBackward(_:cache:)"],
        hints: [
            "Attention is a soft dictionary lookup: each query scores every key (a dot product), the scores of one query become weights by a softmax over the keys, and the output is the weighted average of the values. Masks say which keys a query may see (1 = may attend); a blocked key must get weight exactly 0, and a query that may see nothing gets a row of zeros.",
            "Read the chapter's sections \"Scaled dot-product attention\" and \"Masks\". With `matmul` batching over leading axes, `key.transposed()` swaps the last two axes; the softmax runs along the last axis (`axis: -1`, `keepingDims: true`). `Tensor.where(mask, a, b)` picks a where the mask is non-zero. For the backward, section \"The backward pass of attention\".",
            "Forward: S = Q·Kᵀ/√d_k; for each row take the largest *allowed* score m (0 if none), e = where(mask, exp(S − m), 0), P = e / Σe (a zero sum stays 0). Backward, with G = ∂L/∂out: dV = Pᵀ·G, dP = G·Vᵀ, dS = P ⊙ (dP − Σⱼ dP ⊙ P) — lesson 01's softmax backward, row by row — then dQ = dS·K/√d_k and dK = dSᵀ·Q/√d_k.",
            "A sketch of the forward: `let s = matmul(query, key.transposed()) * scale`, `let allowed = mask ?? Tensor.ones(like: s)`, `let m = Tensor.where(allowed, s, Tensor(-.infinity)).max(axis: -1, keepingDims: true).map { $0.isFinite ? $0 : 0 }`, then the exponentials of the allowed entries and their row sums. Keep P in the cache: the backward needs it, and so does the demo's heatmap.",
        ],
        standard: "causalMask for T = 1 and 6, paddingMask with a sequence of padding only; output, attention weights, dQuery, dKey and dValue compared with the reference on 7 cases (d_v ≠ d_k) — no mask with Tq ≠ Tk, your causal mask (T = 6), your padding mask with whole rows blocked, padded keys shifted far above the real ones, padding and causal together, a batch of one with T = 1, four heads [B, H, T, d_k] with scores in the hundreds — within |error| ≤ 1e-8 + 1e-6·|expected|; blocked weights and their gradients must be exactly 0; gradient check of dQuery, dKey and dValue through padding and causal masks: relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("scaled by d_k instead of √d_k", "the scores are divided by d_k: scaled dot-product attention divides by √d_k, which keeps the scores' variance near 1 when Q and K have unit-variance entries (chapter, \"Why the scores are scaled\").") {
                $0.attention = flawedAttention(AttentionFlaws(scaleByWidth: true))
            },
            Change("softmax over the wrong axis", "the softmax normalizes over the queries (axis −2): each query's weights must sum to 1 over the keys, the last axis.") {
                $0.attention = flawedAttention(AttentionFlaws(softmaxOverQueries: true))
            },
            Change("mask applied after the softmax", "the mask is applied after the softmax: the blocked weights are zeroed, but the allowed ones no longer sum to 1. Mask the scores before normalizing, so the softmax runs over the allowed keys only.") {
                $0.attention = flawedAttention(AttentionFlaws(maskAfterSoftmax: true))
            },
            Change("blocked scores filled with −1e9", "blocked scores are filled with −1e9: that works while a row has an allowed key, but a fully blocked row (a padded query) then gets equal weights on every key — the mean of V — instead of zero weights and a zero output.") {
                $0.attention = flawedAttention(AttentionFlaws(fillMinusBillion: true))
            },
            Change("causal mask without the diagonal", "the causal mask is off by one: query i must see key i itself (mask[i, j] = 1 for j ≤ i); yours blocks the diagonal, so position 0 sees nothing.") {
                $0.causalMask = { t in Tensor((0..<t).map { i in (0..<t).map { j in j < i ? 1.0 : 0.0 } }) }
            },
            Change("causal mask one step into the future", "the causal mask is off by one: query i may see keys 0 … i, not i + 1 — yours lets each position see the next one.") {
                $0.causalMask = { t in Tensor((0..<t).map { i in (0..<t).map { j in j <= i + 1 ? 1.0 : 0.0 } }) }
            },
            Change("padding mask on the keys only", "the padding mask blocks padded keys but not padded queries: a padded query must get a whole row of zeros (mask[b, i, j] = 0 for i ≥ queryLengths[b]).") {
                $0.paddingMask = { _, keyLengths, tq, tk in
                    Tensor.stack(keyLengths.map { n in Tensor((0..<tq).map { _ in (0..<tk).map { j in j < n ? 1.0 : 0.0 } }) }, axis: 0)
                }
            },
            Change("scaled by √d_v instead of √d_k", "the scores are divided by the square root of the values' width d_v: the scale comes from the width of the queries and keys, d_k, the length of the vectors in each dot product.") {
                $0.attention = flawedAttention(AttentionFlaws(scaleByValueWidth: true))
            },
            Change("row maximum taken over the blocked scores too", "the largest score of a row is taken over every key, blocked ones included: when a blocked key scores far above the allowed ones (a padded position holds anything), exp(S − m) underflows to 0 for every allowed key and the row's weights vanish. Take the maximum over the allowed scores only.") {
                $0.attention = flawedAttention(AttentionFlaws(maximumOverBlocked: true))
            },
            Change("softmax backward without the row-sum term", "dS = P ⊙ dP misses the softmax Jacobian's second term: dS = P ⊙ (dP − Σⱼ dP ⊙ P), row by row.") {
                $0.attention = flawedAttention(AttentionFlaws(noRowSumTerm: true))
            },
            Change("1/√d_k left out of the backward", "dQuery and dKey are √d_k times too large: S = Q·Kᵀ/√d_k, so both carry the factor 1/√d_k.") {
                $0.attention = flawedAttention(AttentionFlaws(unscaledBackward: true))
            },
        ],
        alternatives: [
            Change("loops over rows, the softmax Jacobian as a matrix") {
                $0.attention = loopAttention
            },
            Change("blocked scores set to −∞, the NaN of a fully blocked row set to 0") {
                $0.attention = { q, k, v, mask in
                    let scale = 1 / Double(q.shape[q.rank - 1]).squareRoot()
                    let s = matmul(q, k.transposed()) * scale
                    let allowed = (mask ?? Tensor.ones([1])).broadcast(to: s.shape)
                    let filled = Tensor.where(allowed, s, Tensor(-Double.infinity))
                    // exp(−∞ − (−∞)) is NaN: a row with no allowed key.
                    let z = exp(filled - filled.max(axis: -1, keepingDims: true)).map { $0.isNaN ? 0 : $0 }
                    let p = z / z.sum(axis: -1, keepingDims: true).map { $0 == 0 ? 1 : $0 }
                    return (matmul(p, v), p, { dOut in
                        let dP = matmul(dOut, v.transposed())
                        let dS = (p * dP - p * (p * dP).sum(axis: -1, keepingDims: true)) * scale
                        return (matmul(dS, k), matmul(dS.transposed(), q), matmul(p.transposed(), dOut))
                    })
                }
            },
            Change("masks from Tensor.where and comparisons") {
                $0.causalMask = { t in
                    let i = Tensor.arange(0, Double(t)).reshaped([t, 1]), j = Tensor.arange(0, Double(t)).reshaped([1, t])
                    return Tensor.where(j .> i, Tensor(0), Tensor(1))
                }
                $0.paddingMask = { ql, kl, tq, tk in
                    let rows = Tensor(ql.map(Double.init)).reshaped([ql.count, 1, 1]) .> Tensor.arange(0, Double(tq)).reshaped([1, tq, 1])
                    let columns = Tensor(kl.map(Double.init)).reshaped([kl.count, 1, 1]) .> Tensor.arange(0, Double(tk)).reshaped([1, 1, tk])
                    return rows * columns
                }
            },
        ]
    ) { candidate, peers, context in
        // The masks themselves.
        for t in [1, 6] {
            try expect(candidate.causalMask(t), peers.reference.causalMask(t), "causalMask(length: \(t))", "T = \(t)", [], peers, context) {
                $0.causalMask(t)
            }
        }
        let lengths = [6, 4, 0]
        try expect(candidate.paddingMask(lengths, lengths, 6, 6), peers.reference.paddingMask(lengths, lengths, 6, 6),
                   "paddingMask", "lengths \(lengths), T = 6 (the last sequence is all padding)", [], peers, context) {
            $0.paddingMask(lengths, lengths, 6, 6)
        }
        let crossLengths = (queries: [2, 3], keys: [5, 1])
        try expect(candidate.paddingMask(crossLengths.queries, crossLengths.keys, 3, 5),
                   peers.reference.paddingMask(crossLengths.queries, crossLengths.keys, 3, 5),
                   "paddingMask", "query lengths [2, 3], key lengths [5, 1], Tq = 3, Tk = 5", [], peers, context) {
            $0.paddingMask(crossLengths.queries, crossLengths.keys, 3, 5)
        }
        context.pass("causalMask and paddingMask match the reference (T = 1 and 6, a sequence of padding only, Tq ≠ Tk)")

        // Attention on named cases; each mask is the candidate's own (already checked above).
        typealias Case = (situation: String, q: Tensor, k: Tensor, v: Tensor, mask: Tensor?)
        var cases: [Case] = []
        // d_v ≠ d_k, so a scale taken from the wrong width shows.
        let b = context.random.nextInt(in: 2...3), dk = context.random.nextInt(in: 2...4)
        var dv = context.random.nextInt(in: 2...3)
        if dv == dk { dv += 2 }
        cases.append(("no mask, Tq = 6, Tk = 7", context.randomTensor([b, 6, dk]), context.randomTensor([b, 7, dk]),
                      context.randomTensor([b, 7, dv]), nil))
        cases.append(("your causal mask, T = 6", context.randomTensor([b, 6, dk]), context.randomTensor([b, 6, dk]),
                      context.randomTensor([b, 6, dv]), candidate.causalMask(6)))
        let padded = randomLengths(batch: 3, length: 6, &context)
        let padding = candidate.paddingMask(padded, padded, 6, 6)
        cases.append(("your padding mask, lengths \(padded) (whole rows blocked)", context.randomTensor([3, 6, dk]),
                      context.randomTensor([3, 6, dk]), context.randomTensor([3, 6, dv]), padding))
        let both = padding * candidate.causalMask(6)
        cases.append(("padding and causal masks together, lengths \(padded)", context.randomTensor([3, 6, dk]),
                      context.randomTensor([3, 6, dk]), context.randomTensor([3, 6, dv]), both))
        // Padded positions hold anything: there the keys are shifted by +3000 and the queries are positive, so every
        // blocked score lies more than 2000 above the allowed ones (a row maximum over them would underflow the rest).
        let shift = Tensor(padded.map { length in (0..<6).map { j in j < length ? 0.0 : 3000.0 } }).reshaped([3, 6, 1])
        cases.append(("your padding mask, lengths \(padded), padded keys shifted by +3000 (blocked scores far above the allowed ones)",
                      abs(context.randomTensor([3, 6, dk])) + 0.5, context.randomTensor([3, 6, dk]) + shift, context.randomTensor([3, 6, dv]), padding))
        cases.append(("a batch of one with T = 1", context.randomTensor([1, 1, dk]), context.randomTensor([1, 1, dk]),
                      context.randomTensor([1, 1, dv]), candidate.causalMask(1)))
        cases.append(("4 heads [B, H, T, d_k] with scores in the hundreds, a causal mask", context.randomTensor([2, 4, 6, dk], scale: 12),
                      context.randomTensor([2, 4, 6, dk], scale: 12), context.randomTensor([2, 4, 6, dv]), candidate.causalMask(6)))
        for (situation, q, k, v, mask) in cases {
            let what = situation + " (seed \(context.seed))"
            var inputs: Inputs = [("query", q), ("key", k), ("value", v)]
            if let mask { inputs.append(("mask", mask)) }
            let got = candidate.attention(q, k, v, mask), want = peers.reference.attention(q, k, v, mask)
            try expect(got.out, want.out, "the output of attentionForward", what, inputs, peers, context) { $0.attention(q, k, v, mask).out }
            try expect(got.weights, want.weights, "the attention weights P (cache.weights)", what, inputs, peers, context) {
                $0.attention(q, k, v, mask).weights
            }
            if let mask {
                let blocked = (1 - mask.broadcast(to: got.weights.shape)) * got.weights
                guard blocked.scalars.allSatisfy({ $0 == 0 }) else {
                    throw CheckFailure("attentionForward gives blocked keys a weight that is not exactly 0 (\(what)): largest \(Diagnosis.short(abs(blocked).max())). Set blocked entries to 0 before the normalization, not e^(−large).")
                }
            }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            let withUpstream = inputs + [("dOut", dOut)]
            try expect(g.dQuery, r.dQuery, "dQuery of attentionBackward", what, withUpstream, peers, context) {
                $0.attention(q, k, v, mask).backward(dOut).dQuery
            }
            try expect(g.dKey, r.dKey, "dKey of attentionBackward", what, withUpstream, peers, context) {
                $0.attention(q, k, v, mask).backward(dOut).dKey
            }
            try expect(g.dValue, r.dValue, "dValue of attentionBackward", what, withUpstream, peers, context) {
                $0.attention(q, k, v, mask).backward(dOut).dValue
            }
        }
        context.pass("output, weights, dQuery, dKey and dValue match the reference on \(cases.count) cases, blocked weights exactly 0")

        let lengthsForCheck = [5, 3]
        let mask = candidate.paddingMask(lengthsForCheck, lengthsForCheck, 5, 5) * candidate.causalMask(5)
        let inputs = [context.randomTensor([2, 5, 3]), context.randomTensor([2, 5, 3]), context.randomTensor([2, 5, 2])]
        let dOut = context.randomTensor([2, 5, 2])
        let g = candidate.attention(inputs[0], inputs[1], inputs[2], mask).backward(dOut)
        let worst = try checkGradients(of: { candidate.attention($0[0], $0[1], $0[2], mask).out }, at: inputs,
                                       names: ["query", "key", "value"], upstream: dOut, gradients: [g.dQuery, g.dKey, g.dValue],
                                       what: "attentionBackward", situation: "padding (lengths 5 and 3) and causal masks", &context)
        context.pass("gradient check of dQuery, dKey and dValue through padding and causal masks: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }
}
