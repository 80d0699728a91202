import CourseKit
import Foundation
import Implementations

/// A Transformer built from lesson 08's functions: token and position
/// embeddings, pre-norm blocks, a final layer norm and a linear read-out.
/// Parameters travel as one flat list of tensors (the order of `parameters`).
struct TinyTransformer {
    var tokenTable: Tensor        // [V, D]
    var positionTable: Tensor     // [T_max, D]
    var blocks: [[Tensor]]        // each: the block's 16 tensors
    var finalGamma: Tensor        // [D]
    var finalBeta: Tensor         // [D]
    var readOutWeights: Tensor    // [D, V]
    var readOutBias: Tensor       // [V]
    let heads: Int

    init(vocabulary: Int, maxLength: Int, width: Int, hidden: Int, layers: Int, heads: Int, using random: inout SeededGenerator) {
        tokenTable = Tensor.randomNormal([vocabulary, width], standardDeviation: 0.5, using: &random)
        positionTable = Tensor.randomNormal([maxLength, width], standardDeviation: 0.5, using: &random)
        blocks = (0..<layers).map { _ in TransformersFunctions.randomBlock(width: width, hidden: hidden, using: &random) }
        finalGamma = Tensor.ones([width])
        finalBeta = Tensor.zeros([width])
        readOutWeights = Tensor.randomNormal([width, vocabulary], standardDeviation: (1 / Double(width)).squareRoot(), using: &random)
        readOutBias = Tensor.zeros([vocabulary])
        self.heads = heads
    }

    var parameters: [Tensor] {
        get { [tokenTable, positionTable] + blocks.flatMap { $0 } + [finalGamma, finalBeta, readOutWeights, readOutBias] }
        set {
            tokenTable = newValue[0]
            positionTable = newValue[1]
            for index in blocks.indices { blocks[index] = Array(newValue[(2 + 16 * index)..<(2 + 16 * (index + 1))]) }
            let rest = 2 + 16 * blocks.count
            (finalGamma, finalBeta, readOutWeights, readOutBias) = (newValue[rest], newValue[rest + 1], newValue[rest + 2], newValue[rest + 3])
        }
    }

    /// Scores `[B·T, V]`, every block's attention weights `[B, H, T, T]`, and the backward from dScores to every parameter's gradient.
    func forward(_ tokens: [[Int]], mask: Tensor?, f: TransformersFunctions)
        -> (scores: Tensor, attention: [Tensor], backward: (Tensor) -> [Tensor]) {
        let (embedded, embeddingBackward) = f.tokenEmbedding(tokens, tokenTable, positionTable)
        var x = embedded
        var backwards: [F.ParameterBackward] = [], attention: [Tensor] = []
        for block in blocks {
            let (out, weights, backward) = f.block(x, block, heads, mask)
            x = out
            backwards.append(backward)
            attention.append(weights)
        }
        let shape = x.shape
        let (normalized, normBackward) = TransformersFunctions.layerNorm(x, gamma: finalGamma, beta: finalBeta)
        let rows = normalized.reshaped([-1, shape[2]])
        let scores = matmul(rows, readOutWeights) + readOutBias
        let readOut = readOutWeights
        return (scores, attention, { dScores in
            let dReadOut = matmul(rows.transposed(), dScores), dReadOutBias = dScores.sum(axis: 0)
            let (dNormalizedInput, dGamma, dBeta) = normBackward(matmul(dScores, readOut.transposed()).reshaped(shape))
            var dx = dNormalizedInput
            var blockGradients: [[Tensor]] = []
            for backward in backwards.reversed() {
                let (dIn, gradients) = backward(dx)
                dx = dIn
                blockGradients.insert(gradients, at: 0)
            }
            let (dTokens, dPositions) = embeddingBackward(dx)
            return [dTokens, dPositions] + blockGradients.flatMap { $0 } + [dGamma, dBeta, dReadOut, dReadOutBias]
        })
    }

    typealias F = TransformersFunctions
}

/// Mean cross-entropy of scores `[N, V]` against N targets, and its gradient.
private func crossEntropy(_ scores: Tensor, targets: [Int]) -> (loss: Double, dScores: Tensor, correct: [Bool]) {
    let shifted = scores - scores.max(axis: 1, keepingDims: true)
    let e = exp(shifted)
    let probabilities = e / e.sum(axis: 1, keepingDims: true)
    let n = targets.count, v = scores.shape[1]
    var loss = 0.0
    var d = probabilities
    var correct: [Bool] = []
    d.withScalars { g in
        for (row, target) in targets.enumerated() {
            loss -= Foundation.log(max(probabilities[row, target], 1e-300))
            g[row * v + target] -= 1
        }
    }
    let predictions = scores.argmax(axis: 1).scalars
    for (row, target) in targets.enumerated() { correct.append(Int(predictions[row]) == target) }
    return (loss / Double(n), d / Double(n), correct)
}

/// An SVG heatmap of one or more square matrices side by side (values in 0…1, darker = larger).
private func attentionSVG(_ maps: [Tensor], titles: [String], labels: [String], title: String) -> String {
    let cell = 22, margin = 40, gap = 30
    let size = maps.first?.shape[0] ?? 1
    let panel = size * cell
    let width = margin + maps.count * (panel + gap), height = margin + panel + 30
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
    svg += "<text x=\"\(margin)\" y=\"14\" font-size=\"13\">\(title)</text>\n"
    for (index, map) in maps.enumerated() {
        let left = margin + index * (panel + gap)
        svg += "<text x=\"\(left)\" y=\"\(margin - 8)\">\(titles[index])</text>\n"
        for i in 0..<size {
            for j in 0..<size {
                let shade = Int(255 * (1 - min(1, max(0, map[i, j]))))
                svg += "<rect x=\"\(left + j * cell)\" y=\"\(margin + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\"/>\n"
            }
            svg += "<text x=\"\(left - 12)\" y=\"\(margin + i * cell + 15)\">\(labels[i])</text>\n"
        }
        for j in 0..<size { svg += "<text x=\"\(left + j * cell + 7)\" y=\"\(margin + panel + 14)\">\(labels[j])</text>\n" }
    }
    return svg + "</svg>\n"
}

/// Demo 08 — the Transformer with your attention: a 2-layer encoder learns to
/// reverse digit strings (its attention maps show the anti-diagonal), then a
/// small causal Transformer learns the course's own chapters character by character,
/// compared with lesson 07's LSTM on the same text, split and measure.
let transformersDemo = Demo(
    lesson: 8, title: "The Transformer",
    exercises: ["transformer.attention", "transformer.multiHead", "transformer.positions", "transformer.feedForward",
                "transformer.block", "transformer.trainingStep"] + CharacterLSTMResult.exercises
) { options in
    let f = TransformersFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    var random = SeededGenerator(seed: 8)

    // 1. Reversal.
    let length = 8, digits = 10
    let (width, hidden, layers, heads) = (32, 64, 2, 2)
    let steps = options.quick ? 120 : 500, batch = 32
    let heldOutCount = options.quick ? 100 : 500
    var heldOut: [[Int]] = [], heldOutKeys = Set<[Int]>()
    while heldOut.count < heldOutCount {
        let s = (0..<length).map { _ in random.nextInt(in: 0..<digits) }
        if heldOutKeys.insert(s).inserted { heldOut.append(s) }
    }
    print("""
    1. Reversal: strings of \(length) random digits in, the same digits reversed out, one prediction per position.
       A \(layers)-layer pre-norm encoder (D = \(width), \(heads) heads, feed-forward \(hidden), learned positions),
       \(steps) steps of \(batch) fresh strings (never one of the \(heldOutCount) held out), Adam with warmup and clipping
       [attention: \(options.source(of: "transformer.attention")), blocks: \(options.source(of: "transformer.block")), training step: \(options.source(of: "transformer.trainingStep"))].

    """)
    var model = TinyTransformer(vocabulary: digits, maxLength: length, width: width, hidden: hidden, layers: layers, heads: heads, using: &random)
    var optimizer = TransformersFunctions.adam()
    var losses: [Double] = []
    var bar = ProgressBar(total: steps, label: "   training")
    let start = Date()
    for step in 0..<steps {
        var tokens: [[Int]] = []
        while tokens.count < batch {
            let s = (0..<length).map { _ in random.nextInt(in: 0..<digits) }
            if !heldOutKeys.contains(s) { tokens.append(s) }
        }
        let targets = tokens.flatMap { $0.reversed() }
        let (scores, _, backward) = model.forward(tokens, mask: nil, f: f)
        let (loss, dScores, _) = crossEntropy(scores, targets: targets)
        losses.append(loss)
        let result = f.trainingStep(model.parameters, backward(dScores), optimizer, step, (3e-3, min(100, steps / 5), steps), 1.0)
        model.parameters = result.parameters
        optimizer = result.optimizer
        if step % 10 == 0 || step == steps - 1 { bar.update(step + 1, status: "loss \(Tensor.format(loss))") }
    }
    bar.finish()
    let trainingTime = Date().timeIntervalSince(start)
    let (scores, attention, _) = model.forward(heldOut, mask: nil, f: f)
    let (_, _, correct) = crossEntropy(scores, targets: heldOut.flatMap { $0.reversed() })
    let sequencesRight = (0..<heldOut.count).filter { n in correct[(n * length)..<((n + 1) * length)].allSatisfy { $0 } }.count
    let sequenceAccuracy = Double(sequencesRight) / Double(heldOut.count)
    let digitAccuracy = Double(correct.filter { $0 }.count) / Double(correct.count)
    print("")
    print(LinePlot(title: "training loss per step", series: [Series("cross-entropy", values: losses)], logY: true)
        .render(width: plotWidth, height: options.quick ? 6 : 10))
    print("""

       training time \(String(format: "%.1f", trainingTime)) s for \(steps) steps
       held-out digit accuracy \(percent(digitAccuracy)), held-out sequence accuracy \(percent(sequenceAccuracy)) (all \(length) digits right)  \
    \(sequenceAccuracy == 1 ? "✓ 100%" : options.quick ? "(quick mode: train in full for 100%)" : "✗ below 100%")

    """)
    let example = heldOut[0]
    let labels = example.map(String.init)
    print("   \(example.map(String.init).joined()) → \((0..<length).map { String(Int(scores.argmax(axis: 1)[$0])) }.joined())")
    var maps: [Tensor] = [], titles: [String] = []
    for (layer, weights) in attention.enumerated() {
        for head in 0..<heads {
            let map = weights.select(axis: 0, index: 0).select(axis: 0, index: head)
            maps.append(map)
            titles.append("layer \(layer + 1), head \(head + 1)")
        }
    }
    // How much of each head's attention falls on the mirrored position (the anti-diagonal).
    let antiDiagonal = maps.map { map in (0..<length).reduce(0.0) { $0 + map[$1, length - 1 - $1] } / Double(length) }
    let best = antiDiagonal.indices.max { antiDiagonal[$0] < antiDiagonal[$1] } ?? 0
    for (index, map) in maps.enumerated() {
        print(Heatmap(map, title: "\(titles[index]): rows = output positions (queries), columns = input positions (keys); mean weight on the anti-diagonal \(String(format: "%.2f", antiDiagonal[index]))",
                      rowLabels: (0..<length).map(String.init), columnLabels: labels, range: 0...1).render())
    }
    print("   the most mirrored head: \(titles[best]), mean weight \(String(format: "%.2f", antiDiagonal[best])) on the anti-diagonal (position t reads position \(length - 1) − t)\n")
    let mapPath = options.outputDirectory.appendingPathComponent("08-attention.svg")
    try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
    try attentionSVG(maps, titles: titles, labels: labels, title: "Reversal: attention of every head for \(labels.joined())")
        .write(to: mapPath, atomically: true, encoding: .utf8)
    let lossPath = try options.write(SVGPlot(title: "Reversal: training loss", xLabel: "step", yLabel: "cross-entropy",
                                             series: [Series("loss", values: losses)], logY: true), named: "08-reversal-loss.svg")

    // 2. A character-level causal language model on the chapters, against lesson 07's LSTM on the same text.
    guard let corpus = CharacterCorpus.chapters() else {
        print("2. Character model: the chapters (Lessons/*/README.md) were not found; skipped.")
        return
    }
    let quickLM = options.isQuick(DemoOptions.languageModelSection)
    // The same windows as lesson 07's LSTM: its context, its batch, its held-out windows.
    let lstmBudget = CharacterLSTMBudget.standard(quick: quickLM)
    let context = lstmBudget.context, lmBatch = lstmBudget.batch
    let (lmWidth, lmHidden, lmLayers, lmHeads) = (32, 64, 2, 2)
    let lmSteps = quickLM ? 40 : 450
    let lmRate = 0.03   // measured at 350 steps: 3e-3 → 4.19 bits/char, 0.01 → 3.88, 0.03 → 3.48, 0.05 → 3.41
    var lmRandom = SeededGenerator(seed: 88)
    var lm = TinyTransformer(vocabulary: corpus.alphabet.count, maxLength: context, width: lmWidth, hidden: lmHidden, layers: lmLayers,
                             heads: lmHeads, using: &lmRandom)
    let lmParameters = lm.parameters.reduce(0) { $0 + $1.count }
    print("""
    2. A causal Transformer language model on this course's chapters, the text lesson 07's LSTM learns: \(corpus.characterCount) characters,
       \(corpus.alphabet.count) distinct; the first 90% for training, the last 10% held out (the same split and the same held-out windows
       as demo 07). \(lmLayers) layers, D = \(lmWidth), \(lmHeads) heads, feed-forward \(lmHidden), learned positions, \(lmParameters) parameters;
       \(lmSteps) steps of \(lmBatch) windows of \(context) characters, causal mask, Adam with warmup, cosine decay (η_max = \(lmRate)) and clipping
       [attention: \(options.source(of: "transformer.attention")), blocks: \(options.source(of: "transformer.block"))].

    """)
    var lmOptimizer = TransformersFunctions.adam()
    let causal = f.causalMask(context)
    var lmLosses: [Double] = []
    var lmBar = ProgressBar(total: lmSteps, label: "   training")
    var lmTime = 0.0
    for step in 0..<lmSteps {
        let began = Date()
        let (inputs, targets) = corpus.trainingWindows(count: lmBatch, context: context, using: &lmRandom)
        let (scores, _, backward) = lm.forward(inputs, mask: causal, f: f)
        let (loss, dScores, _) = crossEntropy(scores, targets: targets.flatMap { $0 })
        let result = f.trainingStep(lm.parameters, backward(dScores), lmOptimizer, step, (lmRate, min(100, lmSteps / 5), lmSteps), 1.0)
        lm.parameters = result.parameters
        lmOptimizer = result.optimizer
        lmTime += Date().timeIntervalSince(began)
        lmLosses.append(loss / Foundation.log(2))
        if step % 10 == 0 || step == lmSteps - 1 { lmBar.update(step + 1, status: "\(String(format: "%.2f", loss / Foundation.log(2))) bits/char") }
    }
    lmBar.finish()
    let transformerHeldOut = corpus.heldOutBits(context: context, windowLimit: lstmBudget.heldOutWindows) {
        lm.forward($0, mask: causal, f: f).scores
    }

    // Lesson 07's LSTM with its own stated budget: demo 07's result when it ran with the same budget, on the same text and code.
    let lstm: CharacterLSTMResult
    if let cached = CharacterLSTMResult.cached(options, budget: lstmBudget, corpus: corpus) {
        lstm = cached
        print("\n   Lesson 07's LSTM: demo 07's run with this budget, read from \(CharacterLSTMResult.cacheURL(options).lastPathComponent).")
    } else {
        print("\n   Lesson 07's LSTM: no result of demo 07 with this budget on this text yet; training it here as demo 07 does.")
        let f07 = RecurrentNetsFunctions.mixing(learnerFor: options.passed)
        lstm = trainCharacterLSTM(corpus, budget: lstmBudget, f: f07, implementation: CharacterLSTMResult.implementation(options),
                                  label: "   LSTM    ").result
        try lstm.save(options)
    }
    let uniform = corpus.uniformBits
    print("")
    print(LinePlot(title: "training bits per character", series: [Series("bits/char", values: lmLosses)])
        .render(width: plotWidth, height: quickLM ? 6 : 10))
    func bits(_ x: Double) -> String { String(format: "%.3f", x) }
    func budgetText(steps: Int, seconds: Double, parameters: Int) -> String {
        "\(steps) steps × \(lmBatch) × \(context) characters, \(parameters) parameters, \(String(format: "%.1f", seconds)) s "
            + "(\(String(format: "%.0f", 1_000 * seconds / Double(steps))) ms a step)"
    }
    let difference = transformerHeldOut.bits - lstm.heldOutBits
    print("""

       training time \(String(format: "%.1f", lmTime)) s for \(lmSteps) steps
       held-out bits per character on the same \(transformerHeldOut.characters) characters (perplexity = 2^bits):
         Transformer (lesson 08): \(bits(transformerHeldOut.bits)) (perplexity \(String(format: "%.1f", perplexity(bits: transformerHeldOut.bits))))   \
    \(budgetText(steps: lmSteps, seconds: lmTime, parameters: lmParameters))
         LSTM (lesson 07):        \(bits(lstm.heldOutBits)) (perplexity \(String(format: "%.1f", perplexity(bits: lstm.heldOutBits))))   \
    \(budgetText(steps: lstm.budget.steps, seconds: lstm.trainingSeconds, parameters: lstm.parameterCount)), H = \(lstm.budget.hidden)
         unigram baseline:        \(bits(transformerHeldOut.unigram))   (training frequencies, add-one smoothed, no context)
         uniform baseline:        \(bits(uniform))   (log₂ \(corpus.alphabet.count))
       \(abs(difference) < 0.05 ? "The two models are within 0.05 bits per character of each other"
         : difference < 0 ? "The Transformer is \(bits(-difference)) bits per character below the LSTM"
         : "The LSTM is \(bits(difference)) bits per character below the Transformer") with these budgets; \
    \(transformerHeldOut.bits < transformerHeldOut.unigram ? "the Transformer is below the unigram baseline" : "the Transformer is not below the unigram baseline").

    """)
    // Samples: temperature 0.8, the context sliding over the last `context` characters.
    for prompt in ["The ", "Attention "] {
        var generated = corpus.encode(prompt)
        for _ in 0..<(quickLM ? 40 : 240) {
            let window = Array(generated.suffix(context))
            let (scores, _, _) = lm.forward([window], mask: f.causalMask(window.count), f: f)
            let last = scores.row(window.count - 1) / 0.8
            let p = exp(last - last.max())
            var draw = lmRandom.nextUniform() * p.sum()
            var choice = 0
            while choice < corpus.alphabet.count - 1 && draw >= p[choice] { draw -= p[choice]; choice += 1 }
            generated.append(choice)
        }
        print("   sample: \(corpus.decode(generated).replacingOccurrences(of: "\n", with: " ⏎ "))\n")
    }
    let lmPath = try options.write(SVGPlot(title: "Character model: training bits per character", xLabel: "step", yLabel: "bits/char",
                                           series: [Series("Transformer, training", values: lmLosses),
                                                    Series("LSTM (lesson 07), held-out", points: [(0, lstm.heldOutBits), (Double(lmSteps), lstm.heldOutBits)]),
                                                    Series("Transformer, held-out", points: [(0, transformerHeldOut.bits), (Double(lmSteps), transformerHeldOut.bits)]),
                                                    Series("unigram", points: [(0, transformerHeldOut.unigram), (Double(lmSteps), transformerHeldOut.unigram)])]),
                                   named: "08-characters.svg")
    print("SVG: \(mapPath.path)\n     \(lossPath)\n     \(lmPath)")
}
