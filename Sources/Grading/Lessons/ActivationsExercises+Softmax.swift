import CourseKit
import Foundation
import Implementations

extension ActivationsLesson {
    static let rowwiseStandard = """
        forward: compared with the reference on 4 random [N, C] logit matrices (N in 1–6, C in 2–7, at least one with N ≠ C, \
        values ~ N(0, 3²)) and the edge cases logits of ±1000, rows far apart, equal logits and a batch of one, within |error| ≤ 1e-8 + 1e-6·|expected|; \
        backward: compared with the reference the same way; gradient check: relative error < 1e-7 (h = 1e-5)
        """

    static let rowwiseEdgeCases: [(name: String, input: Tensor)] = [
        ("large logits", Tensor([[1000, 1001, 1002], [-1000, 0, 1000]])),
        ("very negative logits", Tensor([[-1000, -1000.5, -999, -1001]])),
        ("equal logits", Tensor([[5, 5, 5, 5], [0, 0, 0, 0]])),
        ("rows far apart", Tensor([[1000, 999, 998], [-1000, -999, -998]])),
        ("a batch of one", Tensor([[0.5, -1.5, 2, 0.25, -0.75]])),
        ("a tall matrix (N = 5, C = 2)", Tensor([[1, 2], [3, -1], [0, 0], [-2, 4], [10, -10]])),
    ]

    static func rowwiseChecks(_ name: String) -> PairChecks {
        PairChecks(
            name: name,
            randomInput: { context in
                var rows = context.random.nextInt(in: 1...6), columns = context.random.nextInt(in: 2...7)
                if rows == columns { rows += 1 }   // non-square, so summing over the wrong axis shows
                if context.random.nextBool() { swap(&rows, &columns); columns = max(columns, 2) }
                return context.randomTensor([rows, columns], scale: 3)
            },
            gradientInput: { context in
                // Two rows or more: a batch of one (which hides a sum over the wrong axis) is an edge case of its own.
                context.randomTensor([context.random.nextInt(in: 2...4), context.random.nextInt(in: 2...5)], scale: 1.5)
            },
            edgeCases: rowwiseEdgeCases, gradientThreshold: gradientThreshold)
    }

    // MARK: - Softmax

    static let softmaxSpec = Spec(
        id: "activations.softmax", title: "Softmax over rows: forward and backward", file: "Softmax.swift",
        declarations: ["softmaxForward(_:)", "softmaxBackward(_:output:)"],
        hints: [
            "Each row of the output is e^(x_j) divided by the sum of e^(x_k) over the classes k of that row. Softmax is unchanged when a constant is subtracted from a whole row: subtract the row's maximum and nothing overflows.",
            "Read the chapter's section “Softmax” (the shift and the Jacobian). Row-wise reductions keep the axis so that they broadcast back: `x.max(axis: 1, keepingDims: true)` has shape [N, 1].",
            "The backward is a vector–Jacobian product. Per row, J = diag(y) − y yᵀ, so dx = y ⊙ (dOut − ⟨dOut, y⟩), where ⟨dOut, y⟩ is one number per row, shape [N, 1] — a row sum of dOut ⊙ y.",
            "A sketch: forward `let e = exp(x - …); return e / e.sum(axis: 1, keepingDims: true)`; backward `let rowDot = (dOut * output).sum(…); return …`.",
        ],
        standard: rowwiseStandard + "; and on rows whose small probabilities run from 2e-9 to 1e-300, forward and backward by relative error alone (≤ 1e-6·|expected|)",
        mistakes: [
            Change("no max subtraction", "without subtracting the row maximum, e^1000 is ∞ and ∞/∞ is NaN: subtract `x.max(axis: 1, keepingDims: true)` first.") {
                $0.softmaxForward = { x in exp(x) / exp(x).sum(axis: 1, keepingDims: true) }
            },
            Change("subtracted the global maximum", "the maximum subtracted is the whole matrix's, not each row's: a row far below it underflows to 0/0 = NaN. Use `x.max(axis: 1, keepingDims: true)`.") {
                $0.softmaxForward = { x in
                    let e = exp(x - x.max())
                    return e / e.sum(axis: 1, keepingDims: true)
                }
            },
            Change("normalized over columns", "the normalization runs over axis 0 (down each column): softmax divides by the sum over the classes of each row, axis 1.") {
                $0.softmaxForward = { x in
                    let e = exp(x - x.max(axis: 0, keepingDims: true))
                    return e / e.sum(axis: 0, keepingDims: true)
                }
            },
            Change("normalized over everything", "the division uses the sum over the whole matrix: each row must be divided by its own sum (axis 1).") {
                $0.softmaxForward = { x in
                    let e = exp(x - x.max())
                    return e / e.sum()
                }
            },
            Change("probabilities clipped at 1e-10", "the probabilities are clipped to at least 1e-10 (to keep a later log finite): the answer's small probabilities are smaller than that (e^(−30) ≈ 9e-14) and a log must see them as they are — the log-softmax exercise is how to get a finite log.") {
                $0.softmaxForward = { x in
                    let e = exp(x - x.max(axis: 1, keepingDims: true))
                    return maximum(e / e.sum(axis: 1, keepingDims: true), 1e-10)
                }
            },
            Change("diagonal of the Jacobian only", "the backward uses only the diagonal of the Jacobian, y(1 − y): every output depends on every input of the row, so dx = y ⊙ (dOut − ⟨dOut, y⟩).") {
                $0.softmaxBackward = { dOut, y in dOut * y * (1 - y) }
            },
            Change("backward summed over the wrong axis", "the backward's ⟨dOut, y⟩ is summed over axis 0: it is one number per row, a sum over axis 1.") {
                $0.softmaxBackward = { dOut, y in y * (dOut - (dOut * y).sum(axis: 0, keepingDims: true)) }
            },
        ],
        alternatives: [
            Change("exp(x − logsumexp) and an explicit Jacobian per row") {
                $0.softmaxForward = { x in
                    let m = x.max(axis: 1, keepingDims: true)
                    let logSumExp = m + log(exp(x - m).sum(axis: 1, keepingDims: true))
                    return exp(x - logSumExp)
                }
                $0.softmaxBackward = { dOut, y in
                    var rows: [Tensor] = []
                    for i in 0..<y.shape[0] {
                        let yi = y.row(i), gi = dOut.row(i)
                        let n = yi.count
                        var jacobian = Tensor.zeros([n, n])
                        for a in 0..<n {
                            for b in 0..<n { jacobian[a, b] = (a == b ? yi[a] : 0) - yi[a] * yi[b] }
                        }
                        rows.append(matmul(gi, jacobian))
                    }
                    return Tensor.stack(rows, axis: 0)
                }
            },
        ]
    ) { candidate, peers, context in
        var checks = rowwiseChecks("softmax")
        checks.tailCases = [("rows whose small probabilities run from 2e-9 to 1e-300",
                             Tensor([[0, -20, -30, -40], [5, -25, 3, -35], [0, -100, -300, -690]]))]
        try checks.run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.softmaxForward, backward: { dOut, _, y in f.softmaxBackward(dOut, y) })
        }
        // Every row of the candidate's output is a probability distribution.
        let x = context.randomTensor([3, 4], scale: 3)
        let rowSums = candidate.softmaxForward(x).sum(axis: 1)
        try context.expectClose(rowSums, Tensor.ones([3]), what: "the row sums of softmaxForward", situation: "a random [3, 4] input",
                                inputs: [("x", x)])
        context.pass("every row sums to 1")
    }

    // MARK: - Log-softmax

    static let logSoftmaxSpec = Spec(
        id: "activations.logSoftmax", title: "Log-softmax over rows: forward and backward", file: "LogSoftmax.swift",
        declarations: ["logSoftmaxForward(_:)", "logSoftmaxBackward(_:output:)"],
        hints: [
            "log softmax(x)_j = x_j − log Σ_k e^(x_k). Computing log(softmax(x)) in two steps turns tiny probabilities into log(0) = −∞; the log-sum-exp form with the row maximum m pulled out, m + log Σ e^(x_k − m), never does.",
            "Read the chapter's section “Log-softmax”. Shift each row by its maximum with `keepingDims: true`, as in softmax; the backward is given the output, log p, so p = exp(output).",
            "Forward: s = x − m (per row), output = s − log Σ_k e^(s_k), an [N, K] minus an [N, 1]. Backward: dx = dOut − p ⊙ (row sum of dOut), with p = exp(output) — the probabilities, not the log-probabilities.",
            "A sketch: forward `let s = x - x.max(axis: 1, keepingDims: true); return s - log(…)`; backward `dOut - exp(output) * …`.",
        ],
        standard: rowwiseStandard,
        mistakes: [
            Change("log of softmax", "log(softmax(x)) underflows: a probability below 1e-308 is 0 and its log is −∞. Use x − m − log Σ e^(x − m) (log-sum-exp).") {
                $0.logSoftmaxForward = { x in log(ActivationFunctions.reference.softmaxForward(x)) }
            },
            Change("log-sum-exp without the max", "log Σ e^(x_k) without pulling out the row maximum overflows for large logits (e^1000 = ∞): subtract the row max first.") {
                $0.logSoftmaxForward = { x in x - log(exp(x).sum(axis: 1, keepingDims: true)) }
            },
            Change("used the output as probabilities", "the backward multiplies by the output y = log p: the probabilities are p = exp(y).") {
                $0.logSoftmaxBackward = { dOut, y in dOut - y * dOut.sum(axis: 1, keepingDims: true) }
            },
            Change("diagonal only", "the backward ignores how each log-probability depends on the other logits: dx = dOut − p · (row sum of dOut), not dOut ⊙ (1 − p).") {
                $0.logSoftmaxBackward = { dOut, y in dOut * (1 - exp(y)) }
            },
        ],
        alternatives: [
            Change("loops over rows with a running log-sum-exp") {
                $0.logSoftmaxForward = { x in
                    var out = x
                    for i in 0..<x.shape[0] {
                        var m = -Double.infinity
                        for j in 0..<x.shape[1] { m = Swift.max(m, x[i, j]) }
                        var total = 0.0
                        for j in 0..<x.shape[1] { total += Foundation.exp(x[i, j] - m) }
                        for j in 0..<x.shape[1] { out[i, j] = x[i, j] - m - Foundation.log(total) }
                    }
                    return out
                }
                $0.logSoftmaxBackward = { dOut, y in
                    let p = exp(y)
                    return dOut - p * dOut.sum(axis: 1).reshaped([-1, 1])
                }
            },
        ]
    ) { candidate, peers, context in
        try rowwiseChecks("logSoftmax").run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.logSoftmaxForward, backward: { dOut, _, y in f.logSoftmaxBackward(dOut, y) })
        }
    }
}
