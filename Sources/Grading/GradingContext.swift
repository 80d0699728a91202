import CourseKit

/// What a check needs while it grades one exercise: the seeded generator for
/// its random inputs, and assertions that explain themselves when they fail.
public struct GradingContext {
    /// The run's seed; `DLFS_SEED=<seed>` replays it.
    public let seed: UInt64
    /// Random inputs for this exercise, derived from the seed and its id.
    public var random: SeededGenerator
    /// The checks that passed so far, for the report.
    public private(set) var passedChecks: [String] = []

    public init(seed: UInt64, exerciseID: String) {
        self.seed = seed
        self.random = Seed.generator(runSeed: seed, exerciseID: exerciseID)
    }

    // MARK: Random inputs

    /// A random shape with a rank in `ranks` and each size in `sizes`.
    public mutating func randomShape(ranks: ClosedRange<Int>, sizes: ClosedRange<Int>) -> [Int] {
        let rank = random.nextInt(in: ranks)
        return (0..<rank).map { _ in random.nextInt(in: sizes) }
    }

    /// Normal samples with the given scale.
    public mutating func randomTensor(_ shape: [Int], scale: Double = 1) -> Tensor {
        Tensor.randomNormal(shape, standardDeviation: scale, using: &random)
    }

    /// Normal samples, each moved at least `margin` away from every kink in `kinks`
    /// (numerical derivatives are meaningless at a kink).
    public mutating func randomTensor(_ shape: [Int], scale: Double = 1, awayFrom kinks: [Double], margin: Double) -> Tensor {
        randomTensor(shape, scale: scale).map { v in
            for k in kinks where abs(v - k) < margin { return v >= k ? k + margin + abs(v - k) : k - margin - abs(v - k) }
            return v
        }
    }

    // MARK: Assertions

    /// Records a passed check.
    public mutating func pass(_ check: String) { passedChecks.append(check) }

    /// Throws a diagnosis unless `actual` matches `expected`.
    ///
    /// - Parameters:
    ///   - what: the function and the quantity, e.g. "sigmoidForward".
    ///   - situation: the named case, e.g. "large negative inputs".
    ///   - inputs: the inputs to show in the message.
    public func expectClose(_ actual: Tensor, _ expected: Tensor, what: String, situation: String,
                            inputs: [(name: String, value: Tensor)], tolerance: Tolerance = .standard,
                            batchSize: Int? = nil, suspects: [Suspect] = []) throws {
        guard let problem = Diagnosis.mismatch(actual: actual, expected: expected, tolerance: tolerance,
                                               batchSize: batchSize, suspects: suspects) else { return }
        var message = "\(what) — wrong for \(situation).\n"
        for input in inputs { message += "  \(input.name): \(Diagnosis.preview(input.value))\n" }
        message += "  expected \(Diagnosis.preview(expected))\n"
        message += "  got      \(Diagnosis.preview(actual))\n"
        message += problem.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        message += "\n  (tolerance: \(tolerance))"
        throw CheckFailure(message)
    }

    /// The same for plain numbers (a loss).
    public func expectClose(_ actual: Double, _ expected: Double, what: String, situation: String,
                            inputs: [(name: String, value: Tensor)], tolerance: Tolerance = .standard,
                            batchSize: Int? = nil, suspects: [Suspect] = []) throws {
        try expectClose(Tensor(actual), Tensor(expected), what: what, situation: situation, inputs: inputs,
                        tolerance: tolerance, batchSize: batchSize, suspects: suspects)
    }

    /// Throws unless the analytic gradient matches the numerical one:
    /// `GradientCheck.relativeError(analytic, numeric) < threshold`.
    public func expectGradient(analytic: Tensor, numeric: Tensor, what: String, situation: String,
                               threshold: Double) throws {
        guard analytic.shape == numeric.shape else {
            throw CheckFailure("\(what) returned shape \(analytic.shape), but the gradient must have the input's shape \(numeric.shape) (\(situation)).")
        }
        let error = GradientCheck.relativeError(analytic, numeric)
        guard error < threshold else {
            var message = "gradient check failed for \(what) (\(situation)): relative error \(Diagnosis.short(error)), must be below \(Diagnosis.short(threshold)).\n"
            message += "  numerical ∂L/∂x \(Diagnosis.preview(numeric))\n"
            message += "  your      ∂L/∂x \(Diagnosis.preview(analytic))"
            if let cause = Diagnosis.likelyCause(actual: analytic, expected: numeric, batchSize: nil, suspects: []) {
                message += "\n  likely cause: " + cause
            }
            throw CheckFailure(message)
        }
    }
}
