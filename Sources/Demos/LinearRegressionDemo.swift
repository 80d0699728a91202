import CourseKit
import Foundation
import Implementations

/// Demo 02 — linear regression: noisy data from known parameters, recovered
/// by gradient descent and by the normal equations; held-out error; the
/// learning rate that diverges; what unscaled features do to gradient
/// descent; ridge shrinking the weights.
let linearRegressionDemo = Demo(
    lesson: 2, title: "Linear regression",
    exercises: ["linreg.predict", "linreg.mse", "linreg.step", "linreg.fit", "linreg.normalEquations", "linreg.ridge"]
) { options in
    let f = LinearRegressionFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    let plotHeight = options.quick ? 8 : 12

    // Data: y = 2x₁ − 3x₂ + 0.5x₃ + 1 + noise, features already on a common scale.
    let trueWeights = Tensor([2, -3, 0.5]), trueBias = 1.0, noise = 0.1
    var random = SeededGenerator(seed: 2)
    let n = 2000, heldOut = 500
    let X = Tensor.randomNormal([n, 3], using: &random)
    let y = f.predict(X, trueWeights, trueBias) + Tensor.randomNormal([n], standardDeviation: noise, using: &random)
    let testX = Tensor.randomNormal([heldOut, 3], using: &random)
    let testY = f.predict(testX, trueWeights, trueBias) + Tensor.randomNormal([heldOut], standardDeviation: noise, using: &random)
    print("Data: \(n) training and \(heldOut) held-out examples, y = 2·x₁ − 3·x₂ + 0.5·x₃ + 1 + noise,")
    print("      x ~ N(0, 1) in each feature, noise ~ N(0, \(noise)²); seeded, the same on every run.\n")

    // 1. Gradient descent with the learner's training loop, and the closed form.
    let epochs = options.quick ? 150 : 300
    let learningRate = 0.1
    print("1. Gradient descent from w = 0, b = 0 [fit: \(options.source(of: "linreg.fit"))] and the normal equations [\(options.source(of: "linreg.normalEquations"))]\n")
    var bar = ProgressBar(total: 1, label: "   full-batch gradient descent, \(epochs) epochs, η = \(learningRate)")
    let gd = f.fit(X, y, learningRate, epochs)
    bar.update(1, status: "loss \(Tensor.format(gd.losses.last ?? .nan))")
    bar.finish()
    let closed = f.solveNormalEquations(X, y)

    var table = Table(["parameter", "true", "gradient descent", "normal equations"], rightAligned: [1, 2, 3])
    for j in 0..<3 {
        table.append(["w\(j + 1)", Tensor.format(trueWeights[j]), Tensor.format(gd.weights[j]), Tensor.format(closed.weights[j])])
    }
    table.append(["b", Tensor.format(trueBias), Tensor.format(gd.bias), Tensor.format(closed.bias)])
    print("\n" + indentedUnderSection(table.render()))
    let fromTruth = maxDifference((gd.weights, gd.bias), (trueWeights, trueBias))
    let fromClosed = maxDifference((gd.weights, gd.bias), closed)
    print("""

       max |gradient descent − true|             = \(scientificNotation(fromTruth))  \(fromTruth < 1e-2 ? "✓ within 1e-2" : "✗ not within 1e-2")
       max |gradient descent − normal equations| = \(scientificNotation(fromClosed))  \(fromClosed < 1e-6 ? "✓ within 1e-6" : "✗ not within 1e-6")
       (the noise keeps both estimates a little away from the true parameters; they agree with each other)

    """)

    // How good is the fit on examples it never saw? The noise sets the floor: RMSE ≈ σ.
    var scores = Table(["model", "train MSE", "held-out RMSE", "held-out R²"], rightAligned: [1, 2, 3])
    let models: [(name: String, weights: Tensor, bias: Double)] = [
        ("gradient descent", gd.weights, gd.bias), ("normal equations", closed.weights, closed.bias),
        ("true parameters", trueWeights, trueBias),
    ]
    for (name, weights, bias) in models {
        let trainResidual = f.predict(X, weights, bias) - y
        let testResidual = f.predict(testX, weights, bias) - testY
        let rmse = ((testResidual * testResidual).mean()).squareRoot()
        let centered = testY - testY.mean()
        let r2 = 1 - (testResidual * testResidual).sum() / (centered * centered).sum()
        scores.append([name, Tensor.format((trainResidual * trainResidual).mean()), Tensor.format(rmse), Tensor.format(r2)])
    }
    print(indentedUnderSection(scores.render()))
    print("\n   The held-out error sits at the noise level σ = \(noise): nothing linear can predict the noise itself.\n")
    print(indentedUnderSection(LinePlot(title: "training loss (MSE) per epoch, η = \(learningRate)", series: [Series("loss", values: gd.losses)], logY: true)
        .render(width: plotWidth, height: plotHeight)))
    print("")

    // 2. Learning rates: too small, good, and too large.
    // The loss is quadratic with Hessian H = (2/N) AᵀA, A = [X | 1]; gradient
    // descent converges exactly when η < 2/λ_max(H).
    let (lambdaMax, lambdaMin) = hessianEigenvalueRange(X)
    let limit = 2 / lambdaMax
    print("2. Learning rates [fit: \(options.source(of: "linreg.fit"))]. The MSE is a quadratic bowl with Hessian H = (2/N)AᵀA, A = [X | 1]; its largest eigenvalue is")
    print("   λ_max = \(String(format: "%.4f", lambdaMax)), so gradient descent diverges for η > 2/λ_max = \(String(format: "%.4f", limit)).\n")
    let rates = [0.01, 0.1, 0.95 * limit, 1.05 * limit]
    let curveEpochs = options.quick ? 40 : 60
    var curves: [Series] = []
    var rateTable = Table(["η", "η·λ_max", "loss after \(curveEpochs) epochs", "verdict"], rightAligned: [0, 1, 2])
    var sweep = ProgressBar(total: rates.count, label: "   \(rates.count) runs of \(curveEpochs) epochs")
    for (index, rate) in rates.enumerated() {
        let run = f.fit(X, y, rate, curveEpochs)
        sweep.update(index + 1, status: String(format: "η = %.3g", rate))
        curves.append(Series(String(format: "η = %.3g", rate), values: run.losses))
        let last = run.losses.last ?? .nan
        let verdict = !last.isFinite || last > run.losses[0] ? "diverges" : last > 0.02 ? "still descending (too small)" : "converged"
        rateTable.append([String(format: "%.3g", rate), String(format: "%.2f", rate * lambdaMax), Tensor.format(last), verdict])
    }
    sweep.finish()
    print("")
    print(indentedUnderSection(LinePlot(title: "loss per epoch for four learning rates", series: curves, logY: true)
        .render(width: plotWidth, height: options.quick ? 10 : 14)))
    print("\n" + indentedUnderSection(rateTable.render()))
    print("""

       Along the Hessian's steepest direction each step multiplies the error by (1 − η·λ_max). Just below
       2/λ_max that factor is close to −1: the loss zig-zags but still shrinks. Just above it the factor is
       beyond −1: every step overshoots further than the last, and the loss explodes.

    """)

    // 3. Feature scaling: the same data with x₃ in centimetres instead of metres.
    let centimetres = X * Tensor([1, 1, 100])
    let (rawMax, rawMin) = hessianEigenvalueRange(centimetres)
    let mean = centimetres.mean(axis: 0)
    let spread = centimetres.variance(axis: 0).map { $0.squareRoot() }
    let standardized = (centimetres - mean) / spread
    let (stdMax, stdMin) = hessianEigenvalueRange(standardized)
    let rawRun = f.fit(centimetres, y, 1 / rawMax, epochs)
    let stdRun = f.fit(standardized, y, 1 / stdMax, epochs)
    // Back to the original units: w = w′/s, b = b′ − Σ w′μ/s.
    let converted = (weights: stdRun.weights / spread, bias: stdRun.bias - (stdRun.weights * mean / spread).sum())
    let closedCentimetres = f.solveNormalEquations(centimetres, y)
    print("3. Feature scaling [fit: \(options.source(of: "linreg.fit")), normal equations: \(options.source(of: "linreg.normalEquations"))]: the same data with x₃ measured in centimetres (×100), each run with η = 1/λ_max, \(epochs) epochs.\n")
    var scaling = Table(["features", "λ_max", "κ = λ_max/λ_min", "η", "final loss", "max |w, b − closed form|"], rightAligned: [1, 2, 3, 4, 5])
    let fourDigits = { (x: Double) in String(format: "%.4g", x) }
    scaling.append(["x₃ in centimetres", fourDigits(rawMax), fourDigits(rawMax / rawMin), fourDigits(1 / rawMax),
                    fourDigits(rawRun.losses.last ?? .nan), scientificNotation(maxDifference((rawRun.weights, rawRun.bias), closedCentimetres))])
    scaling.append(["standardized", fourDigits(stdMax), fourDigits(stdMax / stdMin), fourDigits(1 / stdMax),
                    fourDigits(stdRun.losses.last ?? .nan), scientificNotation(maxDifference(converted, closedCentimetres))])
    print(indentedUnderSection(scaling.render()))
    print("""

       One steep direction forces a tiny η, and the other directions then crawl: after \(epochs) epochs the raw
       features are still far from the optimum. Standardizing, (x − μ)/s, makes the bowl round; converted back
       (w = w′/s, b = b′ − Σ w′μ/s) it is the same model as the closed form.

    """)

    // 4. Ridge: the penalty pulls the weights towards 0.
    var ridgeTable = Table(["λ", "w1", "w2", "w3", "‖w‖", "b", "held-out RMSE"], rightAligned: [0, 1, 2, 3, 4, 5, 6])
    for lambda in [0.0, 0.1, 1, 10] {
        let (w, b) = lambda == 0 ? closed : f.solveRidge(X, y, lambda)
        let residual = f.predict(testX, w, b) - testY
        ridgeTable.append([String(lambda)] + (0..<3).map { Tensor.format(w[$0]) }
            + [Tensor.format(w.norm()), Tensor.format(b), Tensor.format((residual * residual).mean().squareRoot())])
    }
    print("4. Ridge in closed form [\(options.source(of: "linreg.ridge"))]: larger λ, smaller weights; the unpenalized bias stays near 1.\n")
    print(indentedUnderSection(ridgeTable.render()))
    print("\n   With 2000 examples and 3 features nothing overfits, so every λ > 0 costs held-out accuracy here.")

    let lossPath = try options.write(SVGPlot(title: "Gradient descent on noisy linear data (η = \(learningRate))", xLabel: "epoch", yLabel: "MSE",
                                             series: [Series("training loss", values: gd.losses)], logY: true), named: "02-loss.svg")
    let ratesPath = try options.write(SVGPlot(title: "Learning rates (2/λ_max = \(String(format: "%.3f", limit)))", xLabel: "epoch",
                                              yLabel: "MSE", series: curves, logY: true), named: "02-learning-rates.svg")
    let scalingPath = try options.write(SVGPlot(title: "Feature scaling: x₃ in centimetres vs standardized (η = 1/λ_max)", xLabel: "epoch",
                                                yLabel: "MSE", series: [Series("x₃ in centimetres", values: rawRun.losses),
                                                                        Series("standardized", values: stdRun.losses)],
                                                logY: true), named: "02-feature-scaling.svg")
    print("\nSVG plots: \(lossPath)\n           \(ratesPath)\n           \(scalingPath)")
}

/// The largest and smallest eigenvalues of the MSE's Hessian H = (2/N) AᵀA,
/// A = [X | 1]: power iteration on H, and on H⁻¹ (by solving H v′ = v).
private func hessianEigenvalueRange(_ X: Tensor) -> (max: Double, min: Double) {
    let n = X.shape[0], d = X.shape[1]
    let A = Tensor.concatenate([X, Tensor.ones([n, 1])], axis: 1)
    let hessian = matmul(A.transposed(), A) * (2 / Double(n))
    var top = Tensor.ones([d + 1]), bottom = Tensor.ones([d + 1])
    for _ in 0..<200 {
        top = matmul(hessian, top); top = top / top.norm()
        bottom = solveLinearSystem(hessian, bottom); bottom = bottom / bottom.norm()
    }
    return (dot(top, matmul(hessian, top)), dot(bottom, matmul(hessian, bottom)))
}

/// The largest difference between two models' parameters.
private func maxDifference(_ a: (weights: Tensor, bias: Double), _ b: (weights: Tensor, bias: Double)) -> Double {
    max((a.weights - b.weights).scalars.map(abs).max() ?? 0, abs(a.bias - b.bias))
}

private func scientificNotation(_ x: Double) -> String { String(format: "%.2e", x) }

/// Indents every line of a block by three spaces, under its section's number.
private func indentedUnderSection(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
}
