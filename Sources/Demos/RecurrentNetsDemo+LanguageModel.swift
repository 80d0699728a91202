import CourseKit
import Foundation
import Implementations

extension DemoOptions {
    /// The section name of the character-level language models (demos 07 and 08) for `quickSections`.
    public static let languageModelSection = "language-model"
}

/// Demo 07, the character-level language model: lesson 07's LSTM learns this course's own chapters,
/// its held-out bits per character are measured against the unigram and uniform baselines, and it
/// writes samples at three temperatures. Leaves its result for demo 08 to compare its Transformer with.
func characterLanguageModelSection(_ options: DemoOptions, f: RecurrentNetsFunctions, plotWidth: Int) throws {
    guard let corpus = CharacterCorpus.chapters() else {
        print("The character model: the chapters (Lessons/*/README.md) were not found; skipped.\n")
        return
    }
    let quick = options.isQuick(DemoOptions.languageModelSection)
    let budget = CharacterLSTMBudget.standard(quick: quick)
    let evaluateEvery = quick ? 10 : 50
    print("""
    A character-level language model on this course's own chapters (Lessons/*/README.md): \(corpus.characterCount) characters,
    \(corpus.alphabet.count) distinct; the first 90% (\(corpus.training.count)) for training, the last 10% (\(corpus.heldOut.count)) held out.
    Each character is embedded (E = \(budget.embedding)) [\(options.source(of: "rnn.embedding"))], read by an LSTM (H = \(budget.hidden)) \
    [\(options.source(of: "rnn.lstm"))], scored over the \(corpus.alphabet.count) characters by a temporal affine layer and the temporal
    softmax loss [\(options.source(of: "rnn.temporal"))]: at every position, the next character. \(budget.summary);
    every window starts from a zero state. Held-out text scored every \(evaluateEvery) steps\
    \(budget.heldOutWindows.map { " (its first \($0) windows)" } ?? "").

    """)
    let (model, result) = trainCharacterLSTM(corpus, budget: budget, f: f, implementation: CharacterLSTMResult.implementation(options),
                                             evaluateEvery: evaluateEvery)
    try result.save(options)
    let uniform = corpus.uniformBits
    let trainingSeries = Series("training", points: result.trainingCurve.enumerated().map {
        (Double(min(($0.offset + 1) * result.curveEvery, budget.steps)), $0.element)
    })
    let heldOutSeries = Series("held-out", points: zip(result.heldOutSteps, result.heldOutCurve).map { (Double($0), $1) })
    let lastStep = Double(budget.steps)
    let series = [trainingSeries, heldOutSeries,
                  Series("unigram", points: [(0, result.unigramBits), (lastStep, result.unigramBits)]),
                  Series("uniform", points: [(0, uniform), (lastStep, uniform)])]
    print("")
    print(LinePlot(title: "bits per character by training step (training: mean of every \(result.curveEvery) steps)", series: series)
        .render(width: plotWidth, height: quick ? 8 : 12))
    let below = result.heldOutBits < result.unigramBits
    func bits(_ x: Double) -> String { String(format: "%.3f", x) }
    func perplexityText(_ x: Double) -> String { String(format: "%.1f", perplexity(bits: x)) }
    print("""

       training time \(String(format: "%.1f", result.trainingSeconds)) s for \(budget.steps) steps \
    (\(String(format: "%.0f", result.millisecondsPerStep)) ms a step), \(result.parameterCount) parameters
       held-out bits per character \(bits(result.heldOutBits)) (perplexity \(perplexityText(result.heldOutBits))) over \(result.heldOutCharacters) characters
       unigram baseline \(bits(result.unigramBits)) bits per character (perplexity \(perplexityText(result.unigramBits))): \
    each character's training frequency, add-one smoothed, no context
       uniform baseline \(bits(uniform)) bits per character: log₂ \(corpus.alphabet.count)
       \(below ? "✓ below the unigram baseline by \(bits(result.unigramBits - result.heldOutBits)) bits per character: the model uses the context"
               : quick ? "(quick mode: train in full to go below the unigram baseline)" : "✗ not below the unigram baseline")

    """)
    let prompt = "The "
    print("   Samples, \(quick ? 60 : 240) characters after \"\(prompt)\" at three temperatures τ (logits divided by τ; the same seed for each)"
        + " [step: \(options.source(of: "rnn.lstmStep")), sampling: \(options.source(of: "rnn.sampling"))]:")
    for temperature in [0.5, 1.0, 1.5] {
        var random = SeededGenerator(seed: 707)
        let tokens = model.sample(prompt: corpus.encode(prompt), count: quick ? 60 : 240, temperature: temperature, f: f, using: &random)
        print("   τ = \(String(format: "%.1f", temperature)): \(corpus.decode(tokens).replacingOccurrences(of: "\n", with: " ⏎ "))")
    }
    print("   (τ < 1 sharpens the distribution towards the likeliest characters, τ > 1 flattens it towards a uniform guess.)\n")
    let path = try options.write(SVGPlot(title: "Character LSTM on the chapters: bits per character", xLabel: "training step",
                                         yLabel: "bits per character", series: series), named: "07-character-model.svg")
    print("SVG plot: \(path)\n")
}
