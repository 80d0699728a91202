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
/// 3. backward against the reference on random inputs and upstream gradients;
/// 4. a numerical gradient check of the candidate's backward against its own
///    forward: `GradientCheck.relativeError < gradientThreshold`.
public struct PairChecks: Sendable {
    public var name: String
    /// Random test inputs (shape and values) for forward and backward.
    public var randomInput: @Sendable (inout GradingContext) -> Tensor
    /// Inputs for the gradient check, kept away from kinks.
    public var gradientInput: @Sendable (inout GradingContext) -> Tensor
    public var edgeCases: [(name: String, input: Tensor)]
    public var gradientThreshold: Double
    public var rounds = 4

    public init(name: String, randomInput: @escaping @Sendable (inout GradingContext) -> Tensor,
                gradientInput: @escaping @Sendable (inout GradingContext) -> Tensor,
                edgeCases: [(name: String, input: Tensor)], gradientThreshold: Double) {
        self.name = name
        self.randomInput = randomInput
        self.gradientInput = gradientInput
        self.edgeCases = edgeCases
        self.gradientThreshold = gradientThreshold
    }

    public func run<Functions: Sendable>(_ candidate: Functions, _ peers: Peers<Functions>, _ context: inout GradingContext,
                                         select: @escaping @Sendable (Functions) -> ElementwisePair) throws {
        let mine = select(candidate), reference = select(peers.reference)
        let forwardName = "\(name)Forward", backwardName = "\(name)Backward"

        var cases: [(String, Tensor)] = []
        for round in 1...rounds {
            let x = randomInput(&context)
            cases.append(("random input #\(round) (seed \(context.seed))", x))
        }
        cases += edgeCases.map { ("the edge case “\($0.name)”", $0.input) }
        for (situation, x) in cases {
            try context.expectClose(mine.forward(x), reference.forward(x), what: forwardName, situation: situation,
                                    inputs: [("x", x)], suspects: peers.suspects { select($0).forward(x) })
        }
        context.pass("\(forwardName) matches the reference on \(rounds) random inputs and \(edgeCases.count) edge cases")

        for round in 1...rounds {
            let x = gradientInput(&context)
            let dOut = context.randomTensor(x.shape)
            let y = reference.forward(x)
            try context.expectClose(mine.backward(dOut, x, y), reference.backward(dOut, x, y), what: backwardName,
                                    situation: "random input #\(round) (seed \(context.seed))",
                                    inputs: [("x", x), ("dOut", dOut)],
                                    suspects: peers.suspects { select($0).backward(dOut, x, y) })
        }
        context.pass("\(backwardName) matches the reference on \(rounds) random inputs")

        let x = gradientInput(&context)
        let dOut = context.randomTensor(x.shape)
        let numeric = GradientCheck.numericalGradient(of: mine.forward, at: x, upstream: dOut)
        let analytic = mine.backward(dOut, x, mine.forward(x))
        try context.expectGradient(analytic: analytic, numeric: numeric, what: backwardName,
                                   situation: "x of shape \(x.shape)", threshold: gradientThreshold)
        let error = GradientCheck.relativeError(analytic, numeric)
        context.pass("gradient check: relative error \(Diagnosis.short(error)) < \(Diagnosis.short(gradientThreshold))")
    }
}
