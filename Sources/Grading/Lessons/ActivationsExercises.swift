import CourseKit
import Foundation
import Implementations

/// Lesson 01 — Activations: every exercise, its hints, its checks, the
/// mistakes learners make (each must fail, and be named), and correct
/// rewrites (each must pass).
enum ActivationsLesson {
    typealias F = ActivationFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "01-activations"

    static var exercises: [Exercise] {
        [sigmoidSpec, tanhSpec, reluSpec, leakyReluSpec, geluSpec, softmaxSpec, logSoftmaxSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    static let elementwiseStandard = """
        forward: compared with the reference on 4 random tensors of rank 1–3 (values ~ N(0, 3²)) and the edge cases \
        x from ±10 up to ±1000 in small steps, zeros and tiny values down to ±1e-300, a batch of one, ranks 0, 3 and 4 and an empty tensor, within |error| ≤ 1e-8 + 1e-6·|expected|; \
        backward: compared with the reference the same way (at the kink x = 0 any value between the two one-sided slopes is accepted, never NaN); \
        gradient check: relative error < 1e-7 (h = 1e-5, central differences)
        """

    /// Edge cases every elementwise function must survive. The large inputs
    /// climb in small steps, so a guard against overflow placed too late (a
    /// NaN band between two probes) shows; the small ones reach down to where
    /// a shortcut for "x is about 0" would cut in.
    static let elementwiseEdgeCases: [(name: String, input: Tensor)] = [
        ("large positive inputs", Tensor([10, 15, 20, 22, 25, 30, 50, 100, 200, 360, 400, 500, 709, 710, 1000])),
        ("large negative inputs", Tensor([-10, -15, -20, -22, -25, -30, -50, -100, -200, -360, -400, -500, -709, -710, -1000])),
        ("zeros and tiny values", Tensor([0, 1e-12, -1e-12, 1e-300, -1e-300, 1e-7, -1e-7, 1e-5, -1e-5, 1e-3, -1e-3, 1e-2, -1e-2])),
        ("a batch of one", Tensor([[-2.5, -0.5, 0.25, 1.5, 3]])),
        ("a rank-3 tensor", Tensor(shape: [2, 2, 3], scalars: [-3, -2, -1, 0, 1, 2, 3, 4, -4, 0.5, -0.5, 6])),
        ("a rank-4 tensor", Tensor(shape: [1, 2, 1, 3], scalars: [0.7, -1.2, 2.5, -0.3, 1.1, -2.2])),
        ("a scalar (rank 0)", Tensor(shape: [], scalars: [-1.25])),
        ("an empty tensor", Tensor.zeros([2, 0])),
    ]

    static func elementwiseChecks(_ name: String, kinks: [Double] = []) -> PairChecks {
        PairChecks(
            name: name,
            randomInput: { context in
                let shape = context.randomShape(ranks: 1...3, sizes: 1...6)
                var x = context.randomTensor(shape, scale: 3, awayFrom: kinks, margin: 1e-3)
                // Both signs in every input with two or more elements, so a slope used on the wrong side shows.
                if x.count >= 2, x.scalars.allSatisfy({ $0 > 0 }) || x.scalars.allSatisfy({ $0 < 0 }) {
                    x.withScalars { $0[0] = -$0[0] }
                }
                return x
            },
            gradientInput: { context in
                let shape = context.randomShape(ranks: 1...3, sizes: 1...5)
                return context.randomTensor(shape, scale: 1.5, awayFrom: kinks, margin: 1e-2)
            },
            edgeCases: elementwiseEdgeCases, kinks: kinks, gradientThreshold: gradientThreshold)
    }

    // MARK: - Sigmoid

    static let sigmoidSpec = Spec(
        id: "activations.sigmoid", title: "Sigmoid: forward and backward", file: "Sigmoid.swift",
        declarations: ["sigmoidForward(_:)", "sigmoidBackward(_:output:)"],
        hints: [
            "σ(x) = 1 / (1 + e^(−x)) squashes every number into (0, 1). Its derivative can be written with the output alone: σ′(x) = σ(x)(1 − σ(x)). The backward pass multiplies the upstream gradient dOut by that, elementwise.",
            "Read the chapter's section “Sigmoid” (the two-branch form, and why the naive one fails). Work elementwise: `x.map { v in … }` returns a tensor of x's shape. The backward is given the forward's output y, not x.",
            "For v ≥ 0, 1 / (1 + e^(−v)) exponentiates only a number ≤ 0. For v < 0 multiply top and bottom by e^v: e^v / (1 + e^v), again with e^v ≤ 1. Both are exact where they are used; 1 − σ(−v) is not (it cancels to 0 in the tail, where the answer is tiny but not 0). The backward is dOut ⊙ y ⊙ (1 − y), all three of one shape.",
            "A sketch of the forward: `x.map { v in if v >= 0 { return 1 / (1 + exp(-v)) } else { let e = exp(v); return … } }`. The backward is one line of tensor arithmetic on dOut and output.",
        ],
        standard: elementwiseStandard + "; and at x from −20 to −700, where σ is 2e-9 down to 1e-304, forward and backward by relative error alone (≤ 1e-6·|expected|)",
        mistakes: [
            Change("quotient that overflows", "e^x / (1 + e^x) overflows: for x ≥ 710, e^x is ∞ and ∞/∞ is NaN. Use 1 / (1 + e^(−x)) for x ≥ 0.") {
                $0.sigmoidForward = { x in exp(x) / (1 + exp(x)) }
            },
            Change("missing minus sign", "this is 1 / (1 + e^x) = σ(−x): the exponent needs a minus sign, e^(−x).") {
                $0.sigmoidForward = { x in 1 / (1 + exp(x)) }
            },
            Change("forgot dOut", "the backward returns σ'(x) alone: multiply by the upstream gradient dOut (chain rule).") {
                $0.sigmoidBackward = { _, y in y * (1 - y) }
            },
            Change("outputs below 1e-8 flushed to 0", "σ(x) is set to 0 below some x (here x < −18): the answer is tiny there but not 0 (σ(−30) ≈ 9.4e-14), and a log of it — the cross-entropy's — turns 0 into −∞. Compute both branches everywhere.") {
                $0.sigmoidForward = { x in
                    x.map { v in v < -18 ? 0 : (v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v))) }
                }
            },
            Change("via tanh: σ(x) = ½(1 + tanh(x/2))", "½(1 + tanh(x/2)) equals σ(x) in exact arithmetic, but in Double 1 + tanh(x/2) cancels for x far below 0: tanh(−15) rounds to within 1e-16 of −1, so σ(−30) ≈ 9.4e-14 comes out with a relative error near 1e-3, and 0 below x ≈ −75. Use the two-branch form.") {
                $0.sigmoidForward = { x in 0.5 * (1 + tanh(x / 2)) }
            },
            Change("sigmoid applied to the output again", "the backward applies σ to the output again: σ'(x) = y(1 − y) with y the output you are given, not σ(y)(1 − σ(y)).") {
                $0.sigmoidBackward = { dOut, y in
                    let s = 1 / (1 + exp(-y))
                    return dOut * s * (1 - s)
                }
            },
        ],
        alternatives: [
            Change("σ(x) = e^(−softplus(−x)), with softplus computed stably") {
                $0.sigmoidForward = { x in
                    x.map { v in Foundation.exp(-(max(-v, 0) + Foundation.log1p(Foundation.exp(-abs(v))))) }
                }
                $0.sigmoidBackward = { dOut, y in dOut * (y - y * y) }
            },
            Change("explicit loops with the two-branch form") {
                $0.sigmoidForward = { x in
                    var out = Tensor.zeros(x.shape)
                    for i in 0..<x.count {
                        let v = x.scalars[i]
                        out.withScalars { $0[i] = v >= 0 ? 1 / (1 + Foundation.exp(-v)) : Foundation.exp(v) / (1 + Foundation.exp(v)) }
                    }
                    return out
                }
            },
        ]
    ) { candidate, peers, context in
        var checks = elementwiseChecks("sigmoid")
        checks.tailCases = [("σ of −20 … −700: 2e-9 down to 1e-304", Tensor([-20, -25, -30, -40, -60, -100, -300, -700]))]
        try checks.run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.sigmoidForward, backward: { dOut, _, y in f.sigmoidBackward(dOut, y) })
        }
    }

    // MARK: - Tanh

    static let tanhSpec = Spec(
        id: "activations.tanh", title: "Tanh: forward and backward", file: "Tanh.swift",
        declarations: ["tanhForward(_:)", "tanhBackward(_:output:)"],
        hints: [
            "tanh squashes into (−1, 1) and is zero-centred. Its derivative, like the sigmoid's, needs only the output y: tanh′(x) = 1 − y².",
            "Read the chapter's section “Tanh”. The library function `tanh(_:)` works on a whole tensor and is stable; the backward is given the output y, not x.",
            "If you write it from exponentials, (e^x − e^(−x)) / (e^x + e^(−x)) becomes ∞/∞ = NaN for |x| ≥ 710; 2σ(2x) − 1 with a stable σ does not. Backward: dx = dOut ⊙ (1 − y ⊙ y), where y is the tensor you are given — not tanh(y), and not 1/cosh²(y).",
            "A sketch: the forward is a single call on x; the backward is `dOut * (1 - …)`, with the square of the output in the gap.",
        ],
        standard: elementwiseStandard,
        mistakes: [
            Change("textbook quotient that overflows", "(e^x − e^(−x)) / (e^x + e^(−x)) is ∞/∞ = NaN once |x| ≥ 710: use `tanh(x)` or 2σ(2x) − 1 with a stable σ.") {
                $0.tanhForward = { x in (exp(x) - exp(-x)) / (exp(x) + exp(-x)) }
            },
            Change("forgot the square", "tanh'(x) = 1 − y², not 1 − y: square the output.") {
                $0.tanhBackward = { dOut, y in dOut * (1 - y) }
            },
            Change("forgot dOut", "the backward returns tanh'(x) alone: multiply by the upstream gradient dOut.") {
                $0.tanhBackward = { _, y in 1 - y * y }
            },
            Change("tanh applied to the output again", "the backward computes 1 − tanh(y)²: y is already tanh(x), so tanh'(x) = 1 − y².") {
                $0.tanhBackward = { dOut, y in dOut * (1 - tanh(y) * tanh(y)) }
            },
        ],
        alternatives: [
            Change("sign(x)·(1 − e)/(1 + e) with e = e^(−2|x|)") {
                $0.tanhForward = { x in
                    x.map { v in let e = Foundation.exp(-2 * Swift.abs(v)); return (v < 0 ? -1 : 1) * (1 - e) / (1 + e) }
                }
            },
            Change("via the sigmoid: tanh(x) = 2σ(2x) − 1") {
                $0.tanhForward = { x in 2 * ActivationFunctions.reference.sigmoidForward(2 * x) - 1 }
                $0.tanhBackward = { dOut, y in dOut - dOut * y * y }
            },
        ]
    ) { candidate, peers, context in
        try elementwiseChecks("tanh").run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.tanhForward, backward: { dOut, _, y in f.tanhBackward(dOut, y) })
        }
    }

    // MARK: - ReLU

    static let reluSpec = Spec(
        id: "activations.relu", title: "ReLU: forward and backward", file: "ReLU.swift",
        declarations: ["reluForward(_:)", "reluBackward(_:input:)"],
        hints: [
            "ReLU keeps positive numbers and replaces negative ones by 0; its output is never negative. Its derivative is 1 where x > 0 and 0 where x < 0, so the backward lets dOut through where the input was positive and blocks it elsewhere.",
            "Read the chapter's section “ReLU, and units that die”. `maximum(_:_:)` compares a tensor with a number elementwise; `input .> 0` makes a mask of 1s and 0s.",
            "The backward's mask comes from the input x (the backward's `input` argument), not from dOut: dx = dOut ⊙ [x > 0], same shape as x. At exactly x = 0 either 0 or 1 is accepted.",
            "A sketch: forward `maximum(x, …)`; backward `dOut * (… .> 0)`.",
        ],
        standard: elementwiseStandard + "; inputs are kept at least 1e-2 from the kink at 0 in the gradient check",
        mistakes: [
            Change("min instead of max", "this keeps the negative part, min(x, 0): ReLU is max(x, 0), never negative.") {
                $0.reluForward = { x in minimum(x, 0) }
            },
            Change("mask returned without dOut", "the backward returns the mask (1 where x > 0) alone: multiply it by dOut.") {
                $0.reluBackward = { _, x in x .> 0 }
            },
            Change("inverted mask", "the gradient flows where x < 0 and stops where x > 0: the mask is inverted.") {
                $0.reluBackward = { dOut, x in dOut * (x .< 0) }
            },
            Change("absolute value", "|x| is not ReLU: negative inputs must become 0, not positive.") {
                $0.reluForward = { x in abs(x) }
            },
        ],
        alternatives: [
            Change("mask multiplication and ≥ 0 in the backward") {
                $0.reluForward = { x in x * (x .> 0) }
                $0.reluBackward = { dOut, x in Tensor.where(x .>= 0, dOut, Tensor.zeros(like: dOut)) }
            },
        ]
    ) { candidate, peers, context in
        try elementwiseChecks("relu", kinks: [0]).run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.reluForward, backward: { dOut, x, _ in f.reluBackward(dOut, x) })
        }
    }

    // MARK: - Leaky ReLU

    static let leakyAlpha = 0.1

    static let leakyReluSpec = Spec(
        id: "activations.leakyRelu", title: "Leaky ReLU: forward and backward", file: "LeakyReLU.swift",
        declarations: ["leakyReluForward(_:alpha:)", "leakyReluBackward(_:input:alpha:)"],
        hints: [
            "Leaky ReLU is x for x > 0 and αx for x ≤ 0: a small slope α instead of a flat zero, so a unit stuck on the negative side still gets a gradient. Its derivative is 1 for x > 0 and α otherwise.",
            "Read the chapter's section “Leaky ReLU”. α is an argument: the grader calls your code with α = 0.1 and with α = 0.01, so use `alpha`, never a number typed in.",
            "Forward: elementwise, v ↦ v when v > 0, else α·v. Backward: dx = dOut ⊙ s where s is 1 where x > 0 and α elsewhere — the slope α, not α·x.",
            "A sketch: forward `x.map { v in v > 0 ? v : … }`; backward `dOut * input.map { v in v > 0 ? 1 : … }`.",
        ],
        standard: elementwiseStandard + "; α = 0.1 and α = 0.01; inputs are kept at least 1e-2 from the kink at 0 in the gradient check",
        mistakes: [
            Change("plain ReLU backward", "the backward blocks the gradient for x ≤ 0: leaky ReLU's slope there is α, so dx = α·dOut.") {
                $0.leakyReluBackward = { dOut, x, _ in dOut * (x .> 0) }
            },
            Change("slopes swapped", "the slopes are swapped: x for x > 0, αx for x ≤ 0.") {
                $0.leakyReluForward = { x, alpha in x.map { $0 > 0 ? alpha * $0 : $0 } }
            },
            Change("constant instead of αx", "for x ≤ 0 the output is α·x, not the constant α.") {
                $0.leakyReluForward = { x, alpha in x.map { $0 > 0 ? $0 : alpha } }
            },
            Change("backward multiplied by x", "the backward multiplies by x on the negative side: the derivative of αx is α, not αx.") {
                $0.leakyReluBackward = { dOut, x, alpha in dOut * x.map { $0 > 0 ? 1 : alpha * $0 } }
            },
        ],
        alternatives: [
            Change("max(x, αx), valid for α < 1") {
                $0.leakyReluForward = { x, alpha in maximum(x, alpha * x) }
                $0.leakyReluBackward = { dOut, x, alpha in Tensor.where(x .> 0, dOut, alpha * dOut) }
            },
        ]
    ) { candidate, peers, context in
        for alpha in [leakyAlpha, 0.01] {
            var checks = elementwiseChecks("leakyRelu", kinks: [0])
            checks.parameter = ("alpha (α)", alpha, { functions, a in
                let f = functions as! F
                return ElementwisePair(forward: { f.leakyReluForward($0, a) }, backward: { dOut, x, _ in f.leakyReluBackward(dOut, x, a) })
            })
            try checks.run(candidate, peers, &context) { f in
                ElementwisePair(forward: { f.leakyReluForward($0, alpha) }, backward: { dOut, x, _ in f.leakyReluBackward(dOut, x, alpha) })
            }
        }
    }

    // MARK: - GELU

    static let geluSpec = Spec(
        id: "activations.gelu", title: "GELU (tanh approximation): forward and backward", file: "GELU.swift",
        declarations: ["geluForward(_:)", "geluBackward(_:input:)"],
        hints: [
            "GELU ≈ ½x(1 + tanh u) with u = √(2/π)(x + 0.044715x³). Its derivative needs the product rule (x times a function of x) and the chain rule (tanh of u(x)).",
            "Read the chapter's section “GELU”. Compute the constant c = √(2/π) once (`(2 / Double.pi).squareRoot()`), and work elementwise with `map`; the backward is given the input x.",
            "With t = tanh u: d/dx[½x(1 + t)] = ½(1 + t) + ½x·(1 − t²)·du/dx, and du/dx = c·(1 + 3·0.044715x²). The backward multiplies that derivative by dOut elementwise.",
            "A sketch of the backward: `let derivative = input.map { v in let t = tanh(c * (v + 0.044715 * v * v * v)); return 0.5 * (1 + t) + … }` and then `dOut * derivative`.",
        ],
        standard: elementwiseStandard,
        mistakes: [
            Change("missing ½", "the forward is twice too large: GELU is ½·x·(1 + tanh u).") {
                $0.geluForward = { x in 2 * ActivationFunctions.reference.geluForward(x) }
            },
            Change("√(2π) instead of √(2/π)", "the constant is √(2/π) ≈ 0.798, not √(2π) ≈ 2.507.") {
                $0.geluForward = { x in
                    let c = (2 * Double.pi).squareRoot()
                    return x.map { v in 0.5 * v * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v))) }
                }
            },
            Change("exact GELU instead of the tanh approximation", "this is the exact GELU, ½x(1 + erf(x/√2)): this exercise (like GPT-2 and BERT) uses the tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))), which differs from it by up to about 5e-4.") {
                $0.geluForward = { x in x.map { v in 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())) } }
            },
            Change("√(2/π) rounded", "√(2/π) is typed as a rounded number (0.7979): the grader compares to about 1e-6, so compute it, `(2 / Double.pi).squareRoot()`, and write 0.044715 exactly.") {
                $0.geluForward = { x in x.map { v in 0.5 * v * (1 + Foundation.tanh(0.7979 * (v + 0.044715 * v * v * v))) } }
            },
            Change("product rule missing", "the backward keeps only ½(1 + tanh u): x·½(1 + tanh u) is a product, so add ½x·(1 − tanh²u)·du/dx.") {
                $0.geluBackward = { dOut, x in
                    let c = (2 / Double.pi).squareRoot()
                    return dOut * x.map { v in 0.5 * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v))) }
                }
            },
            Change("inner derivative missing", "the chain rule's inner derivative is missing: du/dx = √(2/π)(1 + 3·0.044715x²), not √(2/π).") {
                $0.geluBackward = { dOut, x in
                    let c = (2 / Double.pi).squareRoot()
                    return dOut * x.map { v in
                        let t = Foundation.tanh(c * (v + 0.044715 * v * v * v))
                        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c
                    }
                }
            },
        ],
        alternatives: [
            Change("GELU as x·σ(2u), u = √(2/π)(x + 0.044715x³), with a stable σ") {
                $0.geluForward = { x in
                    x.map { v in
                        let z = 2 * (2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)
                        return v * (z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z)))
                    }
                }
            },
            Change("with sech² = 1/cosh² and tensor arithmetic") {
                $0.geluForward = { x in
                    let u = (2 / Double.pi).squareRoot() * (x + 0.044715 * pow(x, 3))
                    return 0.5 * x * (1 + CourseKit.tanh(u))
                }
                $0.geluBackward = { dOut, x in
                    let c = (2 / Double.pi).squareRoot()
                    let u = c * (x + 0.044715 * pow(x, 3))
                    let sech2 = u.map { 1 / (Foundation.cosh($0) * Foundation.cosh($0)) }
                    return dOut * (0.5 * (1 + CourseKit.tanh(u)) + 0.5 * x * sech2 * c * (1 + 3 * 0.044715 * x * x))
                }
            },
        ]
    ) { candidate, peers, context in
        try elementwiseChecks("gelu").run(candidate, peers, &context) { f in
            ElementwisePair(forward: f.geluForward, backward: { dOut, x, _ in f.geluBackward(dOut, x) })
        }
    }
}
