import CourseKit
import Foundation
import Implementations

extension LinearRegressionLesson {
    // MARK: - fit

    /// A training loop built from the reference's loss and step, changed in one place.
    static func referenceLoop(startWeights: Double = 0, lossAfterStep: Bool = false, updateBias: Bool = true,
                              extraStep: Bool = false, stopWhenNotFinite: Bool = false, halveAfter: Int? = nil)
        -> @Sendable (Tensor, Tensor, Double, Int) -> (weights: Tensor, bias: Double, losses: [Double]) {
        { X, y, learningRate, epochs in
            let f = LinearRegressionFunctions.reference
            var w = Tensor(shape: [X.shape[1]], repeating: startWeights), b = 0.0
            var losses: [Double] = []
            for epoch in 0..<(epochs + (extraStep ? 1 : 0)) {
                let (loss, dw, db) = f.mseLoss(X, y, w, b)
                if stopWhenNotFinite && !loss.isFinite { break }
                if !lossAfterStep && epoch < epochs { losses.append(loss) }
                let rate = halveAfter.map { epoch >= $0 ? learningRate / 2 : learningRate } ?? learningRate
                let step = f.gradientDescentStep(w, b, dw, db, rate)
                w = step.weights
                if updateBias { b = step.bias }
                if lossAfterStep { losses.append(f.mseLoss(X, y, w, b).loss) }
            }
            return (w, b, losses)
        }
    }

    static let fitSpec = Spec(
        id: "linreg.fit", title: "The training loop", file: "Fit.swift",
        declarations: ["fit(_:_:learningRate:epochs:)"],
        hints: [
            "Training is a loop: measure the loss and its gradients at the current parameters, remember the loss, step downhill, repeat. It calls your mseLoss and gradientDescentStep, so do linreg.mse and linreg.step first.",
            "Read the chapter's sections “Gradient descent” and “How big a step?”. Start from w = 0 (`Tensor.zeros([X.shape[1]])`) and b = 0.",
            "Every epoch records exactly one loss — the loss before that epoch's step — so `losses` has `epochs` entries, even when the loss grows to ∞ or NaN (a diverging run must show it). η stays what it was given, every epoch.",
            "A sketch: `for _ in 0..<epochs { let (loss, dw, db) = mseLoss(…); losses.append(loss); (weights, bias) = gradientDescentStep(…) }`.",
        ],
        standard: "weights, bias and the loss history compared with the reference on 4 random problems (N in 4–12, D in 1–3, 60–90 epochs once and 1–25 otherwise, η from 0.02 to 0.1) with 0 epochs (no steps, no losses) and on an easy problem for 600 epochs (every epoch runs, even once the gradient is ~0) within |error| ≤ 1e-8 + 1e-6·|expected|; integration: 300 epochs with η = 0.1 on y = 2x₁ − 3x₂ + 1.5x₃ + 4 + noise record all 300 losses as the reference does and lower the loss to below 5% of its start",
        mistakes: [
            Change("loss recorded after the step", "each loss is recorded after the step: losses[i] must be the loss before step i (so losses[0] is the loss at w = 0).") {
                $0.fit = referenceLoop(lossAfterStep: true)
            },
            Change("weights start at one", "the weights start at 1: start from w = 0 and b = 0.") {
                $0.fit = referenceLoop(startWeights: 1)
            },
            Change("bias never updated", "the bias never moves: take its step too.") {
                $0.fit = referenceLoop(updateBias: false)
            },
            Change("one step too many", "the loop takes epochs + 1 steps: exactly `epochs` steps, one loss recorded before each.") {
                $0.fit = referenceLoop(extraStep: true)
            },
            Change("stops once the loss is ∞ or NaN", "training stops when the loss stops being finite: a diverging run must still record one loss per epoch (∞ and NaN included) — that is how its divergence shows.") {
                $0.fit = referenceLoop(stopWhenNotFinite: true)
            },
            Change("η halved after 100 epochs", "the learning rate changes during training (halved after epoch 100 here): fit must use the η it is given, every epoch — a schedule of its own shows on a run still far from converged late.") {
                $0.fit = referenceLoop(halveAfter: 100)
            },
        ],
        alternatives: [
            Change("a while loop with the loss recomputed") {
                $0.fit = { X, y, lr, epochs in
                    let f = LinearRegressionFunctions.reference
                    var w = Tensor.zeros([X.shape[1]]), b = 0.0, losses: [Double] = []
                    while losses.count < epochs {
                        let grads = f.mseLoss(X, y, w, b)
                        losses.append(grads.loss)
                        w = w - lr * grads.dWeights
                        b -= lr * grads.dBias
                    }
                    return (w, b, losses)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.mse, .step], of: "linreg.fit", candidate: candidate, reference: peers.reference) { context in
            try checkFit(candidate, peers: peers, &context)
        }
    }

    static func checkFit(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        for round in 1...4 {
            let p = randomProblem(&context, rows: 4...12, features: 1...3)
            // A different η each round, so a learning rate hard-coded inside fit shows.
            // The first round runs long enough (and slowly enough, η = 0.02) that a schedule of its own shows.
            let epochs = round == 1 ? context.random.nextInt(in: 60...90) : context.random.nextInt(in: 1...25)
            let lr = [0.02, 0.05, 0.08, 0.1][round - 1]
            let inputs = p.inputs.filter { $0.name == "X" || $0.name == "y" } + [("epochs", Tensor([Double(epochs)])), ("learningRate", Tensor([lr]))]
            let got = candidate.fit(p.X, p.y, lr, epochs), want = peers.reference.fit(p.X, p.y, lr, epochs)
            let situation = "random problem #\(round) (seed \(context.seed))"
            try context.expectClose(Tensor(got.losses), Tensor(want.losses), what: "the loss history", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.fit(p.X, p.y, lr, epochs).losses) })
            try context.expectClose(got.weights, want.weights, what: "the fitted weights", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { $0.fit(p.X, p.y, lr, epochs).weights })
            try context.expectClose(got.bias, want.bias, what: "the fitted bias", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.fit(p.X, p.y, lr, epochs).bias) })
        }
        // An easy problem run long: the gradient reaches rounding level early, and fit must still run every epoch.
        let easyX = Tensor([[1, 0], [0, 1], [1, 1], [-1, 1]]), easyY = Tensor([1, 2, 3, 1.5])
        try context.expectClose(Tensor(candidate.fit(easyX, easyY, 0.5, 600).losses), Tensor(peers.reference.fit(easyX, easyY, 0.5, 600).losses),
                                what: "the loss history", situation: "an easy problem, 600 epochs with η = 0.5 (the gradient reaches rounding level long before)",
                                inputs: [("X", easyX), ("y", easyY)])
        // Still far from converged at epoch 300 (one feature 20 times smaller than the other, and
        // the target leans on it): a learning rate that changes late shows in the late losses.
        let slowX = Tensor.stack([context.randomTensor([30]), 0.05 * context.randomTensor([30])], axis: 1)
        let slowY = matmul(slowX, Tensor([3, 20])) + 1
        let slow = candidate.fit(slowX, slowY, 0.1, 300), slowWant = peers.reference.fit(slowX, slowY, 0.1, 300)
        try context.expectClose(Tensor(slow.losses), Tensor(slowWant.losses), what: "the loss history",
                                situation: "300 epochs with η = 0.1 on a problem still far from converged at the end (seed \(context.seed))",
                                inputs: [("X", slowX), ("y", slowY)],
                                suspects: peers.suspects { Tensor($0.fit(slowX, slowY, 0.1, 300).losses) })
        try context.expectClose(slow.weights, slowWant.weights, what: "the fitted weights",
                                situation: "300 epochs with η = 0.1 on a problem still far from converged at the end (seed \(context.seed))",
                                inputs: [("X", slowX), ("y", slowY)], suspects: peers.suspects { $0.fit(slowX, slowY, 0.1, 300).weights })
        try checkDivergingFit(candidate, peers: peers, &context)
        let p = randomProblem(&context, rows: 3...5, features: 1...2)
        let none = candidate.fit(p.X, p.y, 0.1, 0)
        try context.expectClose(Double(none.losses.count), 0, what: "the number of losses", situation: "epochs = 0",
                                inputs: [("X", p.X), ("y", p.y)])
        try context.expectClose(none.weights, Tensor.zeros([p.X.shape[1]]), what: "the weights", situation: "epochs = 0 (no step: w = 0)",
                                inputs: [("X", p.X), ("y", p.y)])
        context.pass("fit matches the reference on 4 random problems (η from 0.02 to 0.1), a run far from converged at epoch 300, a diverging run and with 0 epochs")
        // Fixed true parameters, so the starting loss (about 31) is far above the noise floor (0.01).
        let X = context.randomTensor([40, 3])
        let y = matmul(X, Tensor([2, -3, 1.5])) + 4 + context.randomTensor([40], scale: 0.1)
        let run = candidate.fit(X, y, 0.1, 300), long = peers.reference.fit(X, y, 0.1, 300)
        // All 300 epochs, step for step like the reference: no early stop, no schedule of its own.
        try context.expectClose(Tensor(run.losses), Tensor(long.losses), what: "the loss history of a 300-epoch run",
                                situation: "300 epochs with η = 0.1 (seed \(context.seed))", inputs: [("X", X), ("y", y)])
        guard let first = run.losses.first, let last = run.losses.last, last < 0.05 * first else {
            throw CheckFailure("training does not lower the loss enough: after 300 epochs with η = 0.1 the loss went from \(Diagnosis.short(run.losses.first ?? .nan)) to \(Diagnosis.short(run.losses.last ?? .nan)); it should fall below 5% of where it started.")
        }
        context.pass("training lowers the loss from \(Diagnosis.short(first)) to \(Diagnosis.short(last)) in 300 epochs")
    }

    /// η = 1 on a problem whose largest curvature makes that step too long: the loss grows
    /// about tenfold per epoch, reaches ∞ near epoch 150 and NaN after. All 200 losses must be
    /// there; they are compared with the reference's while it is below 1e50, and must stay
    /// beyond it (or be ∞ or NaN) after.
    static func checkDivergingFit(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        let X = Tensor([[1, 2], [2, 1], [1, 1], [3, 1]]), y = Tensor([1, 2, 3, 4])
        let situation = "a diverging run: 200 epochs with η = 1, too large for this X"
        let inputs: [(name: String, value: Tensor)] = [("X", X), ("y", y), ("learningRate", Tensor([1])), ("epochs", Tensor([200]))]
        let got = candidate.fit(X, y, 1, 200).losses, want = peers.reference.fit(X, y, 1, 200).losses
        do {
            try context.expectClose(Double(got.count), Double(want.count), what: "the number of losses", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor(Double($0.fit(X, y, 1, 200).losses.count)) })
        } catch let failure as CheckFailure {
            let stop = got.last.map { "the last was \(Diagnosis.short($0))" } ?? "none at all"
            throw CheckFailure(failure.diagnosis + """

                  your fit returned \(got.count) losses for 200 epochs (\(stop)); the reference's run blows up to ∞ at epoch \
                \((want.firstIndex { !$0.isFinite } ?? want.count) + 1) and goes on to NaN, recording all 200.
                  observed: your loop stops early on a diverging run — when the loss rises, or when it is ∞ or NaN. \
                Record one loss per epoch whatever its value: a diverging run must show its divergence.
                """)
        }
        let finite = want.firstIndex { !($0.magnitude < 1e50) } ?? want.count
        try context.expectClose(Tensor(Array(got.prefix(finite))), Tensor(Array(want.prefix(finite))), what: "the loss history",
                                situation: situation + " (the epochs before the loss passes 1e50)", inputs: inputs,
                                suspects: peers.suspects { Tensor(Array($0.fit(X, y, 1, 200).losses.prefix(finite))) })
        if let index = got.indices.dropFirst(finite).first(where: { got[$0].magnitude < 1e50 }) {
            throw CheckFailure("the loss history — wrong for \(situation): the reference's loss has passed 1e50 by epoch \(finite + 1) and never comes back, but yours is \(Diagnosis.short(got[index])) at epoch \(index + 1). Does your loop change something once the loss is large (η, or a reset)?")
        }
    }

    // MARK: - normal equations

    static let normalEquationsSpec = Spec(
        id: "linreg.normalEquations", title: "The normal equations", file: "NormalEquations.swift",
        declarations: ["solveNormalEquations(_:_:)"],
        hints: [
            "At the minimum of the MSE its gradient is zero: Xᵀ(Xw + b − y) = 0 and Σ(Xw + b − y) = 0. Folding the bias into the weights with a column of ones, A = [X | 1], these become Aᵀ A θ = Aᵀ y with θ = (w, b).",
            "Read the chapter's section “The closed form: normal equations”. `Tensor.concatenate([X, Tensor.ones([N, 1])], axis: 1)` appends the column; `solveLinearSystem(A, b)` solves A θ = b.",
            "A = [X | 1] is [N, D + 1], so AᵀA is [D + 1, D + 1] and Aᵀy is [D + 1]. With the ones column last, θ's first D entries are w and its last entry is b.",
            "A sketch: `let A = …; let At = A.transposed(); let theta = solveLinearSystem(matmul(At, A), …)`, then split θ with `theta.slice(axis: 0, 0..<d)` and `theta[d]`.",
        ],
        standard: "compared with the reference on 4 random problems (N in 6–15, D in 1–4), a fifth of the first one's shape and an exact fit within |error| ≤ 1e-8 + 1e-6·|expected|; optimality: the MSE gradient at your solution is below 1e-8",
        mistakes: [
            Change("no column of ones", "the weights were solved without a column of ones (XᵀX w = Xᵀy), which fits a plane through the origin: append a column of ones to X and solve for (w, b) together.") {
                $0.solveNormalEquations = { X, y in
                    (solveLinearSystem(matmul(X.transposed(), X), matmul(X.transposed(), y)), 0)
                }
            },
            Change("bias = mean of y", "b = ȳ with w from the uncentered X is only right when every feature has mean 0: solve for w and b together.") {
                $0.solveNormalEquations = { X, y in
                    let yMean = y.mean()
                    return (solveLinearSystem(matmul(X.transposed(), X), matmul(X.transposed(), y - yMean)), yMean)
                }
            },
            Change("ones column first, bias read last", "the ones column and the entry read as the bias don't line up: with A = [1 | X], θ[0] is the bias.") {
                $0.solveNormalEquations = { X, y in
                    let d = X.shape[1]
                    let A = Tensor.concatenate([Tensor.ones([X.shape[0], 1]), X], axis: 1)
                    let theta = solveLinearSystem(matmul(A.transposed(), A), matmul(A.transposed(), y))
                    return (theta.slice(axis: 0, 0..<d), theta[d])
                }
            },
        ],
        alternatives: [
            Change("a column of ones first, the bias read first") {
                $0.solveNormalEquations = { X, y in
                    let A = Tensor.concatenate([Tensor.ones([X.shape[0], 1]), X], axis: 1)
                    let theta = solveLinearSystem(matmul(A.transposed(), A), matmul(A.transposed(), y))
                    return (theta.slice(axis: 0, 1..<(X.shape[1] + 1)), theta[0])
                }
            },
            Change("centered data, bias recovered from the means") {
                $0.solveNormalEquations = { X, y in
                    let xMean = X.mean(axis: 0), yMean = y.mean()
                    let Xc = X - xMean
                    let w = solveLinearSystem(matmul(Xc.transposed(), Xc), matmul(Xc.transposed(), y - yMean))
                    return (w, yMean - dot(xMean, w))
                }
            },
        ]
    ) { candidate, peers, context in
        // One problem for each number of features from 1 to 4, so code that only works for small D shows.
        var cases: [(String, Problem)] = (1...4).map { d in ("a random problem with \(d) feature\(d == 1 ? "" : "s") (seed \(context.seed))", randomProblem(&context, rows: 6...15, features: d...d)) }
        // The first problem's shape again with other data: an answer remembered by shape shows.
        let (firstRows, firstFeatures) = (cases[0].1.X.shape[0], cases[0].1.X.shape[1])
        cases.append(("a second problem of the same shape (seed \(context.seed))",
                      randomProblem(&context, rows: firstRows...firstRows, features: firstFeatures...firstFeatures)))
        var exact = randomProblem(&context, rows: 7...7, features: 2...2)
        exact.y = matmul(exact.X, Tensor([1.5, -2])) + 0.75
        cases.append(("an exact fit (y = 1.5·x₁ − 2·x₂ + 0.75)", exact))
        for (situation, p) in cases {
            let inputs = p.inputs.filter { $0.name == "X" || $0.name == "y" }
            let got = candidate.solveNormalEquations(p.X, p.y), want = peers.reference.solveNormalEquations(p.X, p.y)
            try context.expectClose(got.weights, want.weights, what: "the weights from solveNormalEquations", situation: situation,
                                    inputs: inputs, suspects: peers.suspects { $0.solveNormalEquations(p.X, p.y).weights })
            try context.expectClose(got.bias, want.bias, what: "the bias from solveNormalEquations", situation: situation,
                                    inputs: inputs, suspects: peers.suspects { Tensor($0.solveNormalEquations(p.X, p.y).bias) })
            let gradient = peers.reference.mseLoss(p.X, p.y, got.weights, got.bias)
            let size = max(gradient.dWeights.scalars.map(abs).max() ?? 0, abs(gradient.dBias))
            guard size < 1e-8 else {
                throw CheckFailure("the MSE gradient at your solution is \(Diagnosis.short(size)), not 0 (\(situation)): the solution of the normal equations is where the gradient vanishes.")
            }
        }
        context.pass("solveNormalEquations matches the reference on 5 random problems (two of one shape) and an exact fit; the gradient vanishes there")
    }

    // MARK: - ridge

    static let ridgeSpec = Spec(
        id: "linreg.ridge", title: "Ridge regression: loss, gradients and closed form", file: "Ridge.swift",
        declarations: ["ridgeLoss(_:_:weights:bias:lambda:)", "solveRidge(_:_:lambda:)"],
        hints: [
            "Ridge adds λ‖w‖² to the MSE. The bias is not penalized (shifting all targets by a constant should not cost anything). The derivative of λ Σ wⱼ² is 2λw, so only dWeights changes. For the closed form, centering X and y removes the bias from the problem.",
            "Read the chapter's section “Ridge regression”. ridgeLoss reuses your mseLoss. solveRidge works on centered data: Xc = X − x̄ (`X.mean(axis: 0)`), yc = y − ȳ; `Tensor.identity(d)` and `solveLinearSystem` do the rest.",
            "Setting the gradient (2/N)Xcᵀ(Xc w − yc) + 2λw to 0 and multiplying by N/2 gives (XcᵀXc + NλI) w = Xcᵀyc — N, the number of rows, times λ. Then b = ȳ − x̄·w.",
            "A sketch of solveRidge: `let weights = solveLinearSystem(matmul(Xc.transposed(), Xc) + … * Tensor.identity(d), matmul(Xc.transposed(), yc)); return (weights, yMean - …)`.",
        ],
        standard: "ridgeLoss: loss and gradients compared with the reference on 4 random problems and 4 edge cases (λ = 0.1 and 2.5) within |error| ≤ 1e-8 + 1e-6·|expected|, gradient check relative error < 1e-7; solveRidge: compared with the reference on 4 random problems, and the ridge gradient at your solution is below 1e-8",
        mistakes: [
            Change("bias penalized", "the bias is penalized: λ‖w‖² covers the weights only, so dBias is the plain MSE gradient.") {
                $0.ridgeLoss = { X, y, w, b, lambda in
                    let m = LinearRegressionFunctions.reference.mseLoss(X, y, w, b)
                    return (m.loss + lambda * ((w * w).sum() + b * b), m.dWeights + 2 * lambda * w, m.dBias + 2 * lambda * b)
                }
            },
            Change("penalty gradient without the 2", "the penalty's gradient is 2λw, not λw.") {
                $0.ridgeLoss = { X, y, w, b, lambda in
                    let m = LinearRegressionFunctions.reference.mseLoss(X, y, w, b)
                    return (m.loss + lambda * (w * w).sum(), m.dWeights + lambda * w, m.dBias)
                }
            },
            Change("penalty missing from the gradient", "λ‖w‖² is in the loss but not in dWeights: its derivative 2λw must be added there too.") {
                $0.ridgeLoss = { X, y, w, b, lambda in
                    let m = LinearRegressionFunctions.reference.mseLoss(X, y, w, b)
                    return (m.loss + lambda * (w * w).sum(), m.dWeights, m.dBias)
                }
            },
            Change("closed-form bias = mean of y", "the closed form's bias is ȳ: with centered data the bias is b = ȳ − x̄·w.") {
                $0.solveRidge = { X, y, lambda in
                    let xMean = X.mean(axis: 0), yMean = y.mean(), Xc = X - xMean
                    let w = solveLinearSystem(matmul(Xc.transposed(), Xc) + Double(X.shape[0]) * lambda * Tensor.identity(X.shape[1]),
                                              matmul(Xc.transposed(), y - yMean))
                    return (w, yMean)
                }
            },
            Change("closed form without N", "the closed form uses λI instead of NλI: the 1/N in the loss puts a factor N on λ once you multiply through.") {
                $0.solveRidge = { X, y, lambda in
                    let xMean = X.mean(axis: 0), yMean = y.mean(), Xc = X - xMean
                    let w = solveLinearSystem(matmul(Xc.transposed(), Xc) + lambda * Tensor.identity(X.shape[1]),
                                              matmul(Xc.transposed(), y - yMean))
                    return (w, yMean - dot(xMean, w))
                }
            },
            Change("λ hard-coded as 0.1 in the loss", "ridgeLoss uses λ = 0.1 whatever λ it is given: use the `lambda` argument (the grader passes 0.1 and 2.5).") {
                $0.ridgeLoss = { X, y, w, b, _ in LinearRegressionFunctions.reference.ridgeLoss(X, y, w, b, 0.1) }
            },
            Change("closed form penalizes the bias", "the closed form puts λ on the bias too (a column of ones with NλI over all of θ): center the data and penalize w only.") {
                $0.solveRidge = { X, y, lambda in
                    let d = X.shape[1], n = Double(X.shape[0])
                    let A = Tensor.concatenate([X, Tensor.ones([X.shape[0], 1])], axis: 1)
                    let theta = solveLinearSystem(matmul(A.transposed(), A) + n * lambda * Tensor.identity(d + 1), matmul(A.transposed(), y))
                    return (theta.slice(axis: 0, 0..<d), theta[d])
                }
            },
        ],
        alternatives: [
            Change("augmented system with the bias entry left unpenalized") {
                $0.solveRidge = { X, y, lambda in
                    let d = X.shape[1], n = Double(X.shape[0])
                    let A = Tensor.concatenate([X, Tensor.ones([X.shape[0], 1])], axis: 1)
                    var penalty = Tensor.identity(d + 1) * (n * lambda)
                    penalty[d, d] = 0
                    let theta = solveLinearSystem(matmul(A.transposed(), A) + penalty, matmul(A.transposed(), y))
                    return (theta.slice(axis: 0, 0..<d), theta[d])
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.mse], of: "linreg.ridge", candidate: candidate, reference: peers.reference) { context in
            try checkRidge(candidate, peers: peers, &context)
        }
    }

    static func checkRidge(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        // Two values of λ, neither 1, so that λ left out, squared or inverted shows.
        for lambda in [0.1, 2.5] {
            try checkLossAndGradients("ridgeLoss (λ = \(lambda))", &context, peers: peers, candidate: candidate,
                                      setting: ("λ", lambda, { f, lambda in { X, y, w, b in f.ridgeLoss(X, y, w, b, lambda) } })) { f in
                { X, y, w, b in f.ridgeLoss(X, y, w, b, lambda) }
            }
        }
        for round in 1...4 {
            let p = randomProblem(&context, rows: 3...15, features: 1...4)
            let lam = [0.01, 0.1, 0.5, 2][round - 1]
            let inputs = p.inputs.filter { $0.name == "X" || $0.name == "y" } + [("lambda", Tensor([lam]))]
            let got = candidate.solveRidge(p.X, p.y, lam), want = peers.reference.solveRidge(p.X, p.y, lam)
            let situation = "random problem #\(round), λ = \(lam)"
            try context.expectClose(got.weights, want.weights, what: "the weights from solveRidge", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { $0.solveRidge(p.X, p.y, lam).weights },
                                    parameters: [Parameter("λ", lam, allows: { $0 > 0 }, candidate: { candidate.solveRidge(p.X, p.y, $0).weights },
                                                           reference: { peers.reference.solveRidge(p.X, p.y, $0).weights })])
            try context.expectClose(got.bias, want.bias, what: "the bias from solveRidge", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.solveRidge(p.X, p.y, lam).bias) })
            let gradient = peers.reference.ridgeLoss(p.X, p.y, got.weights, got.bias, lam)
            let size = max(gradient.dWeights.scalars.map(abs).max() ?? 0, abs(gradient.dBias))
            guard size < 1e-8 else {
                throw CheckFailure("the ridge gradient at your solveRidge solution is \(Diagnosis.short(size)), not 0 (\(situation)).")
            }
        }
        context.pass("solveRidge matches the reference on 4 random problems; the ridge gradient vanishes there")
    }
}
