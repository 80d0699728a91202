/// numpy's broadcasting rules, used by every elementwise operation on two tensors.
///
/// Shapes are aligned at their last axis; two sizes are compatible when they
/// are equal or one of them is 1, and a missing leading axis counts as 1.
/// The result takes the larger size on every axis:
///
///     [4, 3] and [3]     → [4, 3]   (the vector is added to every row)
///     [4, 1] and [1, 3]  → [4, 3]
///     [4, 3] and [4]     → error    (align right: 3 vs 4)
extension Tensor {
    /// The broadcast shape of two shapes, or `nil` when they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = Array(repeating: 0, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Strides that read this tensor as if it had shape `target` (0 on broadcast axes).
    func broadcastStrides(to target: [Int]) -> [Int] {
        let own = Tensor.strides(of: shape)
        let lead = target.count - shape.count
        return target.indices.map { axis in
            guard axis >= lead else { return 0 }
            return shape[axis - lead] == 1 ? 0 : own[axis - lead]
        }
    }

    /// Applies `combine` elementwise to two tensors after broadcasting them.
    public static func broadcasting(_ a: Tensor, _ b: Tensor, operation: String = "elementwise operation",
                                    _ combine: (Double, Double) -> Double) -> Tensor {
        if a.shape == b.shape {
            var out = [Double](repeating: 0, count: a.count)
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    for i in 0..<pa.count { out[i] = combine(pa[i], pb[i]) }
                }
            }
            return Tensor(shape: a.shape, scalars: out)
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("Tensor: cannot broadcast shapes \(a.shape) and \(b.shape) for \(operation); "
                + "sizes must match or be 1 on every axis, aligned from the right"
                + droppedAxisHint(a.shape, b.shape))
        }
        if b.count == 1 && shape == a.shape {
            let s = b.scalars[0]
            return Tensor(shape: shape, scalars: a.scalars.map { combine($0, s) })
        }
        if a.count == 1 && shape == b.shape {
            let s = a.scalars[0]
            return Tensor(shape: shape, scalars: b.scalars.map { combine(s, $0) })
        }
        let sa = a.broadcastStrides(to: shape)
        let sb = b.broadcastStrides(to: shape)
        let count = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        guard count > 0 else { return Tensor(shape: shape, scalars: out) }
        var index = Array(repeating: 0, count: shape.count)
        var oa = 0, ob = 0
        for i in 0..<count {
            out[i] = combine(a.scalars[oa], b.scalars[ob])
            // Advance the multi-index like an odometer, keeping both offsets in step.
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                oa += sa[axis]
                ob += sb[axis]
                if index[axis] < shape[axis] { break }
                oa -= sa[axis] * shape[axis]
                ob -= sb[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// This tensor repeated along broadcast axes so that it has shape `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        precondition(Tensor.broadcastShape(shape, target) == target,
                     "Tensor.broadcast: shape \(shape) cannot be broadcast to \(target)")
        return Tensor.broadcasting(self, Tensor.zeros(target), operation: "broadcast") { x, _ in x }
    }

    /// Sums a broadcast gradient back to this shape: the backward of broadcasting.
    ///
    /// If `y = x + b` broadcast `b` of shape `[C]` over rows of shape `[N, C]`,
    /// then `dL/db = dL/dy` summed over the rows: `dy.reduced(toShape: [C])`.
    public func reduced(toShape target: [Int]) -> Tensor {
        precondition(Tensor.broadcastShape(target, shape) == shape,
                     "Tensor.reduced(toShape:): \(target) does not broadcast to \(shape)")
        var result = self
        while result.rank > target.count { result = result.sum(axis: 0) }
        for axis in target.indices where target[axis] == 1 && result.shape[axis] != 1 {
            result = result.sum(axis: axis, keepingDims: true)
        }
        return result
    }
}

// MARK: - Arithmetic operators

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, operation: "+", +) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, operation: "-", -) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, operation: "*", *) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, operation: "/", /) }

    public static func + (a: Tensor, s: Double) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Double) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Double) -> Tensor { a.map { $0 * s } }
    public static func / (a: Tensor, s: Double) -> Tensor { a.map { $0 / s } }
    public static func + (s: Double, a: Tensor) -> Tensor { a.map { s + $0 } }
    public static func - (s: Double, a: Tensor) -> Tensor { a.map { s - $0 } }
    public static func * (s: Double, a: Tensor) -> Tensor { a.map { s * $0 } }
    public static func / (s: Double, a: Tensor) -> Tensor { a.map { s / $0 } }

    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    public static func += (a: inout Tensor, s: Double) { a = a + s }
    public static func -= (a: inout Tensor, s: Double) { a = a - s }
    public static func *= (a: inout Tensor, s: Double) { a = a * s }
    public static func /= (a: inout Tensor, s: Double) { a = a / s }
}

/// When one shape is the other with an axis removed, the likely cause: a
/// reduction such as `x.sum(axis: 1)` that dropped the axis it reduced.
private func droppedAxisHint(_ a: [Int], _ b: [Int]) -> String {
    let (long, short) = a.count > b.count ? (a, b) : (b, a)
    guard long.count == short.count + 1,
          let axis = long.indices.first(where: { i in var s = long; s.remove(at: i); return s == short }) else { return "" }
    return " — was the \(short) operand reduced over axis \(axis) without `keepingDims: true`?"
}
