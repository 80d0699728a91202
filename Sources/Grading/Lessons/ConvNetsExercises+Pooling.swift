import CourseKit
import Foundation
import Implementations

extension ConvNetsLesson {
    /// One pooling problem: x `[N, C, H, W]`, the window, the stride, and an upstream gradient.
    struct PoolCase {
        var name: String
        var x: Tensor
        var ph: Int, pw: Int, stride: Int
        var dOut: Tensor
    }

    /// Named pooling problems: non-overlapping and overlapping windows, a batch of one, non-square windows,
    /// windows that do not tile the image (the last rows and columns are left out, as in a floor-mode
    /// output size), and inputs full of ties (few levels; a ReLU's zeros). `distinct` spaces every value
    /// at least 0.01 apart (for the gradient check, which needs no ties and no near-ties).
    static func poolCases(_ context: inout GradingContext, distinct: Bool) -> [PoolCase] {
        let shapes: [(String, n: Int, c: Int, h: Int, w: Int, ph: Int, pw: Int, s: Int, ties: Bool)] = [
            ("2 × 2 windows, stride 2, a 5 × 7 image (the last row and column fit no window)", 2, 3, 5, 7, 2, 2, 2, false),
            ("a batch of one, overlapping 3 × 3 windows at stride 2 on an 8 × 6 image (the last row and column fit no window)", 1, 2, 8, 6, 3, 3, 2, false),
            ("overlapping 2 × 3 windows, stride 1, one channel", 2, 1, 4, 5, 2, 3, 1, false),
            ("ties: values on 4 levels, overlapping 2 × 2 windows at stride 1", 2, 2, 5, 4, 2, 2, 1, true),
            ("ties: after a ReLU (many zeros), 2 × 2 windows, stride 2, a 7 × 4 image", 3, 2, 7, 4, 2, 2, 2, true),
        ]
        var cases: [PoolCase] = []
        for (index, shape) in shapes.enumerated() {
            let xShape = [shape.n, shape.c, shape.h, shape.w]
            let count = xShape.reduce(1, *)
            var x: Tensor
            if distinct {
                x = Tensor(shape: xShape, scalars: context.random.permutation(count).map { Double($0) * 0.01 - Double(count) * 0.005 })
            } else if shape.ties {
                x = index == 3 ? context.randomTensor(xShape).map { ($0 * 1.5).rounded().clamped(-1, 2) } : maximum(context.randomTensor(xShape), 0)
            } else {
                x = context.randomTensor(xShape)
            }
            let ho = (shape.h - shape.ph) / shape.s + 1, wo = (shape.w - shape.pw) / shape.s + 1
            cases.append(PoolCase(name: shape.0, x: x, ph: shape.ph, pw: shape.pw, stride: shape.s,
                                  dOut: context.randomTensor([shape.n, shape.c, ho, wo])))
        }
        return cases
    }

    static func checkPool(_ name: String, candidate: F, peers: Peers<F>, _ context: inout GradingContext,
                          select: @escaping @Sendable (F) -> F.Pool) throws -> Double {
        let mine = select(candidate), reference = select(peers.reference)
        for c in poolCases(&context, distinct: false) {
            let (x, ph, pw, s, dOut) = (c.x, c.ph, c.pw, c.stride, c.dOut)
            let situation = "\(c.name): x \(x.shape), window \(ph) × \(pw), stride \(s)"
            let got = mine(x, ph, pw, s), want = reference(x, ph, pw, s)
            try context.expectClose(got.out, want.out, what: "the output of \(name)Forward", situation: situation, inputs: [("x", x)],
                                    suspects: peers.suspects { select($0)(x, ph, pw, s).out })
            try context.expectClose(got.backward(dOut), want.backward(dOut), what: "\(name)Backward", situation: situation,
                                    inputs: [("x", x), ("dOut", dOut)], suspects: peers.suspects { select($0)(x, ph, pw, s).backward(dOut) })
        }
        var worst = 0.0
        for c in poolCases(&context, distinct: true) {
            let (x, ph, pw, s, dOut) = (c.x, c.ph, c.pw, c.stride, c.dOut)
            let numeric = GradientCheck.numericalGradient(of: { mine($0, ph, pw, s).out }, at: x, upstream: dOut)
            let analytic = mine(x, ph, pw, s).backward(dOut)
            try context.expectGradient(analytic: analytic, numeric: numeric, what: "\(name)Backward",
                                       situation: "\(c.name), values 0.01 apart", threshold: gradientThreshold)
            worst = max(worst, GradientCheck.relativeError(analytic, numeric))
        }
        return worst
    }

    /// Max pooling with a chosen tie rule and, for the backward, adding or overwriting.
    enum TieRule { case first, last, every }
    static func maxPoolVariant(rule: TieRule, accumulate: Bool = true) -> F.Pool {
        { x, ph, pw, s in
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let ho = (h - ph) / s + 1, wo = (w - pw) / s + 1
            var out = [Double](repeating: 0, count: n * c * ho * wo)
            var winners = [[Int]](repeating: [], count: out.count)
            for plane in 0..<(n * c) { for i in 0..<ho { for j in 0..<wo {
                var indices: [Int] = []
                for p in 0..<ph { for q in 0..<pw { indices.append(plane * h * w + (i * s + p) * w + j * s + q) } }
                let best = indices.map { x.scalars[$0] }.max()!
                let tied = indices.filter { x.scalars[$0] == best }
                let o = (plane * ho + i) * wo + j
                out[o] = best
                winners[o] = rule == .first ? [tied.first!] : rule == .last ? [tied.last!] : tied
            } } }
            let frozen = winners
            return (Tensor(shape: [n, c, ho, wo], scalars: out), { dOut in
                var dx = [Double](repeating: 0, count: x.count)
                for (o, targets) in frozen.enumerated() {
                    for t in targets { dx[t] = (accumulate ? dx[t] : 0) + dOut.scalars[o] }
                }
                return Tensor(shape: x.shape, scalars: dx)
            })
        }
    }

    /// Pooling in "ceil mode": the output size rounds up, and the last window, which runs past the image,
    /// pools only the pixels inside it (what PyTorch's `ceil_mode=True` does; this course's size is floor).
    static func ceilModePool(max isMax: Bool) -> F.Pool {
        { x, ph, pw, s in
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let ho = (h - ph + s - 1) / s + 1, wo = (w - pw + s - 1) / s + 1
            var out = [Double](repeating: 0, count: n * c * ho * wo)
            var windows = [[Int]](repeating: [], count: out.count)
            for plane in 0..<(n * c) { for i in 0..<ho { for j in 0..<wo {
                var indices: [Int] = []
                for p in 0..<ph where i * s + p < h { for q in 0..<pw where j * s + q < w { indices.append(plane * h * w + (i * s + p) * w + j * s + q) } }
                let o = (plane * ho + i) * wo + j
                if isMax {
                    let best = indices.max { x.scalars[$0] < x.scalars[$1] || (x.scalars[$0] == x.scalars[$1] && $0 > $1) }!
                    (out[o], windows[o]) = (x.scalars[best], [best])
                } else {
                    (out[o], windows[o]) = (indices.reduce(0) { $0 + x.scalars[$1] } / Double(indices.count), indices)
                }
            } } }
            let frozen = windows
            return (Tensor(shape: [n, c, ho, wo], scalars: out), { dOut in
                var dx = [Double](repeating: 0, count: x.count)
                // Compared as a suspect, it receives the floor-size upstream gradient: it cannot match then.
                guard dOut.count == frozen.count else { return Tensor(shape: x.shape, scalars: dx) }
                for (o, targets) in frozen.enumerated() { for t in targets { dx[t] += dOut.scalars[o] / Double(targets.count) } }
                return Tensor(shape: x.shape, scalars: dx)
            })
        }
    }

    static let poolSpec = Spec(
        id: "cnn.pool", title: "Max and average pooling: forward and backward", file: "Pooling.swift",
        declarations: ["maxPoolForward(_:poolHeight:poolWidth:stride:)", "maxPoolBackward(_:cache:)",
                       "avgPoolForward(_:poolHeight:poolWidth:stride:)", "avgPoolBackward(_:cache:)"],
        hints: [
            "Pooling slides a window over each channel of each image separately (no weights, no mixing of channels) and keeps the largest value, or the mean. The max's backward routes each output's gradient to the one input that won; the average's spreads it evenly over the window.",
            "Treat the N·C planes alike: plane k of x starts at k·H·W in `x.scalars`. For max pooling record, in the forward, the flat index of each window's winner (the cache's `argmax`); use `>` (not `>=`) while scanning in row-major order so that the first maximum wins a tie. Chapter section \"Pooling\".",
            "Backward of max: dx[argmax[o]] += dOut[o] for every output o — `+=`, because overlapping windows (stride < window) can pick the same pixel. Backward of average: every pixel of window o gets dOut[o] / (PH·PW), also added up.",
            "Sketch: `for (o, index) in cache.argmax.enumerated() { dx[index] += dOut.scalars[o] }` with `dx` a zero `[Double]` of the input's count. Do not recompute the maximum in the backward: the cache already knows which element won, and a fresh `x == max` mask would credit every tie.",
        ],
        standard: "max and average pooling compared with the reference on 5 problems (2 × 2 windows at stride 2 on a 5 × 7 image and a batch of one with overlapping 3 × 3 windows at stride 2 on an 8 × 6 image, where the last row and column fit no window; overlapping 2 × 3 windows at stride 1; values on 4 levels, so windows tie; a ReLU's zeros) within |error| ≤ 1e-8 + 1e-6·|expected| — ties go to the first maximum in row-major order; gradient check of both backwards on the same shapes with values 0.01 apart: relative error < 1e-7",
        mistakes: [
            Change("gradient to every tie (mask recomputed as x == max)",
                   "the gradient of a window goes to every element equal to its maximum: the output took ONE element, the first maximum in row-major order — record its index in the forward (the cache) and send the gradient there only.") {
                $0.maxPool = maxPoolVariant(rule: .every)
            },
            Change("last maximum wins a tie", "ties go to the last maximum of the window: scan in row-major order and replace the running best only when a value is strictly greater (`>`, not `>=`), so the first maximum wins.") {
                $0.maxPool = maxPoolVariant(rule: .last)
            },
            Change("overlapping windows overwrite", "where two overlapping windows picked the same pixel, its gradient is the last window's alone: add the contributions (`+=`).") {
                $0.maxPool = maxPoolVariant(rule: .first, accumulate: false)
            },
            Change("average backward not divided by the window size", "each pixel gets the whole output gradient: the output is the mean of PH·PW pixels, so each receives dOut / (PH·PW).") {
                $0.avgPool = { x, ph, pw, s in
                    let (out, backward) = ConvNetsFunctions.reference.avgPool(x, ph, pw, s)
                    return (out, { backward($0) * Double(ph * pw) })
                }
            },
            Change("stride ignored in the average backward", "the average's backward spreads output (i, j) over the window at (i + p, j + q): the window started at (i·S, j·S).") {
                $0.avgPool = { x, ph, pw, s in
                    let (out, _) = ConvNetsFunctions.reference.avgPool(x, ph, pw, s)
                    return (out, { dOut in
                        let (h, w) = (x.shape[2], x.shape[3]), (ho, wo) = (dOut.shape[2], dOut.shape[3])
                        var dx = [Double](repeating: 0, count: x.count)
                        for plane in 0..<(x.shape[0] * x.shape[1]) { for i in 0..<ho { for j in 0..<wo { for p in 0..<ph { for q in 0..<pw {
                            dx[plane * h * w + (i + p) * w + j + q] += dOut.scalars[(plane * ho + i) * wo + j] / Double(ph * pw)
                        } } } } }
                        return Tensor(shape: x.shape, scalars: dx)
                    })
                }
            },
            Change("output size rounded up (ceil mode)", "the output has a window for the last rows and columns, which no full window reaches: this course's output size is floor, ⌊(H − PH)/S⌋ + 1 — pixels that fit no whole window are left out.") {
                $0.maxPool = ceilModePool(max: true)
                $0.avgPool = ceilModePool(max: false)
            },
        ],
        alternatives: [
            Change("average pooling as a convolution with a constant filter; max pooling by lists of candidates") {
                $0.avgPool = { x, ph, pw, s in
                    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
                    let filter = Tensor(shape: [1, 1, ph, pw], repeating: 1 / Double(ph * pw))
                    let (out, backward) = ConvNetsFunctions.reference.conv(x.reshaped([n * c, 1, h, w]), filter, Tensor([0]), s, 0)
                    return (out.reshaped([n, c, out.shape[2], out.shape[3]]), { dOut in
                        backward(dOut.reshaped([n * c, 1, dOut.shape[2], dOut.shape[3]])).dx.reshaped(x.shape)
                    })
                }
                $0.maxPool = maxPoolVariant(rule: .first)
            },
        ]
    ) { candidate, peers, context in
        let maxWorst = try checkPool("maxPool", candidate: candidate, peers: peers, &context, select: { $0.maxPool })
        let avgWorst = try checkPool("avgPool", candidate: candidate, peers: peers, &context, select: { $0.avgPool })
        context.pass("max and average pooling match the reference on 5 problems, ties included (first maximum wins)")
        context.pass("gradient check of both backwards: largest relative error \(Diagnosis.short(max(maxWorst, avgWorst))) < 1e-7")
    }

    // MARK: - im2col and col2im

    static let im2colSpec = Spec(
        id: "cnn.im2col", title: "im2col and col2im", file: "Im2col.swift",
        declarations: ["im2col(_:kernelHeight:kernelWidth:stride:padding:)", "col2im(_:inputShape:kernelHeight:kernelWidth:stride:padding:)"],
        hints: [
            "im2col copies every window the convolution visits into a column, so one matrix product with the filters (each a row) does the whole convolution. col2im is its adjoint: it sends every entry of a column back to the pixel it was copied from.",
            "The layout is fixed by the doc comment: row (c·KH + p)·KW + q, column (n·H′ + i)·W′ + j. Output sizes as in `cnn.sizes`. Entries that fall in the padding are 0 in im2col and are dropped by col2im. Chapter section \"im2col: convolution as one matrix product\".",
            "im2col: cols[row, col] = x[n, c, i·S + p − P, j·S + q − P] when that row and column lie inside the image, else 0. col2im: x[n, c, i·S + p − P, j·S + q − P] += cols[row, col] — windows overlap when S < K, and each pixel collects the sum of all its copies.",
            "Sketch: loop c, p, q (the row), then n, i, j (the column); compute y = i·S + p − P and x = j·S + q − P; skip when outside 0..<H or 0..<W; im2col writes `cols[row * columns + column] = xs[...]`, col2im does `xs[...] += cols[...]`.",
        ],
        standard: "im2col and col2im compared with the reference on the 5 convolution problems of cnn.conv within |error| ≤ 1e-9 + 1e-7·|expected|; the adjoint identity ⟨im2col(x), Y⟩ = ⟨x, col2im(Y)⟩ to 1e-9 relative",
        mistakes: [
            Change("col2im overwrites instead of adding", "col2im keeps only one copy of a pixel where windows overlap: the pixel's entry is the SUM of all its copies (`+=`).") {
                $0.col2im = { cols, shape, kh, kw, s, p in
                    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
                    let ho = (h + 2 * p - kh) / s + 1, wo = (w + 2 * p - kw) / s + 1
                    var x = [Double](repeating: 0, count: n * c * h * w)
                    for ch in 0..<c { for pp in 0..<kh { for q in 0..<kw { for img in 0..<n { for i in 0..<ho { for j in 0..<wo {
                        let y = i * s + pp - p, xx = j * s + q - p
                        guard y >= 0 && y < h && xx >= 0 && xx < w else { continue }
                        x[((img * c + ch) * h + y) * w + xx] = cols.scalars[((ch * kh + pp) * kw + q) * (n * ho * wo) + (img * ho + i) * wo + j]
                    } } } } } }
                    return Tensor(shape: shape, scalars: x)
                }
            },
            Change("im2col without the padding", "im2col unrolls the unpadded image: the windows slide over x padded with P zeros on each side — positions outside the image read 0 — so there are N·H′·W′ columns with H′ = ⌊(H + 2P − KH)/S⌋ + 1.") {
                $0.im2col = { x, kh, kw, s, _ in ConvNetsFunctions.reference.im2col(x, kh, kw, s, 0) }
            },
            Change("columns with the image fastest", "the columns are ordered (i, j, n), image fastest: this course orders them (n, i, j), image slowest — column (n·H′ + i)·W′ + j.") {
                $0.im2col = { x, kh, kw, s, p in
                    let cols = ConvNetsFunctions.reference.im2col(x, kh, kw, s, p)
                    let n = x.shape[0]
                    return cols.reshaped([cols.shape[0], n, -1]).permuted([0, 2, 1]).reshaped(cols.shape)
                }
            },
        ],
        alternatives: [
            Change("through Tensor slices and padded copies") {
                $0.im2col = { x, kh, kw, s, p in
                    let xp = x.padded([(0, 0), (0, 0), (p, p), (p, p)])
                    let ho = (xp.shape[2] - kh) / s + 1, wo = (xp.shape[3] - kw) / s + 1
                    var rows: [Tensor] = []
                    for c in 0..<x.shape[1] { for pp in 0..<kh { for q in 0..<kw {
                        var row: [Double] = []
                        for n in 0..<x.shape[0] { for i in 0..<ho { for j in 0..<wo { row.append(xp[n, c, i * s + pp, j * s + q]) } } }
                        rows.append(Tensor(row))
                    } } }
                    return Tensor.stack(rows, axis: 0)
                }
            },
        ]
    ) { candidate, peers, context in
        for c in convCases(&context) {
            let (kh, kw, s, p) = (c.w.shape[2], c.w.shape[3], c.stride, c.padding)
            let situation = "\(c.name): x \(c.x.shape), kernel \(kh) × \(kw), stride \(s), padding \(p)"
            let x = c.x
            try context.expectClose(candidate.im2col(x, kh, kw, s, p), peers.reference.im2col(x, kh, kw, s, p), what: "im2col",
                                    situation: situation, inputs: [("x", x)], tolerance: .tight,
                                    suspects: peers.suspects { $0.im2col(x, kh, kw, s, p) })
            let cols = context.randomTensor(peers.reference.im2col(x, kh, kw, s, p).shape)
            try context.expectClose(candidate.col2im(cols, x.shape, kh, kw, s, p), peers.reference.col2im(cols, x.shape, kh, kw, s, p),
                                    what: "col2im", situation: situation, inputs: [("cols", cols)], tolerance: .tight,
                                    suspects: peers.suspects { $0.col2im(cols, x.shape, kh, kw, s, p) })
            let left = dot(candidate.im2col(x, kh, kw, s, p), cols), right = dot(x, candidate.col2im(cols, x.shape, kh, kw, s, p))
            guard abs(left - right) <= 1e-9 * max(1, abs(left)) else {
                throw CheckFailure("col2im is not the adjoint of im2col (\(situation)): ⟨im2col(x), Y⟩ = \(left) but ⟨x, col2im(Y)⟩ = \(right).")
            }
        }
        context.pass("im2col and col2im match the reference on 5 problems (overlapping windows, stride 2, padding 0–2), and col2im is im2col's adjoint")
    }
}

private extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(high, Swift.max(low, self)) }
}
