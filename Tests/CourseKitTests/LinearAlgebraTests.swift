import CourseKit
import Testing

@Suite("Tensor: linear algebra")
struct LinearAlgebraTests {
    /// The textbook triple loop.
    static func naiveMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape[0], k = a.shape[1], m = b.shape[1]
        var out = Tensor.zeros([n, m])
        for i in 0..<n {
            for j in 0..<m {
                var total = 0.0
                for p in 0..<k { total += a[i, p] * b[p, j] }
                out[i, j] = total
            }
        }
        return out
    }

    @Test("2-D matmul by hand")
    func matmulByHand() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        let b = Tensor([[7, 8], [9, 10], [11, 12]])
        #expect(matmul(a, b) == Tensor([[58, 64], [139, 154]]))
        #expect(matmul(b, a) == Tensor([[39, 54, 69], [49, 68, 87], [59, 82, 105]]))
        #expect(matmul(Tensor.identity(2), a) == a)
        #expect(matmul(a, Tensor.identity(3)) == a)
        // An inner size of 0 gives zeros.
        #expect(matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 3])) == Tensor.zeros([2, 3]))
    }

    @Test("2-D matmul agrees with the triple loop, and (AB)ᵀ = BᵀAᵀ", arguments: [(1, 1, 1), (3, 4, 5), (7, 2, 6), (5, 9, 1)])
    func matmulAgainstLoop(n: Int, k: Int, m: Int) {
        let a = randomTensor([n, k], seed: UInt64(n * 100 + k))
        let b = randomTensor([k, m], seed: UInt64(m * 1000 + k))
        let ab = matmul(a, b)
        expectClose(ab, Self.naiveMatmul(a, b), tolerance: 1e-12)
        expectClose(ab.transposed(), matmul(b.transposed(), a.transposed()), tolerance: 1e-12)
    }

    @Test("overflow is not hidden: 0 × ∞ stays NaN")
    func zeroTimesInfinity() {
        let r = matmul(Tensor([[0, 1]]), Tensor([[Double.infinity], [1]]))
        #expect(r.scalars[0].isNaN)
    }

    @Test("matmul with vector operands")
    func vectorOperands() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        // [n, k] × [k] → [n]
        let av = matmul(a, Tensor([1, 0, -1]))
        #expect(av.shape == [2])
        #expect(av == Tensor([-2, -2]))
        // [k] × [k, m] → [m]
        let va = matmul(Tensor([1, -1]), a)
        #expect(va.shape == [3])
        #expect(va == Tensor([-3, -3, -3]))
        // [k] × [k] → a rank-0 tensor, the dot product (numpy's convention).
        let vv = matmul(Tensor([1, 2, 3]), Tensor([4, 5, 6]))
        #expect(vv.shape == [])
        #expect(vv.scalar == 32)
        // A batch times a vector, and a vector times a batch.
        let batch = randomTensor([4, 2, 3], seed: 3)
        let v3 = Tensor([0.5, -1, 2]), v2 = Tensor([3, -2])
        let bv = matmul(batch, v3)
        #expect(bv.shape == [4, 2])
        let vb = matmul(v2, batch)
        #expect(vb.shape == [4, 3])
        for t in 0..<4 {
            expectClose(bv.row(t), matmul(batch.row(t), v3))
            expectClose(vb.row(t), matmul(v2, batch.row(t)))
        }
    }

    @Test("batched matmul equals a loop of 2-D matmuls")
    func batchedMatmul() {
        let a = randomTensor([5, 3, 4], seed: 1)
        let b = randomTensor([5, 4, 2], seed: 2)
        let c = matmul(a, b)
        #expect(c.shape == [5, 3, 2])
        for t in 0..<5 { expectClose(c.row(t), Self.naiveMatmul(a.row(t), b.row(t))) }

        // A batch times one matrix: every matrix of the batch is multiplied.
        let w = randomTensor([4, 6], seed: 3)
        let cw = matmul(a, w)
        #expect(cw.shape == [5, 3, 6])
        for t in 0..<5 { expectClose(cw.row(t), Self.naiveMatmul(a.row(t), w)) }
        // One matrix times a batch.
        let x = randomTensor([2, 3], seed: 4)
        let xa = matmul(x, a)
        #expect(xa.shape == [5, 2, 4])
        for t in 0..<5 { expectClose(xa.row(t), Self.naiveMatmul(x, a.row(t))) }
    }

    @Test("batch axes broadcast: [2, 1, n, k] × [3, k, m] → [2, 3, n, m]")
    func broadcastBatches() {
        let a = randomTensor([2, 1, 3, 4], seed: 5)
        let b = randomTensor([3, 4, 2], seed: 6)
        let c = matmul(a, b)
        #expect(c.shape == [2, 3, 3, 2])
        for i in 0..<2 {
            for j in 0..<3 {
                let expected = Self.naiveMatmul(a.row(i).row(0), b.row(j))
                expectClose(c.row(i).row(j), expected)
            }
        }
    }

    @Test("dot and outer")
    func dotAndOuter() {
        #expect(dot(Tensor([1, 2, 3]), Tensor([4, -5, 6])) == 12)
        #expect(dot(Tensor.zeros([0]), Tensor.zeros([0])) == 0)
        #expect(outer(Tensor([1, 2]), Tensor([3, 4, 5])) == Tensor([[3, 4, 5], [6, 8, 10]]))
        let v = randomTensor([4], seed: 1), w = randomTensor([3], seed: 2)
        expectClose(outer(v, w), v.reshaped([4, 1]) * w)
    }

    @Test("solveLinearSystem by hand")
    func solveByHand() {
        // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3
        let x = solveLinearSystem(Tensor([[2, 1], [1, 3]]), Tensor([5, 10]))
        expectClose(x, Tensor([1, 3]), tolerance: 1e-12)
        #expect(solveLinearSystem(Tensor([[4]]), Tensor([2])) == Tensor([0.5]))
        // Several right-hand sides at once: solving against the identity inverts.
        let a = Tensor([[4, 7], [2, 6]])
        let inverse = solveLinearSystem(a, Tensor.identity(2))
        expectClose(inverse, Tensor([[0.6, -0.7], [-0.2, 0.4]]), tolerance: 1e-12)
    }

    @Test("solveLinearSystem pivots past a zero on the diagonal")
    func pivoting() {
        // Without row exchanges the first step would divide by a[0][0] = 0.
        let a = Tensor([[0, 1, 2], [1, 0, 3], [4, -3, 8]])
        let truth = Tensor([1, -2, 3])
        let b = matmul(a, truth)
        let x = solveLinearSystem(a, b)
        #expect(x.isFinite)
        expectClose(x, truth, tolerance: 1e-12)
        // A tiny pivot that naive elimination would divide by, ruining the answer.
        let tiny = Tensor([[1e-20, 1], [1, 1]])
        let y = solveLinearSystem(tiny, Tensor([1, 2]))
        expectClose(y, Tensor([1, 1]), tolerance: 1e-12)
        // A permutation matrix: every diagonal entry is 0.
        let p = Tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
        #expect(solveLinearSystem(p, Tensor([1, 2, 3])) == Tensor([2, 3, 1]))
    }

    @Test("solveLinearSystem has a tiny residual on random well-conditioned systems", arguments: [1, 2, 5, 12, 30])
    func randomSystems(n: Int) {
        for seed in UInt64(0)..<4 {
            // Random plus a dominant diagonal: well conditioned.
            let a = randomTensor([n, n], seed: seed) + Tensor.identity(n) * Double(2 * n)
            let b = randomTensor([n], seed: seed + 50)
            let x = solveLinearSystem(a, b)
            #expect(x.shape == [n])
            let residual = (matmul(a, x) - b).norm()
            #expect(residual <= 1e-10 * Swift.max(1, b.norm()), "n = \(n), residual \(residual)")
            // Several right-hand sides solve column by column.
            let bs = randomTensor([n, 3], seed: seed + 90)
            let xs = solveLinearSystem(a, bs)
            #expect(xs.shape == [n, 3])
            #expect((matmul(a, xs) - bs).norm() <= 1e-10 * Swift.max(1, bs.norm()))
            expectClose(xs.select(axis: 1, index: 1), solveLinearSystem(a, bs.select(axis: 1, index: 1)), tolerance: 1e-12)
        }
    }

    @Test("random systems without diagonal dominance still solve (partial pivoting)")
    func randomPlainSystems() {
        for seed in UInt64(0)..<10 {
            let a = randomTensor([6, 6], seed: 1000 + seed)
            let truth = randomTensor([6], seed: 2000 + seed)
            let x = solveLinearSystem(a, matmul(a, truth))
            expectClose(x, truth, tolerance: 1e-8)
        }
    }

    @Test("invalid products and systems stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3])) }
        await #expect(processExitsWith: .failure) { _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([2])) }
        await #expect(processExitsWith: .failure) { _ = matmul(Tensor(1), Tensor.zeros([1, 1])) }
        await #expect(processExitsWith: .failure) { _ = matmul(Tensor.zeros([2, 1, 2]), Tensor.zeros([3, 2, 1])) }
        await #expect(processExitsWith: .failure) { _ = dot(Tensor([1, 2]), Tensor([1])) }
        await #expect(processExitsWith: .failure) { _ = solveLinearSystem(Tensor([[1, 2], [2, 4]]), Tensor([1, 2])) }
        await #expect(processExitsWith: .failure) { _ = solveLinearSystem(Tensor.zeros([2, 3]), Tensor([1, 2])) }
        await #expect(processExitsWith: .failure) { _ = solveLinearSystem(Tensor.identity(2), Tensor([1, 2, 3])) }
    }
}
