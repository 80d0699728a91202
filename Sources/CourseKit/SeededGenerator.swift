#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A seeded pseudo-random generator that gives the same numbers on every
/// platform and every Swift version: xoshiro256** (Blackman and Vigna),
/// its state filled from the seed by SplitMix64.
///
/// Everything random in the course goes through this type, never through
/// `Double.random(in:)` or `shuffled()`, whose algorithms the standard library
/// may change. Uniform doubles use the top 53 bits; normals use Box–Muller.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let x = Tensor.randomNormal([3, 4], using: &rng)
/// ```
public struct SeededGenerator: Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// The seed this generator started from.
    public let seed: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotateLeft(state.3, 45)
        return result
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `range`.
    public mutating func nextUniform(in range: Range<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
    }

    /// A uniform integer in `range`, without modulo bias (rejection sampling).
    public mutating func nextInt(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "SeededGenerator.nextInt: empty range")
        let width = UInt64(range.upperBound - range.lowerBound)
        let limit = UInt64.max - UInt64.max % width
        var bits = next()
        while bits >= limit { bits = next() }
        return range.lowerBound + Int(bits % width)
    }

    /// A uniform integer in `range`.
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        nextInt(in: range.lowerBound..<(range.upperBound + 1))
    }

    /// A standard normal sample (mean 0, standard deviation 1), by Box–Muller.
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = 1 - nextUniform()
        let u2 = nextUniform()
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = radius * sin(angle)
        return radius * cos(angle)
    }

    /// `true` with probability `p`.
    public mutating func nextBool(probability p: Double = 0.5) -> Bool { nextUniform() < p }

    /// A random permutation of `0..<n` (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var result = Array(0..<n)
        shuffle(&result)
        return result
    }

    /// Shuffles an array in place (Fisher–Yates), the same way on every platform.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, nextInt(in: 0...i))
        }
    }

    /// A random element of a non-empty array.
    public mutating func element<T>(of array: [T]) -> T {
        precondition(!array.isEmpty, "SeededGenerator.element: empty array")
        return array[nextInt(in: 0..<array.count)]
    }
}
