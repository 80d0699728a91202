import CourseKit
import Foundation
import Implementations

/// Demo 04 — backpropagation at work: XOR, which defeated every line in
/// lesson 03, solved by a hidden layer; then a multilayer perceptron on the
/// handwritten digits, with training and validation curves and a test score.
let backpropDemo = Demo(
    lesson: 4, title: "Backpropagation and the multilayer perceptron",
    exercises: ["mlp.affine", "mlp.relu", "mlp.twoLayer", "mlp.deepNet", "mlp.training"]
) { options in
    let f = BackpropFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    var random = SeededGenerator(seed: 4)
    // The data file first: a damaged Data/digits.csv is named before any training starts.
    let digits = try Dataset.digits()

    // 1. XOR: four noisy corners, opposite corners share a label.
    var rows: [Tensor] = [], labels: [Int] = []
    for corner in [(-1.0, -1.0, 0), (-1, 1, 1), (1, -1, 1), (1, 1, 0)] {
        for _ in 0..<50 {
            rows.append(Tensor([corner.0, corner.1]) + Tensor.randomNormal([2], standardDeviation: 0.3, using: &random))
            labels.append(corner.2)
        }
    }
    let xor = Dataset(features: Tensor.stack(rows, axis: 0), labels: labels, classCount: 2)
    let xorStart = BackpropFunctions.heInitialized(sizes: [2, 8, 2], using: &random)
    let xorEpochs = options.quick ? 60 : 150
    let xorRun = f.train(xorStart, xor, xor, xorEpochs, 20, 0.1, 0, 1)
    let xorAccuracy = f.accuracy(xorRun.layers, xor.features, xor.labels)
    print("1. XOR with a hidden layer: a [2, 8, 2] network, \(xorEpochs) epochs of minibatch SGD [training: \(options.source(of: "mlp.training")), network: \(options.source(of: "mlp.deepNet"))]")
    print("   accuracy \(percent(xorAccuracy))  \(xorAccuracy == 1 ? "✓" : "✗ (expected 100%)") — lesson 03's single line could not pass 75% here.\n")
    print(drawBoundary(xor.features, labels: xor.labels, width: plotWidth, height: options.quick ? 12 : 16) { x in
        Int(f.networkScores(xorRun.layers, x).argmax(axis: 1)[0])
    })
    print("   o = class 0, x = class 1; shaded: where the network says class 1. Eight ReLU units bend the boundary.\n")

    // 2. Digits.
    let (rest, rawTest) = digits.split(trainingFraction: 0.8, using: &random)
    let (rawTrain, rawValidation) = rest.split(trainingFraction: 0.85, using: &random)
    // Each pixel standardized with the training set's mean and spread, so every input starts on the same scale.
    let mean = rawTrain.features.mean(axis: 0), spread = sqrt(rawTrain.features.variance(axis: 0)) + 0.05
    func standardized(_ d: Dataset) -> Dataset {
        Dataset(features: (d.features - mean) / spread, labels: d.labels, classCount: d.classCount)
    }
    let (train, validation, test) = (standardized(rawTrain), standardized(rawValidation), standardized(rawTest))
    let sizes = [64, 128, 10]
    let epochs = options.quick ? 4 : 30, batchSize = 32, learningRate = 0.1, lambda = 1e-4
    print("""
    2. Handwritten digits: \(digits.count) images of 8 × 8 pixels (UCI, CC BY 4.0), split into \(train.count) for training,
       \(validation.count) for validation and \(test.count) for the final test, each pixel standardized with the training
       set's mean and spread. A \(sizes) network, minibatches of \(batchSize),
       η = \(learningRate), λ = \(lambda), \(epochs) epochs [training: \(options.source(of: "mlp.training")), network: \(options.source(of: "mlp.deepNet"))].

    """)
    var layers = BackpropFunctions.heInitialized(sizes: sizes, using: &random)
    var epochLoss: [Double] = [], trainAccuracy: [Double] = [], validationAccuracy: [Double] = []
    var bar = ProgressBar(total: epochs, label: "   training")
    for epoch in 1...epochs {
        // One epoch at a time through the learner's trainNetwork, a new shuffling seed each epoch.
        let run = f.train(layers, train, validation, 1, batchSize, learningRate, lambda, UInt64(100 + epoch))
        layers = run.layers
        epochLoss.append(run.history.losses.reduce(0, +) / Double(max(1, run.history.losses.count)))
        trainAccuracy.append(run.history.trainAccuracy.last ?? .nan)
        validationAccuracy.append(run.history.validationAccuracy.last ?? .nan)
        bar.update(epoch, status: "loss \(Tensor.format(epochLoss[epoch - 1]))  validation \(percent(validationAccuracy[epoch - 1]))")
    }
    bar.finish()
    let testAccuracy = f.accuracy(layers, test.features, test.labels)
    print("")
    let lossSeries = Series("mean minibatch loss", values: epochLoss)
    let accuracySeries = [Series("training", values: trainAccuracy), Series("validation", values: validationAccuracy)]
    print(LinePlot(title: "loss per epoch", series: [lossSeries], logY: true).render(width: plotWidth, height: options.quick ? 6 : 10))
    print("")
    print(LinePlot(title: "accuracy per epoch", series: accuracySeries).render(width: plotWidth, height: options.quick ? 6 : 10))
    print("")
    print("   test accuracy \(percent(testAccuracy)) on \(test.count) digits never seen in training  "
        + (testAccuracy >= 0.97 ? "✓ ≥ 97%" : options.quick ? "(quick mode: train in full for ≥ 97%)" : "✗ below 97%"))
    print("   training \(percent(trainAccuracy.last ?? .nan)), validation \(percent(validationAccuracy.last ?? .nan)): the gap is how much the network memorized.\n")

    // What it confuses: the test set's confusion matrix.
    let predictions = f.networkScores(layers, test.features).argmax(axis: 1).scalars.map { Int($0) }
    var confusion = Tensor.zeros([10, 10])
    for (truth, guess) in zip(test.labels, predictions) {
        confusion.withScalars { $0[truth * 10 + guess] += 1 }
    }
    // Each row as fractions of that digit's test images, so a digit with fewer examples does not look worse.
    let fractions = confusion / maximum(confusion.sum(axis: 1, keepingDims: true), 1)
    print(Heatmap(fractions, title: "confusion on the test set (rows: true digit, as fractions of its images; columns: predicted)",
                  rowLabels: (0..<10).map(String.init), columnLabels: (0..<10).map(String.init), range: 0...1).render())
    var mistakes: [(Int, Int, Int)] = []
    for truth in 0..<10 {
        for guess in 0..<10 where truth != guess && confusion[truth, guess] > 0 {
            mistakes.append((Int(confusion[truth, guess]), truth, guess))
        }
    }
    let worst = mistakes.sorted { $0.0 > $1.0 }.prefix(3).map { "\($0.1) read as \($0.2) (\($0.0)×)" }
    print("   most frequent mistakes: \(worst.isEmpty ? "none" : worst.joined(separator: ", "))\n")

    // What the hidden units look at: each first-layer unit's 64 weights drawn as the 8 × 8 image they are matched against.
    let firstLayer = layers[0].weights.transposed()   // [hidden, 64]
    let unitImages = (0..<firstLayer.shape[0]).map { firstLayer.row($0).reshaped([8, 8]) }
    // The units with the largest weights first: they react most strongly to their pattern.
    let strongest = unitImages.indices.sorted { (unitImages[$0] * unitImages[$0]).sum() > (unitImages[$1] * unitImages[$1]).sum() }
    let shown = max(1, min(8, (Terminal.width - 3) / 18))
    print("   What the first layer looks at: the \(shown) hidden units with the largest weights, each unit's 64 weights as an 8 × 8 image")
    print("   (dark: a bright pixel there raises the unit, light: it lowers it; each image scaled to its own weights):\n")
    let rendered = strongest.prefix(shown).map { index -> [String] in
        let image = unitImages[index]
        let scale = max(abs(image.min()), abs(image.max()), 1e-12)
        return Heatmap(image, range: -scale...scale).render().components(separatedBy: "\n")
    }
    for row in 0..<8 {
        print("   " + rendered.map { $0[row] }.joined(separator: "  "))
    }
    print("   Each unit responds to its own pattern of pixels; the second layer combines their answers into digits.\n")

    let weightsPath = try options.write(SVGImageGrid(title: "Digits: the \(unitImages.count) first-layer units' weights as 8 × 8 images",
                                                     images: unitImages, columns: 16), named: "04-first-layer-weights.svg")
    let lossPath = try options.write(SVGPlot(title: "Digits: mean minibatch loss per epoch", xLabel: "epoch", yLabel: "cross-entropy",
                                             series: [lossSeries], logY: true), named: "04-loss.svg")
    let accuracyPath = try options.write(SVGPlot(title: "Digits: accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
                                                 series: accuracySeries), named: "04-accuracy.svg")
    print("SVG plots: \(lossPath)\n           \(accuracyPath)\n           \(weightsPath)")
}
