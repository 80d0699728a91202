import CourseKit
import Testing

@Suite("Tensor: broadcasting arithmetic")
struct BroadcastingTests {
    static let compatible: [([Int], [Int], [Int])] = [
        ([4, 3], [3], [4, 3]),
        ([4, 1], [1, 3], [4, 3]),
        ([3], [4, 3], [4, 3]),
        ([], [2, 3], [2, 3]),
        ([2, 3], [], [2, 3]),
        ([2, 1, 3], [4, 1], [2, 4, 3]),
        ([5, 1, 1], [1, 6, 1], [5, 6, 1]),
        ([1], [7], [7]),
        ([0, 3], [3], [0, 3]),
        ([0], [1], [0]),
        ([2, 3], [2, 3], [2, 3]),
    ]

    @Test("broadcastShape of compatible shapes", arguments: compatible)
    func broadcastShape(a: [Int], b: [Int], expected: [Int]) {
        #expect(Tensor.broadcastShape(a, b) == expected)
        #expect(Tensor.broadcastShape(b, a) == expected)
    }

    @Test("broadcastShape of incompatible shapes is nil",
          arguments: [([4, 3], [4]), ([2, 3], [3, 2]), ([2], [3]), ([0], [2]), ([2, 1, 3], [2, 4])])
    func incompatible(a: [Int], b: [Int]) {
        #expect(Tensor.broadcastShape(a, b) == nil)
        #expect(Tensor.broadcastShape(b, a) == nil)
    }

    @Test("a vector is added to every row: [4, 3] + [3]")
    func rowVector() {
        let x = Tensor([[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3]])
        let b = Tensor([10, 20, 30])
        let expected = Tensor([[10, 20, 30], [11, 21, 31], [12, 22, 32], [13, 23, 33]])
        #expect(x + b == expected)
        #expect(b + x == expected)
        #expect(x - b == Tensor([[-10, -20, -30], [-9, -19, -29], [-8, -18, -28], [-7, -17, -27]]))
    }

    @Test("a column times a row is an outer product: [4, 1] * [1, 3]")
    func columnTimesRow() {
        let column = Tensor([[1], [2], [3], [4]])
        let row = Tensor([[1, 10, 100]])
        let expected = Tensor([[1, 10, 100], [2, 20, 200], [3, 30, 300], [4, 40, 400]])
        #expect(column * row == expected)
        #expect(row * column == expected)
        #expect(row / column == Tensor([[1, 10, 100], [0.5, 5, 50], [1.0 / 3, 10.0 / 3, 100.0 / 3], [0.25, 2.5, 25]]))
    }

    @Test("Double scalars on either side")
    func doubleScalars() {
        let x = Tensor([[1, 2], [4, 8]])
        #expect(x + 1 == Tensor([[2, 3], [5, 9]]))
        #expect(1 + x == Tensor([[2, 3], [5, 9]]))
        #expect(x - 1 == Tensor([[0, 1], [3, 7]]))
        #expect(1 - x == Tensor([[0, -1], [-3, -7]]))
        #expect(x * 2 == Tensor([[2, 4], [8, 16]]))
        #expect(2 * x == Tensor([[2, 4], [8, 16]]))
        #expect(x / 2 == Tensor([[0.5, 1], [2, 4]]))
        #expect(8 / x == Tensor([[8, 4], [2, 1]]))
        #expect(-x == Tensor([[-1, -2], [-4, -8]]))
    }

    @Test("rank-0 tensors broadcast against any shape, and with each other")
    func rankZero() {
        let x = Tensor([[1, 2], [3, 4]])
        let two = Tensor(2)
        #expect(x * two == x * 2)
        #expect(two - x == Tensor([[1, 0], [-1, -2]]))
        #expect(x / two == Tensor([[0.5, 1], [1.5, 2]]))
        let sum = Tensor(3) + Tensor(4)
        #expect(sum.shape == [] && sum.scalar == 7)
        // A one-element tensor of higher rank broadcasts too, and the result has the larger rank.
        let y = Tensor([5]) + Tensor(1)
        #expect(y.shape == [1] && y.scalar == 6)
        let z = Tensor([[5]]) + Tensor([1, 2, 3])
        #expect(z == Tensor([[6, 7, 8]]))
    }

    @Test("rank-3 broadcasting agrees with an explicit loop")
    func higherRank() {
        let a = randomTensor([2, 1, 3], seed: 1)
        let b = randomTensor([4, 1], seed: 2)
        let c = a * b + a
        #expect(c.shape == [2, 4, 3])
        for index in allIndices(c.shape) {
            let (i, j, k) = (index[0], index[1], index[2])
            #expect(c[i, j, k] == a[i, 0, k] * b[j, 0] + a[i, 0, k])
        }
    }

    @Test("zero-size axes broadcast to empty results")
    func emptyShapes() {
        let e = Tensor.zeros([0, 3]) + Tensor([1, 2, 3])
        #expect(e.shape == [0, 3] && e.count == 0)
        let f = Tensor.zeros([0, 1]) * Tensor.ones([1, 4])
        #expect(f.shape == [0, 4] && f.count == 0)
    }





    /// `+=`, `-=`, `*=` and `/=` broadcast the right-hand side, a tensor or a
    /// scalar, like their binary operators.
    @Test("compound assignment operators")
    func compoundAssignment() {
        var x = Tensor([[1, 2], [3, 4]])
        x += Tensor([10, 20])
        #expect(x == Tensor([[11, 22], [13, 24]]))
        x -= Tensor([[1], [3]])
        #expect(x == Tensor([[10, 21], [10, 21]]))
        x *= Tensor(2)
        #expect(x == Tensor([[20, 42], [20, 42]]))
        x /= Tensor([2, 42])
        #expect(x == Tensor([[10, 1], [10, 1]]))
        x += 1
        x -= 2
        x *= 3
        x /= 9
        #expect(x == Tensor([[3, 0], [3, 0]]))
    }

    @Test("broadcast(to:) repeats along broadcast axes")
    func broadcastTo() {
        #expect(Tensor([1, 2, 3]).broadcast(to: [2, 3]) == Tensor([[1, 2, 3], [1, 2, 3]]))
        #expect(Tensor([[1], [2]]).broadcast(to: [2, 3]) == Tensor([[1, 1, 1], [2, 2, 2]]))
        #expect(Tensor(5).broadcast(to: [2, 2]) == Tensor(shape: [2, 2], repeating: 5))
        let x = Tensor([[1, 2]])
        #expect(x.broadcast(to: [1, 2]) == x)
        #expect(x.broadcast(to: [3, 1, 2]).shape == [3, 1, 2])
    }

    @Test("reduced(toShape:) sums broadcast axes back, by hand")
    func reducedByHand() {
        let g = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(g.reduced(toShape: [3]) == Tensor([5, 7, 9]))
        #expect(g.reduced(toShape: [1, 3]) == Tensor([[5, 7, 9]]))
        #expect(g.reduced(toShape: [2, 1]) == Tensor([[6], [15]]))
        #expect(g.reduced(toShape: [1, 1]) == Tensor([[21]]))
        let total = g.reduced(toShape: [])
        #expect(total.shape == [] && total.scalar == 21)
        #expect(g.reduced(toShape: [2, 3]) == g)
        // The bias gradient of y = x + b: the upstream summed over the rows.
        let upstream = Tensor.ones([4, 3])
        #expect(upstream.reduced(toShape: [3]) == Tensor([4, 4, 4]))
    }

    static let broadcastPairs: [([Int], [Int])] = [
        ([3], [4, 3]), ([4, 1], [4, 3]), ([1, 3], [4, 3]), ([], [2, 3]), ([1], [5]),
        ([2, 1, 3], [2, 4, 3]), ([4, 1], [2, 4, 3]), ([1, 1, 1], [2, 3, 4]), ([3, 1], [2, 3, 5]),
    ]

    /// Broadcasting is a linear map B from shape S to shape T; reduced(toShape:) must be
    /// its adjoint: ⟨g, B(x)⟩ = ⟨reduced(g), x⟩ for every x and g.
    @Test("reduced(toShape:) is the adjoint of broadcast(to:)", arguments: broadcastPairs)
    func reducedIsAdjoint(small: [Int], large: [Int]) {
        for seed in UInt64(0)..<5 {
            let x = randomTensor(small, seed: seed)
            let g = randomTensor(large, seed: seed + 100)
            let reduced = g.reduced(toShape: small)
            #expect(reduced.shape == small)
            let lhs = (g * x.broadcast(to: large)).sum()
            let rhs = (reduced * x).sum()
            expectClose(lhs, rhs, tolerance: 1e-10)
            // With x all ones: each element of reduced(g) is the sum of the g's it was copied to.
            #expect(reduced.sum().isApproximatelyEqual(to: g.sum()))
        }
    }

    @Test("incompatible shapes stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = Tensor([[1, 2, 3]]) + Tensor([1, 2]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([4, 3]) * Tensor.zeros([4]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).zipMap(Tensor.zeros([3, 2]), +) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).broadcast(to: [3]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).broadcast(to: [2, 2]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).reduced(toShape: [2]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([3]).reduced(toShape: [2, 3]) }
    }
}

private extension Double {
    func isApproximatelyEqual(to other: Double) -> Bool { Swift.abs(self - other) <= 1e-10 * Swift.max(1, Swift.abs(other)) }
}
