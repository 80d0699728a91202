import CourseKit
import Foundation
import Implementations

/// Lesson 06 — Convolutional networks: output sizes, convolution and pooling layers with plain loops,
/// im2col and the convolution as one matrix product, a residual block, and a small CNN.
enum ConvNetsLesson {
    typealias F = ConvNetsFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "06-convolutional-networks"

    static var exercises: [Exercise] {
        [sizesSpec, convSpec, poolSpec, im2colSpec, fastConvSpec, spatialNormSpec, residualSpec, smallNetSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    /// One convolution problem: x `[N, C, H, W]`, w `[F, C, KH, KW]`, b `[F]`, stride, padding, and an upstream gradient.
    struct ConvCase {
        var name: String
        var x: Tensor, w: Tensor, b: Tensor
        var stride: Int, padding: Int
        var dOut: Tensor
        var inputs: [(name: String, value: Tensor)] { [("x", x), ("weights", w), ("bias", b)] }
    }

    /// The named convolution problems, then a random one: non-square images and kernels, stride 1 and 2,
    /// padding 0, 1 and 2, a batch of one, one channel and several.
    static func convCases(_ context: inout GradingContext) -> [ConvCase] {
        let shapes: [(String, n: Int, c: Int, h: Int, w: Int, f: Int, kh: Int, kw: Int, s: Int, p: Int)] = [
            ("a 5 × 7 image, 3 channels, stride 1, padding 0", 2, 3, 5, 7, 2, 3, 3, 1, 0),
            ("a 4 × 6 image, stride 1, padding 1 (output the size of the input)", 2, 2, 4, 6, 3, 3, 3, 1, 1),
            ("one channel, a 3 × 2 kernel, stride 2, padding 2", 2, 1, 6, 5, 3, 3, 2, 2, 2),
            ("a batch of one, stride 2, padding 1", 1, 2, 7, 6, 2, 3, 3, 2, 1),
        ]
        var cases: [ConvCase] = []
        for shape in shapes {
            cases.append(convCase(shape.0, n: shape.n, c: shape.c, h: shape.h, w: shape.w, f: shape.f, kh: shape.kh, kw: shape.kw,
                                  stride: shape.s, padding: shape.p, &context))
        }
        let kh = context.random.nextInt(in: 1...3), kw = context.random.nextInt(in: 1...3)
        cases.append(convCase("random sizes (seed \(context.seed))", n: context.random.nextInt(in: 1...3), c: context.random.nextInt(in: 1...3),
                              h: context.random.nextInt(in: 3...7), w: context.random.nextInt(in: 3...7), f: context.random.nextInt(in: 1...3),
                              kh: kh, kw: kw, stride: context.random.nextInt(in: 1...2), padding: context.random.nextInt(in: 0...2), &context))
        return cases
    }

    static func convCase(_ name: String, n: Int, c: Int, h: Int, w: Int, f: Int, kh: Int, kw: Int, stride: Int, padding: Int,
                         _ context: inout GradingContext) -> ConvCase {
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1
        return ConvCase(name: name, x: context.randomTensor([n, c, h, w]), w: context.randomTensor([f, c, kh, kw]),
                        b: context.randomTensor([f]), stride: stride, padding: padding, dOut: context.randomTensor([n, f, ho, wo]))
    }

    /// Forward and backward of a convolution `(x, w, b, S, P) → out` against the reference on every case,
    /// then a gradient check of dx, dWeights and dBias against the candidate's own forward on every case.
    static func checkConvolution(forward forwardName: String, backward backwardName: String, candidate: F, peers: Peers<F>, _ context: inout GradingContext,
                                 select: @escaping @Sendable (F) -> F.Conv) throws {
        let mine = select(candidate), reference = select(peers.reference)
        let cases = convCases(&context)
        for c in cases {
            let (x, w, b, s, p, dOut) = (c.x, c.w, c.b, c.stride, c.padding, c.dOut)
            let situation = "\(c.name): x \(x.shape), weights \(w.shape), stride \(s), padding \(p)"
            let got = mine(x, w, b, s, p), want = reference(x, w, b, s, p)
            try context.expectClose(got.out, want.out, what: "the output of \(forwardName)", situation: situation, inputs: c.inputs,
                                    suspects: peers.suspects { select($0)(x, w, b, s, p).out })
            let g = got.backward(dOut), r = want.backward(dOut)
            let withUpstream = c.inputs + [("dOut", dOut)]
            try context.expectClose(g.dx, r.dx, what: "dx of \(backwardName)", situation: situation, inputs: withUpstream,
                                    suspects: peers.suspects { select($0)(x, w, b, s, p).backward(dOut).dx })
            try context.expectClose(g.dWeights, r.dWeights, what: "dWeights of \(backwardName)", situation: situation, inputs: withUpstream,
                                    suspects: peers.suspects { select($0)(x, w, b, s, p).backward(dOut).dWeights })
            try context.expectClose(g.dBias, r.dBias, what: "dBias of \(backwardName)", situation: situation, inputs: withUpstream,
                                    suspects: peers.suspects { select($0)(x, w, b, s, p).backward(dOut).dBias })
        }
        context.pass("\(forwardName) and \(backwardName) match the reference on \(cases.count) problems (non-square images and kernels, stride 1 and 2, padding 0–2, a batch of one, one channel and several)")
        var worst = 0.0
        for c in cases {
            let (x, w, b, s, p, dOut) = (c.x, c.w, c.b, c.stride, c.padding, c.dOut)
            let analytic = mine(x, w, b, s, p).backward(dOut)
            let checks: [(String, Tensor, Tensor)] = [
                ("dx", analytic.dx, GradientCheck.numericalGradient(of: { mine($0, w, b, s, p).out }, at: x, upstream: dOut)),
                ("dWeights", analytic.dWeights, GradientCheck.numericalGradient(of: { mine(x, $0, b, s, p).out }, at: w, upstream: dOut)),
                ("dBias", analytic.dBias, GradientCheck.numericalGradient(of: { mine(x, w, $0, s, p).out }, at: b, upstream: dOut)),
            ]
            for (what, a, n) in checks {
                try context.expectGradient(analytic: a, numeric: n, what: "\(what) of \(backwardName)", situation: c.name, threshold: gradientThreshold)
                worst = max(worst, GradientCheck.relativeError(a, n))
            }
        }
        context.pass("gradient check of dx, dWeights and dBias on every problem: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - Convolution variants for the named mistakes

    /// The filters flipped along both spatial axes (what a textbook "convolution" does).
    static func flipped(_ w: Tensor) -> Tensor {
        let (f, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        var out = w
        out.withScalars { s in
            for a in 0..<(f * c) {
                for p in 0..<kh { for q in 0..<kw { s[(a * kh + p) * kw + q] = w.scalars[(a * kh + (kh - 1 - p)) * kw + (kw - 1 - q)] } }
            }
        }
        return out
    }

    /// A naive convolution backward with knobs for the mistakes: the stride the scatter uses, and
    /// whether the padding is cut from dx.
    static func convBackward(_ dOut: Tensor, x: Tensor, w: Tensor, stride: Int, padding: Int, backwardStride: Int? = nil,
                             cropPadding: Bool = true) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (f, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (ho, wo) = (dOut.shape[2], dOut.shape[3])
        let (hp, wp) = (h + 2 * padding, wd + 2 * padding)
        let xp = x.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)])
        let sb = backwardStride ?? stride
        var dxp = [Double](repeating: 0, count: n * c * hp * wp), dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: f)
        for img in 0..<n { for fi in 0..<f { for i in 0..<ho { for j in 0..<wo {
            let g = dOut.scalars[((img * f + fi) * ho + i) * wo + j]
            db[fi] += g
            for ch in 0..<c { for p in 0..<kh { for q in 0..<kw {
                let wi = ((fi * c + ch) * kh + p) * kw + q
                dw[wi] += g * xp.scalars[((img * c + ch) * hp + i * stride + p) * wp + j * stride + q]
                let y = i * sb + p, xx = j * sb + q
                if y < hp && xx < wp { dxp[((img * c + ch) * hp + y) * wp + xx] += g * w.scalars[wi] }
            } } }
        } } } }
        var dx = Tensor(shape: [n, c, hp, wp], scalars: dxp)
        if cropPadding { dx = dx.slice(axis: 2, padding..<(padding + h)).slice(axis: 3, padding..<(padding + wd)) }
        return (dx, Tensor(shape: w.shape, scalars: dw), Tensor(db))
    }

    /// The reference convolution whose backward is replaced.
    static func convChangingBackward(
        _ backward: @escaping @Sendable (_ dOut: Tensor, _ x: Tensor, _ w: Tensor, _ stride: Int, _ padding: Int) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    ) -> F.Conv {
        { x, w, b, s, p in (ConvNetsFunctions.reference.conv(x, w, b, s, p).out, { backward($0, x, w, s, p) }) }
    }

    /// The convolution mistakes, applied to the layer `keyPath` names (the naive or the fast one).
    static func convMistakes(_ keyPath: WritableKeyPath<F, F.Conv> & Sendable) -> [Change<F>] {
        [
            Change("flipped kernel (convolution instead of cross-correlation)",
                   "the output is a textbook convolution, with each filter flipped in both directions: deep-learning \"convolution\" is a cross-correlation — out[n, f, i, j] uses w[f, c, p, q] times x̃[n, c, i·S + p, j·S + q], no flip.") {
                $0[keyPath: keyPath] = { x, w, b, s, p in
                    let (out, backward) = ConvNetsFunctions.reference.conv(x, flipped(w), b, s, p)
                    return (out, { dOut in let g = backward(dOut); return (g.dx, flipped(g.dWeights), g.dBias) })
                }
            },
            Change("padding applied to the output",
                   "the output is the unpadded convolution surrounded by P zeros: pad the INPUT x with P zeros on each side, then slide the filters over the padded image.") {
                $0[keyPath: keyPath] = { x, w, b, s, p in
                    let (valid, _) = ConvNetsFunctions.reference.conv(x, w, b, s, 0)
                    let (_, backward) = ConvNetsFunctions.reference.conv(x, w, b, s, p)
                    return (valid.padded([(0, 0), (0, 0), (p, p), (p, p)]), backward)
                }
            },
            Change("stride ignored in the backward",
                   "dx sends output (i, j)'s gradient to the window at (i + p, j + q): the forward read the window at (i·S + p, j·S + q), and the backward must write to the same place.") {
                $0[keyPath: keyPath] = convChangingBackward { convBackward($0, x: $1, w: $2, stride: $3, padding: $4, backwardStride: 1) }
            },
            Change("dx keeps the padding",
                   "dx has the shape of the padded input: the padded zeros are not part of x — cut P rows and columns from each side of the padded gradient.") {
                $0[keyPath: keyPath] = convChangingBackward { convBackward($0, x: $1, w: $2, stride: $3, padding: $4, cropPadding: false) }
            },
            Change("bias gradient not summed over N·H′·W′",
                   "dBias sums dOut over the positions of the first image only: every output position of every image added b[f], so db[f] sums dOut[:, f, :, :] over N, H′ and W′.") {
                $0[keyPath: keyPath] = convChangingBackward { dOut, x, w, s, p in
                    let g = convBackward(dOut, x: x, w: w, stride: s, padding: p)
                    return (g.dx, g.dWeights, dOut.slice(axis: 0, 0..<1).sum(axis: 3).sum(axis: 2).sum(axis: 0))
                }
            },
            Change("dWeights from the last image only",
                   "dWeights is the last image's contribution alone: the filters are shared by every image of the batch, so their gradient adds up over all N.") {
                $0[keyPath: keyPath] = convChangingBackward { dOut, x, w, s, p in
                    let g = convBackward(dOut, x: x, w: w, stride: s, padding: p)
                    let n = x.shape[0]
                    let last = convBackward(dOut.slice(axis: 0, (n - 1)..<n), x: x.slice(axis: 0, (n - 1)..<n), w: w, stride: s, padding: p)
                    return (g.dx, last.dWeights, g.dBias)
                }
            },
        ]
    }

    // MARK: - Output size and receptive field

    static let sizesSpec = Spec(
        id: "cnn.sizes", title: "Output size and receptive field", file: "Sizes.swift",
        declarations: ["convOutputSize(inputSize:kernelSize:stride:padding:)", "receptiveField(kernelSizes:strides:)"],
        hints: [
            "Output size: count the positions where a window of K fits in the padded input of H + 2P pixels when it moves S at a time. Receptive field: how many input pixels one top unit can see, growing layer by layer.",
            "The first window starts at 0 and the last must end by H + 2P; the starts are 0, S, 2S, …. For the receptive field, the chapter's section \"Receptive fields\" walks through a stack of two 3 × 3 convolutions and a pooling layer.",
            "Output: H′ = ⌊(H + 2P − K)/S⌋ + 1, and 0 when K > H + 2P (Swift's `/` truncates toward zero, so test the negative case first). Field: r = 1, then for each layer r += (K − 1)·j, where j, the product of the strides of the layers below, starts at 1.",
            "Sketch of the field: `var field = 1, jump = 1` then, for each (kernel, stride), grow `field` by `(kernel − 1) * jump` BEFORE multiplying `jump` by the stride.",
        ],
        standard: "convOutputSize on every H in 1–12, K in 1–5, S in 1–3, P in 0–2, exactly; receptiveField on a 3 × 3 conv stack, a VGG-like stack with pooling, an empty stack and 20 random stacks of 1–6 layers, exactly",
        mistakes: [
            Change("ceiling instead of floor", "the output size rounds up: a window that does not fit entirely is not a position — floor, ⌊(H + 2P − K)/S⌋ + 1.") {
                $0.outputSize = { h, k, s, p in let span = h + 2 * p - k; return span < 0 ? 0 : (span + s - 1) / s + 1 }
            },
            Change("padding counted once", "the output size pads only one side: P zeros go on each side, H + 2P.") {
                $0.outputSize = { h, k, s, p in let span = h + p - k; return span < 0 ? 0 : span / s + 1 }
            },
            Change("strides ignored in the receptive field", "the receptive field adds K − 1 per layer whatever the strides below: a layer above a stride-2 layer sees twice as far, so each K − 1 is multiplied by the product of the strides below it.") {
                $0.receptiveField = { ks, _ in 1 + ks.reduce(0) { $0 + $1 - 1 } }
            },
            Change("the layer's own stride counted", "each layer's K − 1 is multiplied by the product of the strides up to and including its own: only the strides of the layers BELOW it count.") {
                $0.receptiveField = { ks, ss in
                    var field = 1, jump = 1
                    for (k, s) in zip(ks, ss) { jump *= s; field += (k - 1) * jump }
                    return field
                }
            },
        ],
        alternatives: [
            Change("output size by counting the window's positions") {
                $0.outputSize = { h, k, s, p in
                    var count = 0, start = 0
                    while start + k <= h + 2 * p { count += 1; start += s }
                    return count
                }
            },
            Change("receptive field from the top down") {
                $0.receptiveField = { ks, ss in
                    // Walk down: a window of r units at layer l covers (r − 1)·S_l + K_l units of the layer below.
                    var r = 1
                    for (k, s) in zip(ks, ss).reversed() { r = (r - 1) * s + k }
                    return r
                }
            },
        ]
    ) { candidate, peers, context in
        for h in 1...12 { for k in 1...5 { for s in 1...3 { for p in 0...2 {
            let got = candidate.outputSize(h, k, s, p), want = peers.reference.outputSize(h, k, s, p)
            guard got == want else {
                let suspect = peers.mistakes.first { $0.functions.outputSize(h, k, s, p) == got }
                throw CheckFailure("convOutputSize(inputSize: \(h), kernelSize: \(k), stride: \(s), padding: \(p)) returned \(got), expected \(want)."
                    + (suspect.map { "\n  likely cause: " + $0.explanation } ?? ""))
            }
        } } } }
        context.pass("convOutputSize is exact on all 540 combinations of H 1–12, K 1–5, S 1–3, P 0–2")
        var stacks: [(String, [Int], [Int])] = [
            ("two 3 × 3 convolutions, stride 1", [3, 3], [1, 1]),
            ("conv 3, conv 3, pool 2 (stride 2), conv 3, conv 3, pool 2", [3, 3, 2, 3, 3, 2], [1, 1, 2, 1, 1, 2]),
            ("no layers", [], []),
        ]
        for round in 1...20 {
            let layers = context.random.nextInt(in: 1...6)
            let ks = (0..<layers).map { _ in context.random.nextInt(in: 1...5) }
            stacks.append(("random stack #\(round) (seed \(context.seed))", ks, (0..<layers).map { _ in context.random.nextInt(in: 1...3) }))
        }
        for (name, ks, ss) in stacks {
            let got = candidate.receptiveField(ks, ss), want = peers.reference.receptiveField(ks, ss)
            guard got == want else {
                let suspect = peers.mistakes.first { $0.functions.receptiveField(ks, ss) == got }
                throw CheckFailure("receptiveField(kernelSizes: \(ks), strides: \(ss)) — \(name) — returned \(got), expected \(want)."
                    + (suspect.map { "\n  likely cause: " + $0.explanation } ?? ""))
            }
        }
        context.pass("receptiveField is exact on \(stacks.count) stacks")
    }

    // MARK: - The naive convolution

    static let convSpec = Spec(
        id: "cnn.conv", title: "Convolution layer: forward and backward with loops", file: "Conv2D.swift",
        declarations: ["conv2dForward(_:weights:bias:stride:padding:)", "conv2dBackward(_:cache:)"],
        hints: [
            "Each output number is one filter laid over one window of the (padded) input: multiply element by element, add everything up over channels and window, add the filter's bias. Nothing is flipped. The backward sends each output gradient back along the same products.",
            "Pad first: `x.padded([(0, 0), (0, 0), (padding, padding), (padding, padding)])`. Loop over n, f, i, j (the output), then over c, p, q (the window). The window of output (i, j) starts at row i·stride, column j·stride of the padded input. Work on `scalars` with computed flat indices: the subscript `x[n, c, y, x]` is correct but slow. The backward: chapter section \"The backward pass\".",
            "Backward, inside the same six loops, with g = dOut[n, f, i, j]: db[f] += g; dw[f, c, p, q] += g · x̃[n, c, i·S + p, j·S + q]; dx̃[n, c, i·S + p, j·S + q] += g · w[f, c, p, q]. Then cut the padding off dx̃: rows and columns P..<P + H and P..<P + W.",
            "Sketch: flat index of x̃[n, c, y, x] is `((n * C + c) * Hp + y) * Wp + x` with Hp = H + 2P; accumulate into `[Double]` arrays `dxp`, `dw`, `db`, then `Tensor(shape: [N, C, Hp, Wp], scalars: dxp).slice(axis: 2, P..<(P + H)).slice(axis: 3, P..<(P + W))`.",
        ],
        standard: "output, dx, dWeights and dBias compared with the reference on 5 problems (a 5 × 7 image with 3 channels; padding 1 at stride 1; one channel with a 3 × 2 kernel, stride 2, padding 2; a batch of one at stride 2; random sizes) within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of dx, dWeights and dBias on every problem: relative error < 1e-7",
        mistakes: convMistakes(\.conv),
        alternatives: [
            Change("through im2col and a matrix product") { $0.conv = ConvNetsFunctions.reference.fastConv },
        ]
    ) { candidate, peers, context in
        try checkConvolution(forward: "conv2dForward", backward: "conv2dBackward", candidate: candidate, peers: peers, &context, select: { $0.conv })
    }
}
