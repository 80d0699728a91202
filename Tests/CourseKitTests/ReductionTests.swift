import CourseKit
import Testing

@Suite("Tensor: reductions")
struct ReductionTests {
    let x = Tensor([[1, 2, 3], [4, 5, 6]])

    @Test("whole-tensor reductions")
    func wholeTensor() {
        #expect(x.sum() == 21)
        #expect(x.mean() == 3.5)
        #expect(x.max() == 6)
        #expect(x.min() == 1)
        #expect(x.argmax() == 5)
        #expect(Tensor([[3, 4]]).norm() == 5)
        #expect(Tensor.zeros([0]).sum() == 0)
        #expect(Tensor(-2).max() == -2 && Tensor(-2).min() == -2 && Tensor(-2).argmax() == 0)
        #expect(Tensor([-.infinity, -.infinity]).max() == -.infinity)
    }

    @Test("argmax returns the first of tied maxima")
    func argmaxTies() {
        #expect(Tensor([1, 3, 3, 2]).argmax() == 1)
        #expect(Tensor([5, 5, 5]).argmax() == 0)
        #expect(Tensor([[0, 7], [7, 7]]).argmax() == 1)
        let rows = Tensor([[2, 9, 9], [4, 4, 1], [0, 0, 0]])
        #expect(rows.argmax(axis: 1) == Tensor([1, 0, 0]))
        #expect(rows.argmax(axis: 0) == Tensor([1, 0, 0]))
        #expect(rows.argmax(axis: -1) == Tensor([1, 0, 0]))
    }

    @Test("sum, mean, max and min along each axis of a matrix")
    func alongAxes() {
        #expect(x.sum(axis: 0) == Tensor([5, 7, 9]))
        #expect(x.sum(axis: 1) == Tensor([6, 15]))
        #expect(x.sum(axis: -1) == Tensor([6, 15]))
        #expect(x.sum(axis: -2) == Tensor([5, 7, 9]))
        #expect(x.mean(axis: 0) == Tensor([2.5, 3.5, 4.5]))
        #expect(x.mean(axis: 1) == Tensor([2, 5]))
        #expect(x.max(axis: 0) == Tensor([4, 5, 6]))
        #expect(x.max(axis: 1) == Tensor([3, 6]))
        #expect(x.min(axis: 0) == Tensor([1, 2, 3]))
        #expect(x.min(axis: -1) == Tensor([1, 4]))
        #expect(x.argmax(axis: 0) == Tensor([1, 1, 1]))
        #expect(x.argmax(axis: 1) == Tensor([2, 2]))
    }

    @Test("keepingDims keeps the reduced axis with size 1, ready to broadcast back")
    func keepingDims() {
        let rowSums = x.sum(axis: 1, keepingDims: true)
        #expect(rowSums == Tensor([[6], [15]]))
        #expect(x.sum(axis: 0, keepingDims: true) == Tensor([[5, 7, 9]]))
        #expect(x.mean(axis: -1, keepingDims: true) == Tensor([[2], [5]]))
        #expect(x.max(axis: -2, keepingDims: true) == Tensor([[4, 5, 6]]))
        #expect(x.min(axis: 1, keepingDims: true).shape == [2, 1])
        // Each row divided by its sum sums to one.
        let normalized = x / rowSums
        #expect(normalized.sum(axis: 1).isApproximatelyEqual(to: Tensor([1, 1])))
    }

    @Test("reducing a vector gives a rank-0 tensor")
    func vectorToScalar() {
        let v = Tensor([1, 5, 2])
        #expect(v.sum(axis: 0).shape == [])
        #expect(v.sum(axis: 0).scalar == 8)
        #expect(v.max(axis: -1).scalar == 5)
        #expect(v.argmax(axis: 0).scalar == 1)
        #expect(v.sum(axis: 0, keepingDims: true) == Tensor([8]))
    }

    @Test("rank-3 reductions agree with explicit loops, for every axis and both signs")
    func rank3AgainstLoops() {
        let t = randomTensor([3, 4, 5], seed: 11)
        for axis in 0..<3 {
            var reducedShape = t.shape
            reducedShape.remove(at: axis)
            var sums = Tensor.zeros(reducedShape)
            var maxima = Tensor(shape: reducedShape, repeating: -.infinity)
            var minima = Tensor(shape: reducedShape, repeating: .infinity)
            for index in allIndices(t.shape) {
                var rest = index
                rest.remove(at: axis)
                sums[index: rest] += t[index: index]
                maxima[index: rest] = Swift.max(maxima[index: rest], t[index: index])
                minima[index: rest] = Swift.min(minima[index: rest], t[index: index])
            }
            for a in [axis, axis - 3] {
                expectClose(t.sum(axis: a), sums, tolerance: 1e-12)
                expectClose(t.mean(axis: a), sums / Double(t.shape[axis]), tolerance: 1e-12)
                #expect(t.max(axis: a) == maxima)
                #expect(t.min(axis: a) == minima)
                var keptShape = t.shape
                keptShape[axis] = 1
                expectClose(t.sum(axis: a, keepingDims: true), sums.reshaped(keptShape), tolerance: 1e-12)
                // argmax points at the maximum.
                let arg = t.argmax(axis: a)
                for index in allIndices(reducedShape) {
                    var full = index
                    full.insert(Int(arg[index: index]), at: axis)
                    #expect(t[index: full] == maxima[index: index])
                }
            }
        }
    }




    @Test("variance divides by N")
    func variance() {
        let v = Tensor([[1, 2, 3, 4], [2, 2, 2, 2]])
        #expect(v.variance(axis: 1) == Tensor([1.25, 0]))
        #expect(v.variance(axis: 0) == Tensor([0.25, 0, 0.25, 1]))
        #expect(v.variance(axis: -1, keepingDims: true) == Tensor([[1.25], [0]]))
    }

    @Test("reductions over an empty axis")
    func emptyAxis() {
        let empty = Tensor.zeros([0, 3])
        #expect(empty.sum(axis: 0) == Tensor([0, 0, 0]))
        #expect(empty.sum(axis: 1) == Tensor.zeros([0]))
        #expect(empty.max(axis: 0) == Tensor(shape: [3], repeating: -.infinity))
    }

    @Test("bad axes and empty tensors stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).sum(axis: 2) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 3]).mean(axis: -3) }
        await #expect(processExitsWith: .failure) { _ = Tensor(1).sum(axis: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([0]).mean() }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([0]).argmax() }
    }
}
