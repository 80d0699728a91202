import CourseKit
import Foundation
import Implementations

/// Lesson 02 — Linear regression: every exercise, its hints, its checks, the
/// mistakes learners make (each must fail, and be named), and correct rewrites.
enum LinearRegressionLesson {
    typealias F = LinearRegressionFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "02-linear-regression"

    static var exercises: [Exercise] {
        [predictSpec, mseSpec, stepSpec, fitSpec, normalEquationsSpec, ridgeSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    /// A random regression problem: X [N, D] ~ N(0, 1), parameters ~ N(0, 1),
    /// y = Xw + b + noise.
    struct Problem {
        var X: Tensor, y: Tensor, weights: Tensor, bias: Double
        var inputs: [(name: String, value: Tensor)] {
            [("X", X), ("y", y), ("weights", weights), ("bias", Tensor([bias]))]
        }
    }

    static func randomProblem(_ context: inout GradingContext, rows: ClosedRange<Int> = 1...8,
                              features: ClosedRange<Int> = 1...5, noise: Double = 0.5) -> Problem {
        let n = context.random.nextInt(in: rows), d = context.random.nextInt(in: features)
        let X = context.randomTensor([n, d])
        let trueWeights = context.randomTensor([d]), trueBias = context.random.nextNormal()
        let y = matmul(X, trueWeights) + trueBias + context.randomTensor([n], scale: noise)
        // The parameters at which the loss is evaluated are not the true ones.
        return Problem(X: X, y: y, weights: context.randomTensor([d]), bias: context.random.nextNormal())
    }

    /// Problems with named shapes: a batch of one and a single feature.
    static func edgeProblems(_ context: inout GradingContext) -> [(String, Problem)] {
        [("a batch of one (N = 1)", randomProblem(&context, rows: 1...1)),
         ("a single feature (D = 1)", randomProblem(&context, rows: 5...5, features: 1...1)),
         ("zero weights and bias", {
             var p = randomProblem(&context, rows: 4...4, features: 3...3)
             p.weights = Tensor.zeros([3]); p.bias = 0
             return p
         }()),
         // Terms of 1e8 that cancel to about 10: Float (7 digits) keeps none of the answer's digits.
         ("large weights of opposite signs (1e8 and −1e8)",
          Problem(X: Tensor([[1.0000001, 1], [2, 2.0000003], [1, 1], [-3.0000002, -3]]), y: Tensor([9, -31, 1, -18]),
                  weights: Tensor([1e8, -1e8]), bias: 0.5))]
    }

    /// Compares a (loss, dWeights, dBias) triple with the reference, then
    /// checks both gradients numerically against the candidate's own loss.
    static func checkLossAndGradients(
        _ name: String, _ context: inout GradingContext, peers: Peers<F>, candidate: F,
        setting: (name: String, value: Double, select: @Sendable (F, Double) -> (@Sendable (Tensor, Tensor, Tensor, Double) -> F.LossAndGradients))? = nil,
        _ select: @escaping @Sendable (F) -> (@Sendable (Tensor, Tensor, Tensor, Double) -> F.LossAndGradients)
    ) throws {
        let mine = select(candidate), reference = select(peers.reference)
        var cases: [(String, Problem)] = (1...4).map { _ in ("a random problem (seed \(context.seed))", randomProblem(&context)) }
        cases += edgeProblems(&context)
        for (situation, p) in cases {
            let got = mine(p.X, p.y, p.weights, p.bias), want = reference(p.X, p.y, p.weights, p.bias)
            let n = p.X.shape[0]
            // A setting (ridge's λ) is varied too, to tell a number typed in its place.
            let parameters = setting.map { setting in
                [Parameter(setting.name, setting.value,
                           candidate: { Tensor(setting.select(candidate, $0)(p.X, p.y, p.weights, p.bias).loss) },
                           reference: { Tensor(setting.select(peers.reference, $0)(p.X, p.y, p.weights, p.bias).loss) })]
            } ?? []
            try context.expectClose(got.loss, want.loss, what: "the loss of \(name)", situation: situation, inputs: p.inputs,
                                    batchSize: n, suspects: peers.suspects { Tensor(select($0)(p.X, p.y, p.weights, p.bias).loss) },
                                    parameters: parameters)
            try context.expectClose(got.dWeights, want.dWeights, what: "dWeights of \(name)", situation: situation, inputs: p.inputs,
                                    batchSize: n, suspects: peers.suspects { select($0)(p.X, p.y, p.weights, p.bias).dWeights })
            try context.expectClose(got.dBias, want.dBias, what: "dBias of \(name)", situation: situation, inputs: p.inputs,
                                    batchSize: n, suspects: peers.suspects { Tensor(select($0)(p.X, p.y, p.weights, p.bias).dBias) })
        }
        context.pass("\(name) matches the reference (loss, dWeights, dBias) on 4 random problems and 4 edge cases")

        let p = randomProblem(&context, rows: 3...8)
        let numericWeights = GradientCheck.numericalGradient(of: { mine(p.X, p.y, $0, p.bias).loss }, at: p.weights)
        let numericBias = GradientCheck.numericalGradient(of: { mine(p.X, p.y, p.weights, $0.scalar).loss }, at: Tensor([p.bias]))
        let analytic = mine(p.X, p.y, p.weights, p.bias)
        let analyticAll = Tensor.concatenate([analytic.dWeights, Tensor([analytic.dBias])], axis: 0)
        let numericAll = Tensor.concatenate([numericWeights, numericBias], axis: 0)
        try context.expectGradient(analytic: analyticAll, numeric: numericAll, what: "(dWeights, dBias) of \(name)",
                                   situation: "X of shape \(p.X.shape)", threshold: gradientThreshold)
        context.pass("gradient check of (dWeights, dBias): relative error \(Diagnosis.short(GradientCheck.relativeError(analyticAll, numericAll))) < 1e-7")
    }

    // MARK: - predict

    static let predictSpec = Spec(
        id: "linreg.predict", title: "Predictions of a linear model", file: "Predict.swift",
        declarations: ["predict(_:weights:bias:)"],
        hints: [
            "Each prediction is a weighted sum of one example's features plus the bias: ŷᵢ = Σⱼ Xᵢⱼ wⱼ + b. For all N examples at once that is a matrix–vector product.",
            "Read the chapter's section “The model and its geometry”. `matmul(_:_:)` multiplies a matrix by a vector.",
            "Shapes: X is [N, D] and w is [D], so Xw is [N] — one score per example; adding the Double b adds it to every element.",
            "A sketch: `matmul(…, …) + …`.",
        ],
        standard: "compared with the reference on 4 random problems (N in 1–8, D in 1–5) and 4 edge cases (a batch of one, a single feature, zero weights, weights of ±1e8 whose terms cancel to about 10 — Float's 7 digits lose them), within |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("forgot the bias", "the bias is missing: ŷ = Xw + b.") { $0.predict = { X, w, _ in matmul(X, w) } },
            Change("computed in Float", "the arithmetic is done in Float, whose 7 digits lose the answer when large terms cancel (1.0000001·1e8 − 1·1e8 is 10, but about 11.9 in Float): this course computes in Double.") {
                $0.predict = { X, w, b in
                    let (xs, ws) = (X.map { Double(Float($0)) }, w.map { Double(Float($0)) })
                    return (matmul(xs, ws) + b).map { Double(Float($0)) }
                }
            },
            Change("subtracted the bias", "the bias is subtracted: ŷ = Xw + b, plus.") { $0.predict = { X, w, b in matmul(X, w) - b } },
            Change("elementwise product", "X * w multiplies elementwise and gives [N, D]: each prediction must sum over the features, which `matmul(X, weights)` does.") {
                $0.predict = { X, w, b in X * w + b }
            },
            Change("features summed, weights ignored", "the features are summed without their weights: ŷᵢ = Σⱼ Xᵢⱼ wⱼ + b.") {
                $0.predict = { X, _, b in X.sum(axis: 1) + b }
            },
        ],
        alternatives: [
            Change("loops over rows with dot products") {
                $0.predict = { X, w, b in Tensor((0..<X.shape[0]).map { dot(X.row($0), w) + b }) }
            },
            Change("the weights as a row vector: w·Xᵀ") {
                $0.predict = { X, w, b in matmul(w, X.transposed()) + Tensor.ones([X.shape[0]]) * b }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(String, Problem)] = (1...4).map { _ in ("a random problem (seed \(context.seed))", randomProblem(&context)) }
        cases += edgeProblems(&context)
        for (situation, p) in cases {
            try context.expectClose(candidate.predict(p.X, p.weights, p.bias), peers.reference.predict(p.X, p.weights, p.bias),
                                    what: "predict", situation: situation, inputs: p.inputs,
                                    suspects: peers.suspects { $0.predict(p.X, p.weights, p.bias) })
        }
        context.pass("predict matches the reference on 4 random problems and 4 edge cases")
    }

    // MARK: - mseLoss

    static let mseSpec = Spec(
        id: "linreg.mse", title: "Mean squared error and its gradients", file: "MSELoss.swift",
        declarations: ["mseLoss(_:_:weights:bias:)"],
        hints: [
            "L = (1/N) Σ (ŷᵢ − yᵢ)². Differentiate one term: ∂/∂wⱼ (ŷᵢ − yᵢ)² = 2(ŷᵢ − yᵢ)·Xᵢⱼ. Averaging over i gives ∂L/∂w = (2/N) Xᵀ(ŷ − y); the bias sees a 1 instead of Xᵢⱼ, so ∂L/∂b = (2/N) Σ(ŷᵢ − yᵢ).",
            "Read the chapter's section “The gradient, derived”. Call your `predict` for ŷ; N is the number of rows, `X.shape[0]` (not the number of features).",
            "Compute the residual r = ŷ − y once, shape [N]. Then the loss is r·r / N, the weight gradient is Xᵀr ([D, N]·[N] = [D]) times 2/N, and the bias gradient is 2/N times the sum of r.",
            "A sketch: `let n = Double(X.shape[0]); let r = predict(X, weights: weights, bias: bias) - y; let loss = …; let dWeights = matmul(X.transposed(), r) * …; return (loss, dWeights, …)`.",
        ],
        standard: "loss, dWeights and dBias compared with the reference on 4 random problems and 4 edge cases (a batch of one, a single feature, zero weights, weights of ±1e8 whose terms cancel to about 10 — Float's 7 digits lose them) within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of (dWeights, dBias) against your own loss: relative error < 1e-7",
        mistakes: [
            Change("1/(2N) instead of 1/N", "this is the 1/(2N) convention: this course's loss is (1/N) Σ (ŷ − y)², so the gradients carry a 2.") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y, n = Double(X.shape[0])
                    return ((r * r).sum() / (2 * n), matmul(X.transposed(), r) / n, r.sum() / n)
                }
            },
            Change("gradient without the 2", "the gradients miss the factor 2 that comes down from the square: ∂L/∂w = (2/N) Xᵀ(ŷ − y).") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y, n = Double(X.shape[0])
                    return ((r * r).sum() / n, matmul(X.transposed(), r) / n, r.sum() / n)
                }
            },
            Change("gradient sign flipped", "the gradient uses y − ŷ: the derivative of (ŷ − y)² with respect to ŷ is 2(ŷ − y).") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y, n = Double(X.shape[0])
                    return ((r * r).sum() / n, matmul(X.transposed(), -r) * (2 / n), -2 * r.sum() / n)
                }
            },
            Change("summed instead of averaged", "the loss and gradients are sums over the examples: the mean squared error divides by N.") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y
                    return ((r * r).sum(), matmul(X.transposed(), r) * 2, 2 * r.sum())
                }
            },
            Change("gradients without 1/N", "the loss is averaged but the gradients are not: they carry the same 1/N, ∂L/∂w = (2/N) Xᵀ(ŷ − y).") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y, n = Double(X.shape[0])
                    return ((r * r).sum() / n, matmul(X.transposed(), r) * 2, 2 * r.sum())
                }
            },
            Change("bias gradient not summed", "dBias uses only the first example's residual: the bias affects every prediction, so sum (ŷᵢ − yᵢ) over all i.") {
                $0.mseLoss = { X, y, w, b in
                    let r = LinearRegressionFunctions.reference.predict(X, w, b) - y, n = Double(X.shape[0])
                    return ((r * r).sum() / n, matmul(X.transposed(), r) * (2 / n), 2 * r[0] / n)
                }
            },
        ],
        alternatives: [
            Change("dot products: r·r/N, r·X") {
                $0.mseLoss = { X, y, w, b in
                    let r = matmul(X, w) + b - y, n = Double(X.shape[0])
                    return (dot(r, r) / n, matmul(r, X) * (2 / n), 2 * r.mean())
                }
            },
            Change("the residual as a row vector: r·X instead of Xᵀ·r") {
                $0.mseLoss = { X, y, w, b in
                    let n = Double(X.shape[0])
                    let r = matmul(X, w) + b - y
                    return (dot(r, r) / n, matmul(r, X) * (2 / n), 2 * r.mean())
                }
            },
            Change("explicit loops over examples and features") {
                $0.mseLoss = { X, y, w, b in
                    let n = X.shape[0], d = X.shape[1]
                    var loss = 0.0, dBias = 0.0
                    var dWeights = [Double](repeating: 0, count: d)
                    for i in 0..<n {
                        var prediction = b
                        for j in 0..<d { prediction += X[i, j] * w[j] }
                        let error = prediction - y[i]
                        loss += error * error / Double(n)
                        dBias += 2 * error / Double(n)
                        for j in 0..<d { dWeights[j] += 2 * error * X[i, j] / Double(n) }
                    }
                    return (loss, Tensor(dWeights), dBias)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.predict], of: "linreg.mse", candidate: candidate, reference: peers.reference) { context in
            try checkLossAndGradients("mseLoss", &context, peers: peers, candidate: candidate) { f in
                { X, y, w, b in f.mseLoss(X, y, w, b) }
            }
        }
    }

    // MARK: - gradientDescentStep

    static let stepSpec = Spec(
        id: "linreg.step", title: "One step of gradient descent", file: "GradientDescent.swift",
        declarations: ["gradientDescentStep(weights:bias:dWeights:dBias:learningRate:)"],
        hints: [
            "The gradient points uphill, towards larger loss. Gradient descent moves the other way: subtract the gradient, scaled by the learning rate η.",
            "Read the chapter's section “Gradient descent”. There are two updates: the weights with dWeights (tensors, [D]) and the bias with dBias (a Double).",
            "w ← w − η·∂L/∂w and b ← b − η·∂L/∂b: the same η on both, taken from the argument.",
            "A sketch: `(weights - learningRate * …, bias - …)`.",
        ],
        standard: "compared with the reference on 5 random steps (D in 1–5, learning rates 1e-3 to 1) within |error| ≤ 1e-8 + 1e-6·|expected|",
        mistakes: [
            Change("added the gradient", "the step adds the gradient, which climbs the loss: gradient descent subtracts η·gradient.") {
                $0.gradientDescentStep = { w, b, dw, db, lr in (w + lr * dw, b + lr * db) }
            },
            Change("η hard-coded as 0.1", "the step uses η = 0.1 whatever learning rate it is given: use the `learningRate` argument (the grader passes 0.001 to 1).") {
                $0.gradientDescentStep = { w, b, dw, db, _ in (w - 0.1 * dw, b - 0.1 * db) }
            },
            Change("bias not updated", "the bias is returned unchanged: it takes a step too, b − η·dBias.") {
                $0.gradientDescentStep = { w, b, dw, _, lr in (w - lr * dw, b) }
            },
            Change("divided by the learning rate", "the gradient is divided by the learning rate: multiply, w − η·dWeights.") {
                $0.gradientDescentStep = { w, b, dw, db, lr in (w - dw / lr, b - db / lr) }
            },
            Change("learning rate ignored", "the step ignores the learning rate: scale the gradient by η, w − η·dWeights.") {
                $0.gradientDescentStep = { w, b, dw, db, _ in (w - dw, b - db) }
            },
        ],
        alternatives: [
            Change("elementwise with map over indices") {
                $0.gradientDescentStep = { w, b, dw, db, lr in
                    (Tensor((0..<w.count).map { w.scalars[$0] - lr * dw.scalars[$0] }), b - lr * db)
                }
            },
        ]
    ) { candidate, peers, context in
        for round in 1...5 {
            let d = context.random.nextInt(in: 1...5)
            // The last round's gradients are large, so a step that clips them shows.
            let scale = round == 5 ? 100.0 : 1
            let w = context.randomTensor([d]), dw = context.randomTensor([d], scale: scale)
            let b = context.random.nextNormal(), db = scale * context.random.nextNormal()
            let lr = [1e-3, 0.01, 0.1, 0.5, 1][round - 1]
            let inputs: [(name: String, value: Tensor)] = [("weights", w), ("bias", Tensor([b])), ("dWeights", dw),
                                                           ("dBias", Tensor([db])), ("learningRate", Tensor([lr]))]
            let got = candidate.gradientDescentStep(w, b, dw, db, lr), want = peers.reference.gradientDescentStep(w, b, dw, db, lr)
            // η varies from step to step, so a number typed in its place is right for one step at most, and named.
            try context.expectClose(got.weights, want.weights, what: "the new weights", situation: "step #\(round)", inputs: inputs,
                                    suspects: peers.suspects { $0.gradientDescentStep(w, b, dw, db, lr).weights },
                                    parameters: [Parameter("the learning rate (η)", lr,
                                                           candidate: { candidate.gradientDescentStep(w, b, dw, db, $0).weights },
                                                           reference: { peers.reference.gradientDescentStep(w, b, dw, db, $0).weights })])
            try context.expectClose(got.bias, want.bias, what: "the new bias", situation: "step #\(round)", inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.gradientDescentStep(w, b, dw, db, lr).bias) },
                                    parameters: [Parameter("the learning rate (η)", lr,
                                                           candidate: { Tensor(candidate.gradientDescentStep(w, b, dw, db, $0).bias) },
                                                           reference: { Tensor(peers.reference.gradientDescentStep(w, b, dw, db, $0).bias) })])
        }
        context.pass("gradientDescentStep matches the reference on 5 random steps")
    }
}
