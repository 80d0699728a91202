/// The loops behind elementwise operations, broadcasting and in-place updates.
///
/// Every function here is `@inline(__always)` and takes the per-element
/// operation as a closure literal at each call site (`+`, `*`, `max`, …), so
/// the compiler specializes a loop per operation, with no call per element,
/// and vectorizes it. Loops use unchecked pointer arithmetic (`&+`): the index
/// arithmetic's overflow checks would otherwise keep them scalar.
///
/// Broadcasting is planned once per call, not once per element: axes that
/// can be walked as one (both operands contiguous across them, or both
/// broadcast along them) are merged, so `[N, C] + [C]` becomes N runs of a
/// contiguous C-element loop, `[N, C] + [N, 1]` N runs of "a run + one number",
/// and the multi-index only advances between runs.
extension Tensor {
    /// A new array of `count` elements filled by `body` through a pointer (no zero fill first).
    @inline(__always) @usableFromInline
    static func makeScalars(count: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { body(buffer.baseAddress!) }
            initialized = count
        }
    }

    /// `f` applied to every element; the shape is kept.
    @inline(__always) @usableFromInline
    func mapped(_ f: (Double) -> Double) -> Tensor {
        let n = count
        let out = scalars.withUnsafeBufferPointer { x in
            Tensor.makeScalars(count: n) { o in
                let p = x.baseAddress!
                var i = 0
                while i < n { o[i] = f(p[i]); i &+= 1 }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// `f` applied in place to every element (copying first only if the storage is shared).
    @inline(__always)
    mutating func mapInPlace(_ f: (Double) -> Double) {
        let n = count
        scalars.withUnsafeMutableBufferPointer { x in
            guard let p = x.baseAddress else { return }
            var i = 0
            while i < n { p[i] = f(p[i]); i &+= 1 }
        }
    }

    /// A tensor whose invariant (`scalars.count == shape product`) the caller guarantees.
    @inline(__always) @usableFromInline
    init(unchecked shape: [Int], _ scalars: [Double]) {
        self.shape = shape
        self.scalars = scalars
    }

    /// `f` of two tensors, elementwise, with numpy broadcasting.
    @inline(__always)
    static func combined(_ a: Tensor, _ b: Tensor, operation: String, _ f: (Double, Double) -> Double) -> Tensor {
        if a.shape == b.shape {
            let n = a.count
            let out = a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    makeScalars(count: n) { o in
                        let x = pa.baseAddress!, y = pb.baseAddress!
                        var i = 0
                        while i < n { o[i] = f(x[i], y[i]); i &+= 1 }
                    }
                }
            }
            return Tensor(unchecked: a.shape, out)
        }
        if b.count == 1 && b.rank <= a.rank {
            // b has only size-1 axes and no more of them than a: the result has a's shape.
            let s = b.scalars[0]
            return a.mapped { f($0, s) }
        }
        if a.count == 1 && a.rank <= b.rank {
            let s = a.scalars[0]
            return b.mapped { f(s, $0) }
        }
        // One operand repeated over the other's leading axes ([N, C] + [C], [B, T, D] + [T, D]):
        // runs of the smaller operand's length, with no shape bookkeeping.
        if a.count > 0 && b.count > 0 && isTrailingPart(b.shape, of: a.shape) {
            return repeating(a, b, shape: a.shape) { f($0, $1) }
        }
        if a.count > 0 && b.count > 0 && isTrailingPart(a.shape, of: b.shape) {
            return repeating(b, a, shape: b.shape) { f($1, $0) }
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("Tensor: cannot broadcast shapes \(a.shape) and \(b.shape) for \(operation); "
                + "sizes must match or be 1 on every axis, aligned from the right"
                + droppedAxisHint(a.shape, b.shape))
        }
        let plan = BroadcastPlan(shape: shape, a.broadcastStrides(to: shape), b.broadcastStrides(to: shape))
        let out = a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                makeScalars(count: plan.count) { o in
                    plan.forEachRun { offset, oa, ob in
                        run(plan.length, o + offset, pa.baseAddress! + oa, plan.strideA,
                            pb.baseAddress! + ob, plan.strideB, f)
                    }
                }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// Whether `part`, without its leading size-1 axes, is the tail of `whole`
    /// (so that `part` repeats over `whole`'s remaining leading axes).
    @inline(__always)
    static func isTrailingPart(_ part: [Int], of whole: [Int]) -> Bool {
        guard part.count <= whole.count else { return false }
        var leading = 0
        while leading < part.count && part[leading] == 1 { leading += 1 }
        let tail = part.count - leading
        for i in 0..<tail where part[part.count - 1 - i] != whole[whole.count - 1 - i] { return false }
        return true
    }

    /// `f(big, small)` where `small`'s elements repeat over `big` in runs of `small.count`.
    @inline(__always)
    static func repeating(_ big: Tensor, _ small: Tensor, shape: [Int], _ f: (Double, Double) -> Double) -> Tensor {
        let length = small.count, runs = big.count / small.count
        let out = big.scalars.withUnsafeBufferPointer { pa in
            small.scalars.withUnsafeBufferPointer { pb in
                makeScalars(count: big.count) { o in
                    var r = 0
                    while r < runs {
                        let offset = r &* length
                        run(length, o + offset, pa.baseAddress! + offset, 1, pb.baseAddress!, 1, f)
                        r &+= 1
                    }
                }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// One run of `length` outputs: `o[i] = f(x[i·sx], y[i·sy])` with strides 0 or 1 specialized.
    @inline(__always)
    static func run(_ length: Int, _ o: UnsafeMutablePointer<Double>,
                    _ x: UnsafePointer<Double>, _ sx: Int, _ y: UnsafePointer<Double>, _ sy: Int,
                    _ f: (Double, Double) -> Double) {
        var i = 0
        if sx == 1 && sy == 1 {
            while i < length { o[i] = f(x[i], y[i]); i &+= 1 }
        } else if sx == 1 && sy == 0 {
            let s = y[0]
            while i < length { o[i] = f(x[i], s); i &+= 1 }
        } else if sx == 0 && sy == 1 {
            let s = x[0]
            while i < length { o[i] = f(s, y[i]); i &+= 1 }
        } else {
            while i < length { o[i] = f(x[i &* sx], y[i &* sy]); i &+= 1 }
        }
    }

    /// `self = f(self, other)` in place when `other` broadcasts to this shape;
    /// otherwise (the result would be larger) `self` is replaced by the broadcast result.
    @inline(__always)
    mutating func combineInPlace(_ other: Tensor, operation: String, _ f: (Double, Double) -> Double) {
        if other.shape != shape && Tensor.broadcastShape(shape, other.shape) != shape {
            self = Tensor.combined(self, other, operation: operation, f)
            return
        }
        if other.count == 1 {
            let s = other.scalars[0]
            mapInPlace { f($0, s) }
            return
        }
        let plan = shape == other.shape
            ? BroadcastPlan(shape: [count], [1], [1])
            : BroadcastPlan(shape: shape, Tensor.strides(of: shape), other.broadcastStrides(to: shape))
        other.scalars.withUnsafeBufferPointer { pb in
            scalars.withUnsafeMutableBufferPointer { pa in
                guard let base = pa.baseAddress else { return }
                plan.forEachRun { offset, _, ob in
                    Tensor.run(plan.length, base + offset, UnsafePointer(base + offset), 1,
                               pb.baseAddress! + ob, plan.strideB, f)
                }
            }
        }
    }
}

/// How to walk a broadcast: runs of `length` outputs, each reading `a` and `b`
/// with the strides of the last (merged) axis, and an odometer over the rest.
struct BroadcastPlan {
    /// The merged outer sizes (the run axis excluded).
    var outerShape: [Int]
    var outerStridesA: [Int]
    var outerStridesB: [Int]
    var length: Int
    var strideA: Int
    var strideB: Int
    var count: Int

    init(shape: [Int], _ sa: [Int], _ sb: [Int]) {
        count = shape.reduce(1, *)
        // Drop size-1 axes, then merge neighbours that both operands walk as one.
        var dims: [(size: Int, a: Int, b: Int)] = []
        for axis in shape.indices where shape[axis] != 1 {
            let d = (size: shape[axis], a: sa[axis], b: sb[axis])
            if let last = dims.last, last.a == d.a * d.size, last.b == d.b * d.size {
                dims[dims.count - 1] = (last.size * d.size, d.a, d.b)
            } else {
                dims.append(d)
            }
        }
        let inner = dims.popLast() ?? (size: 1, a: 0, b: 0)
        length = inner.size
        strideA = inner.a
        strideB = inner.b
        outerShape = dims.map(\.size)
        outerStridesA = dims.map(\.a)
        outerStridesB = dims.map(\.b)
    }

    /// Calls `body(outputOffset, offsetA, offsetB)` for every run, in output order.
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int) -> Void) {
        guard count > 0 else { return }
        let rank = outerShape.count
        if rank == 0 { body(0, 0, 0); return }
        if rank == 1 {
            let sa = outerStridesA[0], sb = outerStridesB[0]
            var r = 0
            while r < outerShape[0] { body(r &* length, r &* sa, r &* sb); r &+= 1 }
            return
        }
        var index = [Int](repeating: 0, count: rank)
        var oa = 0, ob = 0, offset = 0
        while offset < count {
            body(offset, oa, ob)
            offset &+= length
            var axis = rank - 1
            while axis >= 0 {
                index[axis] &+= 1
                oa &+= outerStridesA[axis]
                ob &+= outerStridesB[axis]
                if index[axis] < outerShape[axis] { break }
                oa &-= outerStridesA[axis] &* outerShape[axis]
                ob &-= outerStridesB[axis] &* outerShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// When one shape is the other with an axis removed, the likely cause: a
/// reduction such as `x.sum(axis: 1)` that dropped the axis it reduced.
func droppedAxisHint(_ a: [Int], _ b: [Int]) -> String {
    let (long, short) = a.count > b.count ? (a, b) : (b, a)
    guard long.count == short.count + 1,
          let axis = long.indices.first(where: { i in var s = long; s.remove(at: i); return s == short }) else { return "" }
    return " — was the \(short) operand reduced over axis \(axis) without `keepingDims: true`?"
}
