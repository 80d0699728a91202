import CourseKit
import Foundation
import Implementations

extension DeepTrainingLesson {
    /// Batch norm written out, with switches for the mistakes.
    static func batchNormVariant(statisticsAxis: Int = 0, inferenceUsesBatch: Bool = false, unbiasedRunning: Bool = true,
                                 swapMomentum: Bool = false, updateRunning: Bool = true, epsilonOutside: Bool = false,
                                 constantStatisticsBackward: Bool = false, dGammaWithoutNormalized: Bool = false)
        -> @Sendable (Tensor, Tensor, Tensor, F.Running, Bool, Double, Double)
        -> (out: Tensor, running: F.Running, backward: F.NormBackward, simplified: F.NormBackward) {
        { x, gamma, beta, running, training, momentum, eps in
            let n = Double(x.shape[statisticsAxis])
            var newRunning = running
            let useBatch = training || inferenceUsesBatch
            let mean = useBatch ? x.mean(axis: statisticsAxis, keepingDims: true) : running.mean
            let variance = useBatch ? x.variance(axis: statisticsAxis, keepingDims: true) : running.variance
            if training && updateRunning {
                let (keepOld, takeNew) = swapMomentum ? (momentum, 1 - momentum) : (1 - momentum, momentum)
                let batchMean = statisticsAxis == 0 ? mean.reshaped([x.shape[1]]) : x.mean(axis: 0)
                let batchVariance = statisticsAxis == 0 ? variance.reshaped([x.shape[1]]) : x.variance(axis: 0)
                newRunning.mean = keepOld * running.mean + takeNew * batchMean
                newRunning.variance = keepOld * running.variance + takeNew * batchVariance * (unbiasedRunning ? Double(x.shape[0]) / Double(x.shape[0] - 1) : 1)
            }
            let std = epsilonOutside ? sqrt(variance) + eps : sqrt(variance + eps)
            let normalized = (x - mean) / std
            let out = gamma * normalized + beta
            let backward: F.NormBackward = { dOut in
                let dBeta = dOut.sum(axis: 0)
                let dGamma = dGammaWithoutNormalized ? dOut.sum(axis: 0) : (dOut * normalized).sum(axis: 0)
                let dHat = dOut * gamma
                if !useBatch || constantStatisticsBackward { return (dHat / std, dGamma, dBeta) }
                let sumHat = dHat.sum(axis: statisticsAxis, keepingDims: true)
                let dotHat = (dHat * normalized).sum(axis: statisticsAxis, keepingDims: true)
                return ((1 / (n * std)) * (n * dHat - sumHat - normalized * dotHat), dGamma, dBeta)
            }
            return (out, newRunning, backward, backward)
        }
    }

    static func randomNormInputs(_ context: inout GradingContext, rows: Int? = nil) -> (x: Tensor, gamma: Tensor, beta: Tensor, dOut: Tensor) {
        let n = rows ?? context.random.nextInt(in: 3...6)
        var d = context.random.nextInt(in: 2...5)
        while d == n { d += 1 }
        // Features with their own offsets and scales, so that normalizing over the wrong axis shows.
        let offsets = context.randomTensor([d], scale: 3), scales = abs(context.randomTensor([d])) + 0.5
        let x = context.randomTensor([n, d]) * scales + offsets
        return (x, context.randomTensor([d]) + 1, context.randomTensor([d]), context.randomTensor([n, d]))
    }

    // MARK: - Batch norm

    static let batchNormSpec = Spec(
        id: "dnn.batchNorm", title: "Batch normalization: training and inference, the staged and the closed-form backward", file: "BatchNorm.swift",
        declarations: ["batchNormForward(_:gamma:beta:running:mode:momentum:epsilon:)", "batchNormBackward(_:cache:)",
                       "batchNormBackwardSimplified(_:cache:)"],
        hints: [
            "Batch norm makes each feature (column) have mean 0 and variance 1 over the batch, then lets the network choose its own scale γ and shift β. In training it uses this batch's statistics and keeps running averages of them; at test time it uses the running averages, so one example's output does not depend on the others in its batch.",
            "The statistics are over the batch: axis 0, one mean and one variance per feature, the biased variance (divide by N). The running averages follow PyTorch: m = `momentum` weighs the NEW batch, and the running variance averages the unbiased batch variance (× N/(N − 1)). In `.inference` do not touch `running`. Chapter section “Batch normalization”.",
            "Backward, staged (chapter section “Batch norm, backward”): dβ = Σᵢ dOut, dγ = Σᵢ dOut ⊙ x̂, dx̂ = dOut ⊙ γ, then back through x̂ = (x − μ)·s with s = (σ² + ε)^(−½): ds = Σᵢ dx̂ ⊙ (x − μ), dσ² = −½·ds·(σ² + ε)^(−3/2), d(x − μ) = dx̂·s + (2/N)(x − μ)·dσ², dμ = −Σᵢ d(x − μ), dx = d(x − μ) + dμ/N. Closed form: dx = (γ·s/N)·(N·dOut − Σᵢ dOut − x̂ ⊙ Σᵢ(dOut ⊙ x̂)). In inference mode μ and σ² are constants: dx = dOut ⊙ γ·s.",
            "Sketch of the forward: `let mean = x.mean(axis: 0)`, `let variance = x.variance(axis: 0)` (already divides by N), `let inverseStd = 1 / sqrt(variance + epsilon)`, then fill every field of `BatchNormCache` — the backward reads `normalized`, `centered`, `variance`, `inverseStandardDeviation`, `gamma`, `epsilon` and `mode`.",
        ],
        standard: "training forward compared with the reference (out, running mean, running variance) on 3 random batches with features of different offsets and scales, momentum 0.05–0.3, ε of 1e-5 and 0.5, and a batch of two; inference forward compared (running averages untouched); both backwards compared with the reference (dx, dGamma, dBeta) in training and inference mode; gradient checks of dx, dGamma and dBeta of both backwards against the training forward (relative error < 1e-7); |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("statistics over the wrong axis", "the mean and variance are taken over each row (axis 1, the features of one example — that is layer norm); batch norm normalizes each feature over the batch: axis 0.") {
                $0.batchNorm = batchNormVariant(statisticsAxis: 1)
            },
            Change("inference mode forgotten", "inference mode still normalizes with the batch's own statistics: at test time (`.inference`, PyTorch's `model.eval()`) use the running mean and variance, so that a prediction does not depend on the rest of its batch.") {
                $0.batchNorm = batchNormVariant(inferenceUsesBatch: true)
            },
            Change("running variance biased", "the running variance averages the biased batch variance: this course follows PyTorch and averages the unbiased one, σ²·N/(N − 1) (the normalization itself uses the biased σ²).") {
                $0.batchNorm = batchNormVariant(unbiasedRunning: false)
            },
            Change("momentum weights the old average", "the momentum weighs the NEW batch here (PyTorch: running ← (1 − m)·running + m·batch, m = 0.1); CS231n calls 1 − m its “momentum” (0.9).") {
                $0.batchNorm = batchNormVariant(swapMomentum: true)
            },
            Change("running averages not updated", "training mode must update the running mean and variance (they are what inference uses): running ← (1 − m)·running + m·batch.") {
                $0.batchNorm = batchNormVariant(updateRunning: false)
            },
            Change("ε written in as 1e-5", "the forward uses ε = 1e-5 (the usual default) whatever it is given: use the `epsilon` argument (the grader passes 0.5 in one round).") {
                $0.batchNorm = { x, gamma, beta, running, training, momentum, _ in
                    F.reference.batchNorm(x, gamma, beta, running, training, momentum, 1e-5)
                }
            },
            Change("ε outside the square root", "ε goes inside the square root: x̂ = (x − μ)/√(σ² + ε), not (x − μ)/(σ + ε).") {
                $0.batchNorm = batchNormVariant(epsilonOutside: true)
            },
            Change("μ and σ² treated as constants in the backward", "the training backward treats μ and σ² as constants (dx = dOut·γ/√(σ² + ε)), but in training they are computed from the very batch being normalized: every row's gradient gets the terms through μ and σ² — see “Batch norm, backward”.") {
                $0.batchNorm = batchNormVariant(constantStatisticsBackward: true)
            },
            Change("dGamma without x̂", "∂L/∂γ = Σᵢ ∂L/∂outᵢ ⊙ x̂ᵢ: out = γ ⊙ x̂ + β, so γ's gradient is weighted by x̂.") {
                $0.batchNorm = batchNormVariant(dGammaWithoutNormalized: true)
            },
        ],
        alternatives: [
            Change("variance as E[x²] − μ², and the backward through means") {
                $0.batchNorm = { x, gamma, beta, running, training, momentum, eps in
                    let n = Double(x.shape[0])
                    let batchMean = x.mean(axis: 0)
                    let batchVariance = (x * x).mean(axis: 0) - batchMean * batchMean
                    let (mean, variance) = training ? (batchMean, batchVariance) : running
                    let newRunning: F.Running = training
                        ? (running.mean + momentum * (batchMean - running.mean), running.variance + momentum * (batchVariance * n / (n - 1) - running.variance))
                        : running
                    let s = pow(variance + eps, -0.5)
                    let normalized = (x - mean) * s
                    let backward: F.NormBackward = { dOut in
                        let dHat = dOut * gamma
                        let dx = training ? s * (dHat - dHat.mean(axis: 0) - normalized * (dHat * normalized).mean(axis: 0)) : dHat * s
                        return (dx, (normalized * dOut).sum(axis: 0), dOut.sum(axis: 0))
                    }
                    return (normalized * gamma + beta, newRunning, backward, backward)
                }
            },
        ]
    ) { candidate, peers, context in
        for round in 1...4 {
            let (x, gamma, beta, _) = randomNormInputs(&context, rows: round == 4 ? 2 : nil)
            let running: F.Running = (context.randomTensor([x.shape[1]]), abs(context.randomTensor([x.shape[1]])) + 0.2)
            let momentum = context.random.nextUniform(in: 0.05..<0.3), eps = round == 2 ? 0.5 : 1e-5
            for training in [true, false] {
                let got = candidate.batchNorm(x, gamma, beta, running, training, momentum, eps)
                let want = peers.reference.batchNorm(x, gamma, beta, running, training, momentum, eps)
                let situation = "\(training ? "training" : "inference") mode, x of shape \(x.shape)\(round == 4 ? " (a batch of two)" : ""), momentum \(Diagnosis.short(momentum)), ε = \(eps) (seed \(context.seed))"
                let inputs: [(name: String, value: Tensor)] = [("x", x), ("gamma", gamma), ("beta", beta), ("running.mean", running.mean), ("running.variance", running.variance)]
                // ε and the momentum change between rounds: a number typed in their place is shown by the value it gives.
                let epsilon = [Parameter("epsilon (ε)", eps, candidate: { candidate.batchNorm(x, gamma, beta, running, training, momentum, $0).out },
                                         reference: { peers.reference.batchNorm(x, gamma, beta, running, training, momentum, $0).out })]
                try expect(context, got.out, want.out, what: "batchNormForward's out", situation: situation, inputs: inputs, peers: peers, batchSize: x.shape[0],
                           parameters: epsilon) {
                    $0.batchNorm(x, gamma, beta, running, training, momentum, eps).out
                }
                let weight = [Parameter("momentum", momentum, candidate: { candidate.batchNorm(x, gamma, beta, running, training, $0, eps).running.mean },
                                        reference: { peers.reference.batchNorm(x, gamma, beta, running, training, $0, eps).running.mean })]
                try expect(context, got.running.mean, want.running.mean, what: "running.mean after batchNormForward", situation: situation, inputs: inputs, peers: peers,
                           parameters: weight) {
                    $0.batchNorm(x, gamma, beta, running, training, momentum, eps).running.mean
                }
                try expect(context, got.running.variance, want.running.variance, what: "running.variance after batchNormForward", situation: situation,
                           inputs: inputs, peers: peers) { $0.batchNorm(x, gamma, beta, running, training, momentum, eps).running.variance }
            }
        }
        context.pass("forward matches the reference in training and inference mode, running averages included, on 4 batches (one of two rows)")

        for round in 1...3 {
            let (x, gamma, beta, dOut) = randomNormInputs(&context, rows: round == 3 ? 2 : nil)
            let running: F.Running = (context.randomTensor([x.shape[1]]), abs(context.randomTensor([x.shape[1]])) + 0.2)
            for training in [true, false] {
                let got = candidate.batchNorm(x, gamma, beta, running, training, 0.1, 1e-5)
                let want = peers.reference.batchNorm(x, gamma, beta, running, training, 0.1, 1e-5)
                for simplified in [false, true] {
                    let form = simplified ? "batchNormBackwardSimplified" : "batchNormBackward"
                    let pick: @Sendable ((out: Tensor, running: F.Running, backward: F.NormBackward, simplified: F.NormBackward)) -> F.NormBackward = {
                        simplified ? $0.simplified : $0.backward
                    }
                    let g = pick(got)(dOut), w = pick(want)(dOut)
                    let situation = "\(training ? "training" : "inference") mode, x of shape \(x.shape) (seed \(context.seed))"
                    let inputs: [(name: String, value: Tensor)] = [("x", x), ("gamma", gamma), ("dOut", dOut)]
                    try expect(context, g.dx, w.dx, what: "dx of \(form)", situation: situation, inputs: inputs, peers: peers, batchSize: x.shape[0]) {
                        pick($0.batchNorm(x, gamma, beta, running, training, 0.1, 1e-5))(dOut).dx
                    }
                    try expect(context, g.dGamma, w.dGamma, what: "dGamma of \(form)", situation: situation, inputs: inputs, peers: peers, batchSize: x.shape[0]) {
                        pick($0.batchNorm(x, gamma, beta, running, training, 0.1, 1e-5))(dOut).dGamma
                    }
                    try expect(context, g.dBeta, w.dBeta, what: "dBeta of \(form)", situation: situation, inputs: inputs, peers: peers, batchSize: x.shape[0]) {
                        pick($0.batchNorm(x, gamma, beta, running, training, 0.1, 1e-5))(dOut).dBeta
                    }
                }
            }
        }
        context.pass("both backwards match the reference in training and inference mode (dx, dGamma, dBeta)")

        let (x, gamma, beta, dOut) = randomNormInputs(&context)
        let running: F.Running = (Tensor.zeros([x.shape[1]]), Tensor.ones([x.shape[1]]))
        let forward = { (x: Tensor, gamma: Tensor, beta: Tensor) in candidate.batchNorm(x, gamma, beta, running, true, 0.1, 1e-5).out }
        let result = candidate.batchNorm(x, gamma, beta, running, true, 0.1, 1e-5)
        let numeric = (dx: GradientCheck.numericalGradient(of: { forward($0, gamma, beta) }, at: x, upstream: dOut),
                       dGamma: GradientCheck.numericalGradient(of: { forward(x, $0, beta) }, at: gamma, upstream: dOut),
                       dBeta: GradientCheck.numericalGradient(of: { forward(x, gamma, $0) }, at: beta, upstream: dOut))
        for (form, backward) in [("batchNormBackward", result.backward), ("batchNormBackwardSimplified", result.simplified)] {
            let analytic = backward(dOut)
            try context.expectGradient(analytic: analytic.dx, numeric: numeric.dx, what: "dx of \(form)", situation: "training mode, x of shape \(x.shape)", threshold: gradientThreshold)
            try context.expectGradient(analytic: analytic.dGamma, numeric: numeric.dGamma, what: "dGamma of \(form)", situation: "training mode", threshold: gradientThreshold)
            try context.expectGradient(analytic: analytic.dBeta, numeric: numeric.dBeta, what: "dBeta of \(form)", situation: "training mode", threshold: gradientThreshold)
        }
        context.pass("gradient checks of dx, dGamma and dBeta for both backwards in training mode: relative error < 1e-7")
    }

    // MARK: - Layer norm

    static func layerNormVariant(statisticsAxis: Int = 1, epsilonOutside: Bool = false, constantStatisticsBackward: Bool = false,
                                 unbiased: Bool = false)
        -> @Sendable (Tensor, Tensor, Tensor, Double) -> (out: Tensor, backward: F.NormBackward) {
        { x, gamma, beta, eps in
            let n = Double(x.shape[statisticsAxis])
            let mean = x.mean(axis: statisticsAxis, keepingDims: true)
            let variance = x.variance(axis: statisticsAxis, keepingDims: true) * (unbiased ? n / (n - 1) : 1)
            let std = epsilonOutside ? sqrt(variance) + eps : sqrt(variance + eps)
            let normalized = (x - mean) / std
            let backward: F.NormBackward = { dOut in
                let dHat = dOut * gamma
                let dGamma = (dOut * normalized).sum(axis: 0), dBeta = dOut.sum(axis: 0)
                if constantStatisticsBackward { return (dHat / std, dGamma, dBeta) }
                let sumHat = dHat.sum(axis: statisticsAxis, keepingDims: true)
                let dotHat = (dHat * normalized).sum(axis: statisticsAxis, keepingDims: true)
                return ((1 / (n * std)) * (n * dHat - sumHat - normalized * dotHat), dGamma, dBeta)
            }
            return (gamma * normalized + beta, backward)
        }
    }

    static let layerNormSpec = Spec(
        id: "dnn.layerNorm", title: "Layer normalization, forward and backward", file: "LayerNorm.swift",
        declarations: ["layerNormForward(_:gamma:beta:epsilon:)", "layerNormBackward(_:cache:)"],
        hints: [
            "Layer norm normalizes each example over its own features instead of each feature over the batch. It needs no batch statistics, so it behaves the same in training and at test time and works with a batch of one — which is why Transformers (lesson 08) use it.",
            "The statistics are over axis 1 (one mean and one biased variance per row; keep the axis with `keepingDims: true` so they broadcast back over the row). γ and β are still one per feature, so their gradients sum over the rows, as in batch norm. Chapter section “Layer normalization”.",
            "Backward: batch norm's closed form with the roles of the axes swapped for dx: with dx̂ = dOut ⊙ γ and s the row's 1/√(σ² + ε), dx = (s/D)·(D·dx̂ − Σⱼ dx̂ − x̂ ⊙ Σⱼ(dx̂ ⊙ x̂)), the sums over each row (chapter section “Layer norm, backward”). dβ = Σᵢ dOut and dγ = Σᵢ dOut ⊙ x̂, the sums over the rows.",
            "Sketch: `let mean = x.mean(axis: 1, keepingDims: true)`, `let variance = x.variance(axis: 1, keepingDims: true)`, `let inverseStd = 1 / sqrt(variance + epsilon)` — an `[N, 1]` column, which is what the cache holds.",
        ],
        standard: "forward and backward (dx, dGamma, dBeta) compared with the reference on 3 random inputs with rows of different offsets and scales (ε of 1e-5 and 0.5) and a batch of one; gradient checks of dx, dGamma and dBeta (relative error < 1e-7); |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("statistics over the batch axis", "the mean and variance are taken over each column (axis 0, the batch — that is batch norm); layer norm normalizes each row over its own features: axis 1.") {
                $0.layerNorm = layerNormVariant(statisticsAxis: 0)
            },
            Change("ε outside the square root", "ε goes inside the square root: x̂ = (x − μ)/√(σ² + ε).") {
                $0.layerNorm = layerNormVariant(epsilonOutside: true)
            },
            Change("μ and σ² treated as constants in the backward", "the backward treats each row's μ and σ² as constants, but they are computed from the row itself: dx needs the two extra terms through them — see “Layer norm, backward”.") {
                $0.layerNorm = layerNormVariant(constantStatisticsBackward: true)
            },
            Change("unbiased variance", "layer norm uses the biased variance, dividing by D (as `variance(axis:)` does), not by D − 1.") {
                $0.layerNorm = layerNormVariant(unbiased: true)
            },
        ],
        alternatives: [
            Change("rows normalized as batch norm of the transpose") {
                $0.layerNorm = { x, gamma, beta, eps in
                    let n = x.shape[0]
                    let bn = F.reference.batchNorm(x.transposed(), Tensor.ones([n]), Tensor.zeros([n]), (Tensor.zeros([n]), Tensor.ones([n])), true, 0.1, eps)
                    let normalized = bn.out.transposed()
                    return (normalized * gamma + beta, { dOut in
                        let dx = bn.simplified((dOut * gamma).transposed()).dx.transposed()
                        return (dx, (dOut * normalized).sum(axis: 0), dOut.sum(axis: 0))
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        for round in 1...4 {
            // Rows with their own offsets and scales (transpose of the batch-norm inputs), so the wrong axis shows.
            let (xt, _, _, _) = randomNormInputs(&context, rows: round == 4 ? nil : nil)
            let x = round == 4 ? xt.transposed().slice(axis: 0, 0..<1) : xt.transposed()
            let d = x.shape[1]
            let gamma = context.randomTensor([d]) + 1, beta = context.randomTensor([d]), dOut = context.randomTensor(x.shape)
            let eps = round == 2 ? 0.5 : 1e-5
            let got = candidate.layerNorm(x, gamma, beta, eps), want = peers.reference.layerNorm(x, gamma, beta, eps)
            let situation = "x of shape \(x.shape)\(round == 4 ? " (a batch of one)" : ""), ε = \(eps) (seed \(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("x", x), ("gamma", gamma), ("beta", beta)]
            try expect(context, got.out, want.out, what: "layerNormForward's out", situation: situation, inputs: inputs, peers: peers,
                       parameters: [Parameter("epsilon (ε)", eps, candidate: { candidate.layerNorm(x, gamma, beta, $0).out },
                                              reference: { peers.reference.layerNorm(x, gamma, beta, $0).out })]) {
                $0.layerNorm(x, gamma, beta, eps).out
            }
            let g = got.backward(dOut), w = want.backward(dOut)
            let withUpstream = inputs + [("dOut", dOut)]
            try expect(context, g.dx, w.dx, what: "dx of layerNormBackward", situation: situation, inputs: withUpstream, peers: peers) {
                $0.layerNorm(x, gamma, beta, eps).backward(dOut).dx
            }
            try expect(context, g.dGamma, w.dGamma, what: "dGamma of layerNormBackward", situation: situation, inputs: withUpstream, peers: peers,
                       batchSize: x.shape[0]) { $0.layerNorm(x, gamma, beta, eps).backward(dOut).dGamma }
            try expect(context, g.dBeta, w.dBeta, what: "dBeta of layerNormBackward", situation: situation, inputs: withUpstream, peers: peers,
                       batchSize: x.shape[0]) { $0.layerNorm(x, gamma, beta, eps).backward(dOut).dBeta }
            if round == 1 {
                let numeric = (dx: GradientCheck.numericalGradient(of: { candidate.layerNorm($0, gamma, beta, eps).out }, at: x, upstream: dOut),
                               dGamma: GradientCheck.numericalGradient(of: { candidate.layerNorm(x, $0, beta, eps).out }, at: gamma, upstream: dOut),
                               dBeta: GradientCheck.numericalGradient(of: { candidate.layerNorm(x, gamma, $0, eps).out }, at: beta, upstream: dOut))
                try context.expectGradient(analytic: g.dx, numeric: numeric.dx, what: "dx of layerNormBackward", situation: situation, threshold: gradientThreshold)
                try context.expectGradient(analytic: g.dGamma, numeric: numeric.dGamma, what: "dGamma of layerNormBackward", situation: situation, threshold: gradientThreshold)
                try context.expectGradient(analytic: g.dBeta, numeric: numeric.dBeta, what: "dBeta of layerNormBackward", situation: situation, threshold: gradientThreshold)
            }
        }
        context.pass("forward and backward match the reference on 3 inputs and a batch of one; gradient checks < 1e-7")
    }
}
