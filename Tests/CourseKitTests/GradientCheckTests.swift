import CourseKit
import Foundation
import Testing

@Suite("GradientCheck")
struct GradientCheckTests {
    @Test("sum of squares: the gradient is 2x")
    func sumOfSquares() {
        let x = randomTensor([3, 4], seed: 1)
        let numeric = GradientCheck.numericalGradient(of: { ($0 * $0).sum() }, at: x)
        #expect(numeric.shape == x.shape)
        #expect(GradientCheck.relativeError(2 * x, numeric) < 1e-9)
    }

    @Test("sin: the gradient is cos")
    func sine() {
        let x = randomTensor([10], seed: 2)
        let numeric = GradientCheck.numericalGradient(of: { sin($0).sum() }, at: x)
        #expect(GradientCheck.relativeError(cos(x), numeric) < 1e-9)
        #expect(GradientCheck.elementwiseRelativeError(cos(x), numeric) < 1e-6)
    }

    @Test("four-point centered differences: exact for x³, off by exactly −4h⁴ for x⁵")
    func centralDifferences() {
        // [8((x+h)³ − (x−h)³) − ((x+2h)³ − (x−2h)³)] / 12h = 3x²: the h² terms cancel (the two-point form gives 3x² + h²).
        let cubic = GradientCheck.numericalGradient(of: { pow($0, 3).sum() }, at: Tensor([1, 2]), step: 0.1)
        expectClose(cubic, Tensor([3, 12]), tolerance: 1e-12)
        // Its error term is −h⁴·f⁽⁵⁾/30: for x⁵, −4h⁴ whatever x.
        let quintic = GradientCheck.numericalGradient(of: { pow($0, 5).sum() }, at: Tensor([1, 2]), step: 0.1)
        expectClose(quintic, Tensor([5 - 4e-4, 80 - 4e-4]), tolerance: 1e-11)
    }

    @Test("matmul VJP: dL/dW = Xᵀ G and dL/dX = G Wᵀ")
    func matmulVJP() {
        let x = randomTensor([4, 3], seed: 3)
        let w = randomTensor([3, 5], seed: 4)
        let upstream = randomTensor([4, 5], seed: 5)
        let dW = GradientCheck.numericalGradient(of: { matmul(x, $0) }, at: w, upstream: upstream)
        #expect(dW.shape == w.shape)
        #expect(GradientCheck.relativeError(matmul(x.transposed(), upstream), dW) < 1e-8)
        let dX = GradientCheck.numericalGradient(of: { matmul($0, w) }, at: x, upstream: upstream)
        #expect(GradientCheck.relativeError(matmul(upstream, w.transposed()), dX) < 1e-8)
        // A wrong backward pass (forgetting the transpose's role, a factor of 2) is caught.
        #expect(GradientCheck.relativeError(2 * matmul(upstream, w.transposed()), dX) > 0.3)
    }

    @Test("a tensor function contracted with the upstream gradient")
    func contractedWithUpstream() {
        let x = randomTensor([2, 3], seed: 6)
        let upstream = randomTensor([2, 3], seed: 7)
        let numeric = GradientCheck.numericalGradient(of: { tanh($0) }, at: x, upstream: upstream)
        let analytic = upstream * (1 - tanh(x) * tanh(x))
        #expect(GradientCheck.relativeError(analytic, numeric) < 1e-8)
        // It is the gradient of the scalar sum(f(x) * upstream).
        let scalar = GradientCheck.numericalGradient(of: { (tanh($0) * upstream).sum() }, at: x)
        #expect(GradientCheck.relativeError(scalar, numeric) < 1e-8)
        // Output shape may differ from the input shape: row sums, [2, 3] → [2].
        let rowUpstream = Tensor([2, -1])
        let dSum = GradientCheck.numericalGradient(of: { $0.sum(axis: 1) }, at: x, upstream: rowUpstream)
        expectClose(dSum, Tensor([[2, 2, 2], [-1, -1, -1]]), tolerance: 1e-9)
    }

    @Test("only the requested indices are perturbed; the rest of the gradient is zero")
    func sampledIndices() {
        let x = randomTensor([4, 4], seed: 8)
        let indices = [0, 5, 15]
        let sampled = GradientCheck.numericalGradient(of: { ($0 * $0).sum() }, at: x, indices: indices)
        for i in 0..<x.count {
            if indices.contains(i) {
                expectClose(sampled.scalars[i], 2 * x.scalars[i], tolerance: 1e-8)
            } else {
                #expect(sampled.scalars[i] == 0)
            }
        }
        let upstream = Tensor.ones([4, 4])
        let vjp = GradientCheck.numericalGradient(of: { $0 * 3 }, at: x, upstream: upstream, indices: [2])
        #expect(vjp.scalars.enumerated().allSatisfy { $0.offset == 2 ? Swift.abs($0.element - 3) < 1e-8 : $0.element == 0 })
    }

    @Test("each evaluation sees x with exactly one element moved by ±h or ±2h")
    func probesAreRestored() {
        let x = Tensor([1, 2, 3])
        var seen: [Tensor] = []
        _ = GradientCheck.numericalGradient(of: { seen.append($0); return $0.sum() }, at: x, step: 0.5)
        #expect(seen.count == 12)
        let offsets = [0.5, -0.5, 1, -1]   // +h, −h, +2h, −2h for each element in turn
        for (n, probe) in seen.enumerated() {
            let moved = (0..<3).filter { probe.scalars[$0] != x.scalars[$0] }
            #expect(moved == [n / 4])
            guard moved == [n / 4] else { continue }
            #expect(probe.scalars[n / 4] == x.scalars[n / 4] + offsets[n % 4])
        }
    }

    @Test("relativeError: 0 when equal, about 1 for opposite signs, ∞ for NaN")
    func relativeError() {
        let g = Tensor([1, -2, 3])
        #expect(GradientCheck.relativeError(g, g) == 0)
        #expect(GradientCheck.relativeError(g, -g) == 1)
        #expect(GradientCheck.relativeError(2 * g, g) == 1.0 / 3)
        #expect(GradientCheck.relativeError(Tensor.zeros([3]), Tensor.zeros([3])) == 0)
        #expect(GradientCheck.relativeError(Tensor([1, .nan]), Tensor([1, 1])) == .infinity)
        #expect(GradientCheck.relativeError(Tensor([1, 1]), Tensor([.nan, 1])) == .infinity)
        #expect(GradientCheck.relativeError(Tensor([.infinity]), Tensor([1])) == .infinity)
        // Tiny gradients: the 1e-8 floor keeps rounding noise from looking like an error.
        #expect(GradientCheck.relativeError(Tensor([1e-12]), Tensor([2e-12])) < 1e-3)
        // Normwise: a relative disagreement on a near-zero component does not dominate...
        let analytic = Tensor([1, 1e-6]), numeric = Tensor([1, 2e-6])
        #expect(GradientCheck.relativeError(analytic, numeric) < 1e-6)
        // ...while CS231n's elementwise form reports it.
        expectClose(GradientCheck.elementwiseRelativeError(analytic, numeric), 1.0 / 3, tolerance: 1e-9)
    }

    @Test("elementwiseRelativeError: 0 when equal, 1 for opposite signs, ∞ for NaN")
    func elementwiseRelativeError() {
        let g = Tensor([1, -2, 3])
        #expect(GradientCheck.elementwiseRelativeError(g, g) == 0)
        #expect(GradientCheck.elementwiseRelativeError(g, -g) == 1)
        #expect(GradientCheck.elementwiseRelativeError(Tensor([.nan]), Tensor([1])) == .infinity)
        #expect(GradientCheck.elementwiseRelativeError(Tensor([.infinity]), Tensor([.infinity])) == .infinity)
    }

    @Test("sampleIndices are distinct, sorted, in range and reproducible")
    func sampleIndices() {
        for (elements, count) in [(100, 10), (7, 6), (1000, 1), (50, 0)] {
            var rng = SeededGenerator(seed: UInt64(elements))
            let indices = GradientCheck.sampleIndices(elementCount: elements, count: count, using: &rng)
            #expect(indices.count == count)
            #expect(Set(indices).count == count)
            #expect(indices == indices.sorted())
            #expect(indices.allSatisfy { (0..<elements).contains($0) })
            var again = SeededGenerator(seed: UInt64(elements))
            #expect(GradientCheck.sampleIndices(elementCount: elements, count: count, using: &again) == indices)
        }
        var rng = SeededGenerator(seed: 0)
        #expect(GradientCheck.sampleIndices(elementCount: 5, count: 5, using: &rng) == [0, 1, 2, 3, 4])
        #expect(GradientCheck.sampleIndices(elementCount: 5, count: 50, using: &rng) == [0, 1, 2, 3, 4])
    }

    @Test("mismatched shapes stop the program")
    func preconditions() async {
        await #expect(processExitsWith: .failure) { _ = GradientCheck.relativeError(Tensor([1]), Tensor([1, 2])) }
        await #expect(processExitsWith: .failure) { _ = GradientCheck.elementwiseRelativeError(Tensor([1]), Tensor([[1]])) }
        await #expect(processExitsWith: .failure) {
            _ = GradientCheck.numericalGradient(of: { $0 * 2 }, at: Tensor([1, 2]), upstream: Tensor([1]))
        }
    }
}
