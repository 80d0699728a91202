import CourseKit
import Foundation
import Implementations

/// Lesson 03 — Perceptron and logistic regression: every exercise, its hints,
/// its checks, the mistakes learners make (each must fail, and be named), and
/// correct rewrites.
enum ClassifiersLesson {
    typealias F = ClassifierFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "03-perceptron-logistic"

    static var exercises: [Exercise] {
        [perceptronPredictSpec, perceptronUpdateSpec, perceptronTrainSpec, bceSpec, logisticStepSpec, softmaxSpec, svmSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    /// Linearly separable points: labels ±1 from a random line, points closer
    /// than `margin` to it dropped. Shape `[N, D]`, labels `[N]`.
    static func separableData(_ context: inout GradingContext, count: Int, features: Int = 2, margin: Double = 0.3) -> (X: Tensor, labels: Tensor) {
        let direction = context.randomTensor([features])
        let w = direction / direction.norm(), b = context.random.nextUniform(in: -0.5..<0.5)
        var rows: [Tensor] = [], labels: [Double] = []
        while rows.count < count {
            let x = context.randomTensor([features], scale: 1.5)
            let score = dot(w, x) + b
            guard abs(score) > margin else { continue }
            rows.append(x)
            labels.append(score > 0 ? 1 : -1)
        }
        return (Tensor.stack(rows, axis: 0), Tensor(labels))
    }

    /// XOR with ±1 labels: (0,0) and (1,1) are −1, (0,1) and (1,0) are +1, each repeated.
    static let xor = (X: Tensor([[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1]]),
                      labels: Tensor([-1, 1, 1, -1, -1, 1, 1, -1]))

    static func asTensor(_ flag: Bool) -> Tensor { Tensor([flag ? 1 : 0]) }

    // MARK: - perceptronPredict

    static let perceptronPredictSpec = Spec(
        id: "classify.perceptronPredict", title: "Perceptron: predictions", file: "Perceptron.swift",
        declarations: ["perceptronPredict(_:weights:bias:)"],
        hints: [
            "The perceptron computes a score w·x + b for each example and outputs its sign: +1 when the score is positive, −1 otherwise (a point exactly on the boundary counts as −1).",
            "Read the chapter's sections “A linear score and its boundary” and “The perceptron”. `matmul(X, weights) + bias` gives all N scores at once.",
            "The output has shape [N] and holds only +1 and −1: a score > 0 gives +1; a score ≤ 0, including exactly 0, gives −1 (never 0).",
            "A sketch: `(matmul(X, weights) + bias).map { score in … }`.",
        ],
        standard: "compared with the reference on 4 random problems (N in 1–10, D in 1–4) and on points exactly on the boundary (score 0 → −1) or a hair either side of it (±1e-12), exactly",
        mistakes: [
            Change("boundary counted as +1", "a score of exactly 0 gives +1: in this course a point on the boundary is −1 (only a positive score is +1).") {
                $0.perceptronPredict = { X, w, b in (matmul(X, w) + b).map { $0 >= 0 ? 1 : -1 } }
            },
            Change("labels 0 and 1", "the output uses 0 and 1: the perceptron's labels are −1 and +1.") {
                $0.perceptronPredict = { X, w, b in (matmul(X, w) + b).map { $0 > 0 ? 1 : 0 } }
            },
            Change("raw scores", "the output is the score w·x + b itself: return its sign, ±1.") {
                $0.perceptronPredict = { X, w, b in matmul(X, w) + b }
            },
            Change("bias subtracted", "the bias is subtracted: the score is w·x + b.") {
                $0.perceptronPredict = { X, w, b in (matmul(X, w) - b).map { $0 > 0 ? 1 : -1 } }
            },
        ],
        alternatives: [
            Change("a loop with dot products and an if") {
                $0.perceptronPredict = { X, w, b in
                    var out: [Double] = []
                    for i in 0..<X.shape[0] {
                        if dot(X.row(i), w) + b > 0 { out.append(1) } else { out.append(-1) }
                    }
                    return Tensor(out)
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(String, Tensor, Tensor, Double)] = []
        for round in 1...4 {
            let n = context.random.nextInt(in: 1...10), d = context.random.nextInt(in: 1...4)
            cases.append(("random problem #\(round) (seed \(context.seed))", context.randomTensor([n, d]), context.randomTensor([d]),
                          context.random.nextNormal()))
        }
        // Scores exactly 0 (and tiny ones on both sides).
        cases.append(("points on the boundary", Tensor([[2, 2], [1, 1], [0, 0.5], [3, 1]]), Tensor([1, -1]), 0))
        cases.append(("a bias that decides", Tensor([[0, 0], [1, -1]]), Tensor([1, 1]), 0.5))
        // Scores of ±1e-12: only an exact comparison with 0 gets these right.
        cases.append(("scores a hair either side of 0", Tensor([[1e-12, 0], [-1e-12, 0]]), Tensor([1, 1]), 0))
        for (situation, X, w, b) in cases {
            try context.expectClose(candidate.perceptronPredict(X, w, b), peers.reference.perceptronPredict(X, w, b),
                                    what: "perceptronPredict", situation: situation,
                                    inputs: [("X", X), ("weights", w), ("bias", Tensor([b]))], tolerance: .tight,
                                    suspects: peers.suspects { $0.perceptronPredict(X, w, b) })
        }
        context.pass("perceptronPredict matches the reference on 4 random problems and the boundary cases")
    }

    // MARK: - perceptronUpdate

    static let perceptronUpdateSpec = Spec(
        id: "classify.perceptronUpdate", title: "Perceptron: the learning rule", file: "Perceptron.swift",
        declarations: ["perceptronUpdate(_:label:weights:bias:learningRate:)"],
        hints: [
            "The perceptron learns only from mistakes. An example is a mistake when y·(w·x + b) ≤ 0: wrong side, or on the boundary. Then it nudges w towards y·x, which raises y·(w·x + b) by η(‖x‖² + 1).",
            "Read the chapter's section “The learning rule”. `dot(weights, x)` is w·x; the learning rate η scales both updates.",
            "On a mistake: w ← w + η·y·x and b ← b + η·y, and the flag is true. Otherwise the inputs come back unchanged with the flag false. The test is ≤ 0, so a point on the boundary counts as a mistake.",
            "A sketch: `guard label * (dot(weights, x) + bias) <= 0 else { return (weights, bias, false) }` and then return the moved weights and bias with `true`.",
        ],
        standard: "new weights, bias and the mistake flag compared with the reference on 8 random examples (half of them mistakes, η from 0.1 to 2), a point on the boundary with each label and one on a trained perceptron's boundary, within |error| ≤ 1e-9 + 1e-7·|expected|",
        mistakes: [
            Change("updates on every example", "the parameters move even when the example is classified correctly: the perceptron updates on mistakes only.") {
                $0.perceptronUpdate = { x, y, w, b, lr in
                    let mistake = y * (dot(w, x) + b) <= 0
                    return (w + lr * y * x, b + lr * y, mistake)
                }
            },
            Change("η hard-coded as 1", "the update uses η = 1 whatever learning rate it is given: use the `learningRate` argument (the grader passes 0.1 to 2).") {
                $0.perceptronUpdate = { x, label, w, b, _ in ClassifierFunctions.reference.perceptronUpdate(x, label, w, b, 1) }
            },
            Change("bias not updated", "the bias never moves: on a mistake, b ← b + η·y as well.") {
                $0.perceptronUpdate = { x, y, w, b, lr in
                    guard y * (dot(w, x) + b) <= 0 else { return (w, b, false) }
                    return (w + lr * y * x, b, true)
                }
            },
            Change("update away from the example", "the update subtracts η·y·x, pushing the example further onto the wrong side: add it.") {
                $0.perceptronUpdate = { x, y, w, b, lr in
                    guard y * (dot(w, x) + b) <= 0 else { return (w, b, false) }
                    return (w - lr * y * x, b - lr * y, true)
                }
            },
            Change("boundary not a mistake", "a point on the boundary (y·(w·x + b) = 0) is not counted as a mistake: use ≤ 0, or nothing is ever learned from w = 0.") {
                $0.perceptronUpdate = { x, y, w, b, lr in
                    guard y * (dot(w, x) + b) < 0 else { return (w, b, false) }
                    return (w + lr * y * x, b + lr * y, true)
                }
            },
        ],
        alternatives: [
            Change("the prediction compared with the label") {
                $0.perceptronUpdate = { x, y, w, b, lr in
                    let predicted: Double = dot(w, x) + b > 0 ? 1 : -1
                    let onBoundary = dot(w, x) + b == 0
                    guard predicted != y || onBoundary else { return (w, b, false) }
                    return (w + (lr * y) * x, b + lr * y, true)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.perceptronPredict], of: "classify.perceptronUpdate", candidate: candidate, reference: peers.reference) { context in
            var cases: [(String, Tensor, Double, Tensor, Double)] = []
            for round in 1...8 {
                let d = context.random.nextInt(in: 1...4)
                let x = context.randomTensor([d]), w = context.randomTensor([d]), b = context.random.nextNormal()
                // Half the labels agree with the current prediction, half do not.
                let score = dot(w, x) + b
                let label: Double = (round % 2 == 0) == (score > 0) ? 1 : -1
                cases.append(("random example #\(round) (seed \(context.seed))", x, label, w, b))
            }
            cases.append(("a point on the boundary with w = 0 and b = 0", Tensor([1, 2]), 1, Tensor([0, 0]), 0))
            cases.append(("a point on the boundary with label −1", Tensor([1, 2]), -1, Tensor([0, 0]), 0))
            // On the boundary of a trained perceptron (w ≠ 0): still a mistake.
            cases.append(("a point on the boundary of w = (2, −1)", Tensor([1, 2]), 1, Tensor([2, -1]), 0))
            for ((situation, x, label, w, b), lr) in zip(cases, [0.5, 1, 0.1, 2, 0.5, 0.25, 1, 0.5, 0.5, 0.5, 0.5]) {
                let inputs: [(name: String, value: Tensor)] = [("x", x), ("label", Tensor([label])), ("weights", w), ("bias", Tensor([b]))]
                let got = candidate.perceptronUpdate(x, label, w, b, lr), want = peers.reference.perceptronUpdate(x, label, w, b, lr)
                try context.expectClose(asTensor(got.mistake), asTensor(want.mistake), what: "the mistake flag", situation: situation,
                                        inputs: inputs, suspects: peers.suspects { asTensor($0.perceptronUpdate(x, label, w, b, lr).mistake) })
                try context.expectClose(got.weights, want.weights, what: "the new weights", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { $0.perceptronUpdate(x, label, w, b, lr).weights },
                                        parameters: [Parameter("the learning rate (η)", lr,
                                                               candidate: { candidate.perceptronUpdate(x, label, w, b, $0).weights },
                                                               reference: { peers.reference.perceptronUpdate(x, label, w, b, $0).weights })])
                try context.expectClose(got.bias, want.bias, what: "the new bias", situation: situation, inputs: inputs,
                                        suspects: peers.suspects({ Tensor($0.perceptronUpdate(x, label, w, b, lr).bias) },
                                                                 agreeingWith: [({ $0.perceptronUpdate(x, label, w, b, lr).weights }, got.weights)]))
            }
            context.pass("perceptronUpdate matches the reference on 8 random examples and two boundary points")
        }
    }

    // MARK: - perceptronTrain

    static let perceptronTrainSpec = Spec(
        id: "classify.perceptronTrain", title: "Perceptron: training until no mistakes", file: "Perceptron.swift",
        declarations: ["perceptronTrain(_:labels:epochs:learningRate:)"],
        hints: [
            "Visit every example in order, apply the learning rule, count the mistakes of the epoch; when an epoch has none, the data are separated and training stops. On separable data this always happens (the perceptron convergence theorem); on data no line separates it never does.",
            "Read the chapter's sections “Convergence on separable data” and “XOR”. Start from `Tensor.zeros([X.shape[1]])` and 0, and call your `perceptronUpdate(X.row(i), label: labels[i], …)` for i = 0, 1, …, N − 1, in that order.",
            "Append each epoch's mistake count after the whole epoch, then stop if it was 0; otherwise run exactly `epochs` epochs. Return the weights as they are at the end — not the best epoch's — so on non-separable data you get wherever the last update left them.",
            "A sketch: `for _ in 0..<epochs { var mistakes = 0; for i in 0..<X.shape[0] { let step = perceptronUpdate(…); … }; mistakesPerEpoch.append(mistakes); if mistakes == 0 { break } }`.",
        ],
        standard: "weights, bias and the mistakes per epoch compared with the reference on 4 random separable problems (N in 6–20, D in 2–3, 1–15 epochs, η of 1, 0.5, 2 and 0.25), a single epoch, 3 epochs of XOR, four points that take three epochs, 30 epochs on two overlapping clouds (the mistakes rise and fall; the last epoch is not the best) and 0 epochs, within |error| ≤ 1e-8 + 1e-6·|expected|; integration: converges (an epoch with 0 mistakes) within 100 epochs on separable data, and never does on XOR in 25 epochs",
        mistakes: [
            Change("no early stop", "training continues after an epoch with no mistakes: stop right after the first clean epoch.") {
                $0.perceptronTrain = perceptronLoop(stopEarly: false)
            },
            Change("weights start at one", "the weights start at 1: start from w = 0 and b = 0.") {
                $0.perceptronTrain = perceptronLoop(startWeights: 1)
            },
            Change("clean epoch not recorded", "the final epoch with 0 mistakes is not recorded: append the count first, then stop.") {
                $0.perceptronTrain = perceptronLoop(recordCleanEpoch: false)
            },
            Change("stop test inside the example loop", "training stops in the middle of an epoch, as soon as the mistake count is 0 after a correctly classified example: an epoch is clean only when every example has been visited without a mistake, so test after the loop over the examples.") {
                $0.perceptronTrain = perceptronLoop(stopInsideEpoch: true)
            },
            Change("one epoch too few", "one epoch fewer than `epochs` runs (`1..<epochs` or `while epoch < epochs - 1`): when no clean epoch comes, run exactly `epochs` epochs.") {
                $0.perceptronTrain = perceptronLoop(epochOffset: -1)
            },
            Change("the best epoch's weights returned", "the weights returned are those of the epoch with the fewest mistakes (the “pocket” variant): this exercise's perceptron returns the weights as the last update left them.") {
                $0.perceptronTrain = perceptronLoop(returnBest: true)
            },
            Change("stops when the mistakes rise", "training stops after an epoch with more mistakes than the one before: stop only after an epoch with 0 mistakes, otherwise run all `epochs` epochs.") {
                $0.perceptronTrain = perceptronLoop(stopOnRise: true)
            },
        ],
        alternatives: [
            Change("a while loop over epochs") {
                $0.perceptronTrain = { X, labels, epochs, lr in
                    let update = ClassifierFunctions.reference.perceptronUpdate
                    var w = Tensor.zeros([X.shape[1]]), b = 0.0, history: [Int] = []
                    while history.count < epochs && history.last != 0 {
                        var mistakes = 0
                        for i in 0..<X.shape[0] {
                            let step = update(X.row(i), labels[i], w, b, lr)
                            (w, b) = (step.weights, step.bias)
                            mistakes += step.mistake ? 1 : 0
                        }
                        history.append(mistakes)
                    }
                    return (w, b, history)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.perceptronUpdate], of: "classify.perceptronTrain", candidate: candidate, reference: peers.reference) { context in
            var cases: [(String, Tensor, Tensor, Int)] = []
            for round in 1...4 {
                let (X, labels) = separableData(&context, count: context.random.nextInt(in: 6...20), features: context.random.nextInt(in: 2...3))
                cases.append(("random separable problem #\(round) (seed \(context.seed))", X, labels, context.random.nextInt(in: 1...15)))
            }
            // η varies between the random problems, so a learning rate ignored (or hard-coded) inside the loop shows.
            let learningRates = [1, 0.5, 2, 0.25, 1, 1, 1, 1]
            let (X1, labels1) = separableData(&context, count: 12)
            cases.append(("a single epoch on separable data (seed \(context.seed))", X1, labels1, 1))
            cases.append(("XOR for 3 epochs (never clean)", xor.X, xor.labels, 3))
            // Mistakes per epoch 2, 2, 0: epoch 2 begins with a correct point and makes its mistakes later.
            cases.append(("four points that take three epochs", Tensor([[0, -2], [-2, -2], [2, -2], [2, 0]]), Tensor([-1, -1, -1, 1]), 10))
            // Non-separable and not cycling: the mistakes go up and down, and the last epoch is not the best.
            let noisy = nonSeparableData(&context)
            cases.append(("30 epochs on two overlapping clouds (never a clean epoch; seed \(context.seed))", noisy.X, noisy.labels, 30))
            for ((situation, X, labels, epochs), lr) in zip(cases, learningRates) {
                let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", labels), ("epochs", Tensor([Double(epochs)])),
                                                               ("learningRate", Tensor([lr]))]
                let got = candidate.perceptronTrain(X, labels, epochs, lr), want = peers.reference.perceptronTrain(X, labels, epochs, lr)
                try context.expectClose(Tensor(got.mistakesPerEpoch.map(Double.init)), Tensor(want.mistakesPerEpoch.map(Double.init)),
                                        what: "the mistakes per epoch", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { Tensor($0.perceptronTrain(X, labels, epochs, lr).mistakesPerEpoch.map(Double.init)) })
                try context.expectClose(got.weights, want.weights, what: "the trained weights", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { $0.perceptronTrain(X, labels, epochs, lr).weights })
                try context.expectClose(got.bias, want.bias, what: "the trained bias", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { Tensor($0.perceptronTrain(X, labels, epochs, lr).bias) })
            }
            let none = candidate.perceptronTrain(X1, labels1, 0, 1)
            try context.expectClose(Double(none.mistakesPerEpoch.count), 0, what: "the number of epochs recorded", situation: "epochs = 0",
                                    inputs: [("X", X1), ("labels", labels1)])
            try context.expectClose(none.weights, Tensor.zeros([X1.shape[1]]), what: "the weights", situation: "epochs = 0 (no epoch: w = 0)",
                                    inputs: [("X", X1), ("labels", labels1)])
            context.pass("perceptronTrain matches the reference on 4 random separable problems, a single epoch, 3 epochs of XOR, a 3-epoch problem, 30 epochs on overlapping clouds and 0 epochs")

            let (X, labels) = separableData(&context, count: 40)
            let run = candidate.perceptronTrain(X, labels, 100, 1)
            guard run.mistakesPerEpoch.last == 0, candidate.perceptronPredict(X, run.weights, run.bias) == labels else {
                throw CheckFailure("on 40 separable points the perceptron did not converge within 100 epochs (mistakes per epoch: \(run.mistakesPerEpoch.suffix(10))); it must stop after an epoch with 0 mistakes, with every point classified right.")
            }
            guard run.mistakesPerEpoch.firstIndex(of: 0) == run.mistakesPerEpoch.count - 1 else {
                throw CheckFailure("training went on after an epoch with 0 mistakes (mistakes per epoch: \(run.mistakesPerEpoch)): stop right after the first clean epoch.")
            }
            context.pass("converges on separable data after \(run.mistakesPerEpoch.count) epochs")
            let xorRun = candidate.perceptronTrain(xor.X, xor.labels, 25, 1)
            guard xorRun.mistakesPerEpoch.count == 25, xorRun.mistakesPerEpoch.allSatisfy({ $0 > 0 }) else {
                throw CheckFailure("on XOR the perceptron must make mistakes in every one of 25 epochs (no line separates XOR), but the mistakes per epoch were \(xorRun.mistakesPerEpoch).")
            }
            context.pass("keeps making mistakes on XOR in all 25 epochs")
        }
    }

    /// A perceptron loop built from the reference's update, changed in one place.
    static func perceptronLoop(stopEarly: Bool = true, startWeights: Double = 0, recordCleanEpoch: Bool = true,
                               stopInsideEpoch: Bool = false, epochOffset: Int = 0, returnBest: Bool = false,
                               stopOnRise: Bool = false)
        -> @Sendable (Tensor, Tensor, Int, Double) -> (weights: Tensor, bias: Double, mistakesPerEpoch: [Int]) {
        { X, labels, epochs, lr in
            let update = ClassifierFunctions.reference.perceptronUpdate
            var w = Tensor(shape: [X.shape[1]], repeating: startWeights), b = 0.0, history: [Int] = []
            var best = (w, b, Int.max)
            for _ in 0..<max(0, epochs + epochOffset) {
                var mistakes = 0
                for i in 0..<X.shape[0] {
                    let step = update(X.row(i), labels[i], w, b, lr)
                    (w, b) = (step.weights, step.bias)
                    if step.mistake { mistakes += 1 }
                    if stopInsideEpoch && mistakes == 0 { break }
                }
                let rose = history.last.map { mistakes > $0 } ?? false
                if mistakes > 0 || recordCleanEpoch { history.append(mistakes) }
                if mistakes < best.2 { best = (w, b, mistakes) }
                if stopEarly && mistakes == 0 { break }
                if stopOnRise && rose { break }
            }
            return returnBest ? (best.0, best.1, history) : (w, b, history)
        }
    }

    /// Two overlapping clouds (labels ±1, N = 20, D = 2) on which the perceptron neither
    /// converges nor cycles back to w = 0: in 30 epochs its mistake count rises at least
    /// once, and its last weights are not the best epoch's. Drawn until both hold.
    static func nonSeparableData(_ context: inout GradingContext) -> (X: Tensor, labels: Tensor) {
        let train = ClassifierFunctions.reference.perceptronTrain
        var candidate = (X: Tensor.zeros([20, 2]), labels: Tensor.ones([20]))
        for _ in 0..<200 {
            var rows: [Tensor] = [], labels: [Double] = []
            for i in 0..<20 {
                let label: Double = i % 2 == 0 ? 1 : -1
                rows.append(context.randomTensor([2]) + Tensor([0.6 * label, 0.3]))
                labels.append(label)
            }
            candidate = (Tensor.stack(rows, axis: 0), Tensor(labels))
            let history = train(candidate.X, candidate.labels, 30, 1).mistakesPerEpoch
            let rises = zip(history, history.dropFirst()).contains { $0 < $1 }
            let lastIsBest = history.last == history.min()
            if history.count == 30 && rises && !lastIsBest { return candidate }
        }
        return candidate
    }
}
