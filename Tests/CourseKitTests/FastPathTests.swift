import CourseKit
import Foundation
import Testing

/// The fast paths of the tensor engine (blocked matmul, specialized broadcasts,
/// in-place updates, memory-order reductions, tiled transposes) against plain
/// reference loops written element by element from the definitions. The fast
/// paths keep each result's order of operations, so the comparisons are exact:
/// same bits, or NaN on both sides.
@Suite("Tensor: fast paths agree with the reference loops")
struct FastPathTests {
    // MARK: References

    /// `true` when the shapes match and every pair of elements has the same bits or both are NaN.
    static func identical(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { x, y in
            x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        }
    }

    /// The triple loop, summing in increasing p from 0 (the order matmul promises).
    static func referenceMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape[0], k = a.shape[1], m = b.shape[1]
        var out = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                var total = 0.0
                for p in 0..<k { total = total + a.scalars[i * k + p] * b.scalars[p * m + j] }
                out[i * m + j] = total
            }
        }
        return Tensor(shape: [n, m], scalars: out)
    }

    /// Transpose element by element.
    static func referenceTranspose(_ x: Tensor) -> Tensor {
        let r = x.shape[0], c = x.shape[1]
        var out = [Double](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { out[j * r + i] = x.scalars[i * c + j] } }
        return Tensor(shape: [c, r], scalars: out)
    }

    /// numpy broadcasting computed per element from the multi-index.
    static func referenceBroadcast(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> Tensor {
        let shape = Tensor.broadcastShape(a.shape, b.shape)!
        func element(_ t: Tensor, _ index: [Int]) -> Double {
            let lead = index.count - t.rank
            var offset = 0
            for axis in 0..<t.rank { offset = offset * t.shape[axis] + (t.shape[axis] == 1 ? 0 : index[lead + axis]) }
            return t.scalars[offset]
        }
        return Tensor(shape: shape, scalars: allIndices(shape).map { f(element(a, $0), element(b, $0)) })
    }

    /// A fold along one axis by the multi-index.
    static func referenceFold(_ x: Tensor, axis: Int, initial: Double, _ f: (Double, Double) -> Double) -> Tensor {
        var shape = x.shape
        shape.remove(at: axis)
        return Tensor(shape: shape, scalars: allIndices(shape).map { index in
            var total = initial
            for k in 0..<x.shape[axis] {
                var full = index
                full.insert(k, at: axis)
                total = f(total, x[index: full])
            }
            return total
        })
    }

    /// Sums along the last axis as `sum(axis:)` promises: lanes j = 0…3 sum elements j, j+4, …
    /// of the largest multiple of 4, combined as (s₀ + s₁) + (s₂ + s₃), then the rest added in order.
    static func referenceLastAxisSum(_ x: Tensor) -> Tensor {
        let n = x.shape.last!, rows = n == 0 ? x.count : x.count / n
        let outCount = n == 0 ? x.shape.dropLast().reduce(1, *) : rows
        return Tensor(shape: Array(x.shape.dropLast()), scalars: (0..<outCount).map { r in
            var lanes = [0.0, 0.0, 0.0, 0.0]
            let whole = n / 4 * 4
            for k in 0..<whole { lanes[k % 4] += x.scalars[r * n + k] }
            var total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
            for k in whole..<n { total += x.scalars[r * n + k] }
            return total
        })
    }

    /// A random tensor with a few special values (0, ±∞, NaN) sprinkled in when `special`.
    static func sample(_ shape: [Int], seed: UInt64, special: Bool = false) -> Tensor {
        var x = randomTensor(shape, seed: seed)
        if special && x.count > 0 {
            let values: [Double] = [0, .infinity, -.infinity, .nan, 0]
            x.withScalars { s in
                for (i, v) in values.enumerated() where i * 7 < s.count { s[(i * 7 + Int(seed)) % s.count] = v }
            }
        }
        return x
    }

    // MARK: matmul

    static let matmulShapes: [(n: Int, k: Int, m: Int)] = [
        (1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 9, 17), (32, 64, 128), (32, 128, 10), (33, 130, 11),
        (70, 300, 9), (129, 3, 65), (0, 4, 3), (3, 0, 4), (3, 4, 0), (1, 200, 1), (200, 1, 200),
        // Small inner sizes (B read in place), rows and columns left over at the edges: a convolution's shapes.
        (8, 9, 203), (9, 8, 203), (8, 300, 9), (7, 9, 12), (6, 9, 13), (9, 130, 4), (64, 72, 27), (65, 16, 30), (3, 128, 33),
    ]




    @Test("matmul equals the triple loop bit for bit, transposed operands included",
          arguments: Array(matmulShapes.indices))
    func matmulMatchesReference(index: Int) {
        let (n, k, m) = FastPathTests.matmulShapes[index]
        let a = FastPathTests.sample([n, k], seed: UInt64(index + 1), special: index % 3 == 0)
        let b = FastPathTests.sample([k, m], seed: UInt64(index + 100), special: index % 3 == 1)
        let expected = FastPathTests.referenceMatmul(a, b)
        #expect(FastPathTests.identical(matmul(a, b), expected))
        let aT = FastPathTests.referenceTranspose(a), bT = FastPathTests.referenceTranspose(b)
        #expect(FastPathTests.identical(matmul(aT, b, transposeA: true, transposeB: false), expected))
        #expect(FastPathTests.identical(matmul(a, bT, transposeA: false, transposeB: true), expected))
        #expect(FastPathTests.identical(matmul(aT, bT, transposeA: true, transposeB: true), expected))
        #expect(FastPathTests.identical(matmul(aT.transposed(), b), expected))
    }

    @Test("matmul: 0 × ∞ and NaN propagate (no kernel skips a zero)")
    func matmulSpecialValues() {
        let a = Tensor([[0, 1], [2, 0]]), b = Tensor([[.infinity, 1], [1, .nan]])
        let c = matmul(a, b)
        #expect(c[0, 0].isNaN)                 // 0·∞ + 1·1
        #expect(c[0, 1].isNaN)                 // 0·1 + 1·NaN
        #expect(c[1, 0] == .infinity)          // 2·∞ + 0·1
        #expect(c[1, 1].isNaN)                 // 2·1 + 0·NaN
        // The same inside a block large enough for the packed kernel.
        var big = Tensor.zeros([40, 40])
        big[3, 5] = .infinity
        let product = matmul(Tensor.zeros([9, 40]), big)
        #expect(product.scalars.enumerated().allSatisfy { $0.offset % 40 == 5 ? $0.element.isNaN : $0.element == 0 })
    }

    @Test("matmul gives the same bits with one thread or many, batched or not")
    func matmulThreadIndependent() {
        let a = randomTensor([3, 150, 140], seed: 5), b = randomTensor([140, 130], seed: 6)
        let saved = Parallelism.maximumThreads
        defer { Parallelism.maximumThreads = saved }
        Parallelism.maximumThreads = 1
        let one = matmul(a, b), single = matmul(a.select(axis: 0, index: 1), b)
        Parallelism.maximumThreads = 2
        let two = matmul(a, b), singleTwo = matmul(a.select(axis: 0, index: 1), b)
        Parallelism.maximumThreads = 3
        let three = matmul(a, b)
        #expect(FastPathTests.identical(one, two))
        #expect(FastPathTests.identical(one, three))
        #expect(FastPathTests.identical(single, singleTwo))
        #expect(FastPathTests.identical(one.select(axis: 0, index: 1), single))
        #expect(FastPathTests.identical(single, FastPathTests.referenceMatmul(a.select(axis: 0, index: 1), b)))
    }

    @Test("batched matmul with transposes equals per-matrix products")
    func batchedTransposes() {
        let a = randomTensor([2, 1, 6, 5], seed: 7), b = randomTensor([3, 7, 6], seed: 8)   // b read as [3, 6, 7]ᵀ
        let c = matmul(a, b, transposeA: true, transposeB: true)                             // [2, 3, 5, 7]
        #expect(c.shape == [2, 3, 5, 7])
        for i in 0..<2 {
            for j in 0..<3 {
                let expected = FastPathTests.referenceMatmul(
                    FastPathTests.referenceTranspose(a.select(axis: 0, index: i).select(axis: 0, index: 0)),
                    FastPathTests.referenceTranspose(b.select(axis: 0, index: j)))
                #expect(FastPathTests.identical(c.select(axis: 0, index: i).select(axis: 0, index: j), expected))
            }
        }
        // Vector operands follow matmul's rules; a vector is never transposed.
        let v = randomTensor([6], seed: 9), m = randomTensor([7, 6], seed: 10)
        #expect(FastPathTests.identical(matmul(m, v, transposeA: false, transposeB: false), matmul(m, v)))
        #expect(FastPathTests.identical(matmul(v, m, transposeA: false, transposeB: true), matmul(v, m.transposed())))
    }

    // MARK: Broadcasting and elementwise

    static let broadcastPairs: [([Int], [Int])] = [
        ([4, 5], [4, 5]), ([4, 5], [5]), ([5], [4, 5]), ([4, 5], [4, 1]), ([4, 1], [4, 5]), ([4, 5], [1, 5]),
        ([4, 1], [1, 5]), ([3, 4, 5], [4, 5]), ([3, 4, 5], [3, 1, 5]), ([3, 1, 5], [1, 4, 1]), ([2, 3, 4, 5], [3, 1, 1]),
        ([4, 5], []), ([], [4, 5]), ([1], [4, 5]), ([1, 1], [5]), ([0, 5], [5]), ([4, 0], [4, 1]), ([0], []),
        ([1, 1, 1], [1]), ([6, 1, 1, 7], [1, 5, 1]), ([1, 5], [1, 1, 5]),
    ]

    @Test("+ − * / maximum and comparisons broadcast like the per-element reference",
          arguments: Array(broadcastPairs.indices))
    func broadcastMatchesReference(index: Int) {
        let (sa, sb) = FastPathTests.broadcastPairs[index]
        let a = FastPathTests.sample(sa, seed: UInt64(index + 1), special: true)
        let b = FastPathTests.sample(sb, seed: UInt64(index + 50), special: index % 2 == 0)
        let ref = FastPathTests.referenceBroadcast
        #expect(FastPathTests.identical(a + b, ref(a, b, +)))
        #expect(FastPathTests.identical(a - b, ref(a, b, -)))
        #expect(FastPathTests.identical(a * b, ref(a, b, *)))
        #expect(FastPathTests.identical(a / b, ref(a, b, /)))
        #expect(FastPathTests.identical(maximum(a, b), ref(a, b) { Swift.max($0, $1) }))
        #expect(FastPathTests.identical(a .> b, ref(a, b) { $0 > $1 ? 1 : 0 }))
        #expect(FastPathTests.identical(a.zipMap(b) { $0 * 2 - $1 }, ref(a, b) { $0 * 2 - $1 }))
        #expect(FastPathTests.identical(a.broadcast(to: ref(a, b, +).shape), ref(a, b) { x, _ in x }))
    }








    @Test("compound assignment updates in place, equals the plain operator, and leaves copies alone",
          arguments: Array(broadcastPairs.indices))
    func compoundAssignment(index: Int) {
        let (sa, sb) = FastPathTests.broadcastPairs[index]
        let a = FastPathTests.sample(sa, seed: UInt64(index + 1), special: true)
        let b = FastPathTests.sample(sb, seed: UInt64(index + 50))
        var x = a
        let copy = x
        x += b
        #expect(FastPathTests.identical(x, a + b))
        #expect(FastPathTests.identical(copy, a))      // the copy did not see the update
        x = a; x -= b; #expect(FastPathTests.identical(x, a - b))
        x = a; x *= b; #expect(FastPathTests.identical(x, a * b))
        x = a; x /= b; #expect(FastPathTests.identical(x, a / b))
        x = a; x += 1.5; #expect(FastPathTests.identical(x, a + 1.5))
        x = a; x *= -2; #expect(FastPathTests.identical(x, a * -2))
        x = a; x += x; #expect(FastPathTests.identical(x, a + a))   // aliasing itself
    }

    @Test("scalar operators and the math functions match a per-element map")
    func scalarOperators() {
        let x = FastPathTests.sample([7, 9], seed: 3, special: true)
        func same(_ t: Tensor, _ f: (Double) -> Double) -> Bool {
            FastPathTests.identical(t, Tensor(shape: x.shape, scalars: x.scalars.map(f)))
        }
        #expect(same(x + 2, { $0 + 2 }))
        #expect(same(2 - x, { 2 - $0 }))
        #expect(same(x * 0, { $0 * 0 }))
        #expect(same(1 / x, { 1 / $0 }))
        #expect(same(-x, { -$0 }))
        #expect(same(maximum(x, 0), { Swift.max($0, 0) }))
        #expect(same(exp(x), { Foundation.exp($0) }))
        #expect(same(x .> 0, { $0 > 0 ? 1 : 0 }))
        #expect(same(x.clamped(to: -1...1), { Swift.min(Swift.max($0, -1), 1) }))
        #expect(FastPathTests.identical(Tensor.zeros([0, 3]) + 1, Tensor.zeros([0, 3])))
    }

    // MARK: Reductions and transposes

    @Test("sum, max and min along every axis equal the per-index fold",
          arguments: [[4, 5], [3, 4, 5], [1, 6], [6, 1], [2, 0, 3], [0, 4], [5], [2, 3, 1, 4]])
    func reductionsMatchReference(shape: [Int]) {
        let x = FastPathTests.sample(shape, seed: UInt64(shape.reduce(7, *)), special: shape.count == 3)
        for axis in shape.indices {
            let ref = FastPathTests.referenceFold
            if shape[(axis + 1)...].allSatisfy({ $0 == 1 }) {
                // Along contiguous elements: four interleaved partial sums, then the tail in order.
                var reduced = shape
                reduced.remove(at: axis)
                let rows = FastPathTests.referenceLastAxisSum(x.reshaped([shape[..<axis].reduce(1, *), shape[axis]]))
                #expect(FastPathTests.identical(x.sum(axis: axis), rows.reshaped(reduced)))
            } else {
                #expect(FastPathTests.identical(x.sum(axis: axis), ref(x, axis, 0, +)))
            }
            #expect(FastPathTests.identical(x.max(axis: axis), ref(x, axis, -.infinity) { Swift.max($0, $1) }))
            #expect(FastPathTests.identical(x.min(axis: axis), ref(x, axis, .infinity) { Swift.min($0, $1) }))
            var kept = x.shape
            kept[axis] = 1
            #expect(x.sum(axis: axis, keepingDims: true).shape == kept)
        }
    }

    @Test("transposed and permuted equal the per-element definition",
          arguments: [[1, 1], [3, 5], [33, 70], [70, 33], [0, 4], [4, 0], [1, 9], [9, 1], [64, 64]])
    func transposeMatchesReference(shape: [Int]) {
        let x = FastPathTests.sample(shape, seed: 11, special: true)
        #expect(FastPathTests.identical(x.transposed(), FastPathTests.referenceTranspose(x)))
        #expect(FastPathTests.identical(x.transposed().transposed(), x))
        #expect(FastPathTests.identical(x.permuted([1, 0]), FastPathTests.referenceTranspose(x)))
    }

    @Test("permuted moves every element where the multi-index says",
          arguments: [[0, 2, 1], [2, 0, 1], [1, 2, 0], [2, 1, 0], [0, 1, 2]])
    func permutedMatchesReference(axes: [Int]) {
        for shape in [[3, 4, 5], [2, 1, 6], [1, 40, 35], [0, 2, 3]] {
            let x = FastPathTests.sample(shape, seed: 12)
            let y = x.permuted(axes)
            #expect(y.shape == axes.map { shape[$0] })
            for index in allIndices(shape) {
                #expect(y[index: axes.map { index[$0] }].bitPattern == x[index: index].bitPattern)
            }
        }
        // Batches of transposes.
        let batch = FastPathTests.sample([3, 33, 40], seed: 13)
        let t = batch.transposed()
        for i in 0..<3 {
            #expect(FastPathTests.identical(t.select(axis: 0, index: i),
                                            FastPathTests.referenceTranspose(batch.select(axis: 0, index: i))))
        }
    }

    // MARK: Last-axis max, min and argmax; where

    /// Rows of every length 0…11 holding ±0, ±∞ and NaN at many positions: the
    /// vectorized last-axis max and min keep the fold's NaN skipping and its
    /// choice between 0 and −0 (max keeps the last of equal elements, min the first).
    /// argmax keeps the first index whose element is strictly larger than all
    /// before it, so NaN never wins. Each row of up to 11 elements covers the
    /// four-lane body, the scalar tail and both, and the lone −0 and NaN loops
    /// below put the special value at every position of rows of 1 to 9.
    @Test("max, min and argmax along the last axis equal the in-order fold, signed zeros and NaN included",
          arguments: Array(0...11))
    func lastAxisExtremesMatchReference(length: Int) {
        let pool: [Double] = [0, -0.0, .nan, .infinity, -.infinity, 1.5, -2, 0, -0.0, 3]
        var generator = SeededGenerator(seed: UInt64(40 + length))
        for shape in [[6, length], [2, 3, length], [length]] {
            var x = Tensor.zeros(shape)
            x.withScalars { s in
                for i in s.indices {
                    s[i] = generator.nextBool(probability: 0.6) ? generator.element(of: pool) : generator.nextNormal()
                }
            }
            let axis = shape.count - 1
            #expect(FastPathTests.identical(x.max(axis: axis), FastPathTests.referenceFold(x, axis: axis, initial: -.infinity) { Swift.max($0, $1) }))
            #expect(FastPathTests.identical(x.min(axis: -1), FastPathTests.referenceFold(x, axis: axis, initial: .infinity) { Swift.min($0, $1) }))
            var kept = shape
            kept[axis] = 1
            #expect(x.max(axis: -1, keepingDims: true).shape == kept)
            var reference: [Double] = []
            let rows = length == 0 ? shape.dropLast().reduce(1, *) : x.count / length
            for r in 0..<rows {
                var best = 0
                for k in 0..<length where x.scalars[r * length + k] > x.scalars[r * length + best] { best = k }
                reference.append(Double(best))
            }
            #expect(x.argmax(axis: axis) == Tensor(shape: Array(shape.dropLast()), scalars: reference))
        }
        // Every position of a lone −0 among zeros, and of a lone NaN.
        for n in 1...9 {
            for position in 0..<n {
                var zeros = Tensor.zeros([1, n])
                zeros.withScalars { $0[position] = -0.0 }
                #expect(FastPathTests.identical(zeros.max(axis: 1), FastPathTests.referenceFold(zeros, axis: 1, initial: -.infinity) { Swift.max($0, $1) }))
                #expect(FastPathTests.identical(zeros.min(axis: 1), FastPathTests.referenceFold(zeros, axis: 1, initial: .infinity) { Swift.min($0, $1) }))
                var withNaN = FastPathTests.sample([1, n], seed: UInt64(n))
                withNaN.withScalars { $0[position] = .nan }
                #expect(FastPathTests.identical(withNaN.max(axis: 1), FastPathTests.referenceFold(withNaN, axis: 1, initial: -.infinity) { Swift.max($0, $1) }))
            }
        }
    }

    /// `where` reads same-shaped and one-element operands in place; the rest are broadcast first.
    @Test("where equals the per-element choice for every broadcast combination",
          arguments: [[[3, 4], [3, 4], [3, 4]], [[3, 4], [], [3, 4]], [[3, 4], [3, 4], []], [[4], [3, 4], [1]],
                      [[3, 1], [3, 4], [4]], [[2, 1, 4], [3, 1], [1, 1, 1]], [[0, 4], [4], []], [[1], [1], [1]],
                      [[2, 3, 4], [2, 3, 4], [2, 3, 4]]])
    func whereMatchesReference(shapes: [[Int]]) {
        var mask = FastPathTests.sample(shapes[0], seed: 21, special: true)
        mask.withScalars { s in for i in s.indices where i % 3 == 0 { s[i] = 0 } }   // zeros pick b; NaN and the rest pick a
        let a = FastPathTests.sample(shapes[1], seed: 22, special: true), b = FastPathTests.sample(shapes[2], seed: 23)
        let shape = Tensor.broadcastShape(mask.shape, Tensor.broadcastShape(a.shape, b.shape)!)!
        let m = mask.broadcast(to: shape), x = a.broadcast(to: shape), y = b.broadcast(to: shape)
        let reference = Tensor(shape: shape, scalars: m.scalars.indices.map { m.scalars[$0] != 0 ? x.scalars[$0] : y.scalars[$0] })
        #expect(FastPathTests.identical(Tensor.where(mask, a, b), reference))
    }
}
