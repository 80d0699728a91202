import CourseKit
import Foundation
import Implementations

extension BackpropLesson {
    /// Three clusters in 4-D, `count` points, labels 0, 1, 2.
    static func clusters(_ context: inout GradingContext, count: Int) -> Dataset {
        let centers = [Tensor([2, 0, 0, 1]), Tensor([0, 2, 0, -1]), Tensor([0, 0, 2, 0])]
        let labels = (0..<count).map { _ in context.random.nextInt(in: 0..<3) }
        let rows = labels.map { centers[$0] + context.randomTensor([4], scale: 0.8) }
        return Dataset(features: Tensor.stack(rows, axis: 0), labels: labels, classCount: 3)
    }

    /// The reference training loop, changed in one place.
    static func trainVariant(shuffle: Bool = true, freshShuffleEachEpoch: Bool = false, validateOnTraining: Bool = false,
                             ignoreRegularization: Bool = false, fixedLearningRate: Double? = nil, stopWhenNotFinite: Bool = false)
        -> @Sendable (F.Layers, Dataset, Dataset, Int, Int, Double, Double, UInt64) -> (layers: F.Layers, history: F.History) {
        { layers, train, validation, epochs, batchSize, lr, lambda, seed in
            let ref = BackpropFunctions.reference
            var generator = SeededGenerator(seed: seed)
            var layers = layers
            var history: F.History = ([], [], [])
            for _ in 0..<epochs {
                if freshShuffleEachEpoch { generator = SeededGenerator(seed: seed) }
                let batches = shuffle
                    ? train.minibatches(size: batchSize, using: &generator)
                    : stride(from: 0, to: train.count, by: batchSize).map { train.subset(Array($0..<min($0 + batchSize, train.count))) }
                for batch in batches {
                    let (loss, gradients) = ref.networkLoss(layers, batch.features, batch.labels, ignoreRegularization ? 0 : lambda)
                    if stopWhenNotFinite && !loss.isFinite { return (layers, history) }
                    history.losses.append(loss)
                    layers = ref.sgdStep(layers, gradients, fixedLearningRate ?? lr)
                }
                history.trainAccuracy.append(ref.accuracy(layers, train.features, train.labels))
                let held = validateOnTraining ? train : validation
                history.validationAccuracy.append(ref.accuracy(layers, held.features, held.labels))
            }
            return (layers, history)
        }
    }

    // MARK: - Training

    static let trainingSpec = Spec(
        id: "mlp.training", title: "Minibatch SGD with training and validation accuracy", file: "Training.swift",
        declarations: ["sgdStep(_:gradients:learningRate:)", "accuracy(_:_:labels:)",
                       "trainNetwork(_:train:validation:epochs:batchSize:learningRate:regularization:seed:)"],
        hints: [
            "An epoch is one pass over the training set in a fresh random order, cut into minibatches; each minibatch gives a loss and gradients (your `networkLoss`) and one SGD step, W ← W − η·∂L/∂W for every layer. After each epoch, measure accuracy on the training set and on the validation set, which is never trained on.",
            "Read the chapter's sections “Minibatch SGD” and “Training accuracy, validation accuracy, and a sanity check”. Create the generator once, before the epochs: `var generator = SeededGenerator(seed: seed)`; `train.minibatches(size: batchSize, using: &generator)` shuffles anew every epoch.",
            "history.losses gets one entry per minibatch (every one, even ∞ or NaN), the two accuracies one per epoch; η stays as given. Accuracy is the fraction of rows, 0 to 1, whose highest score (`argmax(axis: 1)`) is the label, divided by the number of rows.",
            "A sketch: `for _ in 0..<epochs { for batch in train.minibatches(…) { let (loss, gradients) = networkLoss(…); history.losses.append(loss); layers = sgdStep(…) }; history.trainAccuracy.append(accuracy(…)); history.validationAccuracy.append(…) }`.",
        ],
        standard: "sgdStep and accuracy compared with the reference on random networks; trainNetwork's losses, accuracies and final parameters compared with the reference on 3 runs (clusters in 4-D, 2–4 epochs, batch sizes 4–7 with a partial last batch, η of 0.05, 0.2 and 0.1, λ of 0, 0.01 and 0.1) within |error| ≤ 1e-8 + 1e-6·|expected|; 0 epochs return the layers unchanged; a diverging run (η = 10, λ = 10, 120 one-batch epochs) records every loss and accuracy, ∞ and NaN included; integration: a [64, 40, 10] network overfits 20 handwritten digits — 100% training accuracy within 150 epochs (the “overfit a tiny batch” check)",
        mistakes: [
            Change("no shuffling", "the minibatches are taken in the data's order: shuffle every epoch with `train.minibatches(size:using:)` and the one generator made from the seed.") {
                $0.train = trainVariant(shuffle: false)
            },
            Change("stops once the loss is ∞ or NaN", "training stops when the loss stops being finite: a diverging run must still record every minibatch's loss and every epoch's accuracies (∞ and NaN included) — that is how its divergence shows.") {
                $0.train = trainVariant(stopWhenNotFinite: true)
            },
            Change("generator re-created every epoch", "every epoch reuses the same order: the generator is created inside the epoch loop, or the minibatches were made once before the epochs. Create the generator once, before the first epoch, and call `train.minibatches(size:using:)` at the start of every epoch, so each epoch gets a fresh shuffle.") {
                $0.train = trainVariant(freshShuffleEachEpoch: true)
            },
            Change("validation accuracy measured on the training set", "the “validation” accuracy is computed on the training data: use the validation set, which the network never trains on — that gap is what shows overfitting.") {
                $0.train = trainVariant(validateOnTraining: true)
            },
            Change("regularization ignored", "λ is not passed on to `networkLoss`: training must use the regularization it was given.") {
                $0.train = trainVariant(ignoreRegularization: true)
            },
            Change("gradient ascent", "sgdStep adds the gradient: subtract it, W ← W − η·∂L/∂W, to go downhill.") {
                $0.sgdStep = { layers, gradients, lr in BackpropFunctions.reference.sgdStep(layers, gradients, -lr) }
            },
            Change("learning rate fixed at 0.1", "the learning rate is hard-coded: use the η the caller passes.") {
                $0.train = trainVariant(fixedLearningRate: 0.1)
            },
        ],
        alternatives: [
            Change("a hand-made permutation, sliced into batches") {
                $0.train = { layers, train, validation, epochs, batchSize, lr, lambda, seed in
                    let ref = BackpropFunctions.reference
                    var generator = SeededGenerator(seed: seed)
                    var layers = layers
                    var history: F.History = ([], [], [])
                    for _ in 0..<epochs {
                        let order = generator.permutation(train.count)
                        var start = 0
                        while start < order.count {
                            let batch = train.subset(Array(order[start..<min(start + batchSize, order.count)]))
                            let (loss, gradients) = ref.networkLoss(layers, batch.features, batch.labels, lambda)
                            history.losses.append(loss)
                            layers = zip(layers, gradients).map { ($0.weights - lr * $1.weights, $0.bias - lr * $1.bias) }
                            start += batchSize
                        }
                        history.trainAccuracy.append(ref.accuracy(layers, train.features, train.labels))
                        history.validationAccuracy.append(ref.accuracy(layers, validation.features, validation.labels))
                    }
                    return (layers, history)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.deepNet], of: "mlp.training", candidate: candidate, reference: peers.reference) { context in
            try checkTraining(candidate, peers: peers, &context)
        }
    }

    static func checkTraining(_ candidate: F, peers: Peers<F>, _ context: inout GradingContext) throws {
        for round in 1...3 {
            let (layers, _, _) = randomNetwork(&context, hiddenLayers: 1...2)
            let gradients: F.Layers = layers.map { (context.randomTensor($0.weights.shape), context.randomTensor($0.bias.shape)) }
            let lr = [0.01, 0.1, 0.5][round - 1]
            let got = candidate.sgdStep(layers, gradients, lr), want = peers.reference.sgdStep(layers, gradients, lr)
            let situation = "random network #\(round), η = \(lr) (seed \(context.seed))"
            guard got.count == want.count else { throw CheckFailure("sgdStep returned \(got.count) layers for \(want.count).") }
            for index in want.indices {
                try context.expectClose(got[index].weights, want[index].weights, what: "sgdStep's weights of layer \(index)", situation: situation,
                                        inputs: [("weights", layers[index].weights), ("gradient", gradients[index].weights)],
                                        suspects: peers.suspects { $0.sgdStep(layers, gradients, lr)[index].weights })
                try context.expectClose(got[index].bias, want[index].bias, what: "sgdStep's bias of layer \(index)", situation: situation,
                                        inputs: [("bias", layers[index].bias), ("gradient", gradients[index].bias)],
                                        suspects: peers.suspects { $0.sgdStep(layers, gradients, lr)[index].bias })
            }
            let (net, X, randomLabels) = randomNetwork(&context, hiddenLayers: 1...2)
            // Random labels can leave the accuracy at 0, where a wrong scale (a percentage) goes unseen: a second
            // labelling agrees with the reference's predictions on every other row, so the answer is strictly between 0 and 1.
            let predictions = peers.reference.networkScores(net, X).argmax(axis: 1).scalars.map(Int.init)
            let classes = net.last!.weights.shape[1]
            let halfRight = predictions.enumerated().map { $0.offset.isMultiple(of: 2) ? $0.element : ($0.element + 1) % classes }
            for (labels, which) in [(randomLabels, "random labels"), (halfRight, "labels that match the predictions on every other row")] {
                let mine = candidate.accuracy(net, X, labels), theirs = peers.reference.accuracy(net, X, labels)
                guard Tolerance.standard.accepts(mine, theirs) else {
                    // No ratio guesses here: accuracies are coarse fractions, and a factor of 2 between two of them means nothing.
                    let percentage = theirs > 0 && Tolerance.standard.accepts(mine, 100 * theirs)
                        ? "\n  observed: your answer is 100 times the fraction — a percentage? accuracy here is a fraction from 0 to 1" : ""
                    throw CheckFailure("accuracy — wrong for random network #\(round) with \(which) (seed \(context.seed)): expected \(Diagnosis.short(theirs)), the fraction (0 to 1) of the \(labels.count) rows whose highest score is the label, got \(Diagnosis.short(mine)).\n  labels: \(Diagnosis.preview(Tensor(labels.map(Double.init))))\n  the reference's predictions: \(Diagnosis.preview(Tensor(predictions.map(Double.init))))" + percentage)
                }
            }
        }
        context.pass("sgdStep and accuracy match the reference on 3 random networks")

        for (round, (lr, lambda)) in [(0.05, 0.0), (0.2, 0.01), (0.1, 0.1)].enumerated() {
            let train = clusters(&context, count: context.random.nextInt(in: 18...26)), validation = clusters(&context, count: 9)
            var generator = SeededGenerator(seed: context.random.next())
            let layers = F.heInitialized(sizes: [4, 5, 3], using: &generator)
            let epochs = context.random.nextInt(in: 2...4)
            // A batch size that leaves a partial last batch (no count in 18–26 is divisible by all of 4–7).
            let sizes = (4...7).filter { train.count % $0 != 0 }
            let batchSize = sizes[context.random.nextInt(in: 0..<sizes.count)]
            let seed = context.random.next() >> 12
            let situation = "run #\(round + 1): \(train.count) examples, \(epochs) epochs, batches of \(batchSize), η = \(lr), λ = \(lambda), trainNetwork's seed \(seed) (replay the whole check with DLFS_SEED=\(context.seed))"
            let inputs: [(name: String, value: Tensor)] = [("train.features", train.features), ("train.labels", Tensor(train.labels.map(Double.init)))]
            let got = candidate.train(layers, train, validation, epochs, batchSize, lr, lambda, seed)
            let want = peers.reference.train(layers, train, validation, epochs, batchSize, lr, lambda, seed)
            let batchesPerEpoch = (train.count + batchSize - 1) / batchSize
            for (name, count, expected, unit) in [("history.losses", got.history.losses.count, want.history.losses.count, "one per minibatch: \(batchesPerEpoch) per epoch"),
                                                  ("history.trainAccuracy", got.history.trainAccuracy.count, epochs, "one per epoch"),
                                                  ("history.validationAccuracy", got.history.validationAccuracy.count, epochs, "one per epoch")]
                where count != expected {
                throw CheckFailure("\(name) has \(count) entries after \(epochs) epochs; it needs \(expected), \(unit) (\(situation)).")
            }
            try context.expectClose(Tensor(got.history.losses), Tensor(want.history.losses), what: "history.losses", situation: situation,
                                    inputs: inputs, suspects: peers.suspects { Tensor($0.train(layers, train, validation, epochs, batchSize, lr, lambda, seed).history.losses) })
            try context.expectClose(Tensor(got.history.trainAccuracy), Tensor(want.history.trainAccuracy), what: "history.trainAccuracy",
                                    situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.train(layers, train, validation, epochs, batchSize, lr, lambda, seed).history.trainAccuracy) })
            try context.expectClose(Tensor(got.history.validationAccuracy), Tensor(want.history.validationAccuracy),
                                    what: "history.validationAccuracy", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.train(layers, train, validation, epochs, batchSize, lr, lambda, seed).history.validationAccuracy) })
            guard got.layers.count == want.layers.count else { throw CheckFailure("trainNetwork returned \(got.layers.count) layers for \(want.layers.count).") }
            for index in want.layers.indices {
                try context.expectClose(got.layers[index].weights, want.layers[index].weights, what: "the trained weights of layer \(index)",
                                        situation: situation, inputs: inputs)
                try context.expectClose(got.layers[index].bias, want.layers[index].bias, what: "the trained bias of layer \(index)",
                                        situation: situation, inputs: inputs)
            }
        }
        let small = clusters(&context, count: 8)
        let untouched = F.heInitialized(sizes: [4, 3, 3], using: &context.random)
        let none = candidate.train(untouched, small, small, 0, 4, 0.1, 0, 1)
        guard none.history.losses.isEmpty, none.history.trainAccuracy.isEmpty, none.history.validationAccuracy.isEmpty,
              none.layers.count == untouched.count,
              zip(none.layers, untouched).allSatisfy({ $0.weights == $1.weights && $0.bias == $1.bias }) else {
            throw CheckFailure("trainNetwork with epochs = 0 must return the layers it was given, unchanged, and an empty history; it returned \(none.history.losses.count) losses and \(none.layers.count) layers.")
        }
        // A diverging run: with λ = 10 and η = 10 each step multiplies the weights by 1 − ηλ = −99, so the
        // loss passes 1e50 within about 30 steps, then becomes ∞ and NaN. Every entry must still be recorded.
        let wild = F.heInitialized(sizes: [4, 3, 3], using: &context.random)
        let diverging = candidate.train(wild, small, small, 120, 8, 10, 10, 7), divergingWant = peers.reference.train(wild, small, small, 120, 8, 10, 10, 7)
        let wildSituation = "a diverging run: 120 epochs of one batch, η = 10, λ = 10 (each step multiplies the weights by −99)"
        for (name, got, want) in [("history.losses", diverging.history.losses, divergingWant.history.losses),
                                  ("history.trainAccuracy", diverging.history.trainAccuracy, divergingWant.history.trainAccuracy)] {
            guard got.count == want.count else {
                let stopped = peers.mistakes.filter { $0.functions.train(wild, small, small, 120, 8, 10, 10, 7).history.losses.count == diverging.history.losses.count
                    && $0.functions.train(wild, small, small, 120, 8, 10, 10, 7).history.losses.count != divergingWant.history.losses.count }
                    .map { "\n  likely cause: " + $0.explanation }.first ?? ""
                throw CheckFailure("""
                    \(name) — wrong for \(wildSituation): \(got.count) entries, the reference records \(want.count).
                      observed: your loop stops early on a diverging run — when the loss rises, or when it is ∞ or NaN. Record \
                    every minibatch's loss and every epoch's accuracy, whatever their values.\(stopped)
                    """)
            }
            // One batch per epoch, so loss i and accuracy i belong to the same step. Beyond 1e50 the scores
            // are ∞ or NaN, and which class an argmax of NaNs picks is not this exercise's business.
            let finite = divergingWant.history.losses.firstIndex { !($0.magnitude < 1e50) } ?? want.count
            try context.expectClose(Tensor(Array(got.prefix(finite))), Tensor(Array(want.prefix(finite))), what: name,
                                    situation: wildSituation + " (the epochs before the loss passes 1e50)", inputs: [])
        }
        context.pass("trainNetwork matches the reference on 3 runs (losses, accuracies, final weights and biases), a diverging run and with 0 epochs")

        // Overfit a tiny batch: a network that cannot memorize 20 examples has a bug.
        let digits = try Dataset.digits()
        let tiny = digits.subset(Array(0..<20))   // pixels already scaled to 0–1
        var generator = SeededGenerator(seed: 4)
        let start = F.heInitialized(sizes: [64, 40, 10], using: &generator)
        let run = candidate.train(start, tiny, tiny, 150, 20, 0.5, 0, 1)
        guard let final = run.history.trainAccuracy.last, final == 1, let first = run.history.losses.first,
              let last = run.history.losses.last, last < 0.1 * first else {
            let accuracy = run.history.trainAccuracy.last.map { String(format: "%.0f%%", 100 * $0) } ?? "nothing (no accuracy recorded)"
            let epochs = run.history.trainAccuracy.count
            let length = epochs == 150 ? "" : " Your run recorded \(epochs) epochs of 150 — does it stop early?"
            throw CheckFailure("the “overfit a tiny batch” check failed: training a [64, 40, 10] network on 20 digits for 150 epochs (η = 0.5, λ = 0) should reach 100% training accuracy and cut the loss tenfold; the training accuracy ended at \(accuracy) and the loss went from \(Diagnosis.short(run.history.losses.first ?? .nan)) to \(Diagnosis.short(run.history.losses.last ?? .nan)).\(length)")
        }
        let epoch = (run.history.trainAccuracy.firstIndex(of: 1) ?? 0) + 1
        context.pass("overfits 20 digits: 100% training accuracy from epoch \(epoch), loss \(Diagnosis.short(first)) → \(Diagnosis.short(last))")
    }
}

extension Prerequisite where Functions == BackpropFunctions {
    static let deepNet = Prerequisite(exerciseID: "mlp.deepNet", function: "networkLoss") { candidate, reference, context in
        let (layers, X, labels) = BackpropLesson.randomNetwork(&context, hiddenLayers: 1...2)
        let got = candidate.networkLoss(layers, X, labels, 0.1), want = reference.networkLoss(layers, X, labels, 0.1)
        return Tolerance.standard.accepts(got.loss, want.loss) && got.gradients.count == want.gradients.count
            && zip(got.gradients, want.gradients).allSatisfy {
                Tolerance.standard.accepts($0.weights, $1.weights) && Tolerance.standard.accepts($0.bias, $1.bias)
            }
    }
}
