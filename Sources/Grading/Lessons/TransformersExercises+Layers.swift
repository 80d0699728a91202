import CourseKit
import Foundation
import Implementations

extension TransformersLesson {
    /// Ways to get multi-head attention wrong (all off: correct).
    struct MultiHeadFlaws: Sendable {
        var scaleByWidth = false
        var mergeFeatureMajor = false
        var splitByReshape = false
        var keysPathDropped = false
        var noOutputProjection = false
    }

    /// Rows of a `[..., D]` tensor as a matrix `[rows, D]`.
    static func rows(_ t: Tensor) -> Tensor { t.reshaped([-1, t.shape[t.rank - 1]]) }

    /// Multi-head attention written with plain matrix products around the reference attention, with the chosen flaws.
    static func flawedMultiHead(_ flaws: MultiHeadFlaws)
        -> @Sendable (Tensor, Tensor, [Tensor], Int, Tensor?) -> (out: Tensor, weights: Tensor, backward: F.MultiHeadBackward) {
        { x, c, p, h, mask in
            let ref = F.reference
            let (b, tq, width) = (x.shape[0], x.shape[1], x.shape[2])
            let dk = width / h
            func split(_ t: Tensor) -> Tensor {
                flaws.splitByReshape ? t.reshaped([b, h, t.shape[1], dk]) : ref.splitHeads(t, h)
            }
            func merge(_ t: Tensor) -> Tensor {
                if flaws.splitByReshape { return t.reshaped([b, t.shape[2], width]) }
                return flaws.mergeFeatureMajor ? t.permuted([0, 2, 3, 1]).reshaped([b, t.shape[2], width]) : ref.mergeHeads(t)
            }
            let q = matmul(x, p[0]) + p[1], k = matmul(c, p[2]) + p[3], v = matmul(c, p[4]) + p[5]
            let queryScale = flaws.scaleByWidth ? (Double(dk) / Double(width)).squareRoot() : 1
            let headMask = mask.map { $0.rank == 3 ? $0.expandingDims(at: 1) : $0 }
            let (attended, weights, attentionBackward) = ref.attention(split(q) * queryScale, split(k), split(v), headMask)
            let merged = merge(attended)
            let out = flaws.noOutputProjection ? merged : matmul(merged, p[6]) + p[7]
            return (out, weights, { dOut in
                let dMerged = matmul(dOut, p[6].transposed())
                let (dqh, dkh, dvh) = attentionBackward(ref.splitHeads(dMerged, h))
                let (dq, dk, dv) = (ref.mergeHeads(dqh) * queryScale, ref.mergeHeads(dkh), ref.mergeHeads(dvh))
                let gradients = [matmul(rows(x).transposed(), rows(dq)), rows(dq).sum(axis: 0),
                                 matmul(rows(c).transposed(), rows(dk)), rows(dk).sum(axis: 0),
                                 matmul(rows(c).transposed(), rows(dv)), rows(dv).sum(axis: 0),
                                 matmul(rows(merged).transposed(), rows(dOut)), rows(dOut).sum(axis: 0)]
                var dContext = matmul(dv, p[4].transposed())
                if !flaws.keysPathDropped { dContext = dContext + matmul(dk, p[2].transposed()) }
                _ = tq
                return (matmul(dq, p[0].transposed()), dContext, gradients)
            })
        }
    }

    /// Compares a list of parameter gradients with the reference's, one by one.
    static func expectGradients(_ got: [Tensor], _ want: [Tensor], names: [String], _ what: String, _ situation: String,
                                _ inputs: Inputs, _ peers: Peers<F>, _ context: GradingContext,
                                suspect: @escaping @Sendable (F) -> [Tensor]) throws {
        guard got.count == want.count else {
            throw CheckFailure("\(what) returned \(got.count) parameter gradients, expected \(want.count) (\(situation)).")
        }
        for index in want.indices {
            try expect(got[index], want[index], "∂L/∂\(names[index]) of \(what)", situation, inputs, peers, context) { f in
                let all = suspect(f)
                return all.indices.contains(index) ? all[index] : Tensor.zeros([0])
            }
        }
    }

    // MARK: - Multi-head attention

    static let multiHeadSpec = Spec(
        id: "transformer.multiHead", title: "Multi-head attention: split, merge, four projections", file: "MultiHeadAttention.swift",
        declarations: ["splitHeads(_:heads:)", "mergeHeads(_:)", "multiHeadAttentionForward(_:context:parameters:heads:mask:)",
                       "multiHeadAttentionBackward(_:cache:)"],
        hints: [
            "H heads are H attentions side by side, each on its own d_k = D/H slice of the projected queries, keys and values. Split turns [B, T, D] into [B, H, T, d_k] so that one call of your attention does every head at once; merge puts the heads back side by side; W_O mixes them.",
            "Chapter sections \"Multi-head attention\" and \"Multi-head bookkeeping, backward\". Split is a reshape to [B, T, H, d_k] and a `permuted([0, 2, 1, 3])`; merge undoes both in reverse order. Lesson 07's `temporalAffineForward`/`Backward` does each projection on [B, T, D]. A [B, Tq, Tk] mask needs `expandingDims(at: 1)` to reach every head.",
            "Backward in reverse: output projection → dMerged; split dMerged into heads; your attentionBackward gives dQ, dK, dV per head; merge each; the three projections' backwards give dx (from Q) and two context gradients (from K and V) that you add. Scale: your attention already divides by √d_k of the head, which is what you want (not √D).",
            "A sketch: `let (q, qc) = temporalAffineForward(x, weights: parameters.queryWeights, bias: parameters.queryBias)` (and K, V from `context`), `attentionForward(query: splitHeads(q, heads: heads), …, mask: headMask)`, `temporalAffineForward(mergeHeads(attended), weights: parameters.outputWeights, bias: parameters.outputBias)`; keep every cache in `MultiHeadAttentionCache`.",
        ],
        standard: "splitHeads and mergeHeads compared on [2, 3, 8] with H = 4 (merge∘split = identity); output, weights [B, H, Tq, Tk], dx, dContext and all 8 parameter gradients compared with the reference on self-attention (T = 6, no mask), causal self-attention (4 heads), cross-attention (Tq = 6, Tk = 7, a padding mask with whole rows blocked) and a batch of one with T = 1, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of x, context and every parameter through cross-attention with a padding mask: relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("scaled by 1/√D instead of 1/√d_k", "each head's scores are divided by √D (the model width): scale by √d_k, the width of one head's queries and keys, D/H.") {
                $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws(scaleByWidth: true))
            },
            Change("heads merged in the wrong order", "the heads are merged feature-major (feature k·H + h): merging must undo the split, so head h's d_k features go back to positions h·d_k … h·d_k + d_k − 1 — permute [B, H, T, d_k] to [B, T, H, d_k] before the reshape.") {
                $0.mergeHeads = { t in t.permuted([0, 2, 3, 1]).reshaped([t.shape[0], t.shape[2], t.shape[1] * t.shape[3]]) }
                $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws(mergeFeatureMajor: true))
            },
            Change("heads split by a reshape alone", "the heads are split with a reshape to [B, H, T, d_k] and no permutation: that mixes positions into heads. Reshape to [B, T, H, d_k], then move the head axis forward with `permuted([0, 2, 1, 3])`.") {
                $0.splitHeads = { t, h in t.reshaped([t.shape[0], h, t.shape[1], t.shape[2] / h]) }
                $0.mergeHeads = { t in t.reshaped([t.shape[0], t.shape[2], t.shape[1] * t.shape[3]]) }
                $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws(splitByReshape: true))
            },
            Change("context gradient from the values only", "dContext misses the keys' path: the context feeds both K and V, so its gradient is the sum of both projections' dx.") {
                $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws(keysPathDropped: true))
            },
            Change("no output projection", "the merged heads are returned without W_O: out = merge(heads)·W_O + b_O.") {
                $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws(noOutputProjection: true))
            },
        ],
        alternatives: [
            Change("plain matrix products around one attention call") { $0.multiHeadAttention = flawedMultiHead(MultiHeadFlaws()) },
            Change("one head at a time, concatenated") {
                $0.splitHeads = { x, h in
                    let dk = x.shape[2] / h
                    return Tensor.stack((0..<h).map { x.slice(axis: 2, $0 * dk..<($0 + 1) * dk) }, axis: 1)
                }
                $0.mergeHeads = { x in Tensor.concatenate((0..<x.shape[1]).map { x.select(axis: 1, index: $0) }, axis: 2) }
            },
        ]
    ) { candidate, peers, context in
        let sample = context.randomTensor([2, 3, 8])
        try expect(candidate.splitHeads(sample, 4), peers.reference.splitHeads(sample, 4), "splitHeads", "x [2, 3, 8], H = 4",
                   [("x", sample)], peers, context) { $0.splitHeads(sample, 4) }
        let headsSample = context.randomTensor([2, 4, 3, 2])
        try expect(candidate.mergeHeads(headsSample), peers.reference.mergeHeads(headsSample), "mergeHeads", "x [2, 4, 3, 2]",
                   [("x", headsSample)], peers, context) { $0.mergeHeads(headsSample) }
        try expect(candidate.mergeHeads(candidate.splitHeads(sample, 4)), sample, "mergeHeads(splitHeads(x))", "x [2, 3, 8], H = 4",
                   [("x", sample)], peers, context) { $0.mergeHeads($0.splitHeads(sample, 4)) }
        context.pass("splitHeads and mergeHeads match the reference, and merge undoes split")

        typealias Case = (situation: String, x: Tensor, c: Tensor?, heads: Int, mask: Tensor?)
        let width = 8
        let lengths = randomLengths(batch: 3, length: 6, &context)
        let keyLengths = lengths.map { min(7, $0 + 1) }
        let cases: [Case] = [
            ("self-attention, T = 6, 2 heads, no mask", context.randomTensor([2, 6, width]), nil, 2, nil),
            ("causal self-attention, T = 6, 4 heads", context.randomTensor([2, 6, width]), nil, 4, peers.reference.causalMask(6)),
            ("cross-attention, Tq = 6, Tk = 7, 2 heads, query lengths \(lengths), key lengths \(keyLengths)",
             context.randomTensor([3, 6, width]), context.randomTensor([3, 7, width]), 2,
             peers.reference.paddingMask(lengths, keyLengths, 6, 7)),
            ("a batch of one, T = 1, 4 heads", context.randomTensor([1, 1, width]), nil, 4, nil),
        ]
        for (situation, x, c, heads, mask) in cases {
            let what = situation + " (seed \(context.seed))"
            let contextInput = c ?? x
            let p = randomAttentionParameters(width, &context)
            let inputs: Inputs = [("x", x), ("context", contextInput), ("W_Q", p[0])]
            let got = candidate.multiHeadAttention(x, contextInput, p, heads, mask)
            let want = peers.reference.multiHeadAttention(x, contextInput, p, heads, mask)
            try expect(got.out, want.out, "the output of multiHeadAttentionForward", what, inputs, peers, context) {
                $0.multiHeadAttention(x, contextInput, p, heads, mask).out
            }
            try expect(got.weights, want.weights, "the attention weights [B, H, Tq, Tk] (cache.attention.weights)", what, inputs, peers, context) {
                $0.multiHeadAttention(x, contextInput, p, heads, mask).weights
            }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            try expect(g.dx, r.dx, "dx of multiHeadAttentionBackward", what, inputs, peers, context) {
                $0.multiHeadAttention(x, contextInput, p, heads, mask).backward(dOut).dx
            }
            try expect(g.dContext, r.dContext, "dContext of multiHeadAttentionBackward", what, inputs, peers, context) {
                $0.multiHeadAttention(x, contextInput, p, heads, mask).backward(dOut).dContext
            }
            try expectGradients(g.gradients, r.gradients, names: attentionNames(""), "multiHeadAttentionBackward", what, inputs, peers, context) {
                $0.multiHeadAttention(x, contextInput, p, heads, mask).backward(dOut).gradients
            }
        }
        context.pass("output, weights, dx, dContext and all 8 parameter gradients match the reference on \(cases.count) cases")

        let x = context.randomTensor([2, 3, 4]), c = context.randomTensor([2, 4, 4])
        let mask = peers.reference.paddingMask([3, 1], [4, 2], 3, 4)
        let p = randomAttentionParameters(4, &context)
        let dOut = context.randomTensor([2, 3, 4])
        let g = candidate.multiHeadAttention(x, c, p, 2, mask).backward(dOut)
        let worst = try checkGradients(of: { candidate.multiHeadAttention($0[0], $0[1], Array($0[2...]), 2, mask).out }, at: [x, c] + p,
                                       names: ["x", "context"] + attentionNames(""), upstream: dOut,
                                       gradients: [g.dx, g.dContext] + g.gradients, what: "multiHeadAttentionBackward",
                                       situation: "cross-attention, 2 heads, a padding mask", &context)
        context.pass("gradient check of x, context and all 8 parameters: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Positions

    /// The sinusoidal encoding with the chosen flaws.
    static func flawedSinusoid(concatenated: Bool = false, exponentWithoutTwo: Bool = false, fromOne: Bool = false,
                               swapped: Bool = false) -> @Sendable (Int, Int) -> Tensor {
        { length, width in
            var pe = Tensor.zeros([length, width])
            pe.withScalars { s in
                for t in 0..<length {
                    for i in 0..<(width / 2) {
                        let exponent = Double(exponentWithoutTwo ? i : 2 * i) / Double(width)
                        let angle = Double(fromOne ? t + 1 : t) / Foundation.pow(10_000, exponent)
                        let (first, second) = swapped ? (Foundation.cos(angle), Foundation.sin(angle)) : (Foundation.sin(angle), Foundation.cos(angle))
                        let (a, b) = concatenated ? (i, width / 2 + i) : (2 * i, 2 * i + 1)
                        s[t * width + a] = first
                        s[t * width + b] = second
                    }
                }
            }
            return pe
        }
    }

    static let positionsSpec = Spec(
        id: "transformer.positions", title: "Positions: sinusoidal encoding and learned embeddings", file: "Positions.swift",
        declarations: ["sinusoidalPositionalEncoding(length:width:)", "tokenEmbeddingForward(_:tokenTable:positionTable:)",
                       "tokenEmbeddingBackward(_:cache:)"],
        hints: [
            "Attention treats its inputs as a set: permute the positions and the outputs permute with them. Position has to be written into the vectors themselves — either a fixed pattern of sines and cosines of several frequencies, or a learned vector per position added to each token's embedding.",
            "Chapter section \"Positional information\". Pair i (features 2i and 2i + 1) uses the angle t / 10000^(2i/D): sine in the even feature, cosine in the odd one (interleaved). The learned version is two lookups with lesson 07's `embeddingForward`: the tokens in the token table, the positions 0 … T − 1 in the position table.",
            "Backward: lesson 07's `embeddingBackward` for each table, with the caches of the two lookups. The position table's row t receives the sum of dOut[b, t, :] over the batch — `embeddingBackward` accumulates repeated indices for you.",
            "A sketch: `let positions = Array(repeating: Array(0..<T), count: B)`, then `embeddingForward(tokens, table: tokenTable)` and `embeddingForward(positions, table: positionTable)`, and return the sum of the two outputs with both caches in `TokenEmbeddingCache`.",
        ],
        standard: "sinusoidalPositionalEncoding for (T, D) = (1, 2), (7, 8) and (50, 16); tokenEmbeddingForward and both table gradients compared with the reference on a batch of 3 with repeated tokens (T = 6 < T_max = 8) and a batch of one with T = 1, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of both tables: relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("sines and cosines concatenated", "the encoding puts all the sines in the first D/2 features and the cosines in the last D/2 (some libraries do): this course interleaves them, sin in feature 2i and cos in feature 2i + 1, as Vaswani et al.") {
                $0.sinusoidalEncoding = flawedSinusoid(concatenated: true)
            },
            Change("exponent i/D instead of 2i/D", "the frequencies use 10000^(i/D): pair i's angle is t / 10000^(2i/D), so the wavelengths run from 2π to 10000·2π across the D/2 pairs.") {
                $0.sinusoidalEncoding = flawedSinusoid(exponentWithoutTwo: true)
            },
            Change("positions counted from 1", "the positions start at 1: the first position is t = 0 (sin 0 = 0, cos 0 = 1).") {
                $0.sinusoidalEncoding = flawedSinusoid(fromOne: true)
            },
            Change("cosine in the even features", "cos and sin are swapped: even features (2i) carry the sine, odd features (2i + 1) the cosine.") {
                $0.sinusoidalEncoding = flawedSinusoid(swapped: true)
            },
            Change("position gradient averaged over the batch", "dPositionTable is averaged over the sequences: every sequence used row t of the position table, so its gradient is the sum over the batch.") {
                $0.tokenEmbedding = { tokens, tokenTable, positionTable in
                    let (out, backward) = F.reference.tokenEmbedding(tokens, tokenTable, positionTable)
                    return (out, { dOut in
                        let r = backward(dOut)
                        return (r.dTokenTable, r.dPositionTable / Double(tokens.count))
                    })
                }
            },
        ],
        alternatives: [
            Change("frequencies as e^(−2i·ln 10000/D), an outer product") {
                $0.sinusoidalEncoding = { length, width in
                    let positions = Tensor.arange(0, Double(length)).reshaped([length, 1])
                    let frequencies = exp(Tensor.arange(0, Double(width / 2)) * (-2 * Foundation.log(10_000) / Double(width)))
                    let angles = positions * frequencies.reshaped([1, width / 2])
                    return Tensor.stack([sin(angles), cos(angles)], axis: 2).reshaped([length, width])
                }
            },
        ]
    ) { candidate, peers, context in
        for (length, width) in [(1, 2), (7, 8), (50, 16)] {
            try expect(candidate.sinusoidalEncoding(length, width), peers.reference.sinusoidalEncoding(length, width),
                       "sinusoidalPositionalEncoding", "T = \(length), D = \(width)", [], peers, context) {
                $0.sinusoidalEncoding(length, width)
            }
        }
        context.pass("sinusoidalPositionalEncoding matches the reference for (T, D) = (1, 2), (7, 8), (50, 16)")

        let vocabulary = 5, width = 3, maxLength = 8
        let tokenTable = context.randomTensor([vocabulary, width]), positionTable = context.randomTensor([maxLength, width])
        let batches: [(String, [[Int]])] = [
            ("a batch of 3, T = 6, repeated tokens", (0..<3).map { _ in (0..<6).map { _ in context.random.nextInt(in: 0..<3) } }),
            ("a batch of one, T = 1", [[context.random.nextInt(in: 0..<vocabulary)]]),
        ]
        for (situation, tokens) in batches {
            let what = situation + " (seed \(context.seed))"
            let inputs: Inputs = [("tokens", Tensor(tokens.map { $0.map(Double.init) })), ("tokenTable", tokenTable), ("positionTable", positionTable)]
            let got = candidate.tokenEmbedding(tokens, tokenTable, positionTable), want = peers.reference.tokenEmbedding(tokens, tokenTable, positionTable)
            try expect(got.out, want.out, "the output of tokenEmbeddingForward", what, inputs, peers, context) {
                $0.tokenEmbedding(tokens, tokenTable, positionTable).out
            }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            try expect(g.dTokenTable, r.dTokenTable, "dTokenTable of tokenEmbeddingBackward", what, inputs, peers, context) {
                $0.tokenEmbedding(tokens, tokenTable, positionTable).backward(dOut).dTokenTable
            }
            try expect(g.dPositionTable, r.dPositionTable, "dPositionTable of tokenEmbeddingBackward", what, inputs, peers, context) {
                $0.tokenEmbedding(tokens, tokenTable, positionTable).backward(dOut).dPositionTable
            }
        }
        context.pass("tokenEmbeddingForward and both table gradients match the reference (repeated tokens, a batch of one)")

        let tokens = batches[0].1
        let dOut = context.randomTensor([3, 6, width])
        let g = candidate.tokenEmbedding(tokens, tokenTable, positionTable).backward(dOut)
        let worst = try checkGradients(of: { candidate.tokenEmbedding(tokens, $0[0], $0[1]).out }, at: [tokenTable, positionTable],
                                       names: ["tokenTable", "positionTable"], upstream: dOut, gradients: [g.dTokenTable, g.dPositionTable],
                                       what: "tokenEmbeddingBackward", situation: "a batch of 3, T = 6", &context)
        context.pass("gradient check of both tables: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Feed-forward

    /// GELU's tanh approximation, its derivative, and the exact erf form.
    static func geluTanh(_ v: Double) -> Double {
        0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
    }

    /// The feed-forward network with a chosen activation and derivative (both per element of the pre-activation).
    static func feedForwardWith(_ activation: @escaping @Sendable (Double) -> Double, derivative: @escaping @Sendable (Double) -> Double,
                                meanFirstBias: Bool = false)
        -> @Sendable (Tensor, [Tensor]) -> (out: Tensor, backward: F.ParameterBackward) {
        { x, p in
            let pre = matmul(x, p[0]) + p[1]
            let hidden = pre.map(activation)
            let out = matmul(hidden, p[2]) + p[3]
            return (out, { dOut in
                let dHidden = matmul(dOut, p[2].transposed())
                let dPre = dHidden * pre.map(derivative)
                let positions = Double(rows(dPre).shape[0])
                return (matmul(dPre, p[0].transposed()),
                        [matmul(rows(x).transposed(), rows(dPre)), rows(dPre).sum(axis: 0) / (meanFirstBias ? positions : 1),
                         matmul(rows(hidden).transposed(), rows(dOut)), rows(dOut).sum(axis: 0)])
            })
        }
    }

    static let geluTanhDerivative: @Sendable (Double) -> Double = { v in
        let c = (2 / Double.pi).squareRoot()
        let t = Foundation.tanh(c * (v + 0.044715 * v * v * v))
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v)
    }

    static let feedForwardSpec = Spec(
        id: "transformer.feedForward", title: "Position-wise feed-forward network with GELU", file: "FeedForward.swift",
        declarations: ["feedForwardForward(_:parameters:)", "feedForwardBackward(_:cache:)"],
        hints: [
            "The feed-forward network is lesson 04's two-layer network applied to every position separately, with GELU in place of ReLU: attention mixes information across positions, this sublayer transforms each position on its own.",
            "Lesson 07's `temporalAffineForward` applies an affine layer to every position of [B, T, D]; lesson 01's `geluForward` is the tanh approximation this course uses (PyTorch's default is the erf form). Keep the pre-activation: GELU's backward needs its input. Chapter section \"The position-wise feed-forward network\".",
            "Backward in reverse: `temporalAffineBackward` of the second layer gives dHidden; `geluBackward(dHidden, input: preActivation)` gives dPre; `temporalAffineBackward` of the first layer gives dx, dW₁, db₁.",
            "A sketch: `let (pre, c1) = temporalAffineForward(x, weights: parameters.firstWeights, bias: parameters.firstBias)`, then `temporalAffineForward(geluForward(pre), weights: parameters.secondWeights, bias: parameters.secondBias)`, keeping c1, pre and the second cache in `FeedForwardCache`.",
        ],
        standard: "output, dx and the 4 parameter gradients compared with the reference on B = 2, T = 6, D = 4, F = 8, on a batch of one with T = 1, and on inputs of scale 4 (GELU's tails), within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of x and every parameter: relative error < 1e-7 (a gradient that is exactly 0, such as ∂L/∂b_K, within 1e-7 absolute)",
        mistakes: [
            Change("ReLU instead of GELU", "the hidden layer uses ReLU: this lesson's feed-forward network uses GELU (lesson 01's tanh approximation), which is smooth and lets a little negative signal through.") {
                $0.feedForward = feedForwardWith({ max($0, 0) }, derivative: { $0 > 0 ? 1 : 0 })
            },
            Change("the exact erf GELU", "the hidden layer uses the exact GELU ½x(1 + erf(x/√2)), PyTorch's default: this course uses the tanh approximation (lesson 01's geluForward), up to 4.7e-4 away.") {
                $0.feedForward = feedForwardWith({ 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, derivative: { v in
                    0.5 * (1 + Foundation.erf(v / 2.0.squareRoot())) + v * Foundation.exp(-v * v / 2) / (2 * Double.pi).squareRoot()
                })
            },
            Change("GELU's derivative without the x·tanh′ term", "GELU's backward uses only ½(1 + tanh u): by the product rule its derivative also has ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²) — lesson 01's geluBackward has both.") {
                $0.feedForward = feedForwardWith(geluTanh, derivative: { v in
                    0.5 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
                })
            },
            Change("b₁'s gradient averaged over the positions", "db₁ is averaged over the B·T positions: b₁ is added at every position, so its gradient is the sum.") {
                $0.feedForward = feedForwardWith(geluTanh, derivative: geluTanhDerivative, meanFirstBias: true)
            },
        ],
        alternatives: [
            Change("matrix products on [B, T, D] and GELU written as x·σ(2u)") {
                $0.feedForward = feedForwardWith({ v in
                    v / (1 + Foundation.exp(-2 * (2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
                }, derivative: geluTanhDerivative)
            },
        ]
    ) { candidate, peers, context in
        let cases: [(String, Tensor)] = [
            ("B = 2, T = 6, D = 4, F = 8", context.randomTensor([2, 6, 4])),
            ("a batch of one with T = 1", context.randomTensor([1, 1, 4])),
            ("inputs of scale 4 (GELU's tails)", context.randomTensor([2, 6, 4], scale: 4)),
        ]
        for (situation, x) in cases {
            let what = situation + " (seed \(context.seed))"
            let p = randomFeedForwardParameters(4, 8, &context)
            let inputs: Inputs = [("x", x), ("W₁", p[0])]
            let got = candidate.feedForward(x, p), want = peers.reference.feedForward(x, p)
            try expect(got.out, want.out, "the output of feedForwardForward", what, inputs, peers, context) { $0.feedForward(x, p).out }
            let dOut = context.randomTensor(got.out.shape)
            let g = got.backward(dOut), r = want.backward(dOut)
            try expect(g.dx, r.dx, "dx of feedForwardBackward", what, inputs, peers, context) { $0.feedForward(x, p).backward(dOut).dx }
            try expectGradients(g.gradients, r.gradients, names: feedForwardNames, "feedForwardBackward", what, inputs, peers, context) {
                $0.feedForward(x, p).backward(dOut).gradients
            }
        }
        context.pass("output, dx and the 4 parameter gradients match the reference on 3 cases")
        let x = context.randomTensor([2, 3, 4]), p = randomFeedForwardParameters(4, 8, &context), dOut = context.randomTensor([2, 3, 4])
        let g = candidate.feedForward(x, p).backward(dOut)
        let worst = try checkGradients(of: { candidate.feedForward($0[0], Array($0[1...])).out }, at: [x] + p, names: ["x"] + feedForwardNames,
                                       upstream: dOut, gradients: [g.dx] + g.gradients, what: "feedForwardBackward",
                                       situation: "B = 2, T = 3, D = 4, F = 8", &context)
        context.pass("gradient check of x and every parameter: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }
}
