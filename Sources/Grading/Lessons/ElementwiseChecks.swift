import CourseKit

/// An elementwise function and its backward pass, as one unit to grade.
public struct ElementwisePair: Sendable {
    public let forward: @Sendable (_ x: Tensor) -> Tensor
    /// `(dOut, x, y) -> dx`; each exercise passes on the input or the output, as its signature says.
    public let backward: @Sendable (_ dOut: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor

    public init(forward: @escaping @Sendable (Tensor) -> Tensor,
                backward: @escaping @Sendable (Tensor, Tensor, Tensor) -> Tensor) {
        self.forward = forward
        self.backward = backward
    }
}

/// The standard checks of a forward/backward pair, in order:
///
/// 1. forward against the reference on random inputs of random shapes;
/// 2. forward on the named edge cases;
/// 3. backward against the reference on random inputs and upstream gradients,
///    and on the same edge cases (where an input sits exactly on a kink, any
///    subgradient is accepted: a value between the two one-sided derivatives,
///    ends included; NaN never is);
/// 4. a numerical gradient check of the candidate's backward against its own
///    forward: `GradientCheck.relativeError < gradientThreshold`.
public struct PairChecks: Sendable {
    public var name: String
    /// Random test inputs (shape and values) for forward and backward.
    public var randomInput: @Sendable (inout GradingContext) -> Tensor
    /// Inputs for the gradient check, kept away from kinks.
    public var gradientInput: @Sendable (inout GradingContext) -> Tensor
    public var edgeCases: [(name: String, input: Tensor)]
    /// Inputs where the function has a kink (ReLU's 0): there the backward
    /// may return any subgradient, between the two one-sided derivatives.
    public var kinks: [Double]
    public var gradientThreshold: Double
    public var rounds = 4
    /// Inputs whose answers are tiny but not 0 (σ(−30) ≈ 9e-14): compared by
    /// relative error alone, because these outputs feed a log, where 0 is −∞
    /// and 1e-20 is −46. An absolute tolerance would accept 0 for 1e-9.
    public var tailCases: [(name: String, input: Tensor)] = []
    /// `|error| ≤ 1e-6·|expected|`, nothing absolute.
    public static let relativeOnly = Tolerance(absolute: 0, relative: 1e-6)
    /// For the backward in the tails: relative, with a floor of 1e-30 — where a
    /// row's gradient cancels to about 1e-44, 0 and −3e-44 are both right.
    public static let relativeWithFloor = Tolerance(absolute: 1e-30, relative: 1e-6)
    /// A scalar setting of the function (leaky ReLU's α): shown in every
    /// failure and in the passed checks, and varied to tell whether it is used.
    public var parameter: (name: String, value: Double, select: @Sendable (Any, Double) -> ElementwisePair)?

    public init(name: String, randomInput: @escaping @Sendable (inout GradingContext) -> Tensor,
                gradientInput: @escaping @Sendable (inout GradingContext) -> Tensor,
                edgeCases: [(name: String, input: Tensor)], kinks: [Double] = [], gradientThreshold: Double) {
        self.name = name
        self.randomInput = randomInput
        self.gradientInput = gradientInput
        self.edgeCases = edgeCases
        self.kinks = kinks
        self.gradientThreshold = gradientThreshold
    }

    public func run<Functions: Sendable>(_ candidate: Functions, _ peers: Peers<Functions>, _ context: inout GradingContext,
                                         select: @escaping @Sendable (Functions) -> ElementwisePair) throws {
        let mine = select(candidate), reference = select(peers.reference)
        let forwardName = "\(name)Forward", backwardName = "\(name)Backward"
        let setting = parameter.map { " with \($0.name) = \(Diagnosis.short($0.value))" } ?? ""
        /// The parameter, with `output` computed by the candidate's and the reference's pair at another value.
        func parameters(_ output: @escaping (ElementwisePair) -> Tensor) -> [Parameter] {
            guard let parameter else { return [] }
            return [Parameter(parameter.name, parameter.value,
                              candidate: { output(parameter.select(candidate, $0)) },
                              reference: { output(parameter.select(peers.reference, $0)) })]
        }

        var cases: [(String, Tensor)] = []
        for round in 1...rounds {
            let x = randomInput(&context)
            cases.append(("random input #\(round) (seed \(context.seed))", x))
        }
        cases += edgeCases.map { ("the edge case “\($0.name)”", $0.input) }
        for (situation, x) in cases {
            try context.expectClose(mine.forward(x), reference.forward(x), what: forwardName, situation: situation,
                                    inputs: [("x", x)], suspects: peers.suspects { select($0).forward(x) },
                                    parameters: parameters { $0.forward(x) })
        }
        let tails = tailCases.isEmpty ? "" : ", and \(tailCases.count) tail case\(tailCases.count == 1 ? "" : "s") by relative error"
        context.pass("\(forwardName)\(setting) matches the reference on \(rounds) random inputs and \(edgeCases.count) edge cases\(tails)")

        for round in 1...rounds {
            let x = gradientInput(&context)
            let dOut = context.randomTensor(x.shape)
            let y = reference.forward(x)
            try context.expectClose(mine.backward(dOut, x, y), reference.backward(dOut, x, y), what: backwardName,
                                    situation: "random input #\(round) (seed \(context.seed))",
                                    inputs: [("x", x), ("dOut", dOut)],
                                    suspects: peers.suspects { select($0).backward(dOut, x, y) },
                                    parameters: parameters { $0.backward(dOut, x, y) })
        }
        for (name, x) in edgeCases {
            let dOut = context.randomTensor(x.shape)
            let y = reference.forward(x)
            let actual = mine.backward(dOut, x, y)
            let expected = subgradientReference(reference.backward(dOut, x, y), reference, dOut: dOut, x: x, matching: actual)
            try context.expectClose(actual, expected, what: backwardName,
                                    situation: "the edge case “\(name)”", inputs: [("x", x), ("dOut", dOut)],
                                    suspects: peers.suspects { select($0).backward(dOut, x, y) },
                                    parameters: parameters { $0.backward(dOut, x, y) })
        }
        for (name, x) in tailCases {
            try context.expectClose(mine.forward(x), reference.forward(x), what: forwardName, situation: "the tail case “\(name)”, compared by relative error",
                                    inputs: [("x", x)], tolerance: Self.relativeOnly, suspects: peers.suspects { select($0).forward(x) },
                                    parameters: parameters { $0.forward(x) })
            let dOut = context.randomTensor(x.shape), y = reference.forward(x)
            let got = mine.backward(dOut, x, y), want = reference.backward(dOut, x, y)
            try context.expectClose(got, want, what: backwardName, situation: "the tail case “\(name)”", inputs: [("x", x), ("dOut", dOut)],
                                    suspects: peers.suspects { select($0).backward(dOut, x, y) },
                                    parameters: parameters { $0.backward(dOut, x, y) })
            // Where y ≥ 1/2 (softmax's leading class) the gradient is a difference of nearly equal numbers, right
            // only to rounding (about 1e-16·|dOut|), and was compared above; the tails, y < 1/2, by relative error.
            let tails = y.map { $0 < 0.5 ? 1 : 0 }
            try context.expectClose(got * tails, want * tails, what: backwardName,
                                    situation: "the tail case “\(name)” where y < 1/2, compared by relative error", inputs: [("x", x), ("dOut", dOut)],
                                    tolerance: Self.relativeWithFloor, suspects: peers.suspects { select($0).backward(dOut, x, y) * tails },
                                    parameters: parameters { $0.backward(dOut, x, y) * tails })
        }
        context.pass("\(backwardName)\(setting) matches the reference on \(rounds) random inputs and \(edgeCases.count) edge cases")

        let x = gradientInput(&context)
        let dOut = context.randomTensor(x.shape)
        let numeric = GradientCheck.numericalGradient(of: mine.forward, at: x, upstream: dOut)
        let analytic = mine.backward(dOut, x, mine.forward(x))
        do {
            try context.expectGradient(analytic: analytic, numeric: numeric, what: backwardName,
                                       situation: "x of shape \(x.shape)", threshold: gradientThreshold)
        } catch let failure as CheckFailure {
            // The backward already matched the reference's: what disagrees is the forward's own derivative.
            throw CheckFailure(failure.diagnosis + """

                  note: your \(backwardName) matched the reference's above, so it is the numerical derivative of your \
                \(forwardName) that is off. Your forward agrees with the reference only to about 1e-6; a gradient check \
                needs it exact to ~1e-12. Is it computed in Float, rounded, clamped, or cut off beyond some |x|?
                """)
        }
        let error = GradientCheck.relativeError(analytic, numeric)
        context.pass("gradient check\(setting): relative error \(Diagnosis.short(error)) < \(Diagnosis.short(gradientThreshold))")
    }

    /// `plain`, the reference backward at x, except at an input exactly on a
    /// kink: there `actual` itself when it lies between the two one-sided
    /// derivatives (a subgradient), else the nearer of the two.
    private func subgradientReference(_ plain: Tensor, _ reference: ElementwisePair, dOut: Tensor, x: Tensor,
                                      matching actual: Tensor) -> Tensor {
        let onKink = x.map { v in kinks.contains(v) ? 1 : 0 }
        guard onKink.scalars.contains(1), actual.shape == x.shape else { return plain }
        func side(_ step: Double) -> Tensor {
            let moved = x.map { v in kinks.contains(v) ? v + step : v }
            return reference.backward(dOut, moved, reference.forward(moved))
        }
        let left = side(-1e-9), right = side(1e-9)
        var scalars = plain.scalars
        for i in scalars.indices where onKink.scalars[i] == 1 {
            let (a, l, r) = (actual.scalars[i], left.scalars[i], right.scalars[i])
            if a >= min(l, r) && a <= max(l, r) { scalars[i] = a; continue }
            scalars[i] = abs(a - r) < abs(a - l) ? r : l
        }
        return Tensor(shape: plain.shape, scalars: scalars)
    }
}
