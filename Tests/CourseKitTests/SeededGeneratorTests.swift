import CourseKit
import Testing

/// The expected values below were computed with this file's `SeededGenerator`
/// and, independently, with a 20-line Python transcription of the reference C
/// code of SplitMix64 and xoshiro256** (https://prng.di.unimi.it):
///
///     M = 2**64 - 1
///     def splitmix(x):
///         while True:
///             x = (x + 0x9E3779B97F4A7C15) & M
///             z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
///             z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
///             yield z ^ (z >> 31)
///     def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
///     def xoshiro(seed):
///         g = splitmix(seed); s = [next(g) for _ in range(4)]
///         while True:
///             result = (rotl((s[1] * 5) & M, 7) * 9) & M
///             t = (s[1] << 17) & M
///             s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
///             s[2] ^= t; s[3] = rotl(s[3], 45)
///             yield result
///
/// (SplitMix64 from seed 0 starts with 0xE220A8397B1DCDAF, the published value.)
/// They pin the algorithm: every seeded experiment in the course depends on them.
@Suite("SeededGenerator")
struct SeededGeneratorTests {
    @Test("the first outputs for seed 0 are fixed")
    func seedZero() {
        var rng = SeededGenerator(seed: 0)
        let first = (0..<4).map { _ in rng.next() }
        #expect(first == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0, 0x6AA5_94F1_262D_2D2C])
    }

    @Test("the first outputs for seed 42 are fixed")
    func seed42() {
        var rng = SeededGenerator(seed: 42)
        #expect(rng.seed == 42)
        let first = (0..<4).map { _ in rng.next() }
        #expect(first == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
    }

    @Test("uniform doubles are the top 53 bits, pinned for seed 42")
    func uniformValues() {
        var rng = SeededGenerator(seed: 42)
        let u = (0..<3).map { _ in rng.nextUniform() }
        #expect(u == [0.08386297105988216, 0.3789802506626686, 0.6800434110281394])
        var bits = SeededGenerator(seed: 42)
        #expect(u[0] == Double(bits.next() >> 11) / 9_007_199_254_740_992)
    }

    @Test("the same seed gives the same sequence; copies continue independently")
    func reproducible() {
        var a = SeededGenerator(seed: 123), b = SeededGenerator(seed: 123)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        var c = SeededGenerator(seed: 124)
        var d = SeededGenerator(seed: 123)
        #expect((0..<8).map { _ in c.next() } != (0..<8).map { _ in d.next() })
        // A copy is a snapshot: both continue with the same numbers.
        var original = SeededGenerator(seed: 9)
        _ = original.nextNormal()   // leaves a spare normal behind
        var copy = original
        #expect(original.nextNormal() == copy.nextNormal())
        #expect((0..<5).map { _ in original.next() } == (0..<5).map { _ in copy.next() })
    }

    @Test("uniform doubles lie in [0, 1) with mean 1/2 and variance 1/12")
    func uniformDistribution() {
        var rng = SeededGenerator(seed: 1)
        let n = 50_000
        var total = 0.0, squares = 0.0, low = 1.0, high = 0.0
        var buckets = Array(repeating: 0, count: 10)
        for _ in 0..<n {
            let u = rng.nextUniform()
            total += u
            squares += u * u
            low = Swift.min(low, u)
            high = Swift.max(high, u)
            buckets[Int(u * 10)] += 1
        }
        #expect(low >= 0 && high < 1)
        let mean = total / Double(n)
        #expect(Swift.abs(mean - 0.5) < 0.01)
        #expect(Swift.abs(squares / Double(n) - mean * mean - 1.0 / 12) < 0.005)
        #expect(buckets.allSatisfy { Swift.abs($0 - n / 10) < n / 100 }, "\(buckets)")
        // Ranges are scaled and shifted.
        for _ in 0..<1000 {
            let v = rng.nextUniform(in: -3..<(-1))
            #expect(v >= -3 && v < -1)
        }
    }

    @Test("nextInt stays in bounds and is roughly uniform")
    func integers() {
        var rng = SeededGenerator(seed: 2)
        var counts = Array(repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n {
            let k = rng.nextInt(in: 0..<7)
            #expect((0..<7).contains(k))
            counts[k] += 1
        }
        // Each count is 10 000 ± 3σ (σ ≈ 93).
        #expect(counts.allSatisfy { Swift.abs($0 - n / 7) < 300 }, "\(counts)")

        var seen = Set<Int>()
        for _ in 0..<500 {
            let k = rng.nextInt(in: -2...2)
            #expect((-2...2).contains(k))
            seen.insert(k)
        }
        #expect(seen == Set(-2...2), "closed ranges include the upper bound")
        for _ in 0..<20 { #expect(rng.nextInt(in: 5..<6) == 5) }
        #expect(rng.nextInt(in: 9...9) == 9)
        // A power-of-two width and a huge width.
        for _ in 0..<200 { #expect((0..<8).contains(rng.nextInt(in: 0..<8))) }
        let huge = rng.nextInt(in: 0..<(Int.max / 2))
        #expect(huge >= 0 && huge < Int.max / 2)
    }

    @Test("normal samples have mean ≈ 0 and standard deviation ≈ 1")
    func normals() {
        var rng = SeededGenerator(seed: 3)
        let n = 20_000
        var total = 0.0, squares = 0.0, withinOne = 0
        for _ in 0..<n {
            let z = rng.nextNormal()
            #expect(z.isFinite)
            total += z
            squares += z * z
            if Swift.abs(z) < 1 { withinOne += 1 }
        }
        let mean = total / Double(n)
        let std = (squares / Double(n) - mean * mean).squareRoot()
        // Standard errors: 0.007 for the mean, 0.005 for the deviation.
        #expect(Swift.abs(mean) < 0.03)
        #expect(Swift.abs(std - 1) < 0.03)
        // 68.3% within one standard deviation.
        #expect(Swift.abs(Double(withinOne) / Double(n) - 0.6827) < 0.015)
    }

    @Test("nextBool follows its probability")
    func booleans() {
        var rng = SeededGenerator(seed: 4)
        #expect((0..<100).allSatisfy { _ in !rng.nextBool(probability: 0) })
        #expect((0..<100).allSatisfy { _ in rng.nextBool(probability: 1) })
        let hits = (0..<10_000).filter { _ in rng.nextBool(probability: 0.3) }.count
        #expect(Swift.abs(hits - 3000) < 200)
    }

    @Test("permutation is a permutation, the same for the same seed")
    func permutation() {
        var rng = SeededGenerator(seed: 5)
        for n in [0, 1, 2, 10, 100] {
            let p = rng.permutation(n)
            #expect(p.sorted() == Array(0..<n))
        }
        var a = SeededGenerator(seed: 6), b = SeededGenerator(seed: 6)
        let p = a.permutation(50)
        #expect(p == b.permutation(50))
        #expect(p != Array(0..<50))
        var c = SeededGenerator(seed: 7)
        #expect(c.permutation(50) != p)
    }

    @Test("shuffle keeps the elements and makes all orders equally likely")
    func shuffleUniformity() {
        var rng = SeededGenerator(seed: 8)
        var words = ["a", "b", "c", "d", "e"]
        rng.shuffle(&words)
        #expect(words.sorted() == ["a", "b", "c", "d", "e"])
        var single = [1]
        rng.shuffle(&single)
        #expect(single == [1])

        // Fisher–Yates done right gives each of the 6 orders of 3 items 1/6 of the time;
        // the classic off-by-one (swapping with any index) would not.
        var counts: [[Int]: Int] = [:]
        let n = 30_000
        for _ in 0..<n {
            var items = [0, 1, 2]
            rng.shuffle(&items)
            counts[items, default: 0] += 1
        }
        #expect(counts.count == 6)
        #expect(counts.values.allSatisfy { Swift.abs($0 - n / 6) < 300 }, "\(counts)")
    }

    @Test("element(of:) picks every element")
    func element() {
        var rng = SeededGenerator(seed: 10)
        let picks = Set((0..<200).map { _ in rng.element(of: ["x", "y", "z"]) })
        #expect(picks == ["x", "y", "z"])
    }

    @Test("empty ranges and arrays stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            _ = rng.nextInt(in: 3..<3)
        }
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 0)
            _ = rng.element(of: [Int]())
        }
    }
}
