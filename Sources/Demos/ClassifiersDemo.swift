import CourseKit
import Foundation
import Implementations

/// Demo 03 — the perceptron and logistic regression on 2-D point clouds:
/// convergence on separable data, ≥ 95% on an overlapping set, decision
/// boundaries drawn in the terminal, and XOR, where both fail.
let classifiersDemo = Demo(
    lesson: 3, title: "Perceptron and logistic regression",
    exercises: ["classify.perceptronPredict", "classify.perceptronUpdate", "classify.perceptronTrain",
                "classify.bce", "classify.logisticStep", "classify.softmaxCE"]
) { options in
    let f = ClassifierFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    var random = SeededGenerator(seed: 3)

    var summary = Table(["data", "model", "trained for", "accuracy"], rightAligned: [2, 3])

    // 1. Separable data: labels from the line 0.8·x₁ − 0.6·x₂ + 0.3 = 0, points within 0.02 of it removed.
    var rows: [Tensor] = [], labels: [Double] = []
    while rows.count < 200 {
        let p = Tensor.randomNormal([2], standardDeviation: 1.6, using: &random)
        let score = 0.8 * p[0] - 0.6 * p[1] + 0.3
        guard abs(score) > 0.02 else { continue }
        rows.append(p)
        labels.append(score > 0 ? 1 : -1)
    }
    let separable = (X: Tensor.stack(rows, axis: 0), labels: Tensor(labels))
    let perceptron = f.perceptronTrain(separable.X, separable.labels, 100, 1)
    let perceptronAccuracy = accuracy(matmul(separable.X, perceptron.weights) + perceptron.bias, (separable.labels + 1) / 2)
    print("1. The perceptron on 200 separable points, labels from a line, none closer than 0.02 to it [\(options.source(of: "classify.perceptronTrain"))]")
    print("   mistakes per epoch: \(perceptron.mistakesPerEpoch.map(String.init).joined(separator: " "))"
        + (perceptron.mistakesPerEpoch.last == 0 ? "  → converged after \(perceptron.mistakesPerEpoch.count) epochs" : "  → did not converge in 100 epochs"))
    print("   (not monotone: the perceptron rule is not gradient descent, but on separable data the mistakes must stop)\n")
    let mistakesSeries = Series("mistakes", points: perceptron.mistakesPerEpoch.enumerated().map { (Double($0.offset + 1), Double($0.element)) })
    print(LinePlot(title: "perceptron mistakes per epoch", series: [mistakesSeries])
        .render(width: plotWidth, height: options.quick ? 6 : 10))
    print("")
    summary.append(["200 separable points", "perceptron", "\(perceptron.mistakesPerEpoch.count) epochs", percent(perceptronAccuracy)])
    print(drawBoundary(separable.X, labels: separable.labels.scalars.map { $0 > 0 ? 1 : 0 }, width: plotWidth, height: options.quick ? 14 : 20) { x in
        f.perceptronPredict(x, perceptron.weights, perceptron.bias)[0] > 0 ? 1 : 0
    })
    print("   o = label −1, x = label +1; shaded: where the perceptron says +1 (a point within a cell of the line may land on the other shade)\n")

    // 2. Overlapping clouds: logistic regression.
    // A second sample from the same clouds is held out: accuracy is measured on points the model never saw.
    let half = 200
    func clouds(using random: inout SeededGenerator) -> Tensor {
        Tensor.concatenate([Tensor.randomNormal([half, 2], using: &random) - 1.5,
                            Tensor.randomNormal([half, 2], using: &random) + 1.5], axis: 0)
    }
    let overlapping = clouds(using: &random)
    let heldOut = clouds(using: &random)
    let targets = Tensor(Array(repeating: 0, count: half) + Array(repeating: 1, count: half))
    let steps = options.quick ? 150 : 400
    print("2. Two overlapping clouds, 400 points around (−1.5, −1.5) and (1.5, 1.5), σ = 1, and 400 more held out [\(options.source(of: "classify.logisticStep"))]")
    var w = Tensor.zeros([2]), b = 0.0, losses: [Double] = []
    var bar = ProgressBar(total: steps, label: "   logistic regression, \(steps) steps")
    for step in 1...steps {
        let result = f.logisticRegressionStep(overlapping, targets, w, b, 0.5)
        (w, b) = (result.weights, result.bias)
        losses.append(result.loss)
        if step % 25 == 0 || step == steps { bar.update(step, status: "loss \(Tensor.format(result.loss))") }
    }
    bar.finish()
    let logisticAccuracy = accuracy(matmul(overlapping, w) + b, targets)
    let logisticHeldOut = accuracy(matmul(heldOut, w) + b, targets)
    let perceptronOnOverlap = f.perceptronTrain(overlapping, targets * 2 - 1, 30, 1)
    let perceptronOverlapAccuracy = accuracy(matmul(overlapping, perceptronOnOverlap.weights) + perceptronOnOverlap.bias, targets)
    print("""
       logistic regression: held-out accuracy \(percent(logisticHeldOut))  \(logisticHeldOut >= 0.95 ? "✓ ≥ 95%" : "✗ below 95%") (training \(percent(logisticAccuracy))), loss \(Tensor.format(losses.first ?? .nan)) → \(Tensor.format(losses.last ?? .nan))
       (the clouds overlap: about 1.7% of points lie past the best line, so no line reaches 100%)
       the perceptron on the same points never has a clean epoch: mistakes in its last epochs \(perceptronOnOverlap.mistakesPerEpoch.suffix(5).map(String.init).joined(separator: " ")), accuracy \(percent(perceptronOverlapAccuracy))

    """)
    print(LinePlot(title: "logistic regression: binary cross-entropy per step", series: [Series("loss", values: losses)], logY: true)
        .render(width: plotWidth, height: options.quick ? 6 : 8))
    print("")
    summary.append(["400 overlapping points", "logistic regression", "\(steps) steps", percent(logisticAccuracy)])
    summary.append(["400 held-out points", "the same model", "—", percent(logisticHeldOut)])
    summary.append(["400 overlapping points", "perceptron", "30 epochs", percent(perceptronOverlapAccuracy)])
    print(drawBoundary(overlapping, labels: targets.scalars.map { Int($0) }, width: plotWidth, height: options.quick ? 14 : 20) { x in
        dot(x.row(0), w) + b > 0 ? 1 : 0
    })
    print("   o = class 0, x = class 1; shaded: where σ(w·x + b) > ½\n")

    // 3. XOR: no line separates it.
    var xorRows: [Tensor] = [], xorLabels: [Double] = []
    for corner in [(-1.0, -1.0, -1.0), (-1, 1, 1), (1, -1, 1), (1, 1, -1)] {
        for _ in 0..<50 {
            xorRows.append(Tensor([corner.0, corner.1]) + Tensor.randomNormal([2], standardDeviation: 0.3, using: &random))
            xorLabels.append(corner.2)
        }
    }
    let xorX = Tensor.stack(xorRows, axis: 0), xorY = Tensor(xorLabels)
    let xorPerceptron = f.perceptronTrain(xorX, xorY, 50, 1)
    var xw = Tensor.zeros([2]), xb = 0.0
    for _ in 0..<(options.quick ? 150 : 400) {
        let result = f.logisticRegressionStep(xorX, (xorY + 1) / 2, xw, xb, 0.5)
        (xw, xb) = (result.weights, result.bias)
    }
    let xorLogistic = accuracy(matmul(xorX, xw) + xb, (xorY + 1) / 2)
    let xorPerceptronAccuracy = accuracy(matmul(xorX, xorPerceptron.weights) + xorPerceptron.bias, (xorY + 1) / 2)
    let xorNeverClean = !xorPerceptron.mistakesPerEpoch.contains(0)
    print("""
    3. XOR: 200 points in four corners (±1, ±1), σ = 0.3, opposite corners share a label [perceptron: \(options.source(of: "classify.perceptronTrain")), logistic: \(options.source(of: "classify.logisticStep"))]
       perceptron: \(xorNeverClean ? "mistakes in every one of its \(xorPerceptron.mistakesPerEpoch.count) epochs" : "a clean epoch?! (\(xorPerceptron.mistakesPerEpoch))") (fewest \(xorPerceptron.mistakesPerEpoch.min() ?? 0), last five \(xorPerceptron.mistakesPerEpoch.suffix(5).map(String.init).joined(separator: " "))), accuracy \(percent(xorPerceptronAccuracy))
       logistic regression: accuracy \(percent(xorLogistic)) — a straight line cannot do better than 3 corners out of 4 (75%)

    """)
    summary.append(["200 XOR points", "perceptron", "\(xorPerceptron.mistakesPerEpoch.count) epochs", percent(xorPerceptronAccuracy)])
    summary.append(["200 XOR points", "logistic regression", "\(options.quick ? 150 : 400) steps", percent(xorLogistic)])
    print(drawBoundary(xorX, labels: xorY.scalars.map { $0 > 0 ? 1 : 0 }, width: plotWidth, height: options.quick ? 12 : 16) { x in
        dot(x.row(0), xw) + xb > 0 ? 1 : 0
    })
    print("""
       Both models draw one straight line, and XOR needs two. Lesson 04 adds a hidden layer:
       a few ReLU units bend the boundary, and the same gradient descent solves XOR.

    """)

    // 4. Softmax regression: three classes.
    let centers = [Tensor([-2, -1]), Tensor([2, -1]), Tensor([0, 2])]
    let threeX = Tensor.concatenate(centers.map { Tensor.randomNormal([100, 2], standardDeviation: 0.8, using: &random) + $0 }, axis: 0)
    let threeLabels = (0..<300).map { $0 / 100 }
    var W = Tensor.zeros([2, 3]), bias3 = Tensor.zeros([3]), softmaxLosses: [Double] = []
    for _ in 0..<(options.quick ? 100 : 300) {
        let result = f.softmaxRegressionStep(threeX, threeLabels, W, bias3, 0.5)
        (W, bias3) = (result.weights, result.bias)
        softmaxLosses.append(result.loss)
    }
    let predictions = (matmul(threeX, W) + bias3).argmax(axis: 1).scalars.map { Int($0) }
    let threeAccuracy = Double(zip(predictions, threeLabels).filter { $0 == $1 }.count) / 300
    print("4. Softmax regression on three clouds of 100 points around (−2, −1), (2, −1), (0, 2), σ = 0.8 [\(options.source(of: "classify.softmaxCE"))]")
    print("   accuracy \(percent(threeAccuracy)), loss \(Tensor.format(softmaxLosses.first ?? .nan)) → \(Tensor.format(softmaxLosses.last ?? .nan))\n")
    summary.append(["300 points, 3 clouds", "softmax regression", "\(softmaxLosses.count) steps", percent(threeAccuracy)])
    print(drawBoundary(threeX, labels: threeLabels, width: plotWidth, height: options.quick ? 12 : 18) { x in
        Int((matmul(x, W) + bias3).argmax(axis: 1)[0])
    })
    print("   o, x, + = classes 0, 1, 2; the shading shows the predicted class\n")

    print(summary.render())
    print("")

    let mistakesPath = try options.write(SVGPlot(title: "Perceptron: mistakes per epoch (separable data)", xLabel: "epoch", yLabel: "mistakes",
                                                 series: [mistakesSeries]),
                                         named: "03-perceptron-mistakes.svg")
    let lossPath = try options.write(SVGPlot(title: "Training loss", xLabel: "step", yLabel: "cross-entropy",
                                             series: [Series("logistic regression (2 clouds)", values: losses),
                                                      Series("softmax regression (3 classes)", values: softmaxLosses)]),
                                     named: "03-losses.svg")
    print("SVG plots: \(mistakesPath)\n           \(lossPath)")
}


/// The fraction of rows whose score has the sign of the 0/1 target.
private func accuracy(_ scores: Tensor, _ targets: Tensor) -> Double {
    Double(zip(scores.scalars, targets.scalars).filter { ($0.0 > 0) == ($0.1 > 0.5) }.count) / Double(targets.count)
}
