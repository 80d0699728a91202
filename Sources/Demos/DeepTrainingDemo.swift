import CourseKit
import Foundation
import Implementations

/// Demo 05 — training deep networks: the optimizers side by side, what
/// initialization does to a ten-layer network, batch norm and dropout, and
/// the update-to-weight ratio with a random search over (η, λ).
let deepTrainingDemo = Demo(
    lesson: 5, title: "Training deep networks",
    exercises: ["deep.init", "deep.momentum", "deep.adaptive", "deep.adam", "deep.l2", "deep.dropout", "deep.clipping",
                "deep.batchNorm", "deep.layerNorm", "deep.schedules", "deep.network", "deep.training"]
) { options in
    let f = DeepTrainingFunctions.mixing(learnerFor: options.passed)
    let quick = options.quick
    let plotWidth = min(60, max(30, Terminal.width - 16))
    var random = SeededGenerator(seed: 5)

    // The digits, each pixel standardized with the training set's mean and spread (as in demo 04).
    let digits = try Dataset.digits()
    let (rest, _) = digits.split(trainingFraction: 0.8, using: &random)
    let (rawTrain, rawValidation) = rest.split(trainingFraction: 0.8, using: &random)
    let mean = rawTrain.features.mean(axis: 0), spread = sqrt(rawTrain.features.variance(axis: 0)) + 0.05
    func standardized(_ d: Dataset) -> Dataset {
        Dataset(features: (d.features - mean) / spread, labels: d.labels, classCount: d.classCount)
    }
    let train = standardized(rawTrain), validation = standardized(rawValidation)
    let networkSource = options.passed.contains("deep.training") && options.passed.contains("deep.network") ? "yours" : "reference"
    print("Data: \(digits.count) handwritten digits (8 × 8 pixels, UCI, CC BY 4.0); \(train.count) for training and \(validation.count) for validation, pixels standardized.")
    print("Training loop and network: \(networkSource) (yours once deep.network, deep.training and every exercise they call pass).\n")

    /// Layers drawn by an initializer (yours where deep.init passed), zero biases.
    func layers(_ sizes: [Int], seed: UInt64, _ initializer: DeepTrainingFunctions.Initializer) -> DeepTrainingFunctions.Layers {
        zip(sizes, sizes.dropFirst()).enumerated().map { index, pair in
            (initializer([pair.0, pair.1], seed &+ UInt64(index)), Tensor.zeros([pair.1]))
        }
    }
    func perEpoch(_ losses: [Double], epochs: Int) -> [Double] {
        let perEpoch = losses.count / max(1, epochs)
        return (0..<epochs).map { e in losses[(e * perEpoch)..<((e + 1) * perEpoch)].reduce(0, +) / Double(max(1, perEpoch)) }
    }

    // 1. Optimizers.
    let epochs = quick ? 3 : 10, batchSize = 64, target = 0.3
    let optimizers: [(String, DeepTrainingFunctions.OptimizerChoice, Double, Double, String)] = [
        ("SGD", .sgd, 0.1, 1e-4, "deep.training"),
        ("Momentum", .momentum(0.9), 0.05, 1e-4, "deep.momentum"),
        ("Nesterov", .nesterov(0.9), 0.05, 1e-4, "deep.momentum"),
        ("AdaGrad", .adagrad(epsilon: 1e-8), 0.05, 1e-4, "deep.adaptive"),
        ("RMSprop", .rmsprop(decayRate: 0.99, epsilon: 1e-8), 2e-3, 1e-4, "deep.adaptive"),
        ("Adam", .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 3e-3, 1e-4, "deep.adam"),
        ("AdamW", .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01), 3e-3, 0, "deep.adam"),
    ]
    print("1. Optimizers: the same [64, 64, 10] network (He initialization, one seed), the same minibatch order (batches of \(batchSize)), \(epochs) epochs each.".styled(.bold))
    let start = DeepTrainingFunctions.Network(layers: layers([64, 64, 10], seed: 11, f.heNormal))
    var table = Table(["optimizer", "η", "λ / decay", "code", "final train loss", "final validation loss", "validation accuracy", "epochs to validation loss ≤ \(target)"],
                      rightAligned: [1, 2, 4, 5, 6, 7])
    var lossSeries: [Series] = []
    var reached: [String: Int] = [:]
    for (name, choice, lr, lambda, exercise) in optimizers {
        let run = f.train(start, train, validation, choice, lr, .constant, epochs, batchSize, lambda, nil, 7)
        let curve = perEpoch(run.history.losses, epochs: epochs)
        lossSeries.append(Series(name, values: curve))
        let firstEpoch = run.history.validationLoss.firstIndex { $0 <= target }.map { $0 + 1 }
        if let firstEpoch { reached[name] = firstEpoch }
        let decay = { if case .adamW(_, _, _, let wd) = choice { return "decay \(wd)" } else { return "λ \(lambda)" } }()
        table.append([name, "\(lr)", decay, options.source(of: exercise), String(format: "%.3f", curve.last ?? .nan),
                      String(format: "%.3f", run.history.validationLoss.last ?? .nan), percent(run.history.validationAccuracy.last ?? .nan),
                      firstEpoch.map { "\($0)" } ?? "not within \(epochs)"])
    }
    print(table.render())
    print(LinePlot(title: "mean minibatch loss per epoch", series: lossSeries, logY: true).render(width: plotWidth, height: quick ? 8 : 12))
    let fastest = reached.min { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
    if let fastest {
        print("   fastest to validation loss ≤ \(target): \(fastest.key) in \(fastest.value) epochs; plain SGD: \(reached["SGD"].map { "\($0) epochs" } ?? "not within \(epochs)").")
    } else {
        print("   no optimizer reached validation loss ≤ \(target) within \(epochs) epochs (quick mode trains too briefly).")
    }
    print("   reached validation loss ≤ \(target): \(reached.count) of \(optimizers.count) optimizers.\n")
    let optimizerPath = try options.write(SVGPlot(title: "Optimizers on the digits: mean minibatch loss per epoch", xLabel: "epoch",
                                                  yLabel: "cross-entropy", series: lossSeries, logY: true), named: "05-optimizers.svg")

    // 2. Initialization: activations through ten layers.
    let depth = 10, width = 32
    let probe = train.features.slice(axis: 0, 0..<(quick ? 100 : 300))
    let initializations: [(String, DeepTrainingFunctions.Initializer)] = [
        ("too small, σ = 0.01", { shape, seed in var g = SeededGenerator(seed: seed); return Tensor.randomNormal(shape, standardDeviation: 0.01, using: &g) }),
        ("too large, σ = 1", { shape, seed in var g = SeededGenerator(seed: seed); return Tensor.randomNormal(shape, standardDeviation: 1, using: &g) }),
        ("Xavier", f.xavierNormal),
        ("He", f.heNormal),
    ]
    print("2. Initialization: a \(depth)-layer network of width \(width) (no biases), \(probe.shape[0]) digits through it. Standard deviation of each layer's activations,".styled(.bold))
    print("   and of the gradient that reaches each layer's input when the top layer receives a unit-variance gradient [init: \(options.source(of: "deep.init"))].")
    let shownLayers = [1, 2, 4, 6, 8, 10]
    var statistics = Table(["activation", "initialization"] + shownLayers.map { "h\($0) std" } + ["gradient at the input / at the top", "h10 histogram"],
                           rightAligned: Set(2..<(2 + shownLayers.count + 1)))
    var stallRatios: [String: Double] = [:], activationGrowth: [String: Double] = [:]
    for activation in ["tanh", "ReLU"] {
        for (name, initializer) in initializations {
            let weights = (0..<depth).map { initializer([$0 == 0 ? 64 : width, width], 100 &+ UInt64($0)) }
            var h = probe
            var inputs: [Tensor] = [], outputs: [Tensor] = [], stds: [Double] = []
            for w in weights {
                inputs.append(h)
                let z = matmul(h, w)
                h = activation == "tanh" ? tanh(z) : maximum(z, 0)
                outputs.append(h)
                stds.append(standardDeviation(h))
            }
            var gradientGenerator = SeededGenerator(seed: 9)
            var dh = Tensor.randomNormal(h.shape, using: &gradientGenerator)
            var gradientStds: [Double] = []
            for l in stride(from: depth - 1, through: 0, by: -1) {
                let dz = activation == "tanh" ? dh * (1 - outputs[l] * outputs[l]) : dh * (outputs[l] .> 0)
                dh = matmul(dz, weights[l].transposed())
                gradientStds.append(standardDeviation(dh))
            }
            let ratio = gradientStds.last! / max(gradientStds.first!, 1e-300)
            stallRatios["\(activation) \(name)"] = ratio
            activationGrowth["\(activation) \(name)"] = stds.last! / stds.first!
            let range = activation == "tanh" ? -1.0...1.0 : 0.0...2.0   // one fixed scale per activation, so the rows compare
            let shown = activation == "tanh" ? h : Tensor(h.scalars.filter { $0 > 0 })   // ReLU: the nonzero outputs
            statistics.append([activation, name] + shownLayers.map { String(format: "%.2e", stds[$0 - 1]) }
                + [String(format: "%.1e", ratio), histogram(shown, range: range)])
        }
    }
    print(statistics.render())
    func growth(_ key: String) -> String { String(format: "×%.2g", activationGrowth[key] ?? .nan) }
    func gradient(_ key: String) -> String { String(format: "×%.2g", stallRatios[key] ?? .nan) }
    print("""
       Too small: the activations shrink by orders of magnitude (h10/h1 std: tanh \(growth("tanh too small, σ = 0.01")), ReLU \(growth("ReLU too small, σ = 0.01"))) and the gradient vanishes
       on its way down (tanh \(gradient("tanh too small, σ = 0.01"))). Too large: tanh saturates at ±1 (the histogram piles up at the ends, where its slope is 0)
       and ReLU's activations explode (\(growth("ReLU too large, σ = 1"))). Xavier with tanh (\(growth("tanh Xavier"))) and He with ReLU (\(growth("ReLU He"))) keep the scale within a small factor;
       Xavier with ReLU, which zeroes half its inputs, fades (\(growth("ReLU Xavier"))).
    """)
    // Which ones train: the lesson's network is ReLU; ten hidden layers, each initialization, a few epochs of momentum.
    let initEpochs = quick ? 2 : 3
    var trains = Table(["ReLU network, 10 hidden layers", "validation accuracy after \(initEpochs) epochs", "verdict"], rightAligned: [1])
    var initAccuracy: [String: Double] = [:]
    for (name, initializer) in initializations {
        let net = DeepTrainingFunctions.Network(layers: layers([64] + Array(repeating: width, count: depth) + [10], seed: 200, initializer))
        let run = f.train(net, train, validation, .momentum(0.9), 0.05, .constant, initEpochs, batchSize, 0, 5.0, 3)
        let accuracy = run.history.validationAccuracy.last ?? .nan
        initAccuracy[name] = accuracy
        trains.append([name, percent(accuracy), accuracy < 0.15 ? "stalls (chance is 10%)" : accuracy < 0.4 ? "learns slowly" : "trains"])
    }
    print(trains.render())
    print("   (momentum 0.9, η = 0.05, gradients clipped at norm 5 so that the too-large start does not blow up to NaN)\n")

    // 3. Batch norm rescues a badly initialized deep network; dropout closes a train/validation gap.
    print("3. Batch norm and dropout [batch norm: \(options.source(of: "deep.batchNorm")), dropout: \(options.source(of: "deep.dropout"))]".styled(.bold))
    let badEpochs = quick ? 2 : 3
    let bad = layers([64] + Array(repeating: width, count: depth) + [10], seed: 300, initializations[0].1)
    var rescue = Table(["10 hidden layers, σ = 0.01 start", "validation accuracy after \(badEpochs) epochs"], rightAligned: [1])
    var rescueAccuracy: [String: Double] = [:]
    for (name, normalization) in [("without batch norm", DeepTrainingFunctions.NormalizationKind.none), ("with batch norm", .batch)] {
        let run = f.train(DeepTrainingFunctions.Network(layers: bad, normalization: normalization), train, validation, .momentum(0.9), 0.05,
                          .constant, badEpochs, batchSize, 0, 5.0, 4)
        rescueAccuracy[name] = run.history.validationAccuracy.last ?? .nan
        rescue.append([name, percent(rescueAccuracy[name]!)])
    }
    print(rescue.render())
    let with = rescueAccuracy["with batch norm"]!, without = rescueAccuracy["without batch norm"]!
    print("   batch norm \(with > without + 0.15 ? "rescues" : "does not rescue") the badly initialized network: \(percent(with)) against \(percent(without)).\n")

    let subset = train.subset(Array(0..<200))
    let dropoutEpochs = quick ? 30 : 60
    var gaps = Table(["[64, 512, 10] on 200 digits", "train accuracy", "validation accuracy", "train loss", "validation loss", "loss gap"],
                     rightAligned: [1, 2, 3, 4, 5])
    var gap: [Double] = []
    for p in [0.0, 0.5] {
        let net = DeepTrainingFunctions.Network(layers: layers([64, 512, 10], seed: 400, f.heNormal), dropProbability: p)
        let run = f.train(net, subset, validation, .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 1e-3, .constant, dropoutEpochs, 50, 0, nil, 6)
        let trainAccuracy = run.history.trainAccuracy.last ?? .nan, validationAccuracy = run.history.validationAccuracy.last ?? .nan
        let trainLoss = crossEntropy(f.networkScores(run.network, subset.features), subset.labels)
        let validationLoss = run.history.validationLoss.last ?? .nan
        gap.append(validationLoss - trainLoss)
        gaps.append([p == 0 ? "no dropout" : "dropout p = 0.5", percent(trainAccuracy), percent(validationAccuracy),
                     String(format: "%.3f", trainLoss), String(format: "%.3f", validationLoss), String(format: "%.3f", gap.last!)])
    }
    print(gaps.render())
    print("   (\(dropoutEpochs) epochs of Adam, η = 1e-3; both losses in inference mode.) Without dropout the network memorizes its 200 digits:")
    print("   its training loss goes to almost 0 while the validation loss does not follow.")
    print("   dropout \(gap[1] < gap[0] ? "narrows" : "does not narrow") the gap between validation and training loss: \(String(format: "%.3f", gap[0])) without, \(String(format: "%.3f", gap[1])) with p = 0.5.\n")

    // 4. The update-to-weight ratio, and a random search over (η, λ).
    print("4. Hyperparameters".styled(.bold))
    let oneBatch = train.subset(Array(0..<batchSize))
    var ratios = Table(["one step of", "η", "‖ΔW‖/‖W‖ layer 1", "layer 2", "layer 3"], rightAligned: [1, 2, 3, 4])
    let ratioNet = DeepTrainingFunctions.Network(layers: layers([64, 64, 64, 10], seed: 500, f.heNormal))
    var healthy: [String] = []
    for (name, choice, lr) in [("SGD", DeepTrainingFunctions.OptimizerChoice.sgd, 0.001), ("SGD", .sgd, 0.01), ("SGD", .sgd, 0.1), ("SGD", .sgd, 1.0),
                               ("Adam", .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), 1e-3)] {
        let stepped = f.train(ratioNet, oneBatch, oneBatch, choice, lr, .constant, 1, batchSize, 0, nil, 1).network
        let r = zip(ratioNet.layers, stepped.layers).map { ($1.weights - $0.weights).norm() / $0.weights.norm() }
        if r.allSatisfy({ (3e-4...3e-3).contains($0) }) { healthy.append("\(name) η = \(lr)") }
        ratios.append([name, "\(lr)"] + r.map { String(format: "%.1e", $0) })
    }
    print(ratios.render())
    print("   about 1e-3 per step is healthy (updates small next to the weights, but not negligible): \(healthy.isEmpty ? "none here" : healthy.joined(separator: ", ")).\n")

    let trials = quick ? 6 : 14, searchEpochs = quick ? 2 : 3
    let searchTrain = train.subset(Array(0..<(quick ? 300 : 500)))
    var searchRandom = SeededGenerator(seed: 12)
    var results: [(lr: Double, lambda: Double, accuracy: Double)] = []
    for _ in 0..<trials {
        let lr = pow(10, searchRandom.nextUniform(in: -4 ..< -0.5)), lambda = pow(10, searchRandom.nextUniform(in: -5 ..< -0.5))
        let net = DeepTrainingFunctions.Network(layers: layers([64, 64, 10], seed: 600, f.heNormal))
        let run = f.train(net, searchTrain, validation, .momentum(0.9), lr, .constant, searchEpochs, batchSize, lambda, nil, 8)
        let accuracy = run.history.validationAccuracy.last ?? .nan
        results.append((lr, lambda, accuracy.isNaN ? 0 : accuracy))
    }
    let sorted = results.sorted { $0.accuracy > $1.accuracy }
    var search = Table(["rank", "η", "λ", "validation accuracy"], rightAligned: [0, 1, 2, 3])
    for (rank, r) in sorted.enumerated() where rank < 5 || rank == sorted.count - 1 {
        search.append(["\(rank + 1)", String(format: "%.2e", r.lr), String(format: "%.2e", r.lambda), percent(r.accuracy)])
    }
    print("   random search: \(trials) trials, η ~ 10^U(−4, −0.5) and λ ~ 10^U(−5, −0.5), momentum 0.9, \(searchEpochs) epochs on \(searchTrain.count) digits")
    print(search.render())
    print(scatter(results, width: plotWidth, height: quick ? 10 : 14))
    print("   best validation accuracy \(percent(sorted[0].accuracy)) at η = \(String(format: "%.2e", sorted[0].lr)), λ = \(String(format: "%.2e", sorted[0].lambda)); worst \(percent(sorted.last!.accuracy)).")
    print("   Sample on log scales: η matters over orders of magnitude, and a grid would test only a few distinct values of each.\n")
    let scatterPath = options.outputDirectory.appendingPathComponent("05-random-search.svg")
    try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
    try scatterSVG(results).write(to: scatterPath, atomically: true, encoding: .utf8)
    print("SVG plots: \(optimizerPath)\n           \(scatterPath.path)")
}

/// The mean cross-entropy of scores `[N, C]` for the labels (max-shifted, so large scores do not overflow).
private func crossEntropy(_ scores: Tensor, _ labels: [Int]) -> Double {
    let shifted = scores - scores.max(axis: 1, keepingDims: true)
    let logSums = log(exp(shifted).sum(axis: 1))
    return labels.enumerated().reduce(0) { $0 + logSums[$1.offset] - shifted[$1.offset, $1.element] } / Double(labels.count)
}

private func standardDeviation(_ t: Tensor) -> Double {
    let m = t.mean()
    return (t.scalars.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, t.count))).squareRoot()
}

/// Eight-level bars of a histogram over `range`, 12 bins.
private func histogram(_ t: Tensor, range: ClosedRange<Double>) -> String {
    let bins = 12, levels = Array(" ▁▂▃▄▅▆▇█")
    var counts = Array(repeating: 0, count: bins)
    for v in t.scalars where v.isFinite {
        let position = (v - range.lowerBound) / (range.upperBound - range.lowerBound)
        counts[min(bins - 1, max(0, Int(position * Double(bins))))] += 1
    }
    let top = max(1, counts.max() ?? 1)
    return String(counts.map { levels[Int((Double($0) / Double(top) * 8).rounded(.up))] })
}

/// A terminal scatter of the search: x = log10 η, y = log10 λ, each trial drawn by its accuracy decile (0–9).
private func scatter(_ results: [(lr: Double, lambda: Double, accuracy: Double)], width: Int, height: Int) -> String {
    var grid = Array(repeating: Array(repeating: " ", count: width), count: height)
    for r in results {
        let column = min(width - 1, max(0, Int((log10(r.lr) + 4) / 3.5 * Double(width))))
        let row = min(height - 1, max(0, Int((1 - (log10(r.lambda) + 5) / 4.5) * Double(height))))
        grid[row][column] = String(min(9, Int(r.accuracy * 10)))
    }
    let border = "   +" + String(repeating: "-", count: width) + "+"
    return (["   λ (log scale, 10^-0.5 at the top) × η (log scale, 10^-4 at the left); each trial shown by its validation accuracy's first digit (9 = 90–100%)", border]
        + grid.map { "   |" + $0.joined() + "|" } + [border]).joined(separator: "\n")
}

/// The search as an SVG scatter on log axes, each point coloured by its validation accuracy.
private func scatterSVG(_ results: [(lr: Double, lambda: Double, accuracy: Double)]) -> String {
    let (width, height, left, top, plotW, plotH) = (640.0, 440.0, 70.0, 40.0, 520.0, 340.0)
    func px(_ lr: Double) -> Double { left + (log10(lr) + 4) / 3.5 * plotW }
    func py(_ lambda: Double) -> Double { top + (1 - (log10(lambda) + 5) / 4.5) * plotH }
    var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15" font-weight="bold">Random search: validation accuracy over (learning rate, λ)</text>
    <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#333"/>

    """
    for e in -4...(-1) {
        let x = px(pow(10, Double(e)))
        svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + plotH)\" stroke=\"#eee\"/><text x=\"\(x)\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">1e\(e)</text>\n"
    }
    for e in -5...(-1) {
        let y = py(pow(10, Double(e)))
        svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotW)\" y2=\"\(y)\" stroke=\"#eee\"/><text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">1e\(e)</text>\n"
    }
    svg += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">learning rate η (log scale)</text>\n"
    svg += "<text transform=\"translate(16 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">λ (log scale)</text>\n"
    for r in results {
        // Accuracy from 10% (grey-blue) to 100% (orange).
        let t = max(0, min(1, (r.accuracy - 0.1) / 0.9))
        let color = String(format: "rgb(%d,%d,%d)", Int(40 + 200 * t), Int(90 + 60 * t), Int(180 - 160 * t))
        svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"", px(r.lr), py(r.lambda)) + color
            + String(format: "\" stroke=\"#333\"><title>η %.2e, λ %.2e: %.1f%%</title></circle>\n", r.lr, r.lambda, 100 * r.accuracy)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%.0f%%</text>\n", px(r.lr) + 9, py(r.lambda) + 4, 100 * r.accuracy)
    }
    return svg + "</svg>\n"
}
