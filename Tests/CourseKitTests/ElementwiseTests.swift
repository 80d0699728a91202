import CourseKit
import Foundation
import Testing

@Suite("Tensor: elementwise math, masks and approximate comparison")
struct ElementwiseTests {
    @Test("map and zipMap keep or broadcast the shape")
    func mapAndZipMap() {
        let x = Tensor([[1, -2], [3, -4]])
        #expect(x.map { $0 * $0 } == Tensor([[1, 4], [9, 16]]))
        #expect(x.zipMap(Tensor([1, 0])) { v, m in m > 0 ? v : 0 } == Tensor([[1, 0], [3, 0]]))
        #expect(Tensor(2).zipMap(Tensor([1, 2, 3]), -) == Tensor([1, 0, -1]))
    }

    @Test("math functions against the Double functions")
    func mathFunctions() {
        let x = Tensor([[0.5, 1, 2], [3, 0.25, 4]])
        let checks: [(String, Tensor, (Double) -> Double)] = [
            ("exp", exp(x), { Foundation.exp($0) }),
            ("log", log(x), { Foundation.log($0) }),
            ("log1p", log1p(x), { Foundation.log1p($0) }),
            ("tanh", tanh(x), { Foundation.tanh($0) }),
            ("sqrt", sqrt(x), { $0.squareRoot() }),
            ("sin", sin(x), { Foundation.sin($0) }),
            ("cos", cos(x), { Foundation.cos($0) }),
            ("pow 3", pow(x, 3), { Foundation.pow($0, 3) }),
            ("pow 0.5", pow(x, 0.5), { Foundation.pow($0, 0.5) }),
        ]
        for (name, actual, f) in checks {
            #expect(actual.shape == x.shape, "\(name)")
            #expect(actual.scalars == x.scalars.map(f), "\(name)")
        }
    }

    @Test("hand-computed values of the math functions")
    func handValues() {
        #expect(exp(Tensor([0])) == Tensor([1]))
        #expect(log(Tensor([1, 0])) == Tensor([0, -.infinity]))
        #expect(sqrt(Tensor([4, 9, 0])) == Tensor([2, 3, 0]))
        #expect(sqrt(Tensor([-1])).scalars[0].isNaN)
        #expect(abs(Tensor([-1.5, 0, 2])) == Tensor([1.5, 0, 2]))
        #expect(pow(Tensor([-3, 2]), 2) == Tensor([9, 4]))
        #expect(sign(Tensor([-3, 0, 0.1, -0.0])) == Tensor([-1, 0, 1, 0]))
        #expect(tanh(Tensor([0, 1000, -1000])) == Tensor([0, 1, -1]))
        // log1p is accurate where log(1 + x) rounds to 0.
        #expect(log1p(Tensor([1e-20])).scalar == 1e-20)
    }

    @Test("maximum and minimum with a scalar and with a broadcast tensor")
    func maximumMinimum() {
        let x = Tensor([[-1, 2], [3, -4]])
        #expect(maximum(x, 0) == Tensor([[0, 2], [3, 0]]))
        #expect(minimum(x, 0) == Tensor([[-1, 0], [0, -4]]))
        #expect(maximum(x, Tensor([0, 5])) == Tensor([[0, 5], [3, 5]]))
        #expect(minimum(x, Tensor([[0], [-5]])) == Tensor([[-1, 0], [-5, -5]]))
    }

    @Test("clamped and isFinite")
    func clampedAndFinite() {
        #expect(Tensor([-2, 0.5, 3]).clamped(to: 0...1) == Tensor([0, 0.5, 1]))
        #expect(Tensor([1, 2]).isFinite)
        #expect(!Tensor([1, .nan]).isFinite)
        #expect(!Tensor([1, -.infinity]).isFinite)
        #expect(Tensor.zeros([0]).isFinite)
    }

    @Test("comparison masks are 0 or 1")
    func masks() {
        let x = Tensor([1, 2, 3])
        #expect((x .> 2) == Tensor([0, 0, 1]))
        #expect((x .>= 2) == Tensor([0, 1, 1]))
        #expect((x .< 2) == Tensor([1, 0, 0]))
        #expect((x .<= 2) == Tensor([1, 1, 0]))
        #expect((x .== 2) == Tensor([0, 1, 0]))
        let y = Tensor([[3, 2, 1], [1, 2, 3]])
        #expect((y .> x) == Tensor([[1, 0, 0], [0, 0, 0]]))
        #expect((y .< x) == Tensor([[0, 0, 1], [0, 0, 0]]))
        #expect((y .== x) == Tensor([[0, 1, 0], [1, 1, 1]]))
        // NaN compares false with everything.
        #expect((Tensor([.nan]) .== .nan) == Tensor([0]))
        #expect((Tensor([.nan]) .< 1) == Tensor([0]))
    }

    @Test("where picks from a or b by the mask, broadcasting all three")
    func whereMask() {
        let mask = Tensor([[1, 0], [0, 1]])
        let a = Tensor([[1, 2], [3, 4]])
        let b = Tensor([[-1, -2], [-3, -4]])
        #expect(Tensor.where(mask, a, b) == Tensor([[1, -2], [-3, 4]]))
        // A row mask, a matrix and a rank-0 fallback.
        let masked = Tensor.where(Tensor([1, 0]), a, Tensor(-.infinity))
        #expect(masked == Tensor([[1, -.infinity], [3, -.infinity]]))
        // A column mask broadcast against two row vectors.
        let picked = Tensor.where(Tensor([[1], [0]]), Tensor([1, 2, 3]), Tensor([7, 8, 9]))
        #expect(picked == Tensor([[1, 2, 3], [7, 8, 9]]))
        // Any non-zero value counts as true.
        #expect(Tensor.where(Tensor([-0.5, 0]), Tensor([1, 1]), Tensor([2, 2])) == Tensor([1, 2]))
    }

    @Test("isApproximatelyEqual: |a - b| <= atol + rtol·|b|")
    func toleranceSemantics() {
        let one = Tensor([1.0])
        #expect(one.isApproximatelyEqual(to: one))
        #expect(Tensor([1 + 5e-7]).isApproximatelyEqual(to: one))
        #expect(!Tensor([1 + 2e-6]).isApproximatelyEqual(to: one))
        #expect(Tensor([1 + 2e-6]).isApproximatelyEqual(to: one, relativeTolerance: 1e-5))
        // Near zero only the absolute tolerance counts.
        #expect(Tensor([5e-9]).isApproximatelyEqual(to: Tensor([0])))
        #expect(!Tensor([5e-8]).isApproximatelyEqual(to: Tensor([0])))
        #expect(Tensor([5e-8]).isApproximatelyEqual(to: Tensor([0]), absoluteTolerance: 1e-7))
        #expect(Tensor([0.15]).isApproximatelyEqual(to: Tensor([0.1]), absoluteTolerance: 0.1, relativeTolerance: 0))
        #expect(!Tensor([0.25]).isApproximatelyEqual(to: Tensor([0.1]), absoluteTolerance: 0.1, relativeTolerance: 0))
        // The relative tolerance scales with |b| (the second argument), as in numpy.allclose.
        let a = Tensor([100]), b = Tensor([110])
        #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 0, relativeTolerance: 0.095))
        #expect(!b.isApproximatelyEqual(to: a, absoluteTolerance: 0, relativeTolerance: 0.095))
        // Every element must pass.
        #expect(!Tensor([1, 2, 3]).isApproximatelyEqual(to: Tensor([1, 2, 3.1])))
    }

    @Test("isApproximatelyEqual: NaN is never equal, infinities only to themselves, shapes must match")
    func specialValues() {
        #expect(!Tensor([.nan]).isApproximatelyEqual(to: Tensor([.nan])))
        #expect(!Tensor([.nan]).isApproximatelyEqual(to: Tensor([1]), absoluteTolerance: .infinity))
        #expect(!Tensor([1]).isApproximatelyEqual(to: Tensor([.nan]), absoluteTolerance: .infinity))
        #expect(Tensor([.infinity, -.infinity]).isApproximatelyEqual(to: Tensor([.infinity, -.infinity])))
        #expect(!Tensor([.infinity]).isApproximatelyEqual(to: Tensor([-.infinity])))
        #expect(!Tensor([.infinity]).isApproximatelyEqual(to: Tensor([1e308]), relativeTolerance: 1))
        #expect(!Tensor([1e308]).isApproximatelyEqual(to: Tensor([.infinity]), relativeTolerance: 1))
        #expect(!Tensor([1, 2]).isApproximatelyEqual(to: Tensor([[1, 2]])))
        #expect(Tensor.zeros([0]).isApproximatelyEqual(to: Tensor.zeros([0])))
        #expect(!Tensor.zeros([0]).isApproximatelyEqual(to: Tensor.zeros([0, 1])))
    }

    @Test("maxAbsoluteDifference")
    func maxAbsoluteDifference() {
        #expect(Tensor([1, 2, 3]).maxAbsoluteDifference(to: Tensor([1, 2.5, 2])) == 1)
        #expect(Tensor([.infinity]).maxAbsoluteDifference(to: Tensor([.infinity])) == 0)
        #expect(Tensor([.infinity]).maxAbsoluteDifference(to: Tensor([1])) == .infinity)
        #expect(Tensor([1, .nan]).maxAbsoluteDifference(to: Tensor([1, 1])).isNaN)
        #expect(Tensor([.nan, 5]).maxAbsoluteDifference(to: Tensor([.nan, 0])).isNaN)
    }

    @Test("mismatched shapes stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = Tensor([1, 2]).maxAbsoluteDifference(to: Tensor([1, 2, 3])) }
        await #expect(processExitsWith: .failure) { _ = Tensor.where(Tensor([1, 0, 1]), Tensor([1, 2]), Tensor(0)) }
        await #expect(processExitsWith: .failure) { _ = maximum(Tensor([1, 2]), Tensor([1, 2, 3])) }
    }
}
