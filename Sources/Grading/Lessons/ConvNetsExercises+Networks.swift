import CourseKit
import Foundation
import Implementations

extension ConvNetsLesson {
    // MARK: - The fast convolution

    static let fastConvSpec = Spec(
        id: "cnn.fastConv", title: "Convolution as a matrix product (im2col)", file: "FastConv.swift",
        declarations: ["conv2dForwardFast(_:weights:bias:stride:padding:)", "conv2dBackwardFast(_:cache:)"],
        hints: [
            "With every window unrolled into a column, the convolution is an affine layer: the filters, one per row, times the columns, plus the bias. Its backward is lesson 04's affine backward, followed by col2im to fold the column gradient back into an image.",
            "Shapes: filters `weights.reshaped([F, -1])` are [F, C·KH·KW]; `im2col(...)` is [C·KH·KW, N·H′·W′]; their product is [F, N·H′·W′] — filter first, image second. The output must be [N, F, H′, W′]: reshape to [F, N, H′, W′] and swap the first two axes (`permuted([1, 0, 2, 3])`). Chapter section \"im2col: convolution as one matrix product\".",
            "Backward, with G = dOut permuted to [F, N, H′, W′] and reshaped to [F, N·H′·W′]: dW = G·colsᵀ (reshaped to the filters' shape), db = G summed over axis 1, dcols = W_matᵀ·G, and dx = col2im(dcols, …).",
            "Keep `cols` in the cache (the backward needs it for dW) with the input's shape, the filters, stride and padding. Only the order of axes is tricky: a plain `reshaped([N, F, H′, W′])` of the [F, N·H′·W′] product mixes filters and images whenever N > 1.",
        ],
        standard: "the same checks as cnn.conv: output, dx, dWeights and dBias compared with the reference on 5 problems within |error| ≤ 1e-8 + 1e-6·|expected|, and a gradient check of every gradient on every problem (relative error < 1e-7)",
        mistakes: convMistakes(\.fastConv) + [
            Change("output reshaped without moving the filter axis",
                   "the [F, N·H′·W′] product is reshaped straight to [N, F, H′, W′]: its first axis is the filter — reshape to [F, N, H′, W′], then swap the first two axes (`permuted([1, 0, 2, 3])`).") {
                $0.fastConv = { x, w, b, s, p in
                    let (out, backward) = ConvNetsFunctions.reference.fastConv(x, w, b, s, p)
                    return (out.permuted([1, 0, 2, 3]).reshaped(out.shape), backward)
                }
            },
        ],
        alternatives: [
            Change("the naive loops of cnn.conv") { $0.fastConv = ConvNetsFunctions.reference.conv },
        ]
    ) { candidate, peers, context in
        try checkConvolution(forward: "conv2dForwardFast", backward: "conv2dBackwardFast", candidate: candidate, peers: peers, &context, select: { $0.fastConv })
    }

    // MARK: - Residual block

    /// A random residual block and input, redrawn until every pre-activation (both ReLUs) lies at least 1e-3 from 0,
    /// so the numerical gradient never straddles a kink.
    static func randomBlock(_ context: inout GradingContext, n: Int, c: Int, f: Int, h: Int, w: Int, stride: Int, projection: Bool)
        -> (x: Tensor, block: F.Block, dOut: Tensor) {
        let ref = ConvNetsFunctions.reference
        for _ in 0..<50 {
            let x = context.randomTensor([n, c, h, w])
            let block = F.Block(w1: context.randomTensor([f, c, 3, 3], scale: 0.4), b1: context.randomTensor([f], scale: 0.2),
                                w2: context.randomTensor([f, f, 3, 3], scale: 0.4), b2: context.randomTensor([f], scale: 0.2),
                                projection: projection ? (context.randomTensor([f, c, 1, 1], scale: 0.6), context.randomTensor([f], scale: 0.2)) : nil,
                                stride: stride)
            let h1 = ref.conv(x, block.w1, block.b1, stride, 1).out
            let f2 = ref.conv(maximum(h1, 0), block.w2, block.b2, 1, 1).out
            let shortcut = block.projection.map { ref.conv(x, $0.weights, $0.bias, stride, 0).out } ?? x
            let total = f2 + shortcut
            if abs(h1).min() > 1e-3 && abs(total).min() > 1e-3 {
                return (x, block, context.randomTensor(total.shape))
            }
        }
        preconditionFailure("randomBlock: could not keep the pre-activations away from 0")
    }

    static let residualSpec = Spec(
        id: "cnn.residual", title: "A residual block: forward and backward", file: "ResidualBlock.swift",
        declarations: ["residualBlockForward(_:block:)", "residualBlockBackward(_:cache:)"],
        hints: [
            "The block's layers compute a residual F(x) (conv, ReLU, conv); the shortcut carries x around them unchanged (the identity) or through a 1 × 1 convolution when the shape changes; the block outputs relu(F(x) + shortcut(x)). In the backward, a sum copies its gradient to both terms, and x, used twice, collects both.",
            "Forward with your own layers: `conv2dForwardFast` (stride S, padding K/2), `reluLayerForward`, `conv2dForwardFast` (stride 1, padding K/2), the shortcut (x itself, or `conv2dForwardFast` with the projection, stride S, padding 0), then `reluLayerForward` of the sum. Keep every cache. Chapter section \"Residual connections\".",
            "Backward: d = reluLayerBackward(dOut) is the gradient of the sum — it goes to F(x) AND to the shortcut. Through the residual branch: conv₂ backward, ReLU backward, conv₁ backward gives dx₁. Through the shortcut: d itself (identity), or the projection's backward dx₂. Then dx = dx₁ + d (or dx₁ + dx₂).",
            "Sketch: `let dSum = reluLayerBackward(dOut, cache: cache.reluOut)`; `let g2 = conv2dBackwardFast(dSum, cache: cache.conv2)`; `let g1 = conv2dBackwardFast(reluLayerBackward(g2.dx, cache: cache.relu1), cache: cache.conv1)`; dx = g1.dx plus the shortcut's share.",
        ],
        standard: "output, dx and every parameter's gradient compared with the reference on 4 blocks (identity shortcut on a 4 × 5 image; a projection with stride 2 and more channels; a projection at stride 1; a batch of one) within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of dx and of every parameter (pre-activations kept 1e-3 from 0): relative error < 1e-7",
        mistakes: [
            Change("no shortcut in the forward", "the block outputs relu(F(x)) with no shortcut: the block outputs relu(F(x) + x) — the identity carries x around the layers.") {
                $0.residual = { x, block in
                    let ref = ConvNetsFunctions.reference
                    let (_, backward) = ref.residual(x, block)
                    let h1 = ref.fastConv(x, block.w1, block.b1, block.stride, 1).out
                    return (maximum(ref.fastConv(maximum(h1, 0), block.w2, block.b2, 1, 1).out, 0), backward)
                }
            },
            Change("ReLU before the addition", "the block outputs relu(F(x)) + x: the sum comes first, then the ReLU, relu(F(x) + x).") {
                $0.residual = { x, block in
                    let ref = ConvNetsFunctions.reference
                    let (_, backward) = ref.residual(x, block)
                    let h1 = ref.fastConv(x, block.w1, block.b1, block.stride, 1).out
                    let fx = ref.fastConv(maximum(h1, 0), block.w2, block.b2, 1, 1).out
                    let shortcut = block.projection.map { ref.fastConv(x, $0.weights, $0.bias, block.stride, 0).out } ?? x
                    return (maximum(fx, 0) + shortcut, backward)
                }
            },
            Change("shortcut gradient dropped", "dx is the residual branch's gradient alone: x also reaches the output through the shortcut, so dx adds the shortcut's gradient (the gradient of the sum itself for the identity).") {
                $0.residual = { x, block in
                    let (out, backward) = ConvNetsFunctions.reference.residual(x, block)
                    return (out, { dOut in
                        var g = backward(dOut)
                        let ref = ConvNetsFunctions.reference
                        let dSum = dOut * (out .> 0)
                        let shortcutShare = block.projection.map { ref.fastConv(x, $0.weights, $0.bias, block.stride, 0).backward(dSum).dx } ?? dSum
                        g.dx = g.dx - shortcutShare
                        return g
                    })
                }
            },
        ],
        alternatives: [
            Change("written with the naive convolution") {
                $0.residual = { x, block in
                    let ref = ConvNetsFunctions.reference
                    let (h1, conv1) = ref.conv(x, block.w1, block.b1, block.stride, 1)
                    let (fx, conv2) = ref.conv(maximum(h1, 0), block.w2, block.b2, 1, 1)
                    let projected = block.projection.map { ref.conv(x, $0.weights, $0.bias, block.stride, 0) }
                    let total = fx + (projected?.out ?? x)
                    return (maximum(total, 0), { dOut in
                        let dSum = dOut * (total .> 0)
                        let g2 = conv2(dSum)
                        let g1 = conv1(g2.dx * (h1 .> 0))
                        let p = projected?.backward(dSum)
                        return F.BlockGradients(dx: g1.dx + (p?.dx ?? dSum), dw1: g1.dWeights, db1: g1.dBias, dw2: g2.dWeights, db2: g2.dBias,
                                                dProjection: p.map { ($0.dWeights, $0.dBias) })
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        let problems: [(String, n: Int, c: Int, f: Int, h: Int, w: Int, s: Int, projection: Bool)] = [
            ("an identity shortcut, 3 channels, a 4 × 5 image", 2, 3, 3, 4, 5, 1, false),
            ("a projection shortcut: 2 → 3 channels, stride 2, a 5 × 4 image", 2, 2, 3, 5, 4, 2, true),
            ("a projection shortcut at stride 1: 1 → 2 channels", 2, 1, 2, 3, 4, 1, true),
            ("a batch of one, identity shortcut, 2 channels", 1, 2, 2, 3, 3, 1, false),
        ]
        var worst = 0.0
        for problem in problems {
            let (x, block, dOut) = randomBlock(&context, n: problem.n, c: problem.c, f: problem.f, h: problem.h, w: problem.w,
                                               stride: problem.s, projection: problem.projection)
            let situation = "\(problem.0) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("x", x), ("weights1", block.w1), ("weights2", block.w2)]
            let got = candidate.residual(x, block), want = peers.reference.residual(x, block)
            try context.expectClose(got.out, want.out, what: "the output of residualBlockForward", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { $0.residual(x, block).out })
            let g = got.backward(dOut), r = want.backward(dOut)
            var pairs: [(String, Tensor, Tensor, @Sendable (F.BlockGradients) -> Tensor)] = [
                ("dx", g.dx, r.dx, { $0.dx }), ("dWeights1", g.dw1, r.dw1, { $0.dw1 }), ("dBias1", g.db1, r.db1, { $0.db1 }),
                ("dWeights2", g.dw2, r.dw2, { $0.dw2 }), ("dBias2", g.db2, r.db2, { $0.db2 }),
            ]
            if let rp = r.dProjection {
                guard let gp = g.dProjection else {
                    throw CheckFailure("residualBlockBackward returned no projection gradients for a block with a projection shortcut (\(situation)).")
                }
                let pickWeights: @Sendable (F.BlockGradients) -> Tensor = { $0.dProjection?.weights ?? Tensor.zeros([0]) }
                let pickBias: @Sendable (F.BlockGradients) -> Tensor = { $0.dProjection?.bias ?? Tensor.zeros([0]) }
                pairs.append(("dProjectionWeights", gp.weights, rp.weights, pickWeights))
                pairs.append(("dProjectionBias", gp.bias, rp.bias, pickBias))
            }
            for (name, a, e, pick) in pairs {
                try context.expectClose(a, e, what: "\(name) of residualBlockBackward", situation: situation, inputs: inputs + [("dOut", dOut)],
                                        suspects: peers.suspects { pick($0.residual(x, block).backward(dOut)) })
            }
            // Gradient checks of the candidate against its own forward.
            let forward = candidate.residual
            var numeric: [(String, Tensor, Tensor)] = [
                ("dx", g.dx, GradientCheck.numericalGradient(of: { forward($0, block).out }, at: x, upstream: dOut)),
                ("dWeights1", g.dw1, GradientCheck.numericalGradient(of: { var b = block; b.w1 = $0; return forward(x, b).out }, at: block.w1, upstream: dOut)),
                ("dBias1", g.db1, GradientCheck.numericalGradient(of: { var b = block; b.b1 = $0; return forward(x, b).out }, at: block.b1, upstream: dOut)),
                ("dWeights2", g.dw2, GradientCheck.numericalGradient(of: { var b = block; b.w2 = $0; return forward(x, b).out }, at: block.w2, upstream: dOut)),
                ("dBias2", g.db2, GradientCheck.numericalGradient(of: { var b = block; b.b2 = $0; return forward(x, b).out }, at: block.b2, upstream: dOut)),
            ]
            if let p = block.projection, let gp = g.dProjection {
                numeric.append(("dProjectionWeights", gp.weights, GradientCheck.numericalGradient(of: { var b = block; b.projection = ($0, p.bias); return forward(x, b).out }, at: p.weights, upstream: dOut)))
                numeric.append(("dProjectionBias", gp.bias, GradientCheck.numericalGradient(of: { var b = block; b.projection = (p.weights, $0); return forward(x, b).out }, at: p.bias, upstream: dOut)))
            }
            for (name, a, n) in numeric {
                try context.expectGradient(analytic: a, numeric: n, what: "\(name) of residualBlockBackward", situation: situation, threshold: gradientThreshold)
                worst = max(worst, GradientCheck.relativeError(a, n))
            }
        }
        context.pass("residualBlockForward and residualBlockBackward match the reference on 4 blocks (identity and projection shortcuts, stride 2, a batch of one)")
        context.pass("gradient check of dx and every parameter: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    // MARK: - The small CNN

    static let netParameterNames = ["conv1Weights", "conv1Bias", "conv2Weights", "conv2Bias", "fcWeights", "fcBias"]

    /// A random small CNN and batch, redrawn until every ReLU input lies 1e-3 from 0 and every pooling window's
    /// winner beats the runner-up by 1e-3 (among positive values), so the numerical gradient sees no kink.
    static func randomNet(_ context: inout GradingContext, n: Int, c: Int, h: Int, w: Int, classes: Int) -> (net: F.Net, X: Tensor, labels: [Int]) {
        let ref = ConvNetsFunctions.reference
        func clear(_ pre: Tensor) -> Bool {
            guard abs(pre).min() > 1e-3 else { return false }
            let a = maximum(pre, 0)
            let (planes, hh, ww) = (a.shape[0] * a.shape[1], a.shape[2], a.shape[3])
            for plane in 0..<planes { for i in 0..<(hh / 2) { for j in 0..<(ww / 2) {
                let window = [a.scalars[plane * hh * ww + 2 * i * ww + 2 * j], a.scalars[plane * hh * ww + 2 * i * ww + 2 * j + 1],
                              a.scalars[plane * hh * ww + (2 * i + 1) * ww + 2 * j], a.scalars[plane * hh * ww + (2 * i + 1) * ww + 2 * j + 1]]
                    .filter { $0 > 0 }.sorted(by: >)
                if window.count >= 2 && window[0] - window[1] < 1e-3 { return false }
            } } }
            return true
        }
        for _ in 0..<100 {
            let f1 = context.random.nextInt(in: 2...3), f2 = context.random.nextInt(in: 2...3)
            var net = ConvNetsFunctions.heInitializedNet(channels: c, height: h, width: w, filters1: f1, filters2: f2, classes: classes,
                                                         using: &context.random)
            net[1] = context.randomTensor([f1], scale: 0.1); net[3] = context.randomTensor([f2], scale: 0.1); net[5] = context.randomTensor([classes], scale: 0.1)
            let X = context.randomTensor([n, c, h, w])
            let c1 = ref.fastConv(X, net[0], net[1], 1, 1).out
            guard clear(c1) else { continue }
            let p1 = ref.maxPool(maximum(c1, 0), 2, 2, 2).out
            let c2 = ref.fastConv(p1, net[2], net[3], 1, 1).out
            guard clear(c2) else { continue }
            return (net, X, (0..<n).map { _ in context.random.nextInt(in: 0..<classes) })
        }
        preconditionFailure("randomNet: could not keep the network away from its kinks")
    }

    static func netChangingLoss(_ change: @escaping @Sendable (_ net: F.Net, _ lambda: Double, _ loss: Double, _ gradients: F.Net) -> (Double, F.Net))
        -> @Sendable (F.Net, Tensor, [Int], Double) -> (loss: Double, gradients: F.Net) {
        { net, X, labels, lambda in
            let (loss, g) = ConvNetsFunctions.reference.convNetLoss(net, X, labels, lambda)
            return change(net, lambda, loss, g)
        }
    }

    static let smallNetSpec = Spec(
        id: "cnn.smallNet", title: "A small CNN: scores, loss and every gradient", file: "SmallConvNet.swift",
        declarations: ["convNetScores(_:_:)", "convNetLoss(_:_:labels:regularization:)"],
        hints: [
            "The network is a chain of layers you have all written: conv, ReLU, pool, conv, ReLU, pool, then lesson 04's affine layer on the flattened maps and lesson 03's softmax cross-entropy. The backward runs the same chain in reverse, each layer with the cache its forward kept.",
            "Forward: `conv2dForwardFast(X, …, stride: 1, padding: 1)`, `reluLayerForward`, `maxPoolForward(…, poolHeight: 2, poolWidth: 2, stride: 2)`, again, then `affineForward(p2.reshaped([N, -1]), …)` and `softmaxCrossEntropy(scores, labels:)`. Keep each cache in its own constant. Chapter section \"The small CNN\".",
            "Backward: `affineBackward` gives dx of shape [N, F₂·H/4·W/4]: reshape it to the pooled maps' shape before `maxPoolBackward`. Add λ·W to each of the three weight gradients (the penalty is (λ/2)·Σ‖W‖², biases excluded).",
            "Order of the backward: affine → reshape → pool₂ → ReLU₂ → conv₂ → pool₁ → ReLU₁ → conv₁. Return `ConvNet(conv1Weights: dConv1.dWeights + regularization * net.conv1Weights, conv1Bias: dConv1.dBias, …)`.",
        ],
        standard: "scores, loss and the 6 gradients compared with the reference on 3 networks (8 × 4 and 4 × 8 images, one and two channels, a batch of one, λ = 0 and 0.3) within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of every parameter (ReLU inputs kept 1e-3 from 0, pooling winners 1e-3 ahead): relative error < 1e-7, or, for a gradient tiny beside the loss L, an absolute error under 10·ε·|L|/h (the numerical gradient's own rounding floor)",
        mistakes: [
            Change("biases regularized too", "the penalty includes the biases: it is (λ/2)·(‖W₁‖² + ‖W₂‖² + ‖W_fc‖²), weights only.") {
                $0.convNetLoss = netChangingLoss { net, lambda, loss, g in
                    var g = g
                    for i in [1, 3, 5] { g[i] = g[i] + lambda * net[i] }
                    return (loss + 0.5 * lambda * [1, 3, 5].reduce(0) { $0 + (net[$1] * net[$1]).sum() }, g)
                }
            },
            Change("penalty gradient 2λW", "the weight gradients add 2λW: the penalty is (λ/2)·‖W‖², whose gradient is λW.") {
                $0.convNetLoss = netChangingLoss { net, lambda, loss, g in
                    var g = g
                    for i in [0, 2, 4] { g[i] = g[i] + lambda * net[i] }
                    return (loss, g)
                }
            },
            Change("maps flattened channel-last", "the affine layer reads the pooled maps flattened as (row, column, channel): flatten in row-major order of [N, F₂, H/4, W/4], `reshaped([N, -1])`.") {
                $0.convNetScores = { net, X in
                    let ref = ConvNetsFunctions.reference
                    let p1 = ref.maxPool(maximum(ref.fastConv(X, net[0], net[1], 1, 1).out, 0), 2, 2, 2).out
                    let p2 = ref.maxPool(maximum(ref.fastConv(p1, net[2], net[3], 1, 1).out, 0), 2, 2, 2).out
                    return matmul(p2.permuted([0, 2, 3, 1]).reshaped([X.shape[0], -1]), net[4]) + net[5]
                }
            },
        ],
        alternatives: [
            Change("scores from the naive layers") {
                $0.convNetScores = { net, X in
                    let ref = ConvNetsFunctions.reference
                    let p1 = ref.maxPool(maximum(ref.conv(X, net[0], net[1], 1, 1).out, 0), 2, 2, 2).out
                    let p2 = ref.maxPool(maximum(ref.conv(p1, net[2], net[3], 1, 1).out, 0), 2, 2, 2).out
                    return matmul(p2.reshaped([X.shape[0], -1]), net[4]) + net[5]
                }
            },
        ]
    ) { candidate, peers, context in
        let problems: [(String, n: Int, c: Int, h: Int, w: Int, classes: Int, lambda: Double)] = [
            ("8 × 4 images, one channel, λ = 0", 2, 1, 8, 4, 3, 0),
            ("4 × 8 images, two channels, λ = 0.3", 2, 2, 4, 8, 4, 0.3),
            ("a batch of one, 4 × 4, λ = 0.3", 1, 1, 4, 4, 3, 0.3),
        ]
        var worst = 0.0
        for problem in problems {
            let (net, X, labels) = randomNet(&context, n: problem.n, c: problem.c, h: problem.h, w: problem.w, classes: problem.classes)
            let lambda = problem.lambda
            let situation = "\(problem.0) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", Tensor(labels.map(Double.init)))]
            try context.expectClose(candidate.convNetScores(net, X), peers.reference.convNetScores(net, X), what: "convNetScores",
                                    situation: situation, inputs: inputs, suspects: peers.suspects { $0.convNetScores(net, X) })
            let got = candidate.convNetLoss(net, X, labels, lambda), want = peers.reference.convNetLoss(net, X, labels, lambda)
            try context.expectClose(got.loss, want.loss, what: "the loss of convNetLoss", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.convNetLoss(net, X, labels, lambda).loss) })
            guard got.gradients.count == 6 else { throw CheckFailure("convNetLoss returned \(got.gradients.count) gradients, expected 6") }
            for index in 0..<6 {
                try context.expectClose(got.gradients[index], want.gradients[index], what: "∂L/∂\(netParameterNames[index]) of convNetLoss",
                                        situation: situation, inputs: inputs,
                                        suspects: peers.suspects { $0.convNetLoss(net, X, labels, lambda).gradients[index] })
            }
            let loss = candidate.convNetLoss
            for index in 0..<6 {
                let numeric = GradientCheck.numericalGradient(of: { p in var copy = net; copy[index] = p; return loss(copy, X, labels, lambda).loss },
                                                              at: net[index])
                try context.expectGradient(analytic: got.gradients[index], numeric: numeric, what: "∂L/∂\(netParameterNames[index])",
                                           situation: situation, threshold: gradientThreshold, scalarValue: got.loss)
                worst = max(worst, GradientCheck.relativeError(got.gradients[index], numeric))
            }
        }
        context.pass("scores, loss and all 6 gradients match the reference on 3 networks (non-square images, a batch of one, λ = 0 and 0.3)")
        context.pass("gradient check of every parameter: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }
}
