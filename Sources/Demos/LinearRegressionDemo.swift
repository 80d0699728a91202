import CourseKit
import Foundation
import Implementations

/// Demo 02 — linear regression: noisy data from known parameters, recovered
/// by gradient descent and by the normal equations; the learning rate that
/// diverges; ridge shrinking the weights.
let linearRegressionDemo = Demo(
    lesson: 2, title: "Linear regression",
    exercises: ["linreg.predict", "linreg.mse", "linreg.step", "linreg.fit", "linreg.normalEquations", "linreg.ridge"]
) { options in
    let f = LinearRegressionFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))

    // Data: y = 2x₁ − 3x₂ + 0.5x₃ + 1 + noise, features already on a common scale.
    let trueWeights = Tensor([2, -3, 0.5]), trueBias = 1.0
    var random = SeededGenerator(seed: 2)
    let n = 2000
    let X = Tensor.randomNormal([n, 3], using: &random)
    let y = f.predict(X, trueWeights, trueBias) + Tensor.randomNormal([n], standardDeviation: 0.1, using: &random)
    print("Data: \(n) examples, y = 2·x₁ − 3·x₂ + 0.5·x₃ + 1 + noise (σ = 0.1), x ~ N(0, 1)\n")

    // 1. Gradient descent with the learner's training loop.
    let epochs = options.quick ? 150 : 300
    let learningRate = 0.1
    var bar = ProgressBar(total: 1, label: "gradient descent, \(epochs) epochs, η = \(learningRate) [\(options.source(of: "linreg.fit"))]")
    let gd = f.fit(X, y, learningRate, epochs)
    bar.update(1, status: "loss \(Tensor.format(gd.losses.last ?? .nan))")
    bar.finish()
    let closed = f.solveNormalEquations(X, y)

    var table = Table(["parameter", "true", "gradient descent", "normal equations"], rightAligned: [1, 2, 3])
    for j in 0..<3 {
        table.append(["w\(j + 1)", Tensor.format(trueWeights[j]), Tensor.format(gd.weights[j]), Tensor.format(closed.weights[j])])
    }
    table.append(["b", Tensor.format(trueBias), Tensor.format(gd.bias), Tensor.format(closed.bias)])
    print("\n" + table.render())
    let fromTruth = max((gd.weights - trueWeights).scalars.map(abs).max() ?? 0, abs(gd.bias - trueBias))
    let fromClosed = max((gd.weights - closed.weights).scalars.map(abs).max() ?? 0, abs(gd.bias - closed.bias))
    print("""

      max |gradient descent − true|             = \(String(format: "%.2e", fromTruth))  \(fromTruth < 1e-2 ? "✓ within 1e-2" : "✗ not within 1e-2")
      max |gradient descent − normal equations| = \(String(format: "%.2e", fromClosed))  \(fromClosed < 1e-6 ? "✓ within 1e-6" : "✗ not within 1e-6")
      (the noise keeps both estimates a little away from the true parameters; they agree with each other)

    """)

    // 2. Learning rates: too small, good, and too large.
    // The loss is quadratic with Hessian H = (2/N) AᵀA, A = [X | 1]; gradient
    // descent converges exactly when η < 2/λ_max(H). Power iteration finds λ_max.
    let A = Tensor.concatenate([X, Tensor.ones([n, 1])], axis: 1)
    let hessian = matmul(A.transposed(), A) * (2 / Double(n))
    var v = Tensor.ones([4])
    for _ in 0..<100 { v = matmul(hessian, v); v = v / v.norm() }
    let lambdaMax = dot(v, matmul(hessian, v))
    let limit = 2 / lambdaMax
    print("Learning rates: λ_max of the Hessian (2/N)AᵀA is \(String(format: "%.4f", lambdaMax)), so gradient descent diverges for η > 2/λ_max = \(String(format: "%.4f", limit)).\n")
    let rates = [0.01, 0.1, 0.95 * limit, 1.05 * limit]
    let curveEpochs = options.quick ? 40 : 60
    var curves: [Series] = []
    var rateTable = Table(["η", "loss after \(curveEpochs) epochs", "verdict"], rightAligned: [0, 1])
    for rate in rates {
        let run = f.fit(X, y, rate, curveEpochs)
        let name = String(format: "η = %.3g", rate)
        curves.append(Series(name, values: run.losses))
        let last = run.losses.last ?? .nan
        let verdict = !last.isFinite || last > run.losses[0] ? "diverges" : last > 0.02 ? "still descending (too small)" : "converged"
        rateTable.append([String(format: "%.3g", rate), Tensor.format(last), verdict])
    }
    print(LinePlot(title: "loss per epoch for four learning rates", series: curves, logY: true).render(width: plotWidth, height: options.quick ? 10 : 14))
    print("\n" + rateTable.render())
    print("\n  Just below 2/λ_max the loss zig-zags but still converges; just above it every step overshoots further and the loss explodes.\n")

    // 3. Ridge: the penalty pulls the weights towards 0.
    var ridgeTable = Table(["λ", "w1", "w2", "w3", "‖w‖", "b"], rightAligned: [0, 1, 2, 3, 4, 5])
    for lambda in [0.0, 0.1, 1, 10] {
        let (w, b) = lambda == 0 ? closed : f.solveRidge(X, y, lambda)
        ridgeTable.append([String(lambda)] + (0..<3).map { Tensor.format(w[$0]) } + [Tensor.format(w.norm()), Tensor.format(b)])
    }
    print("Ridge (closed form) [\(options.source(of: "linreg.ridge"))]: larger λ, smaller weights; the unpenalized bias stays near 1.\n")
    print(ridgeTable.render())

    let lossPath = try options.write(SVGPlot(title: "Gradient descent on noisy linear data", xLabel: "epoch", yLabel: "MSE",
                                             series: [Series("η = 0.1", values: gd.losses)], logY: true), named: "02-loss.svg")
    let ratesPath = try options.write(SVGPlot(title: "Learning rates (2/λ_max = \(String(format: "%.3f", limit)))", xLabel: "epoch",
                                              yLabel: "MSE", series: curves, logY: true), named: "02-learning-rates.svg")
    print("\nSVG plots: \(lossPath)\n           \(ratesPath)")
}
