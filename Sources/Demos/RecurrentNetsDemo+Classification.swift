import CourseKit
import Foundation
import Implementations

/// Demo 07, sequence classification: short generated "reviews" whose label
/// depends on word order (which adjective a "not" negates), a bag of
/// embeddings against an LSTM. Returns the paths of the SVG plots it wrote.
///
/// The data are generated (seeded), not downloaded: three kinds of sentence,
/// and for the order-dependent kind every sentence travels with its twin, the
/// same words with the "not" moved to the other adjective and the opposite
/// label. A model that sees only the multiset of words gives both twins the
/// same answer, so it is right on exactly one of each pair; the demo computes
/// that ceiling from the held-out set itself.
func sentimentClassificationSection(_ options: DemoOptions, functions f: RecurrentNetsFunctions) throws -> [String] {
    let plotWidth = min(60, max(30, Terminal.width - 16))
    let embeddingSize = 16, hidden = 32, batchSize = 32
    let iterations = options.quick ? 300 : 1_000
    let evaluationEvery = options.quick ? 50 : 100
    let learningRate = 0.01, maxNorm = 1.0
    let data = ReviewData.generate(trainingPairs: 500, trainingOthers: 1_000, heldOutPairs: 250, heldOutOthers: 500, seed: 77)

    print("""

    Sequence classification: does word order matter? (In the spirit of sentiment analysis on movie reviews, on
    generated data: \(data.training.count) training and \(data.heldOut.count) held-out sentences from a \(ReviewData.vocabulary.count - 1)-word vocabulary, seed 77.)
    A sentence is one or two clauses "the <noun> was|is [not] [very|really|quite|so] <adjective>", joined by "and", "but"
    or ",". Each positive adjective counts +1, each negative one −1, and "not" flips the adjective of its clause; the
    label is the sign of the total. Three kinds (their share of the training set, of the held-out set):
      one clause, no "not"                         \(data.shares(of: .single))   e.g. "\(data.example(of: .single))"
      two clauses that agree, no "not"             \(data.shares(of: .agreeing))   e.g. "\(data.example(of: .agreeing))"
      a positive and a negative clause, one "not"  \(data.shares(of: .negationScope))   e.g. "\(data.example(of: .negationScope))"
    The third kind comes in twins: the same words with the "not" moved to the other clause, and the opposite label.
    Training and held-out sets share no sentence (\(data.sharedSentences) in common; twins stay together on one side).

    """)

    // The ceiling: any function of the multiset of words answers alike on every sentence with that multiset,
    // so on each group of held-out sentences with the same words it is right at most on the larger label.
    var groups: [[String]: (positive: Int, negative: Int)] = [:]
    for sentence in data.heldOut {
        var count = groups[sentence.words.sorted(), default: (0, 0)]
        if sentence.label == 1 { count.positive += 1 } else { count.negative += 1 }
        groups[sentence.words.sorted()] = count
    }
    let ceiling = 100 * Double(groups.values.map { max($0.positive, $0.negative) }.reduce(0, +)) / Double(data.heldOut.count)
    let positiveShare = 100 * Double(data.heldOut.filter { $0.label == 1 }.count) / Double(data.heldOut.count)

    // The two models' parameters. Bag: table [V, E], read-out [E, 2] + [2]. LSTM: table [V, E], LSTM (E → H), read-out [H, 2] + [2].
    var initRandom = SeededGenerator(seed: 707)
    let vocabularySize = ReviewData.vocabulary.count
    func table() -> Tensor { Tensor.randomNormal([vocabularySize, embeddingSize], using: &initRandom) }
    func readOut(_ inputs: Int) -> [Tensor] {
        [Tensor.randomNormal([inputs, 2], standardDeviation: (1 / Double(inputs)).squareRoot(), using: &initRandom), Tensor.zeros([2])]
    }
    let bagStart = [table()] + readOut(embeddingSize)
    let lstmTable = table()
    let lstmWeights = RecurrentNetsFunctions.lstmWeights(inputSize: embeddingSize, hiddenSize: hidden, using: &initRandom)
    let lstmStart = [lstmTable, lstmWeights.wx, lstmWeights.wh, lstmWeights.bias] + readOut(hidden)

    /// Scores `[N, 2]`, the loss, and (when `labels` are given) every parameter's gradient, for the bag of embeddings:
    /// the mean of the sentence's word vectors (padding excluded), then an affine layer.
    func bagOfEmbeddings(_ p: [Tensor], _ batch: ReviewData.Batch) -> (scores: Tensor, loss: Double, gradients: [Tensor]) {
        let (n, t) = (batch.indices.count, batch.indices[0].count)
        let (embedded, embeddingBackward) = f.embedding(batch.indices, p[0])   // [N, T, E]
        var mean = Tensor.zeros([n, 1, embeddingSize])
        let e = embedded.scalars
        mean.withScalars { m in
            for row in 0..<n {
                for step in 0..<batch.lengths[row] {
                    for k in 0..<embeddingSize { m[row * embeddingSize + k] += e[(row * t + step) * embeddingSize + k] / Double(batch.lengths[row]) }
                }
            }
        }
        let (scores, affineBackward) = f.temporalAffine(mean, p[1], p[2])   // [N, 1, 2]
        let (loss, dScores) = f.temporalSoftmaxLoss(scores, batch.labels.map { [$0] }, Array(repeating: [true], count: n))
        let affine = affineBackward(dScores)
        var dEmbedded = Tensor.zeros([n, t, embeddingSize])
        let dMean = affine.dx.scalars   // [N, 1, E]
        dEmbedded.withScalars { d in
            for row in 0..<n {
                for step in 0..<batch.lengths[row] {
                    for k in 0..<embeddingSize { d[(row * t + step) * embeddingSize + k] = dMean[row * embeddingSize + k] / Double(batch.lengths[row]) }
                }
            }
        }
        return (scores.reshaped([n, 2]), loss, [embeddingBackward(dEmbedded), affine.dWeights, affine.dBias])
    }

    /// The same for the LSTM: the read-out runs at every step, and the loss's mask keeps only each sentence's last
    /// word (padding comes after it, so it never reaches the state that is read).
    func recurrent(_ p: [Tensor], _ batch: ReviewData.Batch) -> (scores: Tensor, loss: Double, gradients: [Tensor]) {
        let (n, t) = (batch.indices.count, batch.indices[0].count)
        let (embedded, embeddingBackward) = f.embedding(batch.indices, p[0])   // [N, T, E]
        let (h, lstmBackward) = f.lstm(embedded, Tensor.zeros([n, hidden]), (p[1], p[2], p[3]))   // [N, T, H]
        let (scores, affineBackward) = f.temporalAffine(h, p[4], p[5])   // [N, T, 2]
        let mask = batch.lengths.map { length in (0..<t).map { $0 == length - 1 } }
        let (loss, dScores) = f.temporalSoftmaxLoss(scores, batch.labels.map { Array(repeating: $0, count: t) }, mask)
        let affine = affineBackward(dScores)
        let sequence = lstmBackward(affine.dx)
        let s = scores.scalars
        let last = Tensor(shape: [n, 2], scalars: (0..<n).flatMap { row in (0..<2).map { s[(row * t + batch.lengths[row] - 1) * 2 + $0] } })
        return (last, loss, [embeddingBackward(sequence.dx), sequence.gradients.wx, sequence.gradients.wh, sequence.gradients.bias,
                             affine.dWeights, affine.dBias])
    }

    typealias Model = ([Tensor], ReviewData.Batch) -> (scores: Tensor, loss: Double, gradients: [Tensor])
    func predictions(_ model: Model, _ p: [Tensor], _ sentences: [ReviewData.Sentence]) -> [Int] {
        stride(from: 0, to: sentences.count, by: 250).flatMap { start in
            let scores = model(p, ReviewData.Batch(Array(sentences[start..<min(start + 250, sentences.count)]))).scores
            return (0..<scores.shape[0]).map { scores[$0, 1] > scores[$0, 0] ? 1 : 0 }
        }
    }
    func accuracy(_ predicted: [Int], where include: (ReviewData.Sentence) -> Bool = { _ in true }) -> Double {
        let chosen = data.heldOut.indices.filter { include(data.heldOut[$0]) }
        return 100 * Double(chosen.filter { predicted[$0] == data.heldOut[$0].label }.count) / Double(chosen.count)
    }

    func train(_ name: String, _ model: Model, _ start: [Tensor])
        -> (parameters: [Tensor], loss: [Double], accuracy: [Double], seconds: Double) {
        var p = start
        var state: [(m: Tensor, v: Tensor, t: Int)] = []
        var order: [Int] = [], next = 0
        var shuffler = SeededGenerator(seed: 78)   // the same minibatches for both models
        var lossCurve: [Double] = [], accuracyCurve: [Double] = [accuracy(predictions(model, p, data.heldOut))], window: [Double] = []
        var bar = ProgressBar(total: iterations, label: "   \(name)")
        var evaluating = 0.0
        let began = Date()
        for iteration in 1...iterations {
            if next + batchSize > order.count { order = shuffler.permutation(data.training.count); next = 0 }   // a new epoch
            let batch = ReviewData.Batch(order[next..<(next + batchSize)].map { data.training[$0] })
            next += batchSize
            let (_, loss, gradients) = model(p, batch)
            window.append(loss)
            let clipped = RecurrentNetsFunctions.clipByGlobalNorm(gradients, maxNorm: maxNorm).clipped
            p = RecurrentNetsFunctions.adamStep(p, gradients: clipped, state: &state, learningRate: learningRate)
            if iteration % evaluationEvery == 0 {
                lossCurve.append(window.reduce(0, +) / Double(window.count))
                window = []
                let evaluation = Date()
                accuracyCurve.append(accuracy(predictions(model, p, data.heldOut)))
                evaluating += Date().timeIntervalSince(evaluation)
                bar.update(iteration, status: "training loss \(String(format: "%.3f", lossCurve[lossCurve.count - 1]))")
            }
        }
        bar.finish()
        return (p, lossCurve, accuracyCurve, Date().timeIntervalSince(began) - evaluating)
    }

    print("""
       Both models: word vectors of E = \(embeddingSize) learned from scratch (your embedding [\(options.source(of: "rnn.embedding"))]), a read-out and
       softmax cross-entropy (your temporal affine and masked loss [\(options.source(of: "rnn.temporal"))]), minibatches of \(batchSize),
       Adam (η = \(learningRate)) with gradients clipped to norm \(maxNorm) (lesson 05's reference), \(iterations) steps, the same minibatches.
         bag of embeddings: the mean of the word vectors, then the read-out: it sees which words occur, not their order.
         LSTM [\(options.source(of: "rnn.lstm"))]: H = \(hidden), the read-out of the hidden state after each sentence's last word
           (sentences are padded at the end; the loss's mask keeps the last real word, so padding never counts).

    """)
    let bag = train("bag of embeddings", bagOfEmbeddings, bagStart)
    let lstm = train("LSTM             ", recurrent, lstmStart)
    let bagPredicted = predictions(bagOfEmbeddings, bag.parameters, data.heldOut)
    // On a twin pair the bag outputs one probability p of "positive" for both: its loss −log p − log(1 − p) is at least 2 ln 2.
    let twinShare = Double(data.training.filter { $0.kind == .negationScope }.count) / Double(data.training.count)
    let bagTrainingLoss = stride(from: 0, to: data.training.count, by: 250).map { start -> Double in
        let part = Array(data.training[start..<min(start + 250, data.training.count)])
        return bagOfEmbeddings(bag.parameters, ReviewData.Batch(part)).loss * Double(part.count)
    }.reduce(0, +) / Double(data.training.count)
    let lstmPredicted = predictions(recurrent, lstm.parameters, data.heldOut)
    func percent(_ x: Double) -> String { String(format: "%.1f%%", x) }

    print("")
    let steps = (0...(iterations / evaluationEvery)).map { Double($0 * evaluationEvery) }
    let accuracySeries = [Series("bag of embeddings", points: zip(steps, bag.accuracy).map { (x: $0.0, y: $0.1) }),
                          Series("LSTM", points: zip(steps, lstm.accuracy).map { (x: $0.0, y: $0.1) }),
                          Series("bag-of-words ceiling", points: steps.map { (x: $0, y: ceiling) })]
    let lossSteps = steps.dropFirst()
    let lossSeries = [Series("bag of embeddings", points: zip(lossSteps, bag.loss).map { (x: $0.0, y: $0.1) }), Series("LSTM", points: zip(lossSteps, lstm.loss).map { (x: $0.0, y: $0.1) })]
    print(LinePlot(title: "training loss (cross-entropy, mean of every \(evaluationEvery) steps)", series: lossSeries)
        .render(width: plotWidth, height: options.quick ? 6 : 8))
    print("")
    print(LinePlot(title: "held-out accuracy (%) every \(evaluationEvery) steps, and the bag-of-words ceiling", series: accuracySeries)
        .render(width: plotWidth, height: options.quick ? 8 : 10))
    print("")
    let orderFree: (ReviewData.Sentence) -> Bool = { $0.kind != .negationScope }
    let orderDependent: (ReviewData.Sentence) -> Bool = { $0.kind == .negationScope }
    let (bagAll, bagFree, bagScope) = (accuracy(bagPredicted), accuracy(bagPredicted, where: orderFree), accuracy(bagPredicted, where: orderDependent))
    let (lstmAll, lstmFree, lstmScope) = (accuracy(lstmPredicted), accuracy(lstmPredicted, where: orderFree), accuracy(lstmPredicted, where: orderDependent))
    print("""
       held-out set: \(data.heldOut.count) sentences, \(percent(positiveShare)) positive (a constant guess scores at most \(percent(max(positiveShare, 100 - positiveShare))))
       bag-of-words ceiling \(percent(ceiling)): the best any model that sees only which words occur (and how often) can do here
         (grouping its sentences by their multiset of words, each group answered with its larger label; every twin pair
         is such a group split half and half, so on the order-dependent half the ceiling is 50%)
       bag of embeddings: held-out accuracy \(percent(bagAll))   (order-free sentences \(percent(bagFree)), order-dependent \(percent(bagScope)))   training time \(String(format: "%.1f", bag.seconds)) s
       LSTM:              held-out accuracy \(percent(lstmAll))   (order-free sentences \(percent(lstmFree)), order-dependent \(percent(lstmScope)))   training time \(String(format: "%.1f", lstm.seconds)) s
    """)
    print("   bag of embeddings: training loss \(String(format: "%.3f", bagTrainingLoss)) on the whole training set; it cannot fall below "
        + "\(String(format: "%.3f", twinShare * log(2.0))) = (share of twins \(String(format: "%.2f", twinShare))) × ln 2")
    if bagScope == 50 {
        print("   The bag of embeddings is right on exactly 50% of the order-dependent sentences: a twin has its pair's words, so it")
        print("   gets its pair's mean vector and its pair's answer, and exactly one of the two is right, however long it trains.")
    } else {
        print("   ✗ The bag of embeddings is not at exactly 50% on the order-dependent sentences: the twins did not get one answer.")
    }
    if lstmAll > ceiling {
        print("   ✓ The LSTM beats the bag-of-words ceiling by \(String(format: "%.1f", lstmAll - ceiling)) points: it reads the words in order, so its state can")
        print("     carry a \"not\" it has just read to the next adjective and flip it — the word order the bag throws away.")
    } else {
        print("   The LSTM does not beat the bag-of-words ceiling in this run"
            + (options.quick ? " (quick mode: train in full)." : "."))
    }

    // A few held-out sentences, twins side by side.
    print("\n   held-out examples (label; bag's answer, LSTM's answer; ✓ right, ✗ wrong):")
    func sign(_ label: Int) -> String { label == 1 ? "+" : "−" }
    var shown = Array(data.heldOut.indices.filter { orderDependent(data.heldOut[$0]) }.prefix(6))
    shown += data.heldOut.indices.filter { orderFree(data.heldOut[$0]) }.prefix(2)
    let longest = shown.map { data.heldOut[$0].text.count }.max() ?? 0
    for i in shown {
        let sentence = data.heldOut[i]
        func mark(_ predicted: Int) -> String { sign(predicted) + (predicted == sentence.label ? " ✓" : " ✗") }
        print("     \(sentence.text.padded(to: longest))  \(sign(sentence.label));  bag \(mark(bagPredicted[i])),  LSTM \(mark(lstmPredicted[i]))")
    }
    print("")

    let accuracyPath = try options.write(SVGPlot(title: "Word order: held-out accuracy, and what a bag of words can reach",
                                                 xLabel: "training step", yLabel: "accuracy (%)", series: accuracySeries),
                                         named: "07-sentiment-accuracy.svg")
    let lossPath = try options.write(SVGPlot(title: "Word order: training loss", xLabel: "training step", yLabel: "cross-entropy",
                                             series: lossSeries), named: "07-sentiment-loss.svg")
    return [accuracyPath, lossPath]
}

/// The generated reviews: vocabulary, grammar, and a seeded training / held-out split.
struct ReviewData {
    enum Kind { case single, agreeing, negationScope }

    struct Sentence {
        var words: [String]
        /// 1 positive, 0 negative.
        var label: Int
        var kind: Kind
        var text: String { words.joined(separator: " ") }
    }

    /// A minibatch: word indices padded at the end with index 0 to the longest sentence, `[N][T]`.
    struct Batch {
        var indices: [[Int]]
        var lengths: [Int]
        var labels: [Int]
        init(_ sentences: [Sentence]) {
            let t = sentences.map(\.words.count).max() ?? 1
            indices = sentences.map { s in s.words.map { ReviewData.index[$0]! } + Array(repeating: 0, count: t - s.words.count) }
            lengths = sentences.map(\.words.count)
            labels = sentences.map(\.label)
        }
    }

    static let nouns = ["film", "plot", "acting", "ending", "music", "story", "script", "cast"]
    static let verbs = ["was", "is"]
    static let intensifiers = ["very", "really", "quite", "so"]
    static let positive = ["good", "great", "superb", "moving", "funny", "clever"]
    static let negative = ["bad", "awful", "dull", "boring", "weak", "silly"]
    static let joins = ["and", "but", ","]
    /// Index 0 is the padding.
    static let vocabulary = ["<pad>", "the", "not"] + nouns + verbs + intensifiers + positive + negative + joins.filter { $0 != "," } + [","]
    static let index: [String: Int] = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset) })

    var training: [Sentence]
    var heldOut: [Sentence]
    /// Sentences found in both sets (zero by construction; counted, not assumed).
    var sharedSentences: Int

    func example(of kind: Kind) -> String { training.first { $0.kind == kind }!.text }

    /// The share of each set that is of `kind`, "25%, 25%".
    func shares(of kind: Kind) -> String {
        func share(_ set: [Sentence]) -> String { String(format: "%.0f%%", 100 * Double(set.filter { $0.kind == kind }.count) / Double(set.count)) }
        return "\(share(training)), \(share(heldOut))"
    }

    /// `…Pairs` twin pairs of the order-dependent kind and `…Others` order-free sentences (half one clause, half two) per set.
    static func generate(trainingPairs: Int, trainingOthers: Int, heldOutPairs: Int, heldOutOthers: Int, seed: UInt64) -> ReviewData {
        var random = SeededGenerator(seed: seed)
        var seen: Set<String> = []
        func clause(_ adjective: String, negated: Bool, after first: [String] = []) -> [String] {
            // A second clause is about something else: its noun differs from the first clause's.
            var words = ["the", random.element(of: nouns.filter { !first.contains($0) }), random.element(of: verbs)]
            if negated { words.append("not") }
            if random.nextBool() { words.append(random.element(of: intensifiers)) }
            return words + [adjective]
        }
        func joined(_ a: [String], _ b: ([String]) -> [String]) -> [String] { a + [random.element(of: joins)] + b(a) }
        func fresh(_ sentences: [Sentence]) -> Bool {
            let texts = sentences.map(\.text)
            guard texts.allSatisfy({ !seen.contains($0) }) else { return false }
            seen.formUnion(texts)
            return true
        }
        func makeSet(pairs: Int, others: Int) -> [Sentence] {
            var set: [Sentence] = []
            var made = 0
            while made < pairs {
                let positiveFirst = random.nextBool()
                let (first, second) = positiveFirst ? (random.element(of: positive), random.element(of: negative))
                                                    : (random.element(of: negative), random.element(of: positive))
                // The twins differ only in which clause holds the "not": the second is built from the same random draws.
                let saved = random
                let notFirst = joined(clause(first, negated: true)) { clause(second, negated: false, after: $0) }
                random = saved
                let notSecond = joined(clause(first, negated: false)) { clause(second, negated: true, after: $0) }
                // "not" on the positive adjective: −1 − 1 < 0; on the negative one: +1 + 1 > 0.
                let a = Sentence(words: notFirst, label: positiveFirst ? 0 : 1, kind: .negationScope)
                let b = Sentence(words: notSecond, label: positiveFirst ? 1 : 0, kind: .negationScope)
                precondition(a.words.sorted() == b.words.sorted() && a.label != b.label, "ReviewData: twins must share their words")
                if fresh([a, b]) { set += [a, b]; made += 1 }
            }
            made = 0
            while made < others {
                let isPositive = random.nextBool()
                let pool = isPositive ? positive : negative
                let words = made % 2 == 0 ? clause(random.element(of: pool), negated: false)
                                          : joined(clause(random.element(of: pool), negated: false)) { clause(random.element(of: pool), negated: false, after: $0) }
                let sentence = Sentence(words: words, label: isPositive ? 1 : 0, kind: made % 2 == 0 ? .single : .agreeing)
                if fresh([sentence]) { set.append(sentence); made += 1 }
            }
            return set
        }
        var training = makeSet(pairs: trainingPairs, others: trainingOthers)
        let heldOut = makeSet(pairs: heldOutPairs, others: heldOutOthers)
        random.shuffle(&training)
        let shared = Set(training.map(\.text)).intersection(heldOut.map(\.text)).count
        return ReviewData(training: training, heldOut: heldOut, sharedSentences: shared)
    }
}
