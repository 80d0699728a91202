import CourseKit
import DeepTrainingSolutions
import Foundation
import Implementations

/// Demo 06 — a small CNN on 5,000 real MNIST digits: trained with lesson 05's Adam, compared with lesson 04's
/// MLP on the same split; the naive and the im2col convolution timed side by side; filters, feature maps,
/// the confusion matrix and the misclassified digits drawn; a saliency map and activation maximization.
let convNetsDemo = Demo(
    lesson: 6, title: "Convolutional networks",
    exercises: ["cnn.conv", "cnn.pool", "cnn.im2col", "cnn.fastConv", "cnn.smallNet"]
) { options in
    let f = ConvNetsFunctions.mixing(learnerFor: options.passed)
    let mlp = BackpropFunctions.mixing(learnerFor: options.passed)
    var random = SeededGenerator(seed: 6)

    // 1. Data: 5,000 digits, shuffled with a seed, 4,000 to train on and 1,000 held out.
    let (allImages, allLabels) = try Dataset.mnist5k()
    let order = random.permutation(allLabels.count)
    let trainCount = options.quick ? 600 : 4_000, testCount = options.quick ? 300 : 1_000
    let trainIndices = Array(order[..<trainCount]), testIndices = Array(order[4_000..<(4_000 + testCount)])
    let trainX = allImages.rows(at: trainIndices), trainY = trainIndices.map { allLabels[$0] }
    let testX = allImages.rows(at: testIndices), testY = testIndices.map { allLabels[$0] }
    print("""
    1. Data: \(allLabels.count) real MNIST digits, 28 × 28 grey pixels scaled to 0–1 (Data/, read from MNIST's IDX files),
       shuffled with seed 6: \(trainCount) for training, \(testCount) held out\(options.quick ? " (quick mode: a subset)" : "").

    """)

    // 2. The naive and the im2col convolution, side by side, on the second layer's shapes.
    let probe = random.permutation(trainCount).prefix(options.quick ? 4 : 16).map { $0 }
    let probeX = Tensor.randomNormal([probe.count, 8, 14, 14], using: &random)
    let probeW = Tensor.randomNormal([16, 8, 3, 3], standardDeviation: 0.2, using: &random), probeB = Tensor.zeros([16])
    var start = Date()
    let naive = f.conv(probeX, probeW, probeB, 1, 1).out
    let naiveSeconds = Date().timeIntervalSince(start)
    start = Date()
    let fast = f.fastConv(probeX, probeW, probeB, 1, 1).out
    let fastSeconds = Date().timeIntervalSince(start)
    let difference = abs(naive - fast).max()
    print("""
    2. One convolution, x [\(probe.count), 8, 14, 14] with 16 filters of 3 × 3 (padding 1), two ways
       [naive: \(options.source(of: "cnn.conv")), im2col: \(options.source(of: "cnn.fastConv"))]:
         naive loops          \(String(format: "%8.1f", naiveSeconds * 1000)) ms
         im2col + matmul      \(String(format: "%8.1f", fastSeconds * 1000)) ms   (\(String(format: "%.1f", naiveSeconds / max(fastSeconds, 1e-9)))× faster)
       largest difference between the two outputs: \(String(format: "%.1e", difference))  \(difference < 1e-9 ? "✓ the same answer (< 1e-9)" : "✗ they disagree")

    """)

    // 3. Train the CNN with Adam (lesson 05), random shifts of up to ±2 pixels.
    let epochs = options.quick ? 2 : 15, batchSize = 32, lambda = 1e-4
    let (filters1, filters2) = (8, 16)
    var net = ConvNetsFunctions.heInitializedNet(channels: 1, height: 28, width: 28, filters1: filters1, filters2: filters2, classes: 10,
                                                 using: &random)
    var adam = net.map { AdamState(shape: $0.shape) }
    let batchesPerEpoch = (trainCount + batchSize - 1) / batchSize
    let totalSteps = epochs * batchesPerEpoch
    print("""
    3. A CNN: conv 3 × 3 (\(filters1) filters) → ReLU → 2 × 2 max pool → conv 3 × 3 (\(filters2) filters) → ReLU → 2 × 2 max pool → affine
       (\(filters2 * 49) → 10), \(net.reduce(0) { $0 + $1.count }) parameters. Adam (lesson 05's reference), cosine schedule from 3e-3, minibatches of
       \(batchSize), λ = \(lambda), \(epochs) epochs; each training image shifted by a random −2…2 pixels in each direction
       [scores and gradients: \(options.source(of: "cnn.smallNet")), convolution: \(options.source(of: "cnn.fastConv")), pooling: \(options.source(of: "cnn.pool"))].

    """)
    var bar = ProgressBar(total: epochs, label: "   training")
    var epochLoss: [Double] = [], epochAccuracy: [Double] = []
    var step = 0
    let trainStart = Date()
    for epoch in 1...epochs {
        let shuffled = random.permutation(trainCount)
        var total = 0.0
        for batchStart in stride(from: 0, to: trainCount, by: batchSize) {
            let indices = Array(shuffled[batchStart..<min(batchStart + batchSize, trainCount)])
            let X = shifted(trainX.rows(at: indices), maxShift: 2, using: &random)
            let (loss, gradients) = f.convNetLoss(net, X, indices.map { trainY[$0] }, lambda)
            let rate = cosineWarmupLearningRate(step: step, maximumLearningRate: 3e-3, warmupSteps: batchesPerEpoch / 2,
                                                totalSteps: totalSteps, minimumLearningRate: 1e-5)
            for k in net.indices { net[k] = adamUpdate(net[k], gradient: gradients[k], state: &adam[k], learningRate: rate) }
            total += loss * Double(indices.count)
            step += 1
        }
        epochLoss.append(total / Double(trainCount))
        epochAccuracy.append(accuracy(f, net, testX, testY))
        bar.update(epoch, status: "loss \(Tensor.format(epochLoss[epoch - 1]))  held out \(percent(epochAccuracy[epoch - 1]))")
    }
    bar.finish()
    let trainSeconds = Date().timeIntervalSince(trainStart)
    let predictions = predict(f, net, testX)
    let cnnAccuracy = zip(predictions, testY).filter { $0 == $1 }.count.asFraction(of: testY.count)
    print("")
    print(LinePlot(title: "held-out accuracy per epoch", series: [Series("CNN", values: epochAccuracy)])
        .render(width: min(60, max(30, Terminal.width - 16)), height: options.quick ? 5 : 8))
    print("""

       CNN held-out accuracy \(percent(cnnAccuracy)) on \(testY.count) digits never seen in training  \
    \(cnnAccuracy >= 0.95 ? "✓ ≥ 95%" : options.quick ? "(quick mode: train in full for ≥ 95%)" : "✗ below 95%")
       training time \(String(format: "%.1f", trainSeconds)) s (\(String(format: "%.2f", trainSeconds / Double(epochs))) s per epoch)

    """)

    // 4. Lesson 04's MLP on the same split, for comparison.
    let flatTrain = Dataset(features: trainX.reshaped([trainCount, 784]), labels: trainY, classCount: 10)
    let flatTest = Dataset(features: testX.reshaped([testCount, 784]), labels: testY, classCount: 10)
    let mlpStart = Date()
    let mlpLayers = BackpropFunctions.heInitialized(sizes: [784, 128, 10], using: &random)
    let mlpRun = mlp.train(mlpLayers, flatTrain, flatTest, epochs, batchSize, 0.05, lambda, 7)
    let mlpAccuracy = mlp.accuracy(mlpRun.layers, flatTest.features, flatTest.labels)
    print("""
    4. Lesson 04's MLP [784, 128, 10] on the same split (minibatch SGD, η = 0.05, \(epochs) epochs, no shifts)
       [\(options.source(of: "mlp.training"))]: \(String(format: "%.1f", Date().timeIntervalSince(mlpStart))) s
         MLP held-out accuracy \(percent(mlpAccuracy)) (\(mlpRun.layers.reduce(0) { $0 + $1.weights.count + $1.bias.count }) parameters)
         CNN held-out accuracy \(percent(cnnAccuracy)) (\(net.reduce(0) { $0 + $1.count }) parameters): shared filters see shapes wherever they are.

    """)

    // 5. What the first layer learned, and one digit seen through it.
    let firstFilters = (0..<filters1).map { net[0].slice(axis: 0, $0..<($0 + 1)).reshaped([3, 3]) }
    print("5. The \(filters1) learned 3 × 3 filters of the first layer (dark = large weight):\n")
    print(Heatmap(Tensor.concatenate(firstFilters.flatMap { [$0, Tensor(shape: [3, 1], repeating: firstFilters.map { $0.min() }.min()!)] }.dropLast(), axis: 1))
        .render())
    let sample = testX.rows(at: [0])
    let maps = maximum(f.fastConv(sample, net[0], net[1], 1, 1).out, 0)        // [1, F1, 28, 28]
    print("\n   a held-out \(testY[0]) and what each first-layer filter responds to (after the ReLU, 28 × 28 halved in height):\n")
    let mapImages = (0..<filters1).map { maps.select(axis: 0, index: 0).select(axis: 0, index: $0) }
    print(asciiRow([sample.reshaped([28, 28])] + Array(mapImages.prefix(3))))
    print(asciiRow(Array(mapImages.dropFirst(3).prefix(4))))
    print(asciiRow(Array(mapImages.dropFirst(7))))

    // 6. Confusion matrix and mistakes.
    var confusion = Tensor.zeros([10, 10])
    for (truth, guess) in zip(testY, predictions) { confusion.withScalars { $0[truth * 10 + guess] += 1 } }
    let fractions = confusion / maximum(confusion.sum(axis: 1, keepingDims: true), 1)
    print("\n" + Heatmap(fractions, title: "6. Confusion on the held-out digits (rows: true digit, as fractions of its images; columns: predicted)",
                         rowLabels: (0..<10).map(String.init), columnLabels: (0..<10).map(String.init), range: 0...1).render())
    let wrong = zip(testY, predictions).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
    print("\n   \(wrong.count) of \(testY.count) held-out digits misclassified; the first ones (true → predicted):\n")
    let shown = Array(wrong.prefix(3))
    if !shown.isEmpty {
        print(shown.map { "   \(testY[$0]) → \(predictions[$0])".padding(toLength: 31, withPad: " ", startingAt: 0) }.joined())
        print(asciiRow(shown.map { testX.rows(at: [$0]).reshaped([28, 28]) }))
    }

    // 7. What the network looks at: saliency, and activation maximization.
    let digit = testY[0]
    let saliency = abs(inputGradient(f, net, sample, classIndex: digit)).reshaped([28, 28])
    print("\n7. Saliency: |∂ score(\(digit)) / ∂ pixel| for the digit above, through the backward passes [\(options.source(of: "cnn.fastConv"))]:\n")
    print(asciiRow([sample.reshaped([28, 28]), saliency]))
    let ascentSteps = options.quick ? 20 : 150
    var dreams: [Tensor] = []
    for target in 0..<10 {
        var image = Tensor(shape: [1, 1, 28, 28], repeating: 0.1)
        for _ in 0..<ascentSteps {
            // Gradient ascent on the class score, with an L2 pull toward 0 so the picture stays bounded.
            let g = inputGradient(f, net, image, classIndex: target) - 0.05 * image
            image = minimum(maximum(image + 0.02 * g / (sqrt((g * g).mean()) + 1e-8), 0), 1)
        }
        dreams.append(image.reshaped([28, 28]))
    }
    let dreamScores = (0..<10).map { target in f.convNetScores(net, dreams[target].reshaped([1, 1, 28, 28])).argmax(axis: 1)[0] }
    let recognized = zip(0..<10, dreamScores).filter { Double($0) == $1 }.count
    print("""

       Activation maximization: \(ascentSteps) steps of gradient ascent on a grey image, each to raise one class's score.
       The network classifies \(recognized) of the 10 synthesized images as the class they were built for
       (it is a picture of what excites a trained network, not a learning algorithm). Digits 0, 1, 2:

    """)
    print(asciiRow(Array(dreams.prefix(3))))

    // SVG: filters, feature maps, misclassified digits, saliency, activation maximization.
    let svg = imageGridSVG([("first-layer filters", firstFilters, filters1),
                            ("feature maps of one digit", [sample.reshaped([28, 28])] + mapImages, filters1 + 1),
                            ("misclassified (true → predicted)", wrong.prefix(12).map { testX.rows(at: [$0]).reshaped([28, 28]) }, 12),
                            ("saliency", [sample.reshaped([28, 28]), saliency], 2),
                            ("activation maximization, classes 0–9", dreams, 10)])
    let imagePath = options.outputDirectory.appendingPathComponent("06-cnn-images.svg")
    try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
    try svg.write(to: imagePath, atomically: true, encoding: .utf8)
    let curvePath = try options.write(SVGPlot(title: "MNIST-5k: CNN held-out accuracy per epoch", xLabel: "epoch", yLabel: "accuracy",
                                              series: [Series("CNN", values: epochAccuracy)]), named: "06-accuracy.svg")
    print("\nSVG: \(imagePath.path)\n     \(curvePath)")
}

private extension Int {
    func asFraction(of total: Int) -> Double { Double(self) / Double(Swift.max(total, 1)) }
}

/// Each image of `[N, 1, 28, 28]` moved by a random −maxShift…maxShift pixels along each axis, zeros filling in.
private func shifted(_ images: Tensor, maxShift: Int, using random: inout SeededGenerator) -> Tensor {
    let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
    var out = [Double](repeating: 0, count: images.count)
    for i in 0..<n {
        let dy = random.nextInt(in: -maxShift...maxShift), dx = random.nextInt(in: -maxShift...maxShift)
        for y in max(0, dy)..<min(h, h + dy) {
            for x in max(0, dx)..<min(w, w + dx) { out[(i * h + y) * w + x] = images.scalars[(i * h + y - dy) * w + x - dx] }
        }
    }
    return Tensor(shape: images.shape, scalars: out)
}

private func predict(_ f: ConvNetsFunctions, _ net: ConvNetsFunctions.Net, _ X: Tensor) -> [Int] {
    stride(from: 0, to: X.shape[0], by: 250).flatMap { start in
        f.convNetScores(net, X.slice(axis: 0, start..<min(start + 250, X.shape[0]))).argmax(axis: 1).scalars.map { Int($0) }
    }
}

private func accuracy(_ f: ConvNetsFunctions, _ net: ConvNetsFunctions.Net, _ X: Tensor, _ labels: [Int]) -> Double {
    zip(predict(f, net, X), labels).filter { $0 == $1 }.count.asFraction(of: labels.count)
}

/// ∂ score[classIndex] / ∂ x for one image `[1, 1, 28, 28]`, through the layers' own backward passes.
private func inputGradient(_ f: ConvNetsFunctions, _ net: ConvNetsFunctions.Net, _ x: Tensor, classIndex: Int) -> Tensor {
    let (c1, conv1) = f.fastConv(x, net[0], net[1], 1, 1)
    let (p1, pool1) = f.maxPool(maximum(c1, 0), 2, 2, 2)
    let (c2, conv2) = f.fastConv(p1, net[2], net[3], 1, 1)
    let (p2, pool2) = f.maxPool(maximum(c2, 0), 2, 2, 2)
    var dScores = Tensor.zeros([1, net[5].count])
    dScores[0, classIndex] = 1
    let dFlat = matmul(dScores, net[4].transposed()).reshaped(p2.shape)
    let dC2 = pool2(dFlat) * (c2 .> 0)
    let dC1 = pool1(conv2(dC2).dx) * (c1 .> 0)
    return conv1(dC1).dx
}

/// Images `[28, 28]` side by side in characters: one character per pixel across, two pixel rows per line.
private func asciiRow(_ images: [Tensor]) -> String {
    guard let first = images.first else { return "" }
    let shades = Array(" .:-=+*#%@")
    let (h, w) = (first.shape[0], first.shape[1])
    var lines: [String] = []
    for y in stride(from: 0, to: h, by: 2) {
        var line = "   "
        for image in images {
            let low = image.min(), high = image.max(), span = high > low ? high - low : 1
            for x in 0..<w {
                let v = (image[y, x] + (y + 1 < h ? image[y + 1, x] : image[y, x])) / 2
                line.append(shades[min(shades.count - 1, Int((v - low) / span * Double(shades.count - 1) + 0.5))])
            }
            line += "  "
        }
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

/// Rows of grey images as one SVG: each image scaled from its minimum (white) to its maximum (black).
private func imageGridSVG(_ rows: [(title: String, images: [Tensor], columns: Int)]) -> String {
    let cell = 4.0, gap = 8.0, titleHeight = 18.0
    var y = 10.0
    var body = ""
    var width = 0.0
    for row in rows {
        body += "<text x=\"10\" y=\"\(y + 12)\" font-family=\"sans-serif\" font-size=\"12\">\(row.title)</text>\n"
        y += titleHeight
        var x = 10.0, rowHeight = 0.0
        for image in row.images {
            let (h, w) = (image.shape[0], image.shape[1])
            let scale = max(1, 28 / max(h, w)) // small filters drawn larger
            let low = image.min(), high = image.max(), span = high > low ? high - low : 1
            for i in 0..<h {
                for j in 0..<w {
                    let grey = Int(255 * (1 - (image[i, j] - low) / span))
                    let size = cell * Double(scale)
                    body += "<rect x=\"\(x + Double(j) * size)\" y=\"\(y + Double(i) * size)\" width=\"\(size)\" height=\"\(size)\" fill=\"rgb(\(grey),\(grey),\(grey))\"/>\n"
                }
            }
            x += Double(w * scale) * cell + gap
            rowHeight = max(rowHeight, Double(h * scale) * cell)
        }
        width = max(width, x)
        y += rowHeight + gap
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width + 10))\" height=\"\(Int(y + 10))\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
}
