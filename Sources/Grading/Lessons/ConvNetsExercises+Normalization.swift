import CourseKit
import Foundation
import Implementations

extension ConvNetsLesson {
    // MARK: - Spatial batch norm and global average pooling

    /// Spatial batch norm by its closed-form backward, per channel over the N·H·W values; `grouping` picks
    /// which values share statistics (a known mistake groups them wrongly).
    static func spatialBatchNormDirect(rowsOf: @escaping @Sendable (Tensor) -> Tensor, back: @escaping @Sendable (Tensor, [Int]) -> Tensor)
        -> @Sendable (Tensor, Tensor, Tensor, (mean: Tensor, variance: Tensor), Bool, Double, Double)
        -> (out: Tensor, running: (mean: Tensor, variance: Tensor), backward: @Sendable (Tensor) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor)) {
        { x, gamma, beta, running, training, momentum, epsilon in
            let rows = rowsOf(x)                          // [M, C]
            let m = Double(rows.shape[0])
            let mean = training ? rows.mean(axis: 0) : running.mean
            let variance = training ? rows.variance(axis: 0) : running.variance
            let inverse = 1 / sqrt(variance + epsilon)
            let normalized = (rows - mean) * inverse
            let newRunning = training
                ? ((1 - momentum) * running.mean + momentum * mean, (1 - momentum) * running.variance + momentum * variance * (m / (m - 1)))
                : running
            return (back(gamma * normalized + beta, x.shape), newRunning, { dOut in
                let g = rowsOf(dOut)
                let dBeta = g.sum(axis: 0), dGamma = (g * normalized).sum(axis: 0)
                let dx = training
                    ? (gamma * inverse / m) * (m * g - dBeta - normalized * dGamma)
                    : g * gamma * inverse
                return (back(dx, x.shape), dGamma, dBeta)
            })
        }
    }

    static let channelRows: @Sendable (Tensor) -> Tensor = { $0.permuted([0, 2, 3, 1]).reshaped([-1, $0.shape[1]]) }
    static let channelBack: @Sendable (Tensor, [Int]) -> Tensor = { rows, shape in
        rows.reshaped([shape[0], shape[2], shape[3], shape[1]]).permuted([0, 3, 1, 2])
    }

    static let spatialNormSpec = Spec(
        id: "cnn.spatialNorm", title: "Spatial batch norm and global average pooling", file: "SpatialBatchNorm.swift",
        declarations: ["spatialBatchNormForward(_:gamma:beta:running:mode:momentum:epsilon:)", "spatialBatchNormBackward(_:cache:)",
                       "globalAveragePoolForward(_:)", "globalAveragePoolBackward(_:inputShape:)"],
        hints: [
            "A filter is shared by every position, so its channel is normalized with one mean and one variance taken over the whole batch and every position: N·H·W values per channel. Lesson 05's batch norm does exactly that to the columns of a matrix — you only need to arrange the values.",
            "Put the channel axis last, then flatten the rest: `x.permuted([0, 2, 3, 1]).reshaped([N·H·W, C])`. Call lesson 05's `batchNormForward` on it, and undo the arrangement on the way out (reshape to [N, H, W, C], then `permuted([0, 3, 1, 2])`). The backward does the same around `batchNormBackward`. Chapter section \"Spatial batch norm and global average pooling\".",
            "A plain `x.reshaped([-1, C])` without the permutation groups the wrong numbers: in [N, C, H, W] memory the channel is not the fastest axis. Global average pooling: `x.reshaped([N, C, -1]).mean(axis: 2)`; its backward gives each of the H·W positions dOut[n, c] / (H·W).",
            "Sketch of the backward: `let rows = dOut.permuted([0, 2, 3, 1]).reshaped([N * H * W, C])`, `let (dx, dGamma, dBeta) = batchNormBackward(rows, cache: cache.batchNorm)`, then arrange dx back to [N, C, H, W].",
        ],
        standard: "output, running mean and variance, dx, dGamma and dBeta compared with the reference in training mode (channels with different means and scales; a batch of one with 6 positions) and in inference mode, within |error| ≤ 1e-8 + 1e-6·|expected|; global average pooling forward and backward on a 3 × 5 image; gradient check of dx, dGamma, dBeta (training mode) and of global average pooling: relative error < 1e-7",
        mistakes: [
            Change("reshaped without moving the channel axis",
                   "the [N, C, H, W] tensor is reshaped straight to [N·H·W, C]: its channel is not the last axis, so the columns mix channels and positions — permute to [N, H, W, C] first (`permuted([0, 2, 3, 1])`), then reshape.") {
                $0.spatialBatchNorm = spatialBatchNormDirect(rowsOf: { $0.reshaped([-1, $0.shape[1]]) }, back: { rows, shape in rows.reshaped(shape) })
            },
            Change("statistics per position (over the batch only)",
                   "each position of each channel is normalized with statistics over the batch alone: a channel shares one mean and one variance over the batch AND all its positions (N·H·W values).") {
                $0.spatialBatchNorm = { x, gamma, beta, running, training, momentum, epsilon in
                    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
                    let rows = x.reshaped([n, c * h * w])
                    let mean = rows.mean(axis: 0), variance = rows.variance(axis: 0)
                    let normalized = ((rows - mean) / sqrt(variance + epsilon)).reshaped(x.shape)
                    let reference = ConvNetsFunctions.reference.spatialBatchNorm(x, gamma, beta, running, training, momentum, epsilon)
                    let out = training ? normalized * gamma.reshaped([1, c, 1, 1]) + beta.reshaped([1, c, 1, 1]) : reference.out
                    return (out, reference.running, reference.backward)
                }
            },
            Change("global average backward not divided by H·W",
                   "every position receives the whole gradient of its channel: the output is the mean of H·W values, so each receives dOut[n, c] / (H·W).") {
                $0.globalAveragePool = { x in
                    let (out, backward) = ConvNetsFunctions.reference.globalAveragePool(x)
                    return (out, { backward($0) * Double(x.shape[2] * x.shape[3]) })
                }
            },
        ],
        alternatives: [
            Change("closed-form backward; global average pooling as an H × W average pool") {
                $0.spatialBatchNorm = spatialBatchNormDirect(rowsOf: channelRows, back: channelBack)
                $0.globalAveragePool = { x in
                    let (out, backward) = ConvNetsFunctions.reference.avgPool(x, x.shape[2], x.shape[3], 1)
                    return (out.reshaped([x.shape[0], x.shape[1]]), { backward($0.reshaped([x.shape[0], x.shape[1], 1, 1])) })
                }
            },
        ]
    ) { candidate, peers, context in
        let problems: [(String, shape: [Int], training: Bool)] = [
            ("training mode, 3 channels with different means and scales", [2, 3, 3, 4], true),
            ("training mode, a batch of one (6 positions)", [1, 2, 3, 2], true),
            ("inference mode (running statistics)", [2, 2, 2, 3], false),
        ]
        var worst = 0.0
        for problem in problems {
            let c = problem.shape[1]
            // Channel c has mean ≈ 2c − 1 and scale ≈ 1 + c, so statistics taken over the wrong values show.
            let offsets = Tensor((0..<c).map { 2 * Double($0) - 1 }).reshaped([1, c, 1, 1])
            let scales = Tensor((0..<c).map { 1 + Double($0) }).reshaped([1, c, 1, 1])
            let x = context.randomTensor(problem.shape) * scales + offsets
            let gamma = context.randomTensor([c]) + 1.5, beta = context.randomTensor([c])
            let running = (mean: context.randomTensor([c]), variance: abs(context.randomTensor([c])) + 0.5)
            let dOut = context.randomTensor(problem.shape)
            let (momentum, epsilon) = (0.1, 1e-5)
            let situation = "\(problem.0): x \(problem.shape) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("x", x), ("gamma", gamma), ("beta", beta)]
            let got = candidate.spatialBatchNorm(x, gamma, beta, running, problem.training, momentum, epsilon)
            let want = peers.reference.spatialBatchNorm(x, gamma, beta, running, problem.training, momentum, epsilon)
            let training = problem.training
            try context.expectClose(got.out, want.out, what: "the output of spatialBatchNormForward", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { $0.spatialBatchNorm(x, gamma, beta, running, training, momentum, epsilon).out })
            try context.expectClose(got.running.mean, want.running.mean, what: "the running mean", situation: situation, inputs: inputs)
            try context.expectClose(got.running.variance, want.running.variance, what: "the running variance", situation: situation, inputs: inputs)
            let g = got.backward(dOut), r = want.backward(dOut)
            for (name, a, e, pick) in [("dx", g.dx, r.dx, 0), ("dGamma", g.dGamma, r.dGamma, 1), ("dBeta", g.dBeta, r.dBeta, 2)] {
                try context.expectClose(a, e, what: "\(name) of spatialBatchNormBackward", situation: situation, inputs: inputs + [("dOut", dOut)],
                                        suspects: peers.suspects { f in
                                            let b = f.spatialBatchNorm(x, gamma, beta, running, training, momentum, epsilon).backward(dOut)
                                            return [b.dx, b.dGamma, b.dBeta][pick]
                                        })
            }
            guard training else { continue }
            let forward = candidate.spatialBatchNorm
            let checks: [(String, Tensor, Tensor)] = [
                ("dx", g.dx, GradientCheck.numericalGradient(of: { forward($0, gamma, beta, running, true, momentum, epsilon).out }, at: x, upstream: dOut)),
                ("dGamma", g.dGamma, GradientCheck.numericalGradient(of: { forward(x, $0, beta, running, true, momentum, epsilon).out }, at: gamma, upstream: dOut)),
                ("dBeta", g.dBeta, GradientCheck.numericalGradient(of: { forward(x, gamma, $0, running, true, momentum, epsilon).out }, at: beta, upstream: dOut)),
            ]
            for (name, a, n) in checks {
                try context.expectGradient(analytic: a, numeric: n, what: "\(name) of spatialBatchNormBackward", situation: situation, threshold: gradientThreshold)
                worst = max(worst, GradientCheck.relativeError(a, n))
            }
        }
        context.pass("spatial batch norm matches the reference in training mode (a batch of one included) and in inference mode")
        let x = context.randomTensor([2, 3, 3, 5]), dOut = context.randomTensor([2, 3])
        let got = candidate.globalAveragePool(x), want = peers.reference.globalAveragePool(x)
        try context.expectClose(got.out, want.out, what: "globalAveragePoolForward", situation: "x [2, 3, 3, 5]", inputs: [("x", x)],
                                suspects: peers.suspects { $0.globalAveragePool(x).out })
        try context.expectClose(got.backward(dOut), want.backward(dOut), what: "globalAveragePoolBackward", situation: "x [2, 3, 3, 5]",
                                inputs: [("x", x), ("dOut", dOut)], suspects: peers.suspects { $0.globalAveragePool(x).backward(dOut) })
        let pool = candidate.globalAveragePool
        let numeric = GradientCheck.numericalGradient(of: { pool($0).out }, at: x, upstream: dOut)
        try context.expectGradient(analytic: got.backward(dOut), numeric: numeric, what: "globalAveragePoolBackward", situation: "x [2, 3, 3, 5]",
                                   threshold: gradientThreshold)
        worst = max(worst, GradientCheck.relativeError(got.backward(dOut), numeric))
        context.pass("global average pooling matches the reference; gradient checks: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }
}
