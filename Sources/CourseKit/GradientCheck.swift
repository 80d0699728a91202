/// Numerical gradients by centered differences, the ground truth every
/// hand-written backward pass in the course is checked against.
///
/// For a scalar function `f` the derivative along element `i` is estimated
/// from four points centered on x (the fourth-order centered difference):
///
///     ∂f/∂xᵢ ≈ [8·(f(x + h·eᵢ) − f(x − h·eᵢ)) − (f(x + 2h·eᵢ) − f(x − 2h·eᵢ))] / (12h)
///
/// Its error shrinks like `h⁴` (the two-point difference's like `h²`, a
/// one-sided one's like `h`): with `h = 1e-5` in `Double` the two-point
/// estimate is off by about h²·f‴/6, which reaches 1e-7 relative where the
/// third derivative is large (a layer norm over a nearly constant row), and
/// would fail a correct backward; the four-point estimate stays near the
/// rounding floor, about 1e-11 relative, for smooth functions. Near a kink
/// (ReLU at 0, max) it is meaningless: keep inputs farther than `2h` from kinks.
public enum GradientCheck {
    /// The step used when none is given.
    public static let defaultStep = 1e-5

    /// The numerical gradient of a scalar function of a tensor; same shape as `x`.
    public static func numericalGradient(of f: (Tensor) -> Double, at x: Tensor,
                                         step h: Double = defaultStep) -> Tensor {
        numericalGradient(of: f, at: x, step: h, indices: Array(0..<x.count))
    }

    /// The numerical gradient at the given flat indices only (zeros elsewhere):
    /// a sampled check for tensors too large to perturb every element.
    public static func numericalGradient(of f: (Tensor) -> Double, at x: Tensor,
                                         step h: Double = defaultStep, indices: [Int]) -> Tensor {
        centralDifferences(at: x, step: h, indices: indices, evaluate: f) { plus, minus in plus - minus }
    }

    /// The numerical vector–Jacobian product of a tensor function: the gradient
    /// of `sum(f(x) * upstream)` with respect to `x`. This is what a backward
    /// pass must return when `upstream` is the gradient of the loss with respect
    /// to `f(x)` (CS231n calls it `eval_numerical_gradient_array`).
    ///
    /// - Parameters:
    ///   - f: the forward function; `f(x)` must have the shape of `upstream`.
    ///   - x: the point, any shape.
    ///   - upstream: `∂L/∂f(x)`, the shape of `f(x)`.
    ///   - indices: the flat indices of `x` to perturb (all when `nil`).
    /// - Returns: `∂L/∂x`, the shape of `x`.
    public static func numericalGradient(of f: (Tensor) -> Tensor, at x: Tensor, upstream: Tensor,
                                         step h: Double = defaultStep, indices: [Int]? = nil) -> Tensor {
        centralDifferences(at: x, step: h, indices: indices ?? Array(0..<x.count), evaluate: f) { plus, minus in
            precondition(plus.shape == upstream.shape,
                         "GradientCheck: f(x) has shape \(plus.shape) but the upstream gradient has shape \(upstream.shape)")
            // Difference first, then contract: outputs that x_i does not touch
            // cancel exactly and add no rounding error to the sum.
            var total = 0.0
            for j in 0..<plus.count where plus.scalars[j] != minus.scalars[j] {
                total += (plus.scalars[j] - minus.scalars[j]) * upstream.scalars[j]
            }
            return total
        }
    }

    /// Perturbs each chosen element by ±h and ±2h, evaluates, and combines the
    /// `difference`s of the two pairs as 8·d(h) − d(2h), over 12h.
    private static func centralDifferences<Output>(at x: Tensor, step h: Double, indices: [Int],
                                                   evaluate: (Tensor) -> Output,
                                                   difference: (_ plus: Output, _ minus: Output) -> Double) -> Tensor {
        var gradient = Tensor.zeros(x.shape)
        var probe = x
        for i in indices {
            let original = x.scalars[i]
            probe.scalars[i] = original + h
            let plus = evaluate(probe)
            probe.scalars[i] = original - h
            let minus = evaluate(probe)
            probe.scalars[i] = original + 2 * h
            let plus2 = evaluate(probe)
            probe.scalars[i] = original - 2 * h
            let minus2 = evaluate(probe)
            probe.scalars[i] = original
            gradient.scalars[i] = (8 * difference(plus, minus) - difference(plus2, minus2)) / (12 * h)
        }
        return gradient
    }

    /// The relative error the course asserts:
    ///
    /// $$ \frac{\max_i |a_i - n_i|}{\max\left(10^{-8},\ \max_i |a_i| + \max_i |n_i|\right)} $$
    ///
    /// the largest disagreement measured against the size of the gradients.
    /// CS231n prints the element-by-element form, `max_i |a_i−n_i| / max(1e-8, |a_i|+|n_i|)`
    /// (`elementwiseRelativeError`), which is too brittle to assert: wherever
    /// a true derivative is near zero (GELU near x ≈ −0.75, random softmax
    /// components) rounding alone pushes it past 1e-7. This form still rises to
    /// about 1 for a wrong sign, a missing term or a factor of 2, and is below
    /// 1e-7 for a correct gradient of a smooth function. NaN gives `.infinity`.
    public static func relativeError(_ analytic: Tensor, _ numeric: Tensor) -> Double {
        precondition(analytic.shape == numeric.shape,
                     "GradientCheck.relativeError: shapes \(analytic.shape) and \(numeric.shape) differ")
        guard analytic.isFinite && numeric.isFinite else { return .infinity }
        var difference = 0.0, sizeA = 0.0, sizeN = 0.0
        for (a, n) in zip(analytic.scalars, numeric.scalars) {
            difference = Swift.max(difference, Swift.abs(a - n))
            sizeA = Swift.max(sizeA, Swift.abs(a))
            sizeN = Swift.max(sizeN, Swift.abs(n))
        }
        return difference / Swift.max(1e-8, sizeA + sizeN)
    }

    /// CS231n's element-by-element relative error, `max_i |a_i−n_i| / max(1e-8, |a_i|+|n_i|)`:
    /// useful to print, too brittle to assert (see `relativeError`).
    public static func elementwiseRelativeError(_ analytic: Tensor, _ numeric: Tensor) -> Double {
        precondition(analytic.shape == numeric.shape,
                     "GradientCheck.elementwiseRelativeError: shapes \(analytic.shape) and \(numeric.shape) differ")
        var worst = 0.0
        for (a, n) in zip(analytic.scalars, numeric.scalars) {
            let error = Swift.abs(a - n) / Swift.max(1e-8, Swift.abs(a) + Swift.abs(n))
            if error.isNaN { return .infinity }
            worst = Swift.max(worst, error)
        }
        return worst
    }

    /// `count` distinct flat indices of a tensor with `elementCount` elements,
    /// chosen with `generator` (all of them when `count >= elementCount`).
    public static func sampleIndices(elementCount: Int, count: Int, using generator: inout SeededGenerator) -> [Int] {
        if count >= elementCount { return Array(0..<elementCount) }
        return Array(generator.permutation(elementCount).prefix(count)).sorted()
    }
}
