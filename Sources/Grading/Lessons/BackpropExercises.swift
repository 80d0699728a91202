import CourseKit
import Foundation
import Implementations

/// Lesson 04 — Backpropagation and the multilayer perceptron: layers with
/// caches, networks built from them, and minibatch SGD.
enum BackpropLesson {
    typealias F = BackpropFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "04-backprop"

    static var exercises: [Exercise] {
        [affineSpec, reluSpec, twoLayerSpec, deepNetSpec, trainingSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    /// Random x `[N, D]`, W `[D, M]`, b `[M]`, dOut `[N, M]` with N ≠ D ≠ M where the sizes allow,
    /// so a transposed product shows as a wrong shape.
    static func randomLayerInputs(_ context: inout GradingContext, batchOfOne: Bool = false)
        -> (x: Tensor, w: Tensor, b: Tensor, dOut: Tensor) {
        let n = batchOfOne ? 1 : context.random.nextInt(in: 2...6)
        var d = context.random.nextInt(in: 2...6), m = context.random.nextInt(in: 2...6)
        while d == n { d += 1 }
        while m == n || m == d { m += 1 }
        return (context.randomTensor([n, d]), context.randomTensor([d, m]), context.randomTensor([m]), context.randomTensor([n, m]))
    }

    /// Forward and backward of a layer `(x, W, b) → out` against the reference,
    /// then a gradient check of dx, dW and db against the candidate's own forward.
    static func checkLayer(_ name: String, candidate: F, peers: Peers<F>, _ context: inout GradingContext,
                           select: @escaping @Sendable (F) -> (Tensor, Tensor, Tensor) -> (out: Tensor, backward: F.LayerBackward),
                           keepAwayFromKinks: Bool) throws {
        let mine = select(candidate), reference = select(peers.reference)
        var rounds: [(String, Tensor, Tensor, Tensor, Tensor)] = []
        // A square layer first (N = D = M): there a missing or extra transpose runs and gives wrong numbers,
        // which can be diagnosed; with N, D and M distinct it would trap in matmul before any check.
        let side = context.random.nextInt(in: 2...5)
        rounds.append(("a square layer, N = D = M = \(side) (seed \(context.seed))", context.randomTensor([side, side]),
                       context.randomTensor([side, side]), context.randomTensor([side]), context.randomTensor([side, side])))
        for round in 1...4 {
            let (x, w, b, dOut) = randomLayerInputs(&context, batchOfOne: round == 4)
            rounds.append((round == 4 ? "a batch of one (seed \(context.seed))" : "random layer #\(round) (seed \(context.seed))", x, w, b, dOut))
        }
        for (situation, x, w, b, dOut) in rounds {
            let inputs: [(name: String, value: Tensor)] = [("x", x), ("weights", w), ("bias", b)]
            let got = mine(x, w, b), want = reference(x, w, b)
            try context.expectClose(got.out, want.out, what: "the output of \(name)Forward", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { select($0)(x, w, b).out })
            let g = got.backward(dOut), r = want.backward(dOut)
            let withUpstream = inputs + [("dOut", dOut)]
            try context.expectClose(g.dx, r.dx, what: "dx of \(name)Backward", situation: situation, inputs: withUpstream,
                                    batchSize: x.shape[0], suspects: peers.suspects { select($0)(x, w, b).backward(dOut).dx })
            try context.expectClose(g.dWeights, r.dWeights, what: "dWeights of \(name)Backward", situation: situation, inputs: withUpstream,
                                    batchSize: x.shape[0], suspects: peers.suspects { select($0)(x, w, b).backward(dOut).dWeights })
            try context.expectClose(g.dBias, r.dBias, what: "dBias of \(name)Backward", situation: situation, inputs: withUpstream,
                                    batchSize: x.shape[0], suspects: peers.suspects { select($0)(x, w, b).backward(dOut).dBias })
        }
        context.pass("\(name)Forward and \(name)Backward match the reference on a square layer, 3 random layers and a batch of one")

        let (x, w, initialBias, dOut) = randomLayerInputs(&context)
        var b = initialBias
        if keepAwayFromKinks {
            // Move every pre-activation at least 0.05 from ReLU's kink by shifting its column's bias; a column
            // shifted often enough ends up all positive, so this stops (the bound is far above what it needs).
            for _ in 0..<1_000 {
                let tooClose = abs(matmul(x, w) + b).min(axis: 0).map { $0 < 0.05 ? 1 : 0 }
                if tooClose.sum() == 0 { break }
                b = b + 0.13 * tooClose
            }
        }
        let (frozenX, frozenW, frozenB) = (x, w, b)
        let analytic = mine(x, w, b).backward(dOut)
        let checks: [(String, Tensor, Tensor)] = [
            ("dx", analytic.dx, GradientCheck.numericalGradient(of: { mine($0, frozenW, frozenB).out }, at: x, upstream: dOut)),
            ("dWeights", analytic.dWeights, GradientCheck.numericalGradient(of: { mine(frozenX, $0, frozenB).out }, at: w, upstream: dOut)),
            ("dBias", analytic.dBias, GradientCheck.numericalGradient(of: { mine(frozenX, frozenW, $0).out }, at: b, upstream: dOut)),
        ]
        var worst = 0.0
        for (what, a, n) in checks {
            try context.expectGradient(analytic: a, numeric: n, what: "\(what) of \(name)Backward", situation: "x of shape \(x.shape)",
                                       threshold: gradientThreshold)
            worst = max(worst, GradientCheck.relativeError(a, n))
        }
        context.pass("gradient check of dx, dWeights and dBias: largest relative error \(Diagnosis.short(worst)) < 1e-7")
    }

    /// The reference affine layer whose backward returns `change(dOut, x, correct gradients)`:
    /// one known mistake in the gradients, the forward untouched.
    static func affineChangingGradients(
        _ change: @escaping @Sendable (_ dOut: Tensor, _ x: Tensor, _ correct: (dx: Tensor, dWeights: Tensor, dBias: Tensor))
            -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    ) -> @Sendable (Tensor, Tensor, Tensor) -> (out: Tensor, backward: F.LayerBackward) {
        { x, w, b in
            let (out, backward) = BackpropFunctions.reference.affine(x, w, b)
            return (out, { dOut in change(dOut, x, backward(dOut)) })
        }
    }

    // MARK: - Affine

    static let affineSpec = Spec(
        id: "mlp.affine", title: "Affine layer: forward and backward, with a cache", file: "Affine.swift",
        declarations: ["affineForward(_:weights:bias:)", "affineBackward(_:cache:)"],
        hints: [
            "Forward: out = xW + b, with b added to every row. The backward needs x (for dW) and W (for dx): that is the cache.",
            "Read the chapter's section “The affine layer”. `matmul`, `.transposed()` and `sum(axis: 0)` are all you need.",
            "Each gradient has the shape of its variable, which pins down the product: dx = G Wᵀ is [N, M]·[M, D] = [N, D], dW = xᵀ G is [D, N]·[N, M] = [D, M], and db sums G over the batch axis, [M]. With square W a missing transpose still has the right shape — check with D ≠ M.",
            "A sketch of the backward: `let dx = matmul(dOut, …); let dWeights = matmul(…, dOut); return (dx, dWeights, dOut.sum(axis: …))`.",
        ],
        standard: "output, dx, dWeights and dBias compared with the reference on a square layer (N = D = M, where a missing transpose runs and is caught before it could trap) and 3 random layers (N in 2–6, D and M in 2–6, N, D, M distinct) and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of dx, dWeights and dBias against your forward: relative error < 1e-7",
        mistakes: [
            Change("bias averaged over the batch", "dBias is the mean of dOut over the batch: b is added to every row, so its gradient is the sum over the rows, `dOut.sum(axis: 0)` (the 1/N, if any, is already inside dOut).") {
                $0.affine = affineChangingGradients { dOut, _, r in (r.dx, r.dWeights, dOut.mean(axis: 0)) }
            },
            Change("bias gradient summed over the wrong axis", "dBias sums dOut along each row (axis 1): b has one entry per output unit, so sum over the batch, `dOut.sum(axis: 0)`, shape [M].") {
                $0.affine = affineChangingGradients { dOut, _, r in (r.dx, r.dWeights, dOut.sum(axis: 1)) }
            },
            Change("dW divided by N", "dWeights is divided by the batch size: the upstream gradient already carries any 1/N from the loss; dW = xᵀ·dOut exactly.") {
                $0.affine = affineChangingGradients { _, x, r in (r.dx, r.dWeights / Double(x.shape[0]), r.dBias) }
            },
            Change("bias left out of the forward", "the forward computes xW without the bias: out = xW + b.") {
                $0.affine = { x, w, b in
                    let (_, backward) = BackpropFunctions.reference.affine(x, w, b)
                    return (matmul(x, w), backward)
                }
            },
            Change("dx without the transpose of W", "dx is dOut·W: W is [D, M] and dOut is [N, M], so dx = dOut·Wᵀ, [N, M]·[M, D] = [N, D]. With D ≠ M the product without the transpose does not even have matching sizes (it traps in matmul); with a square W it runs and is wrong.") {
                $0.affine = { x, w, b in
                    let (out, backward) = BackpropFunctions.reference.affine(x, w, b)
                    return (out, { dOut in
                        let r = backward(dOut)
                        // With D ≠ M the learner's product traps: there is no output to reproduce (an empty tensor).
                        return (w.shape[0] == w.shape[1] ? matmul(dOut, w) : Tensor.zeros([0]), r.dWeights, r.dBias)
                    })
                }
            },
            Change("dW transposed: dOutᵀ·x", "dWeights is dOutᵀ·x, of shape [M, D]: W is [D, M], and its gradient has its shape, dW = xᵀ·dOut, [D, N]·[N, M].") {
                $0.affine = affineChangingGradients { dOut, x, r in (r.dx, matmul(dOut.transposed(), x), r.dBias) }
            },
            Change("dx with the sign flipped", "dx has the wrong sign: dx = +dOut·Wᵀ (the chain rule multiplies; nothing is subtracted here).") {
                $0.affine = affineChangingGradients { _, _, r in (-1 * r.dx, r.dWeights, r.dBias) }
            },
        ],
        alternatives: [
            Change("explicit loops over the batch") {
                $0.affine = { x, w, b in
                    let n = x.shape[0], d = x.shape[1], m = w.shape[1]
                    var out = Tensor.zeros([n, m])
                    for i in 0..<n {
                        for j in 0..<m {
                            var total = b[j]
                            for k in 0..<d { total += x[i, k] * w[k, j] }
                            out.withScalars { $0[i * m + j] = total }
                        }
                    }
                    return (out, { dOut in
                        var dW = Tensor.zeros([d, m])
                        for i in 0..<n { dW = dW + outer(x.row(i), dOut.row(i)) }
                        return (matmul(dOut, w.transposed()), dW, matmul(Tensor.ones([n]), dOut))
                    })
                }
            },
        ]
    ) { candidate, peers, context in
        try checkLayer("affine", candidate: candidate, peers: peers, &context, select: { $0.affine }, keepAwayFromKinks: false)
    }
}
