import CourseKit
import Testing

@Suite("Tensor: shape operations")
struct ShapeTests {
    let m = Tensor([[1, 2, 3], [4, 5, 6]])

    @Test("reshaped keeps the row-major order and infers -1")
    func reshaped() {
        let r = Tensor.arange(0, 6).reshaped([2, -1])
        #expect(r.shape == [2, 3])
        #expect(r == Tensor([[0, 1, 2], [3, 4, 5]]))
        #expect(r.reshaped([-1]) == Tensor.arange(0, 6))
        #expect(r.reshaped([3, 2]) == Tensor([[0, 1], [2, 3], [4, 5]]))
        #expect(r.reshaped([1, -1, 2]).shape == [1, 3, 2])
        #expect(Tensor([7]).reshaped([]).shape == [])
        #expect(Tensor(7).reshaped([1, 1]) == Tensor([[7]]))
        #expect(m.flattened() == Tensor([1, 2, 3, 4, 5, 6]))
    }

    @Test("permuted by hand: result axis i is input axis axes[i]")
    func permutedByHand() {
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        let p = t.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for index in allIndices(t.shape) {
            let (i, j, k) = (index[0], index[1], index[2])
            #expect(p[k, i, j] == t[i, j, k])
        }
        #expect(m.permuted([1, 0]) == Tensor([[1, 4], [2, 5], [3, 6]]))
        #expect(m.permuted([0, 1]) == m)
        #expect(Tensor(3).permuted([]) == Tensor(3))
    }

    static let permutationCases: [[Int]] = [[2, 3], [2, 3, 4], [1, 4, 2], [2, 1, 3, 2], [3, 2, 2, 1, 2]]

    /// Every permutation of `0..<n`.
    static func permutations(_ n: Int) -> [[Int]] {
        guard n > 0 else { return [[]] }
        return permutations(n - 1).flatMap { p in (0...p.count).map { var q = p; q.insert(n - 1, at: $0); return q } }
    }

    @Test("permuting by p then by the inverse of p is the identity, on random tensors", arguments: permutationCases)
    func permutedRoundTrip(shape: [Int]) {
        for (n, axes) in Self.permutations(shape.count).enumerated() {
            let t = randomTensor(shape, seed: UInt64(n))
            var inverse = Array(repeating: 0, count: axes.count)
            for (i, a) in axes.enumerated() { inverse[a] = i }
            let p = t.permuted(axes)
            #expect(p.shape == axes.map { shape[$0] })
            #expect(p.permuted(inverse) == t)
            // The same elements, rearranged.
            #expect(p.scalars.sorted() == t.scalars.sorted())
            // Spot-check the mapping of indices.
            for index in allIndices(shape).prefix(10) {
                #expect(p[index: axes.map { index[$0] }] == t[index: index])
            }
        }
    }

    @Test("transposed swaps the last two axes; twice is the identity", arguments: [[3, 5], [1, 4], [2, 3, 4], [2, 1, 3, 2]])
    func transposedRoundTrip(shape: [Int]) {
        for seed in UInt64(0)..<3 {
            let t = randomTensor(shape, seed: seed)
            let tt = t.transposed()
            var swapped = shape
            swapped.swapAt(shape.count - 1, shape.count - 2)
            #expect(tt.shape == swapped)
            #expect(tt.transposed() == t)
            #expect(t.swappingAxes(-1, -2) == tt)
            for index in allIndices(shape) {
                var j = index
                j.swapAt(j.count - 1, j.count - 2)
                #expect(tt[index: j] == t[index: index])
            }
        }
    }

    @Test("transposing by hand; a vector and a scalar are unchanged")
    func transposedByHand() {
        #expect(m.transposed() == Tensor([[1, 4], [2, 5], [3, 6]]))
        #expect(Tensor([1, 2, 3]).transposed() == Tensor([1, 2, 3]))
        #expect(Tensor(1).transposed() == Tensor(1))
        let t = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        #expect(t.swappingAxes(0, 2).shape == [4, 3, 2])
        #expect(t.swappingAxes(0, 2)[3, 1, 0] == t[0, 1, 3])
        #expect(t.swappingAxes(1, 1) == t)
    }

    @Test("expandingDims and squeezing")
    func expandAndSqueeze() {
        let v = Tensor([1, 2, 3])
        #expect(v.expandingDims(at: 0).shape == [1, 3])
        #expect(v.expandingDims(at: 1).shape == [3, 1])
        #expect(v.expandingDims(at: -1).shape == [3, 1])
        #expect(v.expandingDims(at: -2).shape == [1, 3])
        #expect(Tensor(5).expandingDims(at: 0) == Tensor([5]))
        #expect(v.expandingDims(at: 1).squeezing(axis: 1) == v)
        #expect(Tensor.zeros([2, 1, 3]).squeezing(axis: -2).shape == [2, 3])
        #expect(Tensor([4]).squeezing(axis: 0).shape == [])
    }





    /// A slice along one axis keeps every axis, even one of size 1, so code that
    /// slices a batch keeps working on a batch of one.
    @Test("slice keeps the rank")
    func slice() {
        let t = Tensor(shape: [4, 3], scalars: (0..<12).map(Double.init))
        #expect(t.slice(axis: 0, 1..<3) == Tensor([[3, 4, 5], [6, 7, 8]]))
        #expect(t.slice(axis: 1, 1..<3) == Tensor([[1, 2], [4, 5], [7, 8], [10, 11]]))
        #expect(t.slice(axis: -1, 0..<1) == Tensor([[0], [3], [6], [9]]))
        #expect(t.slice(axis: 0, 2..<2).shape == [0, 3])
        #expect(t.slice(axis: 0, 0..<4) == t)
        let r3 = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Double.init))
        #expect(r3.slice(axis: 1, 1..<2) == Tensor(shape: [2, 1, 2], scalars: [2, 3, 8, 9]))
    }

    @Test("select and row remove the axis")
    func select() {
        let t = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Double.init))
        #expect(t.select(axis: 1, index: 2) == Tensor([[4, 5], [10, 11]]))
        #expect(t.select(axis: -1, index: 0) == Tensor([[0, 2, 4], [6, 8, 10]]))
        #expect(t.select(axis: 0, index: 1) == Tensor([[6, 7], [8, 9], [10, 11]]))
        #expect(m.row(1) == Tensor([4, 5, 6]))
        #expect(Tensor([1, 2, 3]).row(2) == Tensor(3))
    }

    @Test("rows(at:) gathers rows in the given order, repeats allowed")
    func rowsAt() {
        let t = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(t.rows(at: [2, 0]) == Tensor([[5, 6], [1, 2]]))
        #expect(t.rows(at: [1, 1, 1]) == Tensor([[3, 4], [3, 4], [3, 4]]))
        #expect(t.rows(at: []).shape == [0, 2])
        #expect(Tensor([10, 20, 30]).rows(at: [2, 0]) == Tensor([30, 10]))
        let r3 = Tensor(shape: [3, 2, 2], scalars: (0..<12).map(Double.init))
        #expect(r3.rows(at: [1]) == r3.slice(axis: 0, 1..<2))
    }

    @Test("setSelection writes one index along an axis")
    func setSelection() {
        var t = Tensor.zeros([2, 3])
        t.setSelection(axis: 1, index: 2, to: Tensor([7, 8]))
        #expect(t == Tensor([[0, 0, 7], [0, 0, 8]]))
        t.setSelection(axis: 0, index: 0, to: Tensor([1, 2, 3]))
        #expect(t == Tensor([[1, 2, 3], [0, 0, 8]]))
        t.setSelection(axis: -1, index: 0, to: Tensor([-1, -2]))
        #expect(t == Tensor([[-1, 2, 3], [-2, 0, 8]]))
        // select after setSelection gives the value back, on a rank-3 tensor.
        var r3 = randomTensor([3, 4, 2], seed: 5)
        let value = randomTensor([3, 2], seed: 6)
        r3.setSelection(axis: 1, index: 3, to: value)
        #expect(r3.select(axis: 1, index: 3) == value)
    }

    @Test("concatenate joins along an existing axis")
    func concatenate() {
        let a = Tensor([[1, 2], [3, 4]])
        let b = Tensor([[5, 6]])
        #expect(Tensor.concatenate([a, b], axis: 0) == Tensor([[1, 2], [3, 4], [5, 6]]))
        let c = Tensor([[7], [8]])
        #expect(Tensor.concatenate([a, c], axis: 1) == Tensor([[1, 2, 7], [3, 4, 8]]))
        #expect(Tensor.concatenate([c, a, c], axis: -1) == Tensor([[7, 1, 2, 7], [8, 3, 4, 8]]))
        #expect(Tensor.concatenate([a], axis: 0) == a)
        #expect(Tensor.concatenate([Tensor([1]), Tensor.zeros([0]), Tensor([2, 3])], axis: 0) == Tensor([1, 2, 3]))
        // Splitting with slices and concatenating again gives the original back.
        let t = randomTensor([3, 5, 2], seed: 9)
        let parts = [t.slice(axis: 1, 0..<2), t.slice(axis: 1, 2..<3), t.slice(axis: 1, 3..<5)]
        #expect(Tensor.concatenate(parts, axis: 1) == t)
    }

    @Test("stack adds a new axis")
    func stack() {
        let a = Tensor([1, 2, 3]), b = Tensor([4, 5, 6])
        #expect(Tensor.stack([a, b], axis: 0) == Tensor([[1, 2, 3], [4, 5, 6]]))
        #expect(Tensor.stack([a, b], axis: 1) == Tensor([[1, 4], [2, 5], [3, 6]]))
        #expect(Tensor.stack([a, b], axis: -1) == Tensor([[1, 4], [2, 5], [3, 6]]))
        #expect(Tensor.stack([Tensor(1), Tensor(2)], axis: 0) == Tensor([1, 2]))
        // n tensors of shape [N, H] stacked at axis 1 give [N, n, H], and select undoes it.
        let steps = (0..<4).map { randomTensor([2, 3], seed: UInt64($0)) }
        let stacked = Tensor.stack(steps, axis: 1)
        #expect(stacked.shape == [2, 4, 3])
        for (t, step) in steps.enumerated() { #expect(stacked.select(axis: 1, index: t) == step) }
    }

    @Test("padded surrounds with a value")
    func padded() {
        let a = Tensor([[1, 2], [3, 4]])
        #expect(a.padded([(1, 0), (0, 2)]) == Tensor([[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]]))
        #expect(a.padded([(1, 1), (1, 1)], value: -1) == Tensor([
            [-1, -1, -1, -1],
            [-1, 1, 2, -1],
            [-1, 3, 4, -1],
            [-1, -1, -1, -1],
        ]))
        #expect(a.padded([(0, 0), (0, 0)]) == a)
        #expect(Tensor([5]).padded([(2, 1)]) == Tensor([0, 0, 5, 0]))
        #expect(Tensor.zeros([0, 2]).padded([(1, 0), (0, 0)], value: 3) == Tensor([[3, 3]]))
        // An [N, C, H, W] batch padded in H and W; the inside is the original.
        let x = randomTensor([2, 3, 4, 5], seed: 4)
        let p = x.padded([(0, 0), (0, 0), (1, 1), (2, 1)])
        #expect(p.shape == [2, 3, 6, 8])
        #expect(p.slice(axis: 2, 1..<5).slice(axis: 3, 2..<7) == x)
        #expect(p.sum() == x.sum())
    }

    @Test("invalid shape operations stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).reshaped([4]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).reshaped([4, -1]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).permuted([0, 0]) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).squeezing(axis: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).slice(axis: 1, 2..<4) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).select(axis: 0, index: 2) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).rows(at: [2]) }
        await #expect(processExitsWith: .failure) {
            var t = Tensor.zeros([2, 3])
            t.setSelection(axis: 0, index: 0, to: Tensor([1, 2]))
        }
        await #expect(processExitsWith: .failure) { _ = Tensor.concatenate([Tensor.zeros([2, 3]), Tensor.zeros([2, 2])], axis: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.concatenate([], axis: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.stack([Tensor([1]), Tensor([1, 2])], axis: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).padded([(1, 1)]) }
    }
}
