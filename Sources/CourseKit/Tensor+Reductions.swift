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

    /// Folds the elements along `axis` into `initial` with `combine`, walking
    /// memory in order: viewed as `[outer, n, inner]`, each of the n slices of
    /// `inner` contiguous elements is combined into an `inner`-long row of
    /// results (or, when `inner` is 1, each contiguous run of n is folded).
    /// Every result still folds its own elements in increasing index order,
    /// exactly as a loop along the axis would.
    @inline(__always)
    private func fold(axis: Int, keepingDims: Bool, function: String, initial: Double, pairwise: Bool = false,
                      _ combine: (Double, Double) -> Double) -> Tensor {
        let a = normalizedAxis(axis, function: function)
        let n = shape[a]
        let outer = shape[..<a].reduce(1, *)
        let inner = shape[(a + 1)...].reduce(1, *)
        let out = scalars.withUnsafeBufferPointer { p in
            Tensor.makeScalars(count: outer * inner) { o in
                let x = p.baseAddress ?? UnsafePointer(o)   // only read when n > 0
                var r = 0
                while r < outer {
                    let row = o + r &* inner, source = x + r &* n &* inner
                    if inner == 1 && pairwise {
                        row[0] = Tensor.interleavedSum(source, n)
                    } else if inner == 1 {
                        var total = initial, k = 0
                        while k < n { total = combine(total, source[k]); k &+= 1 }
                        row[0] = total
                    } else {
                        var i = 0
                        while i < inner { row[i] = initial; i &+= 1 }
                        var k = 0
                        while k < n {
                            let slice = source + k &* inner
                            i = 0
                            while i < inner { row[i] = combine(row[i], slice[i]); i &+= 1 }
                            k &+= 1
                        }
                    }
                    r &+= 1
                }
            }
        }
        var newShape = shape
        if keepingDims { newShape[a] = 1 } else { newShape.remove(at: a) }
        return Tensor(unchecked: newShape, out)
    }

    /// The sum of `n` contiguous numbers in four interleaved partial sums
    /// (elements 0, 4, 8, … in the first, 1, 5, 9, … in the second, …), combined
    /// as (s₀ + s₁) + (s₂ + s₃), then the last n mod 4 elements in order.
    /// Four independent additions per step instead of one chain: about 3×
    /// faster, and an order fixed by n alone, so the result is the same on every run.
    static func interleavedSum(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
        var partial = SIMD4<Double>()
        let raw = UnsafeRawPointer(x)
        var k = 0
        while k &+ 4 <= n {
            partial = partial + raw.loadUnaligned(fromByteOffset: k &* 8, as: SIMD4<Double>.self)
            k &+= 4
        }
        var total = (partial[0] + partial[1]) + (partial[2] + partial[3])
        while k < n { total = total + x[k]; k &+= 1 }
        return total
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
        fold(axis: axis, keepingDims: keepingDims, function: "sum(axis:)", initial: 0, pairwise: true) { $0 + $1 }
    }

    /// The mean along `axis`.
    public func mean(axis: Int, keepingDims: Bool = false) -> Tensor {
        let n = Double(shape[normalizedAxis(axis, function: "mean(axis:)")])
        return sum(axis: axis, keepingDims: keepingDims) / n
    }

    /// The largest element along `axis`.
    public func max(axis: Int, keepingDims: Bool = false) -> Tensor {
        if normalizedAxis(axis, function: "max(axis:)") == rank - 1 { return lastAxisExtreme(keepingDims: keepingDims, largest: true) }
        return fold(axis: axis, keepingDims: keepingDims, function: "max(axis:)", initial: -.infinity) { Swift.max($0, $1) }
    }

    /// The smallest element along `axis`.
    public func min(axis: Int, keepingDims: Bool = false) -> Tensor {
        if normalizedAxis(axis, function: "min(axis:)") == rank - 1 { return lastAxisExtreme(keepingDims: keepingDims, largest: false) }
        return fold(axis: axis, keepingDims: keepingDims, function: "min(axis:)", initial: .infinity) { Swift.min($0, $1) }
    }

    /// `max` or `min` along the last axis in four interleaved folds, with exactly
    /// the result of the left-to-right fold `total = Swift.max(total, x)` from ∓∞.
    ///
    /// That fold skips NaN (`x >= total` is false) and, among elements equal
    /// to the extreme, keeps the last one (max) or the first one (min). Equal
    /// doubles differ only when they are 0 and −0, so the lanes' extreme is the
    /// answer unless it is zero; then the row is folded again in order.
    private func lastAxisExtreme(keepingDims: Bool, largest: Bool) -> Tensor {
        let n = shape[rank - 1]
        let rows = n == 0 ? shape.dropLast().reduce(1, *) : count / n
        let out = scalars.withUnsafeBufferPointer { p in
            Tensor.makeScalars(count: rows) { o in
                guard let base = p.baseAddress else {
                    for r in 0..<rows { o[r] = largest ? -.infinity : .infinity }
                    return
                }
                if largest {
                    Tensor.extremeRows(base, rows: rows, length: n, into: o, initial: -.infinity) { Swift.max($0, $1) }
                } else {
                    Tensor.extremeRows(base, rows: rows, length: n, into: o, initial: .infinity) { Swift.min($0, $1) }
                }
            }
        }
        var newShape = shape
        if keepingDims { newShape[rank - 1] = 1 } else { newShape.removeLast() }
        return Tensor(unchecked: newShape, out)
    }

    /// Four independent folds per row (lane j takes elements j, j + 4, …), so
    /// that the comparisons overlap instead of waiting on one another; then
    /// the lanes, the tail, and, when the result is zero, the whole row again
    /// in order (see `lastAxisExtreme`).
    @inline(__always)
    static func extremeRows(_ x: UnsafePointer<Double>, rows: Int, length n: Int, into o: UnsafeMutablePointer<Double>,
                            initial: Double, _ pick: (Double, Double) -> Double) {
        var r = 0
        while r < rows {
            let row = x + r &* n
            var (l0, l1, l2, l3) = (initial, initial, initial, initial)
            var k = 0
            while k &+ 4 <= n {
                l0 = pick(l0, row[k]); l1 = pick(l1, row[k &+ 1])
                l2 = pick(l2, row[k &+ 2]); l3 = pick(l3, row[k &+ 3])
                k &+= 4
            }
            var total = pick(pick(pick(pick(initial, l0), l1), l2), l3)
            while k < n { total = pick(total, row[k]); k &+= 1 }
            if total == 0 {
                total = initial
                k = 0
                while k < n { total = pick(total, row[k]); k &+= 1 }
            }
            o[r] = total
            r &+= 1
        }
    }

    /// The index of the largest element along `axis` (the first one on ties),
    /// as a tensor of whole numbers with that axis removed.
    public func argmax(axis: Int) -> Tensor {
        let a = normalizedAxis(axis, function: "argmax(axis:)")
        if a == rank - 1 {
            // Rows in memory order: the first index whose element is strictly larger than every earlier one's.
            let n = shape[a], rows = n == 0 ? shape.dropLast().reduce(1, *) : count / n
            let out = scalars.withUnsafeBufferPointer { p in
                Tensor.makeScalars(count: rows) { o in
                    var r = 0
                    while r < rows {
                        var best = 0
                        if n > 1, let base = p.baseAddress {
                            let x = base + r &* n
                            var k = 1
                            while k < n { if x[k] > x[best] { best = k }; k &+= 1 }
                        }
                        o[r] = Double(best)
                        r &+= 1
                    }
                }
            }
            return Tensor(unchecked: Array(shape.dropLast()), out)
        }
        return reduce(axis: axis, keepingDims: false, function: "argmax(axis:)") { v, stride, n in
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
