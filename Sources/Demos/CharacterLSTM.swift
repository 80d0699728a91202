import CourseKit
import Foundation
import Implementations

/// Lesson 07's character-level language model: an embedding, one LSTM layer,
/// a temporal affine read-out and the temporal softmax loss — every piece one
/// of the lesson's exercises. Parameters travel as one flat list (`parameters`).
struct CharacterLSTM {
    var table: Tensor                           // [V, E]
    var lstm: RecurrentNetsFunctions.Weights    // Wx [E, 4H], Wh [H, 4H], b [4H]
    var readOut: Tensor                         // [H, V]
    var readOutBias: Tensor                     // [V]

    init(vocabulary: Int, embedding: Int, hidden: Int, using random: inout SeededGenerator) {
        // Rows of unit variance: the LSTM's Wx ~ N(0, 1/E) expects inputs of that scale.
        table = Tensor.randomNormal([vocabulary, embedding], standardDeviation: 1, using: &random)
        lstm = RecurrentNetsFunctions.lstmWeights(inputSize: embedding, hiddenSize: hidden, using: &random)
        readOut = Tensor.randomNormal([hidden, vocabulary], standardDeviation: (1 / Double(hidden)).squareRoot(), using: &random)
        readOutBias = Tensor.zeros([vocabulary])
    }

    var parameters: [Tensor] {
        get { [table, lstm.wx, lstm.wh, lstm.bias, readOut, readOutBias] }
        set { (table, lstm, readOut, readOutBias) = (newValue[0], (newValue[1], newValue[2], newValue[3]), newValue[4], newValue[5]) }
    }

    var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Scores `[N, T, V]` for N windows of T tokens, each read from a zero state, and the backward from
    /// ∂L/∂scores `[N, T, V]` to every parameter's gradient (in the order of `parameters`).
    func forward(_ inputs: [[Int]], f: RecurrentNetsFunctions) -> (scores: Tensor, backward: (Tensor) -> [Tensor]) {
        let (embedded, embeddingBackward) = f.embedding(inputs, table)
        let (h, lstmBackward) = f.lstm(embedded, Tensor.zeros([inputs.count, lstm.wh.shape[0]]), lstm)
        let (scores, affineBackward) = f.temporalAffine(h, readOut, readOutBias)
        return (scores, { dScores in
            let affine = affineBackward(dScores)
            let recurrent = lstmBackward(affine.dx)
            let dTable = embeddingBackward(recurrent.dx)
            return [dTable, recurrent.gradients.wx, recurrent.gradients.wh, recurrent.gradients.bias, affine.dWeights, affine.dBias]
        })
    }

    /// `count` characters drawn one at a time after `prompt`, at temperature τ, the state carried from step
    /// to step (lesson 07's step function, embedding and sampling; the generator is used once per character).
    func sample(prompt: [Int], count: Int, temperature: Double, f: RecurrentNetsFunctions,
                using random: inout SeededGenerator) -> [Int] {
        precondition(!prompt.isEmpty, "sample: give a prompt of at least one character")
        let hidden = lstm.wh.shape[0], vocabulary = readOut.shape[1]
        var h = Tensor.zeros([1, hidden]), c = Tensor.zeros([1, hidden])
        var logits = Tensor.zeros([vocabulary])
        func read(_ token: Int) {
            let x = f.embedding([[token]], table).out.reshaped([1, -1])
            let step = f.lstmStep(x, h, c, lstm)
            (h, c) = (step.hNext, step.cNext)
            logits = (matmul(h, readOut) + readOutBias).reshaped([vocabulary])
        }
        prompt.forEach(read)
        var generated = prompt
        for _ in 0..<count {
            let next = f.sampleToken(logits, temperature, nil, &random)
            generated.append(next)
            read(next)
        }
        return generated
    }
}

/// What the character LSTM is trained with: its size, its data and its optimizer. Demo 08 trains
/// lesson 07's model with the same budget it states (or reads demo 07's result for the same budget).
struct CharacterLSTMBudget: Codable, Equatable, Sendable {
    var embedding: Int
    var hidden: Int
    /// Characters per training window (and per held-out window).
    var context: Int
    /// Windows per step.
    var batch: Int
    var steps: Int
    /// Adam's η at the start, decayed along a cosine to 0 at the last step.
    var learningRate: Double
    /// Gradients clipped to this global norm (lesson 05).
    var maxGradientNorm: Double
    var seed: UInt64
    /// Held-out windows scored (nil: the whole held-out text).
    var heldOutWindows: Int?

    static func standard(quick: Bool) -> CharacterLSTMBudget {
        quick ? CharacterLSTMBudget(embedding: 16, hidden: 64, context: 32, batch: 16, steps: 40, learningRate: 0.01,
                                    maxGradientNorm: 1, seed: 77, heldOutWindows: 32)
              : CharacterLSTMBudget(embedding: 32, hidden: 128, context: 64, batch: 32, steps: 450, learningRate: 0.01,
                                    maxGradientNorm: 1, seed: 77, heldOutWindows: nil)
    }

    /// η at `step` (0-based): a cosine from `learningRate` down to 0.
    func learningRate(at step: Int) -> Double {
        learningRate * 0.5 * (1 + Foundation.cos(Double.pi * Double(step) / Double(max(steps, 1))))
    }

    var summary: String {
        "\(steps) steps of \(batch) windows of \(context) characters, Adam (η = \(learningRate), cosine decay), clipping at \(maxGradientNorm)"
    }
}

/// One training run of the character LSTM: its numbers, as demo 07 prints them and demo 08 compares them.
struct CharacterLSTMResult: Codable, Sendable {
    var budget: CharacterLSTMBudget
    /// The text it learned (`CharacterCorpus.fingerprint`).
    var corpus: String
    /// Whose code computed it: each exercise and "yours" or "reference".
    var implementation: String
    var parameterCount: Int
    /// Wall time of the training steps alone (the held-out evaluations along the way not counted).
    var trainingSeconds: Double
    var heldOutBits: Double
    var unigramBits: Double
    var heldOutCharacters: Int
    /// Training bits per character, averaged over each stretch of `curveEvery` steps.
    var trainingCurve: [Double]
    var curveEvery: Int
    /// (step, held-out bits per character) at every evaluation.
    var heldOutSteps: [Int]
    var heldOutCurve: [Double]

    var millisecondsPerStep: Double { 1_000 * trainingSeconds / Double(budget.steps) }

    /// The exercises the model is built from, the key's "whose code" part.
    static let exercises = ["rnn.embedding", "rnn.lstm", "rnn.temporal"]

    static func implementation(_ options: DemoOptions) -> String {
        exercises.map { "\($0): \(options.source(of: $0))" }.joined(separator: ", ")
    }

    /// Where demo 07 leaves its result for demo 08.
    static func cacheURL(_ options: DemoOptions) -> URL { options.outputDirectory.appendingPathComponent("07-character-lstm.json") }

    func save(_ options: DemoOptions) throws {
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: Self.cacheURL(options))
    }

    /// Demo 07's saved result, if it was computed with this budget, on this text, by the same code.
    static func cached(_ options: DemoOptions, budget: CharacterLSTMBudget, corpus: CharacterCorpus) -> CharacterLSTMResult? {
        guard let data = try? Data(contentsOf: cacheURL(options)),
              let result = try? JSONDecoder().decode(CharacterLSTMResult.self, from: data),
              result.budget == budget, result.corpus == corpus.fingerprint, result.implementation == implementation(options),
              result.heldOutBits.isFinite else { return nil }
        return result
    }
}

/// Trains lesson 07's character LSTM on the corpus with the given budget: minibatches of random training
/// windows, the temporal softmax loss over every position, clipping and Adam from lesson 05. Every
/// `evaluateEvery` steps (and at the end) it scores the held-out text. Deterministic for a budget: the
/// evaluations draw no random numbers, so evaluating more often does not change the model.
func trainCharacterLSTM(_ corpus: CharacterCorpus, budget: CharacterLSTMBudget, f: RecurrentNetsFunctions, implementation: String,
                        evaluateEvery: Int? = nil, label: String = "   training")
    -> (model: CharacterLSTM, result: CharacterLSTMResult) {
    var random = SeededGenerator(seed: budget.seed)
    var model = CharacterLSTM(vocabulary: corpus.alphabet.count, embedding: budget.embedding, hidden: budget.hidden, using: &random)
    var adam: [(m: Tensor, v: Tensor, t: Int)] = []
    let everyMask = Array(repeating: Array(repeating: true, count: budget.context), count: budget.batch)
    func evaluate() -> (bits: Double, unigram: Double, characters: Int) {
        corpus.heldOutBits(context: budget.context, windowLimit: budget.heldOutWindows) { model.forward($0, f: f).scores }
    }
    let curveEvery = max(1, budget.steps / 50)
    var curve: [Double] = [], window: [Double] = []
    var heldOutSteps: [Int] = [], heldOutCurve: [Double] = []
    var trainingSeconds = 0.0
    var bar = ProgressBar(total: budget.steps, label: label)
    var lastHeldOut: (bits: Double, unigram: Double, characters: Int)?
    for step in 0..<budget.steps {
        let began = Date()
        let (inputs, targets) = corpus.trainingWindows(count: budget.batch, context: budget.context, using: &random)
        let (scores, backward) = model.forward(inputs, f: f)
        let (loss, dScores) = f.temporalSoftmaxLoss(scores, targets, everyMask)
        let clipped = RecurrentNetsFunctions.clipByGlobalNorm(backward(dScores), maxNorm: budget.maxGradientNorm).clipped
        model.parameters = RecurrentNetsFunctions.adamStep(model.parameters, gradients: clipped, state: &adam,
                                                           learningRate: budget.learningRate(at: step))
        trainingSeconds += Date().timeIntervalSince(began)
        window.append(loss / Foundation.log(2))
        if window.count == curveEvery || step == budget.steps - 1 {
            curve.append(window.reduce(0, +) / Double(window.count))
            window = []
        }
        if let every = evaluateEvery, step + 1 < budget.steps, (step + 1) % every == 0 {
            let heldOut = evaluate()
            heldOutSteps.append(step + 1)
            heldOutCurve.append(heldOut.bits)
            lastHeldOut = heldOut
        }
        if step % 10 == 0 || step == budget.steps - 1 {
            bar.update(step + 1, status: String(format: "training %.2f bits/char", curve.last ?? loss / Foundation.log(2))
                + (lastHeldOut.map { String(format: ", held-out %.2f", $0.bits) } ?? ""))
        }
    }
    bar.finish()
    let final = evaluate()
    heldOutSteps.append(budget.steps)
    heldOutCurve.append(final.bits)
    let result = CharacterLSTMResult(budget: budget, corpus: corpus.fingerprint, implementation: implementation,
                                     parameterCount: model.parameterCount, trainingSeconds: trainingSeconds,
                                     heldOutBits: final.bits, unigramBits: final.unigram, heldOutCharacters: final.characters,
                                     trainingCurve: curve, curveEvery: curveEvery, heldOutSteps: heldOutSteps, heldOutCurve: heldOutCurve)
    return (model, result)
}
