import CourseKit
import Foundation

/// What a check needs while it grades one exercise: the seeded generator for
/// its random inputs, and assertions that explain themselves when they fail.
public struct GradingContext {
    /// The run's seed; `DLFS_SEED=<seed>` replays it.
    public let seed: UInt64
    /// Random inputs for this exercise, derived from the seed and its id.
    public var random: SeededGenerator
    /// The checks that passed so far, for the report.
    public private(set) var passedChecks: [String] = []
    /// Every comparison made so far that had known mistakes to compare with:
    /// a mistake is named only when it reproduces the candidate's output on
    /// all of them, not on the failing input alone.
    let probes = ProbeLog()
    /// Set while a named mistake is replayed against the candidate (with fresh
    /// inputs, as the only suspect): nothing fails, except a comparison where
    /// the mistake's output is not the candidate's, which throws `Disagreement`.
    var verifying = false

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
    /// The diagnosis names a known mistake only when that mistake reproduces
    /// the candidate's output on every input compared so far (see `probes`);
    /// otherwise it says what is observed: where the output differs, whether
    /// a parameter is ignored, what the earlier, passing inputs had in common.
    ///
    /// - Parameters:
    ///   - what: the function and the quantity, e.g. "sigmoidForward".
    ///   - situation: the named case, e.g. "large negative inputs".
    ///   - inputs: the inputs to show in the message.
    ///   - parameters: the scalar settings of the case (α, λ, η), shown in the
    ///     message and varied to tell whether the candidate ignores them.
    public func expectClose(_ actual: Tensor, _ expected: Tensor, what: String, situation: String,
                            inputs: [(name: String, value: Tensor)], tolerance: Tolerance = .standard,
                            batchSize: Int? = nil, suspects: [Suspect] = [], parameters: [Parameter] = []) throws {
        let probes = self.probes
        if verifying {
            // The replayed mistake is the only suspect: where it is compared, it must give the candidate's output.
            // Where the candidate leaves the reference the replay ends, as the first run did: the checks after
            // this one assume it passed (shapes, values), and would trap or judge on a wrong premise.
            let departs = actual.shape != expected.shape || !Diagnosis.sameWithNaN(actual, expected, tolerance: tolerance)
            guard !suspects.isEmpty else {
                if departs { throw ReplayEnded() }
                return
            }
            let reproduced = suspects.contains { suspect in
                let output = suspect.output()
                return output.shape == actual.shape && Diagnosis.sameWithNaN(output, actual, tolerance: .standard)
            }
            if !reproduced { throw Disagreement() }
            if departs { throw ReplayEnded() }
            return
        }
        guard var problem = Diagnosis.mismatch(actual: actual, expected: expected, tolerance: tolerance,
                                               batchSize: batchSize, suspects: suspects,
                                               confirmed: { probes.reproduces($0, what: what) }) else {
            probes.record(Probe(what: what, situation: situation, inputs: inputs, actual: actual, suspects: suspects))
            return
        }
        // "N times too large" where another size of the inputs is N as well: which count is off cannot be told.
        if let n = batchSize, problem.contains("likely cause: N = \(n) times"),
           let other = inputs.first(where: { $0.value.rank == 2 && $0.value.shape[1] == n }) {
            problem = problem.replacingOccurrences(of: "likely cause: N = \(n) times", with: "observed: N = \(n) times")
                + "\n(N = \(n), but \(other.name) also has \(n) columns: the factor may be that count instead)"
        }
        var message = "\(what) — wrong for \(situation).\n"
        for input in inputs { message += "  \(input.name): \(Diagnosis.preview(input.value))\n" }
        for parameter in parameters { message += "  \(parameter.name): \(Diagnosis.short(parameter.value))\n" }
        message += "  expected \(Diagnosis.preview(expected))\n"
        message += "  got      \(Diagnosis.preview(actual))\n"
        message += problem.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        let named = problem.contains("likely cause:")
        var observations = Diagnosis.observations(actual: actual, expected: expected, tolerance: tolerance, inputs: inputs, what: what)
        // The plain signature (a factor N, a flipped sign) stays on record under a named mistake, in case the
        // name is withdrawn later (see `ExerciseSpec`): it holds whatever the mistake.
        if !suspects.isEmpty, let generic = Diagnosis.likelyCause(actual: actual, expected: expected, batchSize: batchSize, suspects: []),
           !problem.contains(generic) {
            observations.insert(generic, at: 0)
        }
        observations += parameters.compactMap { $0.observation(actual: actual, expected: expected) }
        observations += probes.contrast(what: what, situation: situation, inputs: inputs)
        if !observations.isEmpty {
            message += "\n" + observations.map { "  " + ($0 == observations.first && !named ? "observed: " : "also: ") + $0 }
                .joined(separator: "\n")
        }
        message += "\n  (tolerance: \(tolerance))"
        throw CheckFailure(message)
    }

    /// The same for plain numbers (a loss).
    public func expectClose(_ actual: Double, _ expected: Double, what: String, situation: String,
                            inputs: [(name: String, value: Tensor)], tolerance: Tolerance = .standard,
                            batchSize: Int? = nil, suspects: [Suspect] = [], parameters: [Parameter] = []) throws {
        try expectClose(Tensor(actual), Tensor(expected), what: what, situation: situation, inputs: inputs,
                        tolerance: tolerance, batchSize: batchSize, suspects: suspects, parameters: parameters)
    }

    /// Throws unless the analytic gradient matches the numerical one:
    /// `GradientCheck.relativeError(analytic, numeric) < threshold`.
    ///   - scalarValue: for the gradient of a scalar f (a loss), |f| at the point: the numerical
    ///     gradient is then only known to about 1e-16·|f|/h, so where the gradients are tiny
    ///     beside f, an absolute error under 10 times that floor passes whatever the relative error.
    public func expectGradient(analytic: Tensor, numeric: Tensor, what: String, situation: String,
                               threshold: Double, scalarValue: Double? = nil) throws {
        guard analytic.shape == numeric.shape else {
            throw CheckFailure("\(what) returned shape \(analytic.shape), but the gradient must have the input's shape \(numeric.shape) (\(situation)).")
        }
        let error = GradientCheck.relativeError(analytic, numeric)
        let roundingFloor = scalarValue.map { 10 * Double.ulpOfOne * Swift.abs($0) / GradientCheck.defaultStep } ?? 0
        let largestDifference = zip(analytic.scalars, numeric.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
        guard error < threshold || largestDifference <= roundingFloor else {
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

/// One comparison the candidate passed (or is failing): its output, and the
/// known mistakes' outputs on the same inputs.
struct Probe {
    let what: String
    let situation: String
    let inputs: [(name: String, value: Tensor)]
    var shapes: [[Int]] { inputs.map(\.value.shape) }
    let actual: Tensor
    let suspects: [Suspect]
}

/// The comparisons of one grading run, in order. A reference type so that
/// the copies of a context made along the way share one log.
final class ProbeLog: @unchecked Sendable {
    private(set) var probes: [Probe] = []

    func record(_ probe: Probe) { probes.append(probe) }

    /// Whether the known mistake `suspect` (matched by its explanation) gave
    /// the candidate's output on every earlier comparison where it was among
    /// the suspects. Inputs where it was not compared say nothing either way.
    func reproduces(_ suspect: Suspect, what: String) -> Bool {
        for probe in probes {
            let same = probe.suspects.filter { $0.explanation == suspect.explanation }
            guard !same.isEmpty else { continue }
            let reproduced = same.contains { other in
                let output = other.output()
                return output.shape == probe.actual.shape && Diagnosis.sameWithNaN(output, probe.actual, tolerance: .standard)
            }
            if !reproduced { return false }
        }
        return true
    }

    /// What set the earlier, passing inputs of the same quantity apart from
    /// the failing one: a batch of one, non-square matrices; and whether the
    /// other outputs on this very input matched.
    func contrast(what: String, situation: String, inputs: [(name: String, value: Tensor)]) -> [String] {
        var lines: [String] = []
        let shapes = inputs.map(\.value.shape)
        let earlier = probes.filter { $0.what == what && $0.situation != situation }
        func sameInputs(_ probe: Probe) -> Bool {
            probe.situation == situation && !inputs.isEmpty && inputs.allSatisfy { input in
                probe.inputs.first { $0.name == input.name }.map { $0.value == input.value } ?? false
            }
        }
        var onThisInput: [String] = []
        for probe in probes where probe.what != what && sameInputs(probe) && !onThisInput.contains(probe.what) {
            onThisInput.append(probe.what)
        }
        if !onThisInput.isEmpty {
            lines.append("on this input \(onThisInput.joined(separator: ", ")) came out right; only \(what) differs")
        }
        // One earlier input that happened to be square (or N > 1) is no pattern: at least two.
        guard earlier.count >= 2 else { return lines }
        let batchOfOne = shapes.contains { $0.count == 2 && $0[0] == 1 }
        if batchOfOne && earlier.allSatisfy({ $0.shapes.allSatisfy { $0.count != 2 || $0[0] > 1 } }) {
            lines.append("right on all \(earlier.count) earlier inputs, which had N > 1 rows, and wrong for this batch of one row — an axis that disappears (or a reduction over the wrong axis) when N = 1?")
        }
        func square(_ shapes: [[Int]]) -> Bool { shapes.allSatisfy { $0.count != 2 || $0[0] == $0[1] } }
        let matrices = shapes.filter { $0.count == 2 }
        if !matrices.isEmpty && !square(shapes) && earlier.allSatisfy({ square($0.shapes) && $0.shapes.contains { $0.count == 2 } }) {
            lines.append("right for square matrices only — a transpose? (a square matrix and its transpose have the same shape, so a transposed operand goes unnoticed there)")
        }
        return lines
    }
}

/// A scalar setting of a case (α, λ, η): shown in a failure, and varied to
/// tell whether the candidate's output depends on it at all.
public struct Parameter {
    /// As the learner reads it, e.g. "alpha (α)".
    public let name: String
    public let value: Double
    /// The candidate's and the reference's outputs on the same inputs with the setting changed.
    public let candidate: (Double) -> Tensor
    public let reference: (Double) -> Tensor
    /// The values the functions accept: ridge's solve traps at λ = 0 on a singular XᵀX, and a
    /// diagnosis must never crash the grading of the learner's code.
    public let allows: (Double) -> Bool

    public init(_ name: String, _ value: Double, allows: @escaping (Double) -> Bool = { _ in true },
                candidate: @escaping (Double) -> Tensor, reference: @escaping (Double) -> Tensor) {
        self.name = name
        self.value = value
        self.allows = allows
        self.candidate = candidate
        self.reference = reference
    }

    /// Values a learner might type in place of the parameter.
    static let typedValues: [Double] = [0.01, 0.1, 0.001, 0.05, 0.2, 0.3, 0.5, 1, 2, 0, 0.9, 0.99, 0.999, 1e-8, 1e-5]

    /// "your output is the answer for α = 0.01", or "your output does not change when α changes".
    func observation(actual: Tensor, expected: Tensor) -> String? {
        for typed in Self.typedValues where typed != value && allows(typed) {
            let answer = reference(typed)
            if Diagnosis.sameWithNaN(actual, answer) && !Diagnosis.sameWithNaN(expected, answer) {
                return "your output is the answer for \(name) = \(Diagnosis.short(typed)), not for \(name) = \(Diagnosis.short(value)): is \(name) hard-coded to \(Diagnosis.short(typed)) instead of read from the argument?"
            }
        }
        let other = value == 0 ? 1 : value * 3
        let changed = candidate(other)
        if Diagnosis.sameWithNaN(changed, actual) && !Diagnosis.sameWithNaN(reference(other), expected) {
            return "your output does not change when \(name) changes (\(name) = \(Diagnosis.short(value)) and \(Diagnosis.short(other)) give the same): is \(name) hard-coded, or left out?"
        }
        return nil
    }
}

/// A known mistake's output differs from the candidate's on a replayed check.
struct Disagreement: Error {}

/// A replayed check reached the point where the candidate leaves the reference, with the mistake
/// agreeing so far: the replay ends there, finding no disagreement.
struct ReplayEnded: Error {}
