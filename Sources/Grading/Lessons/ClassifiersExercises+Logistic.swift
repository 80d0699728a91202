import CourseKit
import Foundation
import Implementations

extension ClassifiersLesson {
    // MARK: - binary cross-entropy

    static let bceSpec = Spec(
        id: "classify.bce", title: "Binary cross-entropy from logits", file: "BinaryCrossEntropy.swift",
        declarations: ["binaryCrossEntropyWithLogits(_:targets:)"],
        hints: [
            "With p = σ(z) the loss is −[y log p + (1 − y) log(1 − p)]. Substituting σ and simplifying gives max(z, 0) − z·y + log(1 + e^(−|z|)), which never exponentiates a positive number. Its derivative with respect to z is σ(z) − y; averaged over N examples, divide by N.",
            "Read the chapter's sections “Computing it stably from logits” and “The gradient”. `maximum`, `abs`, `exp` and `log1p` work on whole tensors; `log1p(u)` is log(1 + u) without losing a tiny u.",
            "Per example: max(z, 0) − z·y + log1p(e^(−|z|)), a tensor of shape [N]; the loss is its mean. The gradient (σ(z) − y)/N needs a stable σ (two branches, as in lesson 01). For z = 30, y = 1 the loss is about 9.4e-14 — not 0.",
            "A sketch: `let n = Double(logits.count); let perExample = maximum(logits, 0) - logits * targets + …; let p = logits.map { z in z >= 0 ? … : … }; return (…, (p - targets) / n)`.",
        ],
        standard: "loss and dLogits compared with the reference on 4 random batches (N in 1–10) and the edge cases logits ±1000 with both targets, confident right and wrong logits from ±12 to ±37, and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; single confident right logits (z = −25, −30, −40 with y = 0), where the loss and dLogits are 1e-11 down to 4e-18, by relative error alone (≤ 1e-6·|expected|); gradient check of dLogits against your own loss: relative error < 1e-7",
        mistakes: [
            Change("log of the sigmoid", "−[y log σ(z) + (1 − y) log(1 − σ(z))] computed from probabilities gives log(0) = −∞ for logits like ±1000: use max(z, 0) − z·y + log(1 + e^(−|z|)).") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let p = z.map { 1 / (1 + Foundation.exp(-$0)) }
                    let perExample = -(y * log(p) + (1 - y) * log(1 - p))
                    return (perExample.mean(), (p - y) / Double(z.count))
                }
            },
            Change("log(1 + u) in place of log1p(u)", "log(1 + e^(−|z|)) rounds 1 + e^(−|z|) first: for a confident, right logit (z = −30, y = 0) the loss 9.4e-14 keeps only 3 digits, and below 1e-16 it becomes 0. `log1p(u)` computes log(1 + u) without forming 1 + u.") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let reference = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(z, y)
                    return ((maximum(z, 0) - z * y + log(1 + exp(-abs(z)))).mean(), reference.dLogits)
                }
            },
            Change("gradient without 1/N", "dLogits is σ(z) − y without the 1/N: the loss is a mean, so each example's gradient is divided by N.") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let reference = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(z, y)
                    return (reference.loss, reference.dLogits * Double(z.count))
                }
            },
            Change("gradient sign flipped", "dLogits is (y − σ(z))/N: the derivative of the loss with respect to z is σ(z) − y.") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let reference = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(z, y)
                    return (reference.loss, -reference.dLogits)
                }
            },
            Change("summed instead of averaged", "the loss is summed over the batch: this course's loss is the mean, and its gradient carries 1/N.") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let reference = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(z, y)
                    return (reference.loss * Double(z.count), reference.dLogits * Double(z.count))
                }
            },
        ],
        alternatives: [
            Change("y·softplus(−z) + (1 − y)·softplus(z), each softplus stable") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    let softplus: @Sendable (Double) -> Double = { v in Swift.max(v, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(v))) }
                    let perExample = y * z.map { softplus(-$0) } + (1 - y) * z.map(softplus)
                    let p = z.map { v in v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v)) }
                    return (perExample.mean(), (p - y) / Double(z.count))
                }
            },
            Change("softplus form, log(1 + e^z) − z·y, computed stably per element") {
                $0.binaryCrossEntropyWithLogits = { z, y in
                    var total = 0.0
                    var gradient = [Double]()
                    for i in 0..<z.count {
                        let v = z.scalars[i], t = y.scalars[i]
                        let softplus = v > 0 ? v + Foundation.log1p(Foundation.exp(-v)) : Foundation.log1p(Foundation.exp(v))
                        total += softplus - v * t
                        let p = v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))
                        gradient.append((p - t) / Double(z.count))
                    }
                    return (total / Double(z.count), Tensor(gradient))
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(String, Tensor, Tensor)] = []
        for round in 1...4 {
            let n = context.random.nextInt(in: 1...10)
            let z = context.randomTensor([n], scale: 3)
            let y = Tensor((0..<n).map { _ in context.random.nextBool() ? 1 : 0 })
            cases.append(("random batch #\(round) (seed \(context.seed))", z, y))
        }
        cases.append(("logits of ±1000", Tensor([1000, -1000, 1000, -1000]), Tensor([1, 0, 0, 1])))
        // Confident, right predictions: the loss is tiny (about 3e-6), so a softplus cut off too early
        // (at ±10, say) is visibly wrong; and confident, wrong ones, where it must grow like |z|.
        cases.append(("confident right logits ±12, ±15 and ±20", Tensor([12, -12, 15, -15, 20, -20]), Tensor([1, 0, 1, 0, 1, 0])))
        cases.append(("confident wrong logits ±12 and ±37", Tensor([12, -12, 37, -37]), Tensor([0, 1, 0, 1])))
        cases.append(("a batch of one", Tensor([0.7]), Tensor([1])))
        for (situation, z, y) in cases {
            let got = candidate.binaryCrossEntropyWithLogits(z, y), want = peers.reference.binaryCrossEntropyWithLogits(z, y)
            let inputs: [(name: String, value: Tensor)] = [("logits", z), ("targets", y)]
            try context.expectClose(got.loss, want.loss, what: "the loss", situation: situation, inputs: inputs, batchSize: z.count,
                                    suspects: peers.suspects { Tensor($0.binaryCrossEntropyWithLogits(z, y).loss) })
            try context.expectClose(got.dLogits, want.dLogits, what: "dLogits", situation: situation, inputs: inputs, batchSize: z.count,
                                    suspects: peers.suspects { $0.binaryCrossEntropyWithLogits(z, y).dLogits })
        }
        // Confident, right predictions one at a time: the loss is tiny but not 0 (9.4e-14 for z = −30, y = 0), so it
        // is compared by relative error alone; an absolute tolerance would accept log(1 + u), which rounds 1 + u
        // and loses u's digits (or all of it below 1e-16), for log1p(u). On the negative side σ(z) is tiny too,
        // and 1 − σ(−z) cancels to rounding noise there, so dLogits is compared the same way.
        let relativeOnly = Tolerance(absolute: 0, relative: 1e-6)
        for (situation, z, y) in [("a confident right logit z = −30, y = 0, alone (the loss is 9.4e-14)", Tensor([-30]), Tensor([0])),
                                  ("a confident right logit z = −25, y = 0, alone (the loss is 1.4e-11)", Tensor([-25]), Tensor([0])),
                                  ("a confident right logit z = −40, y = 0, alone (the loss is 4.2e-18)", Tensor([-40]), Tensor([0]))] {
            let got = candidate.binaryCrossEntropyWithLogits(z, y), want = peers.reference.binaryCrossEntropyWithLogits(z, y)
            let inputs: [(name: String, value: Tensor)] = [("logits", z), ("targets", y)]
            try context.expectClose(got.loss, want.loss, what: "the loss", situation: situation + ", compared by relative error",
                                    inputs: inputs, tolerance: relativeOnly, batchSize: 1,
                                    suspects: peers.suspects { Tensor($0.binaryCrossEntropyWithLogits(z, y).loss) })
            try context.expectClose(got.dLogits, want.dLogits, what: "dLogits", situation: situation + ", compared by relative error",
                                    inputs: inputs, tolerance: relativeOnly, batchSize: 1,
                                    suspects: peers.suspects { $0.binaryCrossEntropyWithLogits(z, y).dLogits })
        }
        context.pass("loss and dLogits match the reference on 4 random batches and 4 edge cases, and in 3 tails by relative error")
        let n = context.random.nextInt(in: 2...8)
        let z = context.randomTensor([n], scale: 2)
        let y = Tensor((0..<n).map { _ in context.random.nextBool() ? 1 : 0 })
        let numeric = GradientCheck.numericalGradient(of: { candidate.binaryCrossEntropyWithLogits($0, y).loss }, at: z)
        let analytic = candidate.binaryCrossEntropyWithLogits(z, y).dLogits
        try context.expectGradient(analytic: analytic, numeric: numeric, what: "dLogits", situation: "logits of shape [\(n)]",
                                   threshold: gradientThreshold)
        context.pass("gradient check: relative error \(Diagnosis.short(GradientCheck.relativeError(analytic, numeric))) < 1e-7")
    }

    // MARK: - logistic regression step

    static let logisticStepSpec = Spec(
        id: "classify.logisticStep", title: "Logistic regression: one training step", file: "LogisticRegression.swift",
        declarations: ["logisticRegressionStep(_:_:weights:bias:learningRate:)"],
        hints: [
            "Logistic regression is a linear score z = Xw + b read through a sigmoid. Your binaryCrossEntropyWithLogits gives the loss and ∂L/∂z; the chain rule through z = Xw + b turns ∂L/∂z into ∂L/∂w and ∂L/∂b. Then step downhill.",
            "Read the chapter's section “The gradient”. Call your `binaryCrossEntropyWithLogits(matmul(X, weights) + bias, targets: y)`; it already divides by N.",
            "Shapes: ∂L/∂z is [N]; ∂L/∂w = Xᵀ ∂L/∂z is [D, N]·[N] = [D]; ∂L/∂b = Σᵢ ∂L/∂zᵢ is a Double. Return the loss computed before the step, and move w and b by −η times their gradients.",
            "A sketch: `let (loss, dLogits) = binaryCrossEntropyWithLogits(…); let dWeights = matmul(X.transposed(), dLogits); return (weights - learningRate * dWeights, …, loss)`.",
        ],
        standard: "new weights, bias and loss compared with the reference on 4 random problems (N in 1–12, D in 1–4) and on saturated logits (±40, ±800) within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of the step's implied gradients (w − w′)/η and (b − b′)/η against numerical gradients of your loss: relative error < 1e-7; integration: 200 steps with η = 0.5 on two separated clouds lower the loss below a third of its start and classify ≥ 90% right",
        mistakes: [
            Change("added the gradient", "the step adds the gradient, which increases the loss: subtract η·gradient.") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(matmul(X, w) + b, y)
                    return (w + lr * matmul(X.transposed(), dz), b + lr * dz.sum(), loss)
                }
            },
            Change("bias gradient averaged", "∂L/∂b is the sum of dLogits (the 1/N is already inside them), not their mean.") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(matmul(X, w) + b, y)
                    return (w - lr * matmul(X.transposed(), dz), b - lr * dz.mean(), loss)
                }
            },
            Change("loss after the step", "the loss returned is computed after the step: return the loss at the parameters you were given.") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let f = ClassifierFunctions.reference
                    let (_, dz) = f.binaryCrossEntropyWithLogits(matmul(X, w) + b, y)
                    let (w2, b2) = (w - lr * matmul(X.transposed(), dz), b - lr * dz.sum())
                    return (w2, b2, f.binaryCrossEntropyWithLogits(matmul(X, w2) + b2, y).loss)
                }
            },
            Change("η hard-coded as 0.1", "the step uses η = 0.1 whatever learning rate it is given: use the `learningRate` argument (the grader passes 0.01 to 1).") {
                $0.logisticRegressionStep = { X, y, w, b, _ in ClassifierFunctions.reference.logisticRegressionStep(X, y, w, b, 0.1) }
            },
            Change("bias not updated", "the bias is returned unchanged: it takes a step too, b − η·Σᵢ ∂L/∂zᵢ.") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(matmul(X, w) + b, y)
                    return (w - lr * matmul(X.transposed(), dz), b, loss)
                }
            },
            Change("gradient without 1/N", "the step uses Xᵀ(σ(z) − y) and Σᵢ(σ(z) − y)ᵢ without the 1/N: the loss is a mean, so ∂L/∂w = Xᵀ(σ(z) − y)/N — the dLogits of your binaryCrossEntropyWithLogits already carry the 1/N.") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(matmul(X, w) + b, y)
                    let error = dz * Double(X.shape[0])
                    return (w - lr * matmul(X.transposed(), error), b - lr * error.sum(), loss)
                }
            },
        ],
        alternatives: [
            Change("probabilities computed directly, gradient written out") {
                $0.logisticRegressionStep = { X, y, w, b, lr in
                    let z = matmul(X, w) + b
                    let loss = ClassifierFunctions.reference.binaryCrossEntropyWithLogits(z, y).loss
                    let p = z.map { v in v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v)) }
                    let n = Double(X.shape[0])
                    return (w - lr * matmul(X.transposed(), p - y) / n, b - lr * (p - y).sum() / n, loss)
                }
            },
        ]
    ) { candidate, peers, context in
        try context.noting([.bce], of: "classify.logisticStep", candidate: candidate, reference: peers.reference) { context in
            for round in 1...4 {
                let n = context.random.nextInt(in: 1...12), d = context.random.nextInt(in: 1...4)
                let X = context.randomTensor([n, d]), w = context.randomTensor([d]), b = context.random.nextNormal()
                let y = Tensor((0..<n).map { _ in context.random.nextBool() ? 1 : 0 })
                let lr = [0.01, 0.1, 0.5, 1][round - 1]
                let inputs: [(name: String, value: Tensor)] = [("X", X), ("y", y), ("weights", w), ("bias", Tensor([b]))]
                let got = candidate.logisticRegressionStep(X, y, w, b, lr), want = peers.reference.logisticRegressionStep(X, y, w, b, lr)
                let situation = "random problem #\(round), η = \(lr) (seed \(context.seed))"
                try context.expectClose(got.loss, want.loss, what: "the loss", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { Tensor($0.logisticRegressionStep(X, y, w, b, lr).loss) })
                try context.expectClose(got.weights, want.weights, what: "the new weights", situation: situation, inputs: inputs,
                                        batchSize: n, suspects: peers.suspects { $0.logisticRegressionStep(X, y, w, b, lr).weights },
                                        parameters: [Parameter("the learning rate (η)", lr,
                                                               candidate: { candidate.logisticRegressionStep(X, y, w, b, $0).weights },
                                                               reference: { peers.reference.logisticRegressionStep(X, y, w, b, $0).weights })])
                try context.expectClose(got.bias, want.bias, what: "the new bias", situation: situation, inputs: inputs,
                                        suspects: peers.suspects({ Tensor($0.logisticRegressionStep(X, y, w, b, lr).bias) },
                                                                 agreeingWith: [({ $0.logisticRegressionStep(X, y, w, b, lr).weights }, got.weights)]))
            }
            // Saturated logits: the loss and the step must come from stable forms, not log σ(z) or e^z/(1 + e^z).
            for (situation, X, y, w) in [("saturated logits z = (40, −40, 80)", Tensor([[1], [-1], [2]]), Tensor([0, 1, 1]), Tensor([40])),
                                         ("logits z = (800, −800, 1600)", Tensor([[1], [-1], [2]]), Tensor([0, 1, 1]), Tensor([800]))] {
                let b = 0.0
                let inputs: [(name: String, value: Tensor)] = [("X", X), ("y", y), ("weights", w), ("bias", Tensor([b]))]
                let got = candidate.logisticRegressionStep(X, y, w, b, 0.1), want = peers.reference.logisticRegressionStep(X, y, w, b, 0.1)
                try context.expectClose(got.loss, want.loss, what: "the loss", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { Tensor($0.logisticRegressionStep(X, y, w, b, 0.1).loss) })
                try context.expectClose(got.weights, want.weights, what: "the new weights", situation: situation, inputs: inputs,
                                        suspects: peers.suspects { $0.logisticRegressionStep(X, y, w, b, 0.1).weights })
                try context.expectClose(got.bias, want.bias, what: "the new bias", situation: situation, inputs: inputs)
            }
            context.pass("logisticRegressionStep matches the reference on 4 random problems and saturated logits")
            try checkLogisticStepGradient(candidate, &context)
            // Two clouds around (−1.5, −1.5) and (1.5, 1.5).
            let half = 30
            let X = Tensor.concatenate([context.randomTensor([half, 2]) - 1.5, context.randomTensor([half, 2]) + 1.5], axis: 0)
            let y = Tensor(Array(repeating: 0, count: half) + Array(repeating: 1, count: half))
            var w = Tensor.zeros([2]), b = 0.0, losses: [Double] = []
            for _ in 0..<200 {
                let step = candidate.logisticRegressionStep(X, y, w, b, 0.5)
                (w, b) = (step.weights, step.bias)
                losses.append(step.loss)
            }
            let accuracy = zip((matmul(X, w) + b).scalars, y.scalars).filter { ($0.0 > 0) == ($0.1 == 1) }.count
            guard let first = losses.first, let last = losses.last, last < first / 3, accuracy >= 54 else {
                throw CheckFailure("200 training steps on two separated clouds should lower the loss below a third of its start and classify ≥ 90% right; the loss went from \(Diagnosis.short(losses.first ?? .nan)) to \(Diagnosis.short(losses.last ?? .nan)) and \(accuracy) of 60 points are right.")
            }
            context.pass("200 steps lower the loss from \(Diagnosis.short(first)) to \(Diagnosis.short(last)); \(accuracy)/60 right")
        }
    }

    // MARK: - softmax regression

    static let softmaxSpec = Spec(
        id: "classify.softmaxCE", title: "Softmax regression: cross-entropy and a training step", file: "SoftmaxRegression.swift",
        declarations: ["softmaxCrossEntropy(_:labels:)", "softmaxRegressionStep(_:labels:weights:bias:learningRate:)"],
        hints: [
            "Logistic regression is binary; for K classes use softmax over each row of scores and the loss −log p(correct class), averaged over the rows. Its gradient with respect to the scores is famously simple: softmax minus the one-hot label, divided by N.",
            "Read the chapter's section “Softmax regression: K classes”, and lesson 01's log-softmax. `Tensor.oneHot(labels, classes: K)` builds the one-hot matrix.",
            "Stable log-probabilities: log p = s − log Σ e^s with s = z − (row max) — never log of a probability, which underflows to log 0 (and never log(p + ε), which caps the loss). In the step, scores are XW + b ([N, K] + [K] broadcasts), ∂L/∂W = Xᵀ ∂L/∂Z is [D, K], ∂L/∂b sums ∂L/∂Z over the rows (`sum(axis: 0)`), and softmaxCrossEntropy already divides by N.",
            "A sketch: `let logProbabilities = shifted - log(…); var loss = 0.0; for i in 0..<n { loss -= logProbabilities[i, labels[i]] }; let dLogits = (exp(logProbabilities) - …) / Double(n)`.",
        ],
        standard: "softmaxCrossEntropy: loss and dLogits compared with the reference on 4 random batches (N in 1–8, K in 2–5) and the edge cases logits of ±1000, a batch of one, the last class absent from the labels and rows far apart with the true class far below the maximum, within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check relative error < 1e-7; softmaxRegressionStep: weights, bias and loss compared with the reference on 3 random problems (η of 0.5, 0.1 and 1) and scores near ±1000, and its implied gradients (W − W′)/η and (b − b′)/η checked against numerical gradients of its loss: relative error < 1e-7",
        mistakes: [
            Change("softmax over the batch", "the softmax normalizes down each column (over the batch): each row's probabilities sum over its K classes, axis 1.") {
                $0.softmaxCrossEntropy = { z, labels in
                    let shifted = z - z.max(axis: 0, keepingDims: true)
                    let logP = shifted - log(exp(shifted).sum(axis: 0, keepingDims: true))
                    let n = Double(z.shape[0])
                    var loss = 0.0
                    for i in 0..<z.shape[0] { loss -= logP[i, labels[i]] }
                    return (loss / n, (exp(logP) - Tensor.oneHot(labels, classes: z.shape[1])) / n)
                }
            },
            Change("no max subtraction", "without subtracting the row maximum, e^1000 overflows to ∞ and the loss becomes NaN: shift each row by its max first.") {
                $0.softmaxCrossEntropy = { z, labels in
                    let p = exp(z) / exp(z).sum(axis: 1, keepingDims: true)
                    let n = Double(z.shape[0])
                    var loss = 0.0
                    for i in 0..<z.shape[0] { loss -= Foundation.log(p[i, labels[i]]) }
                    return (loss / n, (p - Tensor.oneHot(labels, classes: z.shape[1])) / n)
                }
            },
            Change("dLogits without 1/N", "dLogits is softmax − onehot without the 1/N: the loss is the mean over the batch, so each row's gradient is divided by N.") {
                $0.softmaxCrossEntropy = { logits, labels in
                    let reference = ClassifierFunctions.reference.softmaxCrossEntropy(logits, labels)
                    return (reference.loss, reference.dLogits * Double(logits.shape[0]))
                }
            },
            Change("gradient without the one-hot", "dLogits is softmax/N alone: the correct class gets −1 too, (p − onehot)/N.") {
                $0.softmaxCrossEntropy = { z, labels in
                    let reference = ClassifierFunctions.reference.softmaxCrossEntropy(z, labels)
                    return (reference.loss, reference.dLogits + Tensor.oneHot(labels, classes: z.shape[1]) / Double(z.shape[0]))
                }
            },
            Change("one-hot off by one", "the −1 of the one-hot sits one class away from the label: row i's one-hot has its 1 at column labels[i] (labels count from 0).") {
                $0.softmaxCrossEntropy = { z, labels in
                    let reference = ClassifierFunctions.reference.softmaxCrossEntropy(z, labels)
                    let k = z.shape[1], n = Double(z.shape[0])
                    let shifted = Tensor.oneHot(labels.map { ($0 + 1) % k }, classes: k)
                    return (reference.loss, reference.dLogits + (Tensor.oneHot(labels, classes: k) - shifted) / n)
                }
            },
            Change("bias gradient from the first row", "∂L/∂b must sum dLogits over all rows (`sum(axis: 0)`): every example's scores include the bias.") {
                $0.softmaxRegressionStep = { X, labels, W, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.softmaxCrossEntropy(matmul(X, W) + b, labels)
                    return (W - lr * matmul(X.transposed(), dz), b - lr * dz.row(0), loss)
                }
            },
            Change("η hard-coded as 0.1 in the step", "softmaxRegressionStep uses η = 0.1 whatever learning rate it is given: use the `learningRate` argument (the grader passes 0.1 to 1).") {
                $0.softmaxRegressionStep = { X, labels, W, b, _ in ClassifierFunctions.reference.softmaxRegressionStep(X, labels, W, b, 0.1) }
            },
            Change("step adds the gradient", "the step adds the gradient: gradient descent subtracts η·gradient.") {
                $0.softmaxRegressionStep = { X, labels, W, b, lr in
                    let (loss, dz) = ClassifierFunctions.reference.softmaxCrossEntropy(matmul(X, W) + b, labels)
                    return (W + lr * matmul(X.transposed(), dz), b + lr * dz.sum(axis: 0), loss)
                }
            },
        ],
        alternatives: [
            Change("per-row loops with log-sum-exp") {
                $0.softmaxCrossEntropy = { z, labels in
                    let n = z.shape[0], k = z.shape[1]
                    var loss = 0.0
                    var gradient = Tensor.zeros([n, k])
                    for i in 0..<n {
                        let row = z.row(i)
                        let m = row.max()
                        let logSum = m + Foundation.log(row.scalars.reduce(0) { $0 + Foundation.exp($1 - m) })
                        loss += (logSum - row[labels[i]]) / Double(n)
                        for j in 0..<k { gradient[i, j] = (Foundation.exp(row[j] - logSum) - (j == labels[i] ? 1 : 0)) / Double(n) }
                    }
                    return (loss, gradient)
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(String, Tensor, [Int])] = []
        for round in 1...4 {
            let n = context.random.nextInt(in: 1...8), k = context.random.nextInt(in: 2...5)
            cases.append(("random batch #\(round) (seed \(context.seed))", context.randomTensor([n, k], scale: 3),
                          (0..<n).map { _ in context.random.nextInt(in: 0..<k) }))
        }
        cases.append(("logits of ±1000", Tensor([[1000, -1000, 0], [-1000, 1000, 999]]), [0, 2]))
        cases.append(("a batch of one", Tensor([[0.5, -0.25, 1]]), [2]))
        // The highest class absent from the labels: K comes from the logits' shape, not from the labels.
        cases.append(("the last class absent from the labels", Tensor([[2, 4, 1], [0.5, -1, 3]]), [0, 1]))
        // Rows on very different scales, each true class far below its row's maximum.
        cases.append(("rows far apart, true class far below the maximum", Tensor([[1000, 999, 0], [-1000, -1001, -2000]]), [2, 0]))
        for (situation, z, labels) in cases {
            let inputs: [(name: String, value: Tensor)] = [("logits", z), ("labels", Tensor(labels.map(Double.init)))]
            let got = candidate.softmaxCrossEntropy(z, labels), want = peers.reference.softmaxCrossEntropy(z, labels)
            try context.expectClose(got.loss, want.loss, what: "the loss of softmaxCrossEntropy", situation: situation, inputs: inputs,
                                    batchSize: z.shape[0], suspects: peers.suspects { Tensor($0.softmaxCrossEntropy(z, labels).loss) })
            try context.expectClose(got.dLogits, want.dLogits, what: "dLogits of softmaxCrossEntropy", situation: situation, inputs: inputs,
                                    batchSize: z.shape[0], suspects: peers.suspects { $0.softmaxCrossEntropy(z, labels).dLogits })
        }
        context.pass("softmaxCrossEntropy matches the reference on 4 random batches and 4 edge cases")
        let n = context.random.nextInt(in: 2...5), k = context.random.nextInt(in: 2...4)
        let z = context.randomTensor([n, k], scale: 1.5)
        let labels = (0..<n).map { _ in context.random.nextInt(in: 0..<k) }
        let numeric = GradientCheck.numericalGradient(of: { candidate.softmaxCrossEntropy($0, labels).loss }, at: z)
        let analytic = candidate.softmaxCrossEntropy(z, labels).dLogits
        try context.expectGradient(analytic: analytic, numeric: numeric, what: "dLogits of softmaxCrossEntropy",
                                   situation: "logits of shape \(z.shape)", threshold: gradientThreshold)
        context.pass("gradient check: relative error \(Diagnosis.short(GradientCheck.relativeError(analytic, numeric))) < 1e-7")
        var steps: [(String, Tensor, [Int], Tensor, Tensor, Double)] = []
        for (round, lr) in [0.5, 0.1, 1.0].enumerated() {
            let n = context.random.nextInt(in: 2...8), d = context.random.nextInt(in: 1...3), k = context.random.nextInt(in: 2...4)
            let X = context.randomTensor([n, d]), W = context.randomTensor([d, k]), b = context.randomTensor([k])
            let labels = (0..<n).map { _ in context.random.nextInt(in: 0..<k) }
            steps.append(("random problem #\(round + 1), η = \(lr) (seed \(context.seed))", X, labels, W, b, lr))
        }
        // Scores near ±1000: the step must use the stable softmax too.
        // The last class absent from the labels: K comes from the weights' shape.
        steps.append(("the last class absent from the labels", Tensor([[1, 0.5], [-0.5, 1], [0.25, -1]]), [0, 1, 0],
                      Tensor([[0.2, -0.1, 0.3], [0.1, 0.4, -0.2]]), Tensor([0, 0.1, -0.1]), 0.5))
        steps.append(("scores near ±1000", Tensor([[1, 0], [0, 1], [1, 1]]), [0, 1, 2], Tensor([[1000, 0, -1000], [0, 1000, 1]]), Tensor([0, 0, 0]), 0.1))
        for (situation, X, labels, W, b, lr) in steps {
            let inputs: [(name: String, value: Tensor)] = [("X", X), ("labels", Tensor(labels.map(Double.init))), ("weights", W), ("bias", b)]
            let got = candidate.softmaxRegressionStep(X, labels, W, b, lr), want = peers.reference.softmaxRegressionStep(X, labels, W, b, lr)
            try context.expectClose(got.loss, want.loss, what: "the loss of softmaxRegressionStep", situation: situation, inputs: inputs,
                                    suspects: peers.suspects { Tensor($0.softmaxRegressionStep(X, labels, W, b, lr).loss) })
            try context.expectClose(got.weights, want.weights, what: "the new weights of softmaxRegressionStep", situation: situation,
                                    inputs: inputs, suspects: peers.suspects { $0.softmaxRegressionStep(X, labels, W, b, lr).weights },
                                    parameters: [Parameter("the learning rate (η)", lr,
                                                           candidate: { candidate.softmaxRegressionStep(X, labels, W, b, $0).weights },
                                                           reference: { peers.reference.softmaxRegressionStep(X, labels, W, b, $0).weights })])
            try context.expectClose(got.bias, want.bias, what: "the new bias of softmaxRegressionStep", situation: situation,
                                    inputs: inputs, suspects: peers.suspects { $0.softmaxRegressionStep(X, labels, W, b, lr).bias })
        }
        context.pass("softmaxRegressionStep matches the reference on 3 random problems (η of 0.5, 0.1 and 1) and scores near ±1000")
        try checkSoftmaxStepGradient(candidate, &context)
    }
}

extension ClassifiersLesson {
    /// The gradient a step implies, (θ − θ′)/η, checked against the numerical
    /// gradient of the loss the step reports (the loss before the step).
    static func checkLogisticStepGradient(_ candidate: F, _ context: inout GradingContext) throws {
        let n = context.random.nextInt(in: 3...8), d = context.random.nextInt(in: 1...3)
        let X = context.randomTensor([n, d]), w = context.randomTensor([d]), b = context.random.nextNormal()
        let y = Tensor((0..<n).map { _ in context.random.nextBool() ? 1 : 0 })
        let lr = 0.5
        let step = candidate.logisticRegressionStep(X, y, w, b, lr)
        let implied = Tensor.concatenate([(w - step.weights) / lr, Tensor([(b - step.bias) / lr])], axis: 0)
        let numericWeights = GradientCheck.numericalGradient(of: { candidate.logisticRegressionStep(X, y, $0, b, lr).loss }, at: w)
        let numericBias = GradientCheck.numericalGradient(of: { candidate.logisticRegressionStep(X, y, w, $0.scalar, lr).loss }, at: Tensor([b]))
        let numeric = Tensor.concatenate([numericWeights, numericBias], axis: 0)
        try context.expectGradient(analytic: implied, numeric: numeric, what: "the step's implied gradient ((w − w′)/η, (b − b′)/η)",
                                   situation: "X of shape \(X.shape), η = \(lr)", threshold: gradientThreshold)
        context.pass("gradient check of the step: relative error \(Diagnosis.short(GradientCheck.relativeError(implied, numeric))) < 1e-7")
    }

    static func checkSoftmaxStepGradient(_ candidate: F, _ context: inout GradingContext) throws {
        let n = context.random.nextInt(in: 3...6), d = context.random.nextInt(in: 1...3), k = context.random.nextInt(in: 2...4)
        let X = context.randomTensor([n, d]), W = context.randomTensor([d, k]), b = context.randomTensor([k])
        let labels = (0..<n).map { _ in context.random.nextInt(in: 0..<k) }
        let lr = 0.5
        let step = candidate.softmaxRegressionStep(X, labels, W, b, lr)
        let implied = Tensor.concatenate([((W - step.weights) / lr).reshaped([d * k]), (b - step.bias) / lr], axis: 0)
        let numericWeights = GradientCheck.numericalGradient(of: { candidate.softmaxRegressionStep(X, labels, $0, b, lr).loss }, at: W)
        let numericBias = GradientCheck.numericalGradient(of: { candidate.softmaxRegressionStep(X, labels, W, $0, lr).loss }, at: b)
        let numeric = Tensor.concatenate([numericWeights.reshaped([d * k]), numericBias], axis: 0)
        try context.expectGradient(analytic: implied, numeric: numeric, what: "softmaxRegressionStep's implied gradient ((W − W′)/η, (b − b′)/η)",
                                   situation: "X of shape \(X.shape), W of shape \(W.shape), η = \(lr)", threshold: gradientThreshold)
        context.pass("gradient check of softmaxRegressionStep: relative error \(Diagnosis.short(GradientCheck.relativeError(implied, numeric))) < 1e-7")
    }
}
