import CourseKit
import Foundation
import Implementations

extension ClassifiersLesson {
    // MARK: - multiclass SVM (hinge) loss

    /// The hinge loss written from its definition, changed in one place: the
    /// sum over every class (the right one too), no 1/N, the right class's
    /// gradient left out, no clamp at 0, the margin left out of the test for
    /// an active term, a margin of 1 whatever is passed.
    static func hingeLoss(includeCorrectClass: Bool = false, mean: Bool = true, correctClassGradient: Bool = true,
                          clampAtZero: Bool = true, marginInTest: Bool = true, fixedMargin: Double? = nil)
        -> @Sendable (Tensor, [Int], Double) -> (loss: Double, dScores: Tensor) {
        { scores, labels, givenMargin in
            let margin = fixedMargin ?? givenMargin
            let n = scores.shape[0], k = scores.shape[1]
            var loss = 0.0
            var dScores = Tensor.zeros([n, k])
            for i in 0..<n {
                let c = labels[i]
                for j in 0..<k where j != c || includeCorrectClass {
                    let gap = scores[i, j] - scores[i, c] + margin
                    let active = marginInTest ? gap > 0 : scores[i, j] - scores[i, c] > 0
                    if clampAtZero ? gap > 0 : true { loss += gap }
                    guard clampAtZero ? active : true else { continue }
                    dScores[i, j] += 1
                    if correctClassGradient { dScores[i, c] -= 1 }
                }
            }
            let scale = mean ? 1 / Double(n) : 1
            return (loss * scale, dScores * scale)
        }
    }

    static let svmSpec = Spec(
        id: "classify.svm", title: "Multiclass SVM (hinge) loss and its subgradient", file: "MulticlassSVM.swift",
        declarations: ["multiclassSVMLoss(_:labels:margin:)"],
        hints: [
            "The SVM loss asks less than softmax: it is satisfied once the right class's score leads every other class's score by at least the margin Δ. Each wrong class that is closer than that (or ahead) costs how far it falls short; the rest cost nothing. Its gradient is a count of those \"active\" wrong classes, not a probability.",
            "Section 9b of the chapter works one row through by hand. Look at one row i with label c at a time: the row's loss sums, over the wrong classes j ≠ c only, the hinge max(0, s_j − s_c + Δ). The loss you return is the mean over the N rows, so the gradient carries 1/N too.",
            "A term with s_j − s_c + Δ > 0 has slope +1 in s_j and −1 in s_c; an inactive term has slope 0 in both. So in row i, ∂ℓ/∂s_j is 1 for each active wrong class, and ∂ℓ/∂s_c is minus the number of active wrong classes. dScores has the shape of the scores, [N, K]; divide everything by N at the end.",
            "A sketch: `for i in 0..<n { let correct = scores[i, labels[i]]; for j in 0..<k where j != labels[i] { let gap = … ; guard gap > 0 else { continue }; loss += gap; dScores[i, j] += 1; dScores[i, labels[i]] -= … } }`, then return the loss and dScores divided by n.",
        ],
        standard: "loss and dScores compared with the reference on 4 random batches (N in 2–8, K in 2–6, Δ of 1, 0.5, 2 and 1, no term within 1e-3 of its kink), a batch of one, two classes, every margin already met (loss 0), the last class absent from the labels, scores near 1e8 that differ by less than Δ (where Float's 7 digits round the gaps away), and terms exactly at their kink (where either one-sided slope, 0 or 1, is accepted), within |error| ≤ 1e-8 + 1e-6·|expected|; gradient check of dScores against your own loss: relative error < 1e-7; integration: 300 gradient-descent steps of a linear classifier on three separated clouds, with your gradient, classify ≥ 90% right",
        mistakes: [
            Change("the right class counted in the sum", "the sum includes j = c, whose term is max(0, s_c − s_c + Δ) = Δ: every row's loss is Δ too large (and its gradient is off). Skip the right class: the sum is over j ≠ c.") {
                $0.multiclassSVMLoss = hingeLoss(includeCorrectClass: true)
            },
            Change("summed instead of averaged", "the loss and dScores are sums over the rows: this course's loss is the mean, so divide both by N.") {
                $0.multiclassSVMLoss = hingeLoss(mean: false)
            },
            Change("no gradient for the right class", "∂L/∂s_c is missing: every active term s_j − s_c + Δ also has slope −1 in s_c, so the right class's entry is minus the number of active terms (over N).") {
                $0.multiclassSVMLoss = hingeLoss(correctClassGradient: false)
            },
            Change("no max(0, ·)", "terms with s_j − s_c + Δ < 0 are added (negative) instead of counting 0: each term is max(0, s_j − s_c + Δ), and an inactive term has gradient 0.") {
                $0.multiclassSVMLoss = hingeLoss(clampAtZero: false)
            },
            Change("margin left out of the gradient's test", "the gradient tests s_j − s_c > 0 instead of s_j − s_c + Δ > 0: a wrong class less than Δ behind still counts, and must get slope 1.") {
                $0.multiclassSVMLoss = hingeLoss(marginInTest: false)
            },
            Change("margin fixed at 1", "the margin is 1 whatever `margin` says: use the argument Δ.") {
                $0.multiclassSVMLoss = hingeLoss(fixedMargin: 1)
            },
        ],
        alternatives: [
            Change("tensor form with a mask of active margins and a kink counted as active") {
                $0.multiclassSVMLoss = { scores, labels, margin in
                    let n = scores.shape[0], k = scores.shape[1]
                    let oneHot = Tensor.oneHot(labels, classes: k)
                    let correct = (scores * oneHot).sum(axis: 1, keepingDims: true)
                    let gaps = (scores - correct + margin) * (1 - oneHot)
                    let active = gaps .>= 0
                    let activeWrong = active * (1 - oneHot)
                    let dScores = activeWrong - oneHot * activeWrong.sum(axis: 1, keepingDims: true)
                    return (maximum(gaps, 0).sum() / Double(n), dScores / Double(n))
                }
            },
        ]
    ) { candidate, peers, context in
        var cases: [(String, Tensor, [Int], Double)] = []
        for (round, margin) in zip(1...4, [1, 0.5, 2, 1]) {
            let n = context.random.nextInt(in: 2...8), k = context.random.nextInt(in: 2...6)
            let labels = (0..<n).map { _ in context.random.nextInt(in: 0...(k - 1)) }
            cases.append(("random batch #\(round) (seed \(context.seed))", awayFromKinks(context.randomTensor([n, k], scale: 1.5), labels, margin),
                          labels, margin))
        }
        cases.append(("a batch of one", Tensor([[0.2, 1.5, -0.3]]), [0], 1))
        cases.append(("two classes", Tensor([[2, 1.5], [-1, 0.2], [0.3, 3]]), [0, 1, 0], 1))
        cases.append(("every margin already met (loss 0)", Tensor([[5, 1, 2], [0, 4, 1]]), [0, 1], 1))
        cases.append(("the last class absent from the labels", Tensor([[1, 0.5, 0.8, 2], [0.1, 0.3, -1, 0.2]]), [1, 0], 1))
        // Gaps of 0.5 and 0.25 between scores near 1e8: Float (7 digits) rounds them to 0.
        let near: [[Double]] = [[100_000_000, 99_999_999.5, 100_000_000.25], [-100_000_000, -99_999_999.25, -100_000_002]]
        cases.append(("scores near 1e8 that differ by less than Δ", Tensor(near), [0, 1], 1))
        for (situation, scores, labels, margin) in cases {
            let got = candidate.multiclassSVMLoss(scores, labels, margin), want = peers.reference.multiclassSVMLoss(scores, labels, margin)
            let inputs: [(name: String, value: Tensor)] = [("scores", scores), ("labels", Tensor(labels.map(Double.init)))]
            let delta = [Parameter("margin (Δ)", margin,
                                   candidate: { Tensor(candidate.multiclassSVMLoss(scores, labels, $0).loss) },
                                   reference: { Tensor(peers.reference.multiclassSVMLoss(scores, labels, $0).loss) })]
            try context.expectClose(got.loss, want.loss, what: "the loss", situation: situation, inputs: inputs,
                                    batchSize: labels.count, suspects: peers.suspects { Tensor($0.multiclassSVMLoss(scores, labels, margin).loss) },
                                    parameters: delta)
            try context.expectClose(got.dScores, want.dScores, what: "dScores", situation: situation, inputs: inputs,
                                    batchSize: labels.count, suspects: peers.suspects { $0.multiclassSVMLoss(scores, labels, margin).dScores },
                                    parameters: [Parameter("margin (Δ)", margin,
                                                           candidate: { candidate.multiclassSVMLoss(scores, labels, $0).dScores },
                                                           reference: { peers.reference.multiclassSVMLoss(scores, labels, $0).dScores })])
        }
        context.pass("loss and dScores match the reference on 4 random batches and 6 edge cases")

        // Terms exactly at their kink (s_j − s_c + Δ = 0): the loss is the same either way, and each
        // such term may take either one-sided slope (0: not active, or 1: active) — as one rule for the whole call.
        let kinked = Tensor([[2, 1, 0.5], [0, 3, 2]]), kinkLabels = [0, 1]
        let got = candidate.multiclassSVMLoss(kinked, kinkLabels, 1)
        let strict = peers.reference.multiclassSVMLoss(kinked, kinkLabels, 1)
        let inclusive = hingeLossCountingKinks(kinked, kinkLabels, 1)
        let closer = Tolerance.standard.accepts(got.dScores, inclusive.dScores) ? inclusive : strict
        let kinkInputs: [(name: String, value: Tensor)] = [("scores", kinked), ("labels", Tensor([0, 1])), ("margin", Tensor([1]))]
        try context.expectClose(got.loss, closer.loss, what: "the loss", situation: "terms exactly at their kink", inputs: kinkInputs,
                                suspects: peers.suspects { Tensor($0.multiclassSVMLoss(kinked, kinkLabels, 1).loss) })
        try context.expectClose(got.dScores, closer.dScores, what: "dScores", situation: "terms exactly at their kink (slope 0 or 1 accepted)",
                                inputs: kinkInputs, suspects: peers.suspects { $0.multiclassSVMLoss(kinked, kinkLabels, 1).dScores })
        context.pass("at a kink, a one-sided slope (\(closer.dScores == inclusive.dScores ? "1, the term counted active" : "0, the term not counted"))")

        let n = context.random.nextInt(in: 2...6), k = context.random.nextInt(in: 2...5)
        let labels = (0..<n).map { _ in context.random.nextInt(in: 0...(k - 1)) }
        let scores = awayFromKinks(context.randomTensor([n, k], scale: 1.5), labels, 1)
        let numeric = GradientCheck.numericalGradient(of: { candidate.multiclassSVMLoss($0, labels, 1).loss }, at: scores)
        let analytic = candidate.multiclassSVMLoss(scores, labels, 1).dScores
        try context.expectGradient(analytic: analytic, numeric: numeric, what: "dScores", situation: "scores of shape [\(n), \(k)]",
                                   threshold: gradientThreshold)
        context.pass("gradient check: relative error \(Diagnosis.short(GradientCheck.relativeError(analytic, numeric))) < 1e-7")

        // Integration: a linear classifier trained by gradient descent on the learner's gradient.
        var points: [Tensor] = [], classes: [Int] = []
        let centers = [Tensor([2, 0]), Tensor([-1, 1.8]), Tensor([-1, -1.8])]
        for i in 0..<60 {
            points.append(centers[i % 3] + context.randomTensor([2], scale: 0.5))
            classes.append(i % 3)
        }
        let X = Tensor.stack(points, axis: 0)
        var W = Tensor.zeros([2, 3]), b = Tensor.zeros([3])
        var losses: [Double] = []
        for _ in 0..<300 {
            let (loss, dScores) = candidate.multiclassSVMLoss(matmul(X, W) + b, classes, 1)
            losses.append(loss)
            W = W - 0.1 * matmul(X.transposed(), dScores)
            b = b - 0.1 * dScores.sum(axis: 0)
        }
        let predictions = (matmul(X, W) + b).argmax(axis: 1).scalars.map { Int($0) }
        let right = zip(predictions, classes).filter { $0 == $1 }.count
        guard right * 10 >= 9 * classes.count, let last = losses.last, last < (losses.first ?? 0) / 3 else {
            throw CheckFailure("300 gradient-descent steps (η = 0.1, Δ = 1) of a linear classifier on three separated clouds of 20 points each, using your dScores, should classify ≥ 90% right and cut the loss below a third of its start; \(right) of 60 are right and the loss went from \(Diagnosis.short(losses.first ?? .nan)) to \(Diagnosis.short(losses.last ?? .nan)).")
        }
        context.pass("training with your gradient: \(right) of 60 points right, loss \(Diagnosis.short(losses.first ?? .nan)) → \(Diagnosis.short(losses.last ?? .nan))")
    }

    /// The hinge loss with a term exactly at its kink counted as active (slope 1): the other one-sided slope.
    static func hingeLossCountingKinks(_ scores: Tensor, _ labels: [Int], _ margin: Double) -> (loss: Double, dScores: Tensor) {
        let n = scores.shape[0], k = scores.shape[1]
        var loss = 0.0
        var dScores = Tensor.zeros([n, k])
        for i in 0..<n {
            for j in 0..<k where j != labels[i] {
                let gap = scores[i, j] - scores[i, labels[i]] + margin
                guard gap >= 0 else { continue }
                loss += gap
                dScores[i, j] += 1
                dScores[i, labels[i]] -= 1
            }
        }
        return (loss / Double(n), dScores / Double(n))
    }

    /// `scores` with every wrong class's gap s_j − s_c + Δ moved at least 1e-3 from 0 (no term at its kink).
    static func awayFromKinks(_ scores: Tensor, _ labels: [Int], _ margin: Double) -> Tensor {
        var moved = scores
        let k = scores.shape[1]
        for i in 0..<scores.shape[0] {
            for j in 0..<k where j != labels[i] {
                let gap = moved[i, j] - moved[i, labels[i]] + margin
                if abs(gap) < 1e-3 { moved[i, j] += gap >= 0 ? 2e-3 : -2e-3 }
            }
        }
        return moved
    }
}
