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
        combined(a, b, operation: operation, combine)
    }

    /// This tensor repeated along broadcast axes so that it has shape `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        precondition(Tensor.broadcastShape(shape, target) == target,
                     "Tensor.broadcast: shape \(shape) cannot be broadcast to \(target)")
        if shape == target { return self }
        let plan = BroadcastPlan(shape: target, broadcastStrides(to: target), Array(repeating: 0, count: target.count))
        let out = scalars.withUnsafeBufferPointer { p in
            Tensor.makeScalars(count: plan.count) { o in
                plan.forEachRun { offset, oa, _ in
                    Tensor.run(plan.length, o + offset, p.baseAddress! + oa, plan.strideA, p.baseAddress!, 0) { x, _ in x }
                }
            }
        }
        return Tensor(unchecked: target, out)
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
    public static func + (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: "+") { $0 + $1 } }
    public static func - (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: "-") { $0 - $1 } }
    public static func * (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: "*") { $0 * $1 } }
    public static func / (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: "/") { $0 / $1 } }

    public static func + (a: Tensor, s: Double) -> Tensor { a.mapped { $0 + s } }
    public static func - (a: Tensor, s: Double) -> Tensor { a.mapped { $0 - s } }
    public static func * (a: Tensor, s: Double) -> Tensor { a.mapped { $0 * s } }
    public static func / (a: Tensor, s: Double) -> Tensor { a.mapped { $0 / s } }
    public static func + (s: Double, a: Tensor) -> Tensor { a.mapped { s + $0 } }
    public static func - (s: Double, a: Tensor) -> Tensor { a.mapped { s - $0 } }
    public static func * (s: Double, a: Tensor) -> Tensor { a.mapped { s * $0 } }
    public static func / (s: Double, a: Tensor) -> Tensor { a.mapped { s / $0 } }

    public static prefix func - (a: Tensor) -> Tensor { a.mapped { -$0 } }

    // Compound assignment updates the storage in place when `b` broadcasts to
    // `a`'s shape and `a`'s storage is not shared (else Array copies it once).
    public static func += (a: inout Tensor, b: Tensor) { a.combineInPlace(b, operation: "+=") { $0 + $1 } }
    public static func -= (a: inout Tensor, b: Tensor) { a.combineInPlace(b, operation: "-=") { $0 - $1 } }
    public static func *= (a: inout Tensor, b: Tensor) { a.combineInPlace(b, operation: "*=") { $0 * $1 } }
    public static func /= (a: inout Tensor, b: Tensor) { a.combineInPlace(b, operation: "/=") { $0 / $1 } }
    public static func += (a: inout Tensor, s: Double) { a.mapInPlace { $0 + s } }
    public static func -= (a: inout Tensor, s: Double) { a.mapInPlace { $0 - s } }
    public static func *= (a: inout Tensor, s: Double) { a.mapInPlace { $0 * s } }
    public static func /= (a: inout Tensor, s: Double) { a.mapInPlace { $0 / s } }
}
