import CourseKit
import Foundation
import Implementations

/// Lesson 05 — Training deep networks: initialization, optimizers,
/// regularization, normalization, schedules, and a network that uses them all.
enum DeepTrainingLesson {
    typealias F = DeepTrainingFunctions
    typealias Spec = ExerciseSpec<F>

    static let folder = "05-training-deep-nets"

    static var exercises: [Exercise] {
        [initSpec, momentumSpec, adaptiveSpec, adamSpec, l2Spec, dropoutSpec, clippingSpec, batchNormSpec, layerNormSpec,
         schedulesSpec, networkSpec, trainingSpec].map {
            $0.exercise(lesson: folder, learner: .learner, reference: .reference)
        }
    }

    static let gradientThreshold = 1e-7

    /// Compares one tensor with the reference, naming any known mistake that reproduces it.
    static func expect(_ context: GradingContext, _ got: Tensor, _ want: Tensor, what: String, situation: String,
                       inputs: [(name: String, value: Tensor)] = [], peers: Peers<F>, tolerance: Tolerance = .standard,
                       batchSize: Int? = nil, parameters: [Parameter] = [], _ output: @escaping @Sendable (F) -> Tensor) throws {
        try context.expectClose(got, want, what: what, situation: situation, inputs: inputs, tolerance: tolerance,
                                batchSize: batchSize, suspects: peers.suspects(output), parameters: parameters)
    }

    // MARK: - Initialization

    static func referenceFans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        F.reference.fans(shape)
    }

    /// An initializer written from a variance rule, for the mistakes.
    static func normalInit(_ std: @escaping @Sendable ([Int]) -> Double) -> F.Initializer {
        { shape, seed in var g = SeededGenerator(seed: seed); return Tensor.randomNormal(shape, standardDeviation: std(shape), using: &g) }
    }

    static func uniformInit(_ limit: @escaping @Sendable ([Int]) -> Double) -> F.Initializer {
        { shape, seed in var g = SeededGenerator(seed: seed); let a = limit(shape); return Tensor.randomUniform(shape, in: -a..<a, using: &g) }
    }

    static let initSpec = Spec(
        id: "dnn.initialization", title: "Xavier and He initialization, normal and uniform", file: "Initialization.swift",
        declarations: ["fans(ofShape:)", "xavierNormal(_:using:)", "xavierUniform(_:using:)", "heNormal(_:using:)", "heUniform(_:using:)"],
        hints: [
            "Initialization picks the spread of the random weights so that the activations (forward) and the gradients (backward) keep roughly the same size from layer to layer. Each output of a layer sums fanIn products w·x, so its variance is fanIn·Var(w)·E[x²]: choose Var(w) to cancel fanIn.",
            "Read the fans from the shape first (`fans(ofShape:)`): the course stores W as [D_in, D_out], so fanIn is the FIRST size for a matrix — the opposite of PyTorch's [out, in]. For a kernel [F, C, KH, KW] each output sees C·KH·KW inputs. Chapter section “Initialization”.",
            "Xavier: Var = 2/(fanIn + fanOut). He: Var = 2/fanIn (ReLU halves E[h²]). A normal with variance V has standard deviation √V; U(−a, a) has variance a²/3, so a = √(3V): √(6/(fanIn + fanOut)) and √(6/fanIn).",
            "Sketch: `let (fanIn, fanOut) = fans(ofShape: shape)`, then `Tensor.randomNormal(shape, standardDeviation: …, using: &generator)` or `Tensor.randomUniform(shape, in: -a..<a, using: &generator)` — one call, so a fixed seed gives the grader's numbers.",
        ],
        standard: "fans compared with the reference on matrices [D_in, D_out] (non-square) and kernels of rank 3 and 4; each initializer with a fixed seed against the reference on [5, 3] and [4, 3, 2, 2] (|error| ≤ 1e-8 + 1e-6·|expected|) and statistically on a [100, 300] draw and a [16, 8, 3, 3] draw with a fresh seed: the mean within 5 standard errors of 0 and the variance within 5% of its target (within 5 standard errors, 21%, for the 1152-weight kernel) (2/(fanIn + fanOut) for Xavier, 2/fanIn for He); normal draws have 3.5–5.6% of their values beyond 2σ, uniform draws none beyond the limit a and some within 1% of it",
        mistakes: [
            Change("fans read as PyTorch's [out, in]", "the fans are swapped: the course stores W as [D_in, D_out] (out = x·W), so fanIn = shape[0] for a matrix (and shape[1]·KH·KW for a kernel [F, C, KH, KW]); PyTorch's [out, in] reads them the other way round.") {
                let swapped: @Sendable ([Int]) -> (fanIn: Int, fanOut: Int) = { shape in let f = referenceFans(shape); return (f.fanOut, f.fanIn) }
                $0.fans = swapped
                $0.heNormal = normalInit { (2 / Double(swapped($0).fanIn)).squareRoot() }
                $0.heUniform = uniformInit { (6 / Double(swapped($0).fanIn)).squareRoot() }
            },
            Change("kernel fan-in without the receptive field", "for a kernel [F, C, KH, KW] each output sees C·KH·KW inputs, not C: multiply the channel count by the kernel's spatial size (and F by it for the fan-out).") {
                let channelsOnly: @Sendable ([Int]) -> (fanIn: Int, fanOut: Int) = { shape in
                    shape.count == 2 ? (shape[0], shape[1]) : (shape[1], shape[0])
                }
                $0.fans = channelsOnly
                $0.heNormal = normalInit { (2 / Double(channelsOnly($0).fanIn)).squareRoot() }
                $0.xavierNormal = normalInit { (2 / Double(channelsOnly($0).fanIn + channelsOnly($0).fanOut)).squareRoot() }
            },
            Change("He with 1/fanIn", "He's variance is 2/fanIn, not 1/fanIn (that is LeCun's, for linear or tanh units): ReLU zeroes half of its inputs, so the weights need twice the variance to keep E[h²] steady.") {
                $0.heNormal = normalInit { (1 / Double(referenceFans($0).fanIn)).squareRoot() }
                $0.heUniform = uniformInit { (3 / Double(referenceFans($0).fanIn)).squareRoot() }
            },
            Change("Xavier with 1/fanIn", "this is Caffe's “Xavier” (variance 1/fanIn); Glorot and Bengio's is 2/(fanIn + fanOut), which averages what the forward pass (1/fanIn) and the backward pass (1/fanOut) each need.") {
                $0.xavierNormal = normalInit { (1 / Double(referenceFans($0).fanIn)).squareRoot() }
                $0.xavierUniform = uniformInit { (3 / Double(referenceFans($0).fanIn)).squareRoot() }
            },
            Change("variance used as the standard deviation", "the standard deviation is the square root of the variance: σ = √(2/fanIn), not 2/fanIn.") {
                $0.heNormal = normalInit { 2 / Double(referenceFans($0).fanIn) }
                $0.xavierNormal = normalInit { let f = referenceFans($0); return 2 / Double(f.fanIn + f.fanOut) }
            },
            Change("uniform limit set to σ", "U(−a, a) has variance a²/3, so a = √3·σ: √(6/(fanIn + fanOut)) for Xavier and √(6/fanIn) for He. Using σ itself as the limit gives a third of the variance.") {
                $0.xavierUniform = uniformInit { let f = referenceFans($0); return (2 / Double(f.fanIn + f.fanOut)).squareRoot() }
                $0.heUniform = uniformInit { (2 / Double(referenceFans($0).fanIn)).squareRoot() }
            },
            Change("uniform on [0, a)", "the uniform draw must be centred on 0: U(−a, a), so that the weights have mean 0.") {
                $0.heUniform = { shape, seed in
                    var g = SeededGenerator(seed: seed); let a = (6 / Double(referenceFans(shape).fanIn)).squareRoot()
                    return Tensor.randomUniform(shape, in: 0..<a, using: &g)
                }
                $0.xavierUniform = { shape, seed in
                    var g = SeededGenerator(seed: seed); let f = referenceFans(shape); let a = (6 / Double(f.fanIn + f.fanOut)).squareRoot()
                    return Tensor.randomUniform(shape, in: 0..<a, using: &g)
                }
            },
        ],
        alternatives: [
            Change("standard normals scaled afterwards, fans computed inline") {
                $0.heNormal = { shape, seed in
                    var g = SeededGenerator(seed: seed)
                    let fanIn = shape.count == 2 ? shape[0] : shape[1] * shape.dropFirst(2).reduce(1, *)
                    return Tensor.randomNormal(shape, using: &g) * (2 / Double(fanIn)).squareRoot()
                }
                $0.xavierNormal = { shape, seed in
                    var g = SeededGenerator(seed: seed)
                    let f = referenceFans(shape)
                    return (1 / Double(f.fanIn + f.fanOut)).squareRoot() * 2.squareRoot() * Tensor.randomNormal(shape, using: &g)
                }
            },
            Change("uniform as 2a·U(0, 1) − a") {
                $0.heUniform = { shape, seed in
                    var g = SeededGenerator(seed: seed); let a = (6 / Double(referenceFans(shape).fanIn)).squareRoot()
                    return Tensor.randomUniform(shape, using: &g) * (2 * a) - a
                }
                $0.xavierUniform = { shape, seed in
                    var g = SeededGenerator(seed: seed); let f = referenceFans(shape); let a = (6 / Double(f.fanIn + f.fanOut)).squareRoot()
                    return Tensor.randomUniform(shape, using: &g) * (2 * a) - a
                }
            },
        ]
    ) { candidate, peers, context in
        for shape in [[3, 5], [7, 2], [6, 2, 3], [4, 3, 2, 5]] {
            let got = candidate.fans(shape), want = peers.reference.fans(shape)
            guard got == want else {
                let named = peers.mistakes.filter { let f = $0.functions.fans(shape); return f == got }.map(\.explanation)
                throw CheckFailure("fans(ofShape: \(shape)) — expected (fanIn: \(want.fanIn), fanOut: \(want.fanOut)), got (fanIn: \(got.fanIn), fanOut: \(got.fanOut)).\n  shape [D_in, D_out] for a matrix; [F, C, KH, KW] for a kernel."
                                   + (named.isEmpty ? "" : "\n  likely cause: " + named.joined(separator: "\n  or: ")))
            }
        }
        context.pass("fans match the reference on matrices and kernels of rank 3 and 4")

        let initializers: [(String, @Sendable (F) -> F.Initializer, normal: Bool, he: Bool)] = [
            ("xavierNormal", { $0.xavierNormal }, true, false), ("xavierUniform", { $0.xavierUniform }, false, false),
            ("heNormal", { $0.heNormal }, true, true), ("heUniform", { $0.heUniform }, false, true),
        ]
        for (name, select, _, _) in initializers {
            for shape in [[5, 3], [4, 3, 2, 2]] {
                let seed = context.random.next() >> 12
                try expect(context, select(candidate)(shape, seed), select(peers.reference)(shape, seed), what: name,
                           situation: "shape \(shape) with a fixed seed \(seed) (draw with one Tensor.randomNormal/randomUniform call)",
                           peers: peers) { select($0)(shape, seed) }
            }
        }
        context.pass("the four initializers match the reference with a fixed seed")

        for (name, select, normal, he) in initializers {
            for shape in [[100, 300], [16, 8, 3, 3]] {
                let seed = context.random.next() >> 12
                let w = select(candidate)(shape, seed)
                guard w.shape == shape else { throw CheckFailure("\(name)(\(shape)) returned shape \(w.shape).") }
                let f = referenceFans(shape)
                let target = he ? 2 / Double(f.fanIn) : 2 / Double(f.fanIn + f.fanOut)
                let n = Double(w.count), mean = w.mean()
                let variance = w.scalars.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
                // The known mistakes are evaluated only when a check fails.
                var cause: String {
                    let named = peers.mistakes.filter { Tolerance.standard.accepts(select($0.functions)(shape, seed), w) }.map(\.explanation)
                    return named.isEmpty ? "" : "\n  likely cause: " + named.joined(separator: "\n  or: ")
                }
                let rule = he ? "2/fanIn = 2/\(f.fanIn)" : "2/(fanIn + fanOut) = 2/\(f.fanIn + f.fanOut)"
                guard abs(mean) < 5 * (target / n).squareRoot() else {
                    throw CheckFailure("\(name)(\(shape)): the mean of \(w.count) weights is \(Diagnosis.short(mean)); it should be 0 (within 5 standard errors, \(Diagnosis.short(5 * (target / n).squareRoot()))).\(cause)")
                }
                // 5 standard errors of a sample variance (relative: √(2/n) for a normal), but never tighter than 5%.
                let allowed = max(0.05, 5 * (2 / n).squareRoot())
                guard abs(variance / target - 1) < allowed else {
                    throw CheckFailure("\(name)(\(shape)): the variance of \(w.count) weights is \(Diagnosis.short(variance)); it should be \(rule) = \(Diagnosis.short(target)) (within \(Diagnosis.short(100 * allowed))%), \(Diagnosis.short(variance / target)) times that.\(cause)")
                }
                let sigma = target.squareRoot()
                if normal {
                    let tail = Double(w.scalars.filter { abs($0) > 2 * sigma }.count) / n
                    guard (0.035...0.056).contains(tail) || shape.reduce(1, *) < 5_000 && (0.02...0.07).contains(tail) else {
                        throw CheckFailure("\(name)(\(shape)): \(Diagnosis.short(100 * tail))% of the weights lie beyond 2σ; a normal distribution has 4.6% there. Draw from a normal distribution (Tensor.randomNormal).\(cause)")
                    }
                } else {
                    let a = (3 * target).squareRoot(), largest = w.scalars.map(abs).max() ?? 0
                    guard largest <= a, largest > 0.99 * a else {
                        throw CheckFailure("\(name)(\(shape)): the largest |weight| is \(Diagnosis.short(largest)); a uniform draw on (−a, a) with a = √(3·Var) = \(Diagnosis.short(a)) reaches close to a and never beyond.\(cause)")
                    }
                }
            }
        }
        context.pass("every initializer has mean 0 and the right variance on [100, 300] and [16, 8, 3, 3] draws")
    }
}
