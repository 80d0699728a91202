/// An n-dimensional array of `Double`s, stored row-major, with value semantics.
///
/// `Tensor` is the one data type of the course. It is deliberately small:
/// a shape and a flat array of scalars. Element `[i, j, k]` of a tensor of
/// shape `[A, B, C]` lives at `scalars[(i * B + j) * C + k]`.
///
/// ```swift
/// let x = Tensor([[1, 2, 3],
///                 [4, 5, 6]])        // shape [2, 3]
/// let y = 1 / (1 + exp(-x))          // elementwise, shape [2, 3]
/// let rowSums = y.sum(axis: 1)       // shape [2]
/// ```
///
/// A tensor of rank 0 (shape `[]`) holds exactly one scalar.
/// Copies are cheap until one of them is mutated (copy-on-write through
/// Swift's `Array`).
public struct Tensor: Sendable, Equatable {
    /// The size of each axis. `[]` for a scalar, `[n]` for a vector,
    /// `[rows, columns]` for a matrix.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Double]

    /// Creates a tensor of the given shape from its elements in row-major order.
    public init(shape: [Int], scalars: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        precondition(count == scalars.count,
                     "Tensor: shape \(shape) needs \(count) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Double) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A rank-0 tensor holding one number.
    public init(_ scalar: Double) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A vector (rank 1) from its elements.
    public init(_ vector: [Double]) {
        self.init(shape: [vector.count], scalars: vector)
    }

    /// A matrix (rank 2) from its rows; every row must have the same length.
    public init(_ rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns },
                     "Tensor: all rows must have the same length (\(rows.map(\.count)))")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// The number of axes: 0 for a scalar, 1 for a vector, 2 for a matrix.
    public var rank: Int { shape.count }

    /// The number of elements, the product of the shape.
    public var count: Int { scalars.count }

    /// The single element of a tensor with exactly one element (of any rank).
    public var scalar: Double {
        precondition(scalars.count == 1, "Tensor.scalar: tensor of shape \(shape) has \(scalars.count) elements, not 1")
        return scalars[0]
    }

    /// Replaces every element, keeping the shape.
    public mutating func withScalars(_ body: (inout [Double]) -> Void) {
        let before = scalars.count
        body(&scalars)
        precondition(scalars.count == before, "Tensor.withScalars: the number of elements must not change")
    }

    /// The row-major strides of `shape`: how far apart in `scalars` two
    /// neighbours along each axis are.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = Array(repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// The position in `scalars` of the element at a full multi-index.
    @inlinable
    public func offset(of indices: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "Tensor: \(indices.count) indices for a tensor of rank \(shape.count) (shape \(shape))")
        var offset = 0
        for axis in 0..<indices.count {
            let i = indices[axis]
            precondition(i >= 0 && i < shape[axis],
                         "Tensor: index \(i) out of range for axis \(axis) of size \(shape[axis]) (shape \(shape))")
            offset = offset * shape[axis] + i
        }
        return offset
    }

    /// The element at a full multi-index: `x[i, j]` for a matrix.
    public subscript(indices: Int...) -> Double {
        get { scalars[offset(of: indices)] }
        set { scalars[offset(of: indices)] = newValue }
    }

    /// The element at a full multi-index given as an array.
    public subscript(index indices: [Int]) -> Double {
        get { scalars[offset(of: indices)] }
        set { scalars[offset(of: indices)] = newValue }
    }

    /// Turns a possibly negative axis (`-1` is the last) into `0..<rank`.
    public func normalizedAxis(_ axis: Int, function: String = #function) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(normalized >= 0 && normalized < rank,
                     "Tensor.\(function): axis \(axis) is out of range for a tensor of rank \(rank) (shape \(shape))")
        return normalized
    }
}
