import CourseKit
import Testing

@Suite("Tensor: storage and creation")
struct TensorCreationTests {
    @Test("shape, scalars, rank and count of the basic initializers")
    func initializers() {
        let scalar = Tensor(2.5)
        #expect(scalar.shape == [] && scalar.rank == 0 && scalar.count == 1 && scalar.scalar == 2.5)

        let vector = Tensor([1, 2, 3])
        #expect(vector.shape == [3] && vector.rank == 1 && vector.scalars == [1, 2, 3])

        let matrix = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(matrix.shape == [2, 3] && matrix.rank == 2 && matrix.count == 6)
        #expect(matrix.scalars == [1, 2, 3, 4, 5, 6])

        let explicit = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        #expect(explicit.rank == 3 && explicit[1, 0, 0] == 3)

        let filled = Tensor(shape: [2, 2], repeating: 7)
        #expect(filled.scalars == [7, 7, 7, 7])

        let noRows = Tensor([[Double]]())
        #expect(noRows.shape == [0, 0] && noRows.count == 0)
        let empty = Tensor(shape: [3, 0], scalars: [])
        #expect(empty.count == 0 && empty.rank == 2)

        // A one-element tensor of any rank has a `scalar`.
        #expect(Tensor([[4]]).scalar == 4)
    }

    @Test("value semantics: a mutated copy leaves the original alone")
    func valueSemantics() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[0] = 10
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [10, 2, 3])
        #expect(a != b)
        #expect(Tensor([1, 2]) == Tensor(shape: [2], scalars: [1, 2]))
        // Same scalars, different shapes: not equal.
        #expect(Tensor([1, 2]) != Tensor([[1, 2]]))
    }

    @Test("row-major layout: subscripts, offsets and strides")
    func rowMajorLayout() {
        var x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        #expect(Tensor.strides(of: [2, 3, 4]) == [12, 4, 1])
        #expect(Tensor.strides(of: [5]) == [1])
        #expect(Tensor.strides(of: []) == [])
        #expect(x.offset(of: [1, 2, 3]) == 23)
        #expect(x.offset(of: [1, 0, 2]) == 14)
        for index in allIndices(x.shape) {
            let strides = Tensor.strides(of: x.shape)
            let expected = zip(index, strides).map { $0 * $1 }.reduce(0, +)
            #expect(x[index: index] == Double(expected))
        }
        x[1, 1, 1] = -1
        #expect(x.scalars[17] == -1)
        x[index: [0, 0, 1]] = -2
        #expect(x.scalars[1] == -2)
        var s = Tensor(3)
        s[] = 4
        #expect(s.scalar == 4)
        #expect(s.offset(of: []) == 0)
    }

    @Test("withScalars replaces elements in place")
    func withScalars() {
        var x = Tensor([[1, 2], [3, 4]])
        x.withScalars { values in
            for i in values.indices { values[i] *= 10 }
        }
        #expect(x == Tensor([[10, 20], [30, 40]]))
    }

    @Test("normalizedAxis maps negative axes from the end")
    func normalizedAxes() {
        let x = Tensor.zeros([2, 3, 4])
        #expect(x.normalizedAxis(0) == 0)
        #expect(x.normalizedAxis(2) == 2)
        #expect(x.normalizedAxis(-1) == 2)
        #expect(x.normalizedAxis(-3) == 0)
    }

    @Test("zeros, ones, identity and the like-shaped variants")
    func constantTensors() {
        #expect(Tensor.zeros([2, 3]) == Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6)))
        #expect(Tensor.ones([3]) == Tensor([1, 1, 1]))
        #expect(Tensor.zeros([]).shape == [] && Tensor.zeros([]).scalar == 0)
        let x = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(Tensor.zeros(like: x) == Tensor.zeros([3, 2]))
        #expect(Tensor.ones(like: x) == Tensor.ones([3, 2]))
        #expect(Tensor.identity(3) == Tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        #expect(Tensor.identity(0).shape == [0, 0])
    }

    @Test("arange excludes the end and supports fractional and negative steps")
    func arange() {
        #expect(Tensor.arange(0, 5) == Tensor([0, 1, 2, 3, 4]))
        #expect(Tensor.arange(2, 8, step: 2) == Tensor([2, 4, 6]))
        #expect(Tensor.arange(5, 0, step: -2) == Tensor([5, 3, 1]))
        #expect(Tensor.arange(3, 3).shape == [0])
        #expect(Tensor.arange(3, 1).shape == [0])
        // Computed as start + i * step, so rounding does not accumulate: exactly 10 elements.
        let tenths = Tensor.arange(0, 1, step: 0.1)
        #expect(tenths.count == 10)
        #expect(tenths.scalars.last == 0.9)
        #expect(tenths.scalars[3] == 3 * 0.1)
    }

    @Test("linspace includes both ends")
    func linspace() {
        #expect(Tensor.linspace(0, 1, count: 5) == Tensor([0, 0.25, 0.5, 0.75, 1]))
        #expect(Tensor.linspace(2, -2, count: 3) == Tensor([2, 0, -2]))
        #expect(Tensor.linspace(7, 9, count: 1) == Tensor([7]))
        let x = Tensor.linspace(-1, 1, count: 11)
        #expect(x.scalars.first == -1 && x.scalars.last == 1 && x.count == 11)
        // The ends are exact, even where start + (count - 1) * step would round past them.
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<300 {
            let a = rng.nextUniform(in: -10..<10), b = rng.nextUniform(in: -10..<10)
            let n = rng.nextInt(in: 2...50)
            let t = Tensor.linspace(a, b, count: n)
            #expect(t.count == n && t.scalars.first == a && t.scalars.last == b, "linspace(\(a), \(b), count: \(n))")
            let gaps = zip(t.scalars, t.scalars.dropFirst()).map { $1 - $0 }
            #expect(gaps.allSatisfy { Swift.abs($0 - (b - a) / Double(n - 1)) < 1e-12 })
        }
    }

    @Test("random tensors: shape, reproducibility, range and moments")
    func randomTensors() {
        var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7)
        let x = Tensor.randomNormal([50, 40], mean: 3, standardDeviation: 2, using: &a)
        let y = Tensor.randomNormal([50, 40], mean: 3, standardDeviation: 2, using: &b)
        #expect(x.shape == [50, 40])
        #expect(x == y)
        #expect(Swift.abs(x.mean() - 3) < 0.15)
        let std = ((x - x.mean()) * (x - x.mean())).mean().squareRoot()
        #expect(Swift.abs(std - 2) < 0.1)

        var rng = SeededGenerator(seed: 8)
        let u = Tensor.randomUniform([1000], in: -2..<5, using: &rng)
        #expect(u.min() >= -2 && u.max() < 5)
        #expect(Swift.abs(u.mean() - 1.5) < 0.25)
        let unit = Tensor.randomUniform([3, 3], using: &rng)
        #expect(unit.min() >= 0 && unit.max() < 1)
        #expect(Tensor.randomNormal([], using: &rng).shape == [])
    }

    @Test("oneHot puts a single 1 in each row")
    func oneHot() {
        #expect(Tensor.oneHot([2, 0, 1], classes: 3) == Tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]]))
        #expect(Tensor.oneHot([], classes: 4).shape == [0, 4])
    }

    @Test("invalid shapes, indices and arguments stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = Tensor(shape: [2, 3], scalars: [1, 2, 3]) }
        await #expect(processExitsWith: .failure) { _ = Tensor(shape: [-1], scalars: []) }
        await #expect(processExitsWith: .failure) { _ = Tensor([[1, 2], [3]]) }
        await #expect(processExitsWith: .failure) { _ = Tensor([1, 2]).scalar }
        await #expect(processExitsWith: .failure) { _ = Tensor([[1, 2], [3, 4]])[2, 0] }
        await #expect(processExitsWith: .failure) { _ = Tensor([[1, 2], [3, 4]])[1] }
        await #expect(processExitsWith: .failure) { _ = Tensor.zeros([2, 2]).normalizedAxis(-3) }
        await #expect(processExitsWith: .failure) { _ = Tensor.arange(0, 1, step: 0) }
        await #expect(processExitsWith: .failure) { _ = Tensor.oneHot([3], classes: 3) }
        await #expect(processExitsWith: .failure) {
            var x = Tensor([1, 2])
            x.withScalars { $0.append(3) }
        }
    }
}
