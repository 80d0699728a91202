import CourseKit
import Testing

/// Shared helpers for the CourseKit tests.

/// A tensor of standard normal samples, the same for the same seed.
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, using: &rng)
}

/// Expects `actual` to have the shape of `expected` and to match it within `tolerance` (absolute).
func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Double = 1e-12,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) ≠ \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let worst = actual.maxAbsoluteDifference(to: expected)
    #expect(worst <= tolerance, "max |difference| \(worst) > \(tolerance)\n\(actual)\n≠\n\(expected)",
            sourceLocation: sourceLocation)
}

/// Expects two doubles to agree within `tolerance` (absolute).
func expectClose(_ actual: Double, _ expected: Double, tolerance: Double = 1e-12,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(actual - expected) <= tolerance, "\(actual) ≠ \(expected) (tolerance \(tolerance))",
            sourceLocation: sourceLocation)
}

/// All multi-indices of a shape, in row-major order.
func allIndices(_ shape: [Int]) -> [[Int]] {
    var result: [[Int]] = [[]]
    for size in shape {
        result = result.flatMap { prefix in (0..<size).map { prefix + [$0] } }
    }
    return result
}

/// The ANSI escape character.
let escapeCharacter: Character = "\u{1B}"
