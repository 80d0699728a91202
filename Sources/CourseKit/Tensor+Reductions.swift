extension Tensor {
    /// The sum of all elements.
    public func sum() -> Double { scalars.reduce(0, +) }

    /// The mean of all elements.
    public func mean() -> Double {
        precondition(count > 0, "Tensor.mean: empty tensor")
        return sum() / Double(count)
    }

    /// The largest element.
    public func max() -> Double {
        precondition(count > 0, "Tensor.max: empty tensor")
        return scalars.reduce(-Double.infinity) { Swift.max($0, $1) }
    }

    /// The smallest element.
    public func min() -> Double {
        precondition(count > 0, "Tensor.min: empty tensor")
        return scalars.reduce(Double.infinity) { Swift.min($0, $1) }
    }

    /// The flat (row-major) position of the largest element; the first one on ties.
    public func argmax() -> Int {
        precondition(count > 0, "Tensor.argmax: empty tensor")
        var best = 0
        for i in 1..<count where scalars[i] > scalars[best] { best = i }
        return best
    }

    /// Views the tensor as `[outer, n, inner]` around `axis` and folds each
    /// run of `n` elements with `combine`.
    private func reduce(axis: Int, keepingDims: Bool, function: String,
                        _ combine: (_ values: UnsafeBufferPointer<Double>, _ stride: Int, _ n: Int) -> Double) -> Tensor {
        let a = normalizedAxis(axis, function: function)
        let n = shape[a]
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        var out = [Double](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { p in
            for o in 0..<outer {
                for i in 0..<inner {
                    let start = o * n * inner + i
                    // An empty axis has nothing to read, and `start` may lie past the end of the empty storage.
                    let view = n == 0 ? UnsafeBufferPointer<Double>(start: nil, count: 0)
                        : UnsafeBufferPointer(rebasing: p[start..<(start + (n - 1) * inner + 1)])
                    out[o * inner + i] = combine(view, inner, n)
                }
            }
        }
        var newShape = shape
        if keepingDims { newShape[a] = 1 } else { newShape.remove(at: a) }
        return Tensor(shape: newShape, scalars: out)
    }

    /// Sums along `axis` (negative counts from the end). The axis is removed,
    /// or kept with size 1 when `keepingDims` is true (handy for broadcasting back).
    ///
    /// ```swift
    /// let x = Tensor([[1, 2], [3, 4]])
    /// x.sum(axis: 0)                        // [4, 6]
    /// x.sum(axis: 1, keepingDims: true)     // [[3], [7]], shape [2, 1]
    /// ```
    public func sum(axis: Int, keepingDims: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDims: keepingDims, function: "sum(axis:)") { v, stride, n in
            var total = 0.0
            for k in 0..<n { total += v[k * stride] }
            return total
        }
    }

    /// The mean along `axis`.
    public func mean(axis: Int, keepingDims: Bool = false) -> Tensor {
        let n = Double(shape[normalizedAxis(axis, function: "mean(axis:)")])
        return sum(axis: axis, keepingDims: keepingDims) / n
    }

    /// The largest element along `axis`.
    public func max(axis: Int, keepingDims: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDims: keepingDims, function: "max(axis:)") { v, stride, n in
            var best = -Double.infinity
            for k in 0..<n { best = Swift.max(best, v[k * stride]) }
            return best
        }
    }

    /// The smallest element along `axis`.
    public func min(axis: Int, keepingDims: Bool = false) -> Tensor {
        reduce(axis: axis, keepingDims: keepingDims, function: "min(axis:)") { v, stride, n in
            var best = Double.infinity
            for k in 0..<n { best = Swift.min(best, v[k * stride]) }
            return best
        }
    }

    /// The index of the largest element along `axis` (the first one on ties),
    /// as a tensor of whole numbers with that axis removed.
    public func argmax(axis: Int) -> Tensor {
        reduce(axis: axis, keepingDims: false, function: "argmax(axis:)") { v, stride, n in
            var best = 0
            for k in 1..<Swift.max(n, 1) where v[k * stride] > v[best * stride] { best = k }
            return Double(best)
        }
    }

    /// The variance along `axis` (dividing by N, as batch normalization does).
    public func variance(axis: Int, keepingDims: Bool = false) -> Tensor {
        let centered = self - mean(axis: axis, keepingDims: true)
        return (centered * centered).mean(axis: axis, keepingDims: keepingDims)
    }

    /// The Euclidean (Frobenius) norm of all elements.
    public func norm() -> Double { scalars.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
