#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

extension Tensor {
    /// Applies `transform` to every element; the shape is kept.
    @inlinable   // so that a closure literal is inlined into the loop at the call site, in any module
    public func map(_ transform: (Double) -> Double) -> Tensor {
        mapped(transform)
    }

    /// Combines two tensors elementwise with numpy broadcasting.
    ///
    /// ```swift
    /// let y = x.zipMap(mask) { v, m in m > 0 ? v : 0 }
    /// ```
    public func zipMap(_ other: Tensor, _ combine: (Double, Double) -> Double) -> Tensor {
        Tensor.broadcasting(self, other, operation: "zipMap", combine)
    }

    /// Every element limited to `range`.
    public func clamped(to range: ClosedRange<Double>) -> Tensor {
        let (low, high) = (range.lowerBound, range.upperBound)
        return mapped { Swift.min(Swift.max($0, low), high) }
    }

    /// `true` when no element is NaN or infinite.
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}

// Free functions so that formulas read like math: `1 / (1 + exp(-x))`.

/// e to the power of each element.
public func exp(_ x: Tensor) -> Tensor { x.mapped { exp($0) } }
/// The natural logarithm of each element.
public func log(_ x: Tensor) -> Tensor { x.mapped { log($0) } }
/// `log(1 + x)` of each element, accurate for small `x`.
public func log1p(_ x: Tensor) -> Tensor { x.mapped { log1p($0) } }
/// The hyperbolic tangent of each element.
public func tanh(_ x: Tensor) -> Tensor { x.mapped { tanh($0) } }
/// The square root of each element.
public func sqrt(_ x: Tensor) -> Tensor { x.mapped { $0.squareRoot() } }
/// The absolute value of each element.
public func abs(_ x: Tensor) -> Tensor { x.mapped { Swift.abs($0) } }
/// Each element raised to `power`.
public func pow(_ x: Tensor, _ power: Double) -> Tensor {
    if power == 2 { return x.mapped { $0 * $0 } }
    return x.mapped { pow($0, power) }
}
/// The sine of each element.
public func sin(_ x: Tensor) -> Tensor { x.mapped { sin($0) } }
/// The cosine of each element.
public func cos(_ x: Tensor) -> Tensor { x.mapped { cos($0) } }
/// The larger of each element and `s`: `maximum(x, 0)` is ReLU.
public func maximum(_ x: Tensor, _ s: Double) -> Tensor { x.mapped { Swift.max($0, s) } }
/// The smaller of each element and `s`.
public func minimum(_ x: Tensor, _ s: Double) -> Tensor { x.mapped { Swift.min($0, s) } }
/// The elementwise larger of two tensors (broadcasting).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.combined(a, b, operation: "maximum") { Swift.max($0, $1) } }
/// The elementwise smaller of two tensors (broadcasting).
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.combined(a, b, operation: "minimum") { Swift.min($0, $1) } }
/// -1, 0 or +1 for each element.
public func sign(_ x: Tensor) -> Tensor { x.mapped { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }

// MARK: - Masks

infix operator .== : ComparisonPrecedence

extension Tensor {
    /// 1 where the element is greater than `s`, 0 elsewhere.
    public static func .> (x: Tensor, s: Double) -> Tensor { x.mapped { $0 > s ? 1 : 0 } }
    /// 1 where the element is at least `s`, 0 elsewhere.
    public static func .>= (x: Tensor, s: Double) -> Tensor { x.mapped { $0 >= s ? 1 : 0 } }
    /// 1 where the element is less than `s`, 0 elsewhere.
    public static func .< (x: Tensor, s: Double) -> Tensor { x.mapped { $0 < s ? 1 : 0 } }
    /// 1 where the element is at most `s`, 0 elsewhere.
    public static func .<= (x: Tensor, s: Double) -> Tensor { x.mapped { $0 <= s ? 1 : 0 } }
    /// 1 where the element equals `s`, 0 elsewhere.
    public static func .== (x: Tensor, s: Double) -> Tensor { x.mapped { $0 == s ? 1 : 0 } }
    /// 1 where `a > b` (broadcasting), 0 elsewhere.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: ".>") { $0 > $1 ? 1 : 0 } }
    /// 1 where `a < b` (broadcasting), 0 elsewhere.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: ".<") { $0 < $1 ? 1 : 0 } }
    /// 1 where `a == b` (broadcasting), 0 elsewhere.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { combined(a, b, operation: ".==") { $0 == $1 ? 1 : 0 } }

    /// Picks from `a` where `mask` is non-zero and from `b` elsewhere (broadcasting all three).
    ///
    /// ```swift
    /// let masked = Tensor.where(mask, scores, Tensor(-.infinity))
    /// ```
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        guard let ab = broadcastShape(a.shape, b.shape), let shape = broadcastShape(mask.shape, ab) else {
            preconditionFailure("Tensor.where: shapes \(mask.shape), \(a.shape), \(b.shape) do not broadcast together")
        }
        // Each operand is read in place when it already has the result's shape or holds one
        // element (stride 0); only an operand broadcast along some axes is materialized first.
        let count = shape.reduce(1, *)
        func readable(_ t: Tensor) -> (scalars: [Double], step: Int) {
            if t.count == 1 { return (t.scalars, 0) }
            return (t.shape == shape ? t.scalars : t.broadcast(to: shape).scalars, 1)
        }
        let (m, x, y) = (readable(mask), readable(a), readable(b))
        let out = m.scalars.withUnsafeBufferPointer { pm in
            x.scalars.withUnsafeBufferPointer { px in
                y.scalars.withUnsafeBufferPointer { py in
                    makeScalars(count: count) { o in
                        let (mm, xx, yy) = (pm.baseAddress!, px.baseAddress!, py.baseAddress!)
                        var i = 0
                        while i < count {
                            o[i] = mm[i &* m.step] != 0 ? xx[i &* x.step] : yy[i &* y.step]
                            i &+= 1
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: shape, out)
    }
}

// MARK: - Approximate comparison

extension Tensor {
    /// `true` when the shapes are equal and every pair of elements satisfies
    /// `|a - b| <= absoluteTolerance + relativeTolerance * |b|` (as `numpy.allclose`).
    /// NaN equals nothing; infinities must match exactly.
    public func isApproximatelyEqual(to other: Tensor, absoluteTolerance: Double = 1e-8,
                                     relativeTolerance: Double = 1e-6) -> Bool {
        guard shape == other.shape else { return false }
        for (a, b) in zip(scalars, other.scalars) {
            if a == b { continue }
            if !a.isFinite || !b.isFinite { return false }
            if Swift.abs(a - b) > absoluteTolerance + relativeTolerance * Swift.abs(b) { return false }
        }
        return true
    }

    /// The largest `|a - b|` over all elements (shapes must match).
    public func maxAbsoluteDifference(to other: Tensor) -> Double {
        precondition(shape == other.shape, "Tensor.maxAbsoluteDifference: shapes \(shape) and \(other.shape) differ")
        var worst = 0.0
        for (a, b) in zip(scalars, other.scalars) {
            if a == b { continue }
            let d = Swift.abs(a - b)
            if d.isNaN { return .nan }
            worst = Swift.max(worst, d)
        }
        return worst
    }
}
