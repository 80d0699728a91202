/// Matrix product, with numpy's `matmul` conventions:
///
/// - `[n, k] × [k, m] → [n, m]`
/// - `[n, k] × [k] → [n]` and `[k] × [k, m] → [m]` (a vector on either side);
///   `[k] × [k] → []`, the dot product as a rank-0 tensor
/// - batched: `[..., n, k] × [..., k, m] → [..., n, m]`, the leading (batch)
///   axes broadcast, so `[B, n, k] × [k, m]` multiplies every matrix of the batch.
///
/// ```swift
/// let scores = matmul(X, W) + b     // X [N, D], W [D, C], b [C] → [N, C]
/// ```
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    matmul(a, b, transposeA: false, transposeB: false)
}

/// `matmul` of `a` and `b` with either operand's last two axes swapped first,
/// without building the transposed copy: `matmul(x, dOut, transposeA: true)`
/// equals `matmul(x.transposed(), dOut)` bit for bit, and is faster.
///
/// - Parameters:
///   - a: `[..., n, k]`, or `[..., k, n]` when `transposeA`; a vector `[k]` is never transposed.
///   - b: `[..., k, m]`, or `[..., m, k]` when `transposeB`; a vector `[k]` is never transposed.
/// - Returns: `[..., n, m]` with the batch axes broadcast (vector operands squeezed as in `matmul`).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
    precondition(a.rank >= 1 && b.rank >= 1, "matmul: needs tensors of rank 1 or more, got \(a.shape) and \(b.shape)")
    // With a vector b the product below is already squeezed to [1], so the axis added to a is the last one.
    if a.rank == 1 {
        return matmul(a.reshaped([1, a.count]), b, transposeA: false, transposeB: transposeB)
            .squeezing(axis: b.rank == 1 ? -1 : -2)
    }
    if b.rank == 1 {
        return matmul(a, b.reshaped([b.count, 1]), transposeA: transposeA, transposeB: false).squeezing(axis: -1)
    }
    let rowsA = a.shape[a.rank - 2], columnsA = a.shape[a.rank - 1]
    let rowsB = b.shape[b.rank - 2], columnsB = b.shape[b.rank - 1]
    let (n, k) = transposeA ? (columnsA, rowsA) : (rowsA, columnsA)
    let (k2, m) = transposeB ? (columnsB, rowsB) : (rowsB, columnsB)
    precondition(k == k2, "matmul: inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") × \(b.shape)\(transposeB ? "ᵀ" : "") (\(k) vs \(k2)); did you mean to transpose one of them?")
    if a.rank == 2 && b.rank == 2 {
        let out = a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                [Double](unsafeUninitializedCapacity: n * m) { po, initialized in
                    // The kernels write every output in the first block of the inner dimension;
                    // only an empty inner dimension (k = 0) leaves the zeros of the definition to fill.
                    if k == 0 { po.initialize(repeating: 0) }
                    initialized = n * m
                    guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseO = po.baseAddress else { return }
                    MatrixMultiply.multiplyBatch(count: 1, n: n, m: m, k: k) { _ in
                        (a: MatrixMultiply.Operand(base: baseA, rowStride: transposeA ? 1 : columnsA,
                                                   columnStride: transposeA ? columnsA : 1),
                         b: MatrixMultiply.Operand(base: baseB, rowStride: transposeB ? 1 : columnsB,
                                                   columnStride: transposeB ? columnsB : 1),
                         c: MatrixMultiply.Output(base: baseO, rowStride: m))
                    }
                }
            }
        }
        return Tensor(unchecked: [n, m], out)
    }
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    guard let batch = Tensor.broadcastShape(batchA, batchB) else {
        preconditionFailure("matmul: batch shapes \(batchA) and \(batchB) do not broadcast")
    }
    let batchCount = batch.reduce(1, *)
    // Which matrix of a and of b each output matrix uses (0 strides on broadcast batch axes).
    let stridesA = Tensor(shape: batchA, repeating: 0).broadcastStrides(to: batch)
    let stridesB = Tensor(shape: batchB, repeating: 0).broadcastStrides(to: batch)
    let batchStrides = Tensor.strides(of: batch)
    func source(_ t: Int, _ strides: [Int]) -> Int {
        var rest = t, index = 0
        for axis in batch.indices {
            index += rest / batchStrides[axis] * strides[axis]
            rest %= batchStrides[axis]
        }
        return index
    }
    let sourcesA = (0..<batchCount).map { source($0, stridesA) }
    let sourcesB = (0..<batchCount).map { source($0, stridesB) }
    var out = [Double](unsafeUninitializedCapacity: batchCount * n * m) { buffer, initialized in
        if k == 0 { buffer.initialize(repeating: 0) }   // otherwise the kernels write every element
        initialized = batchCount * n * m
    }
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { po in
                guard let baseA = pa.baseAddress, let baseB = pb.baseAddress, let baseO = po.baseAddress else { return }
                MatrixMultiply.multiplyBatch(count: batchCount, n: n, m: m, k: k) { t in
                    (a: MatrixMultiply.Operand(base: baseA + sourcesA[t] * rowsA * columnsA,
                                               rowStride: transposeA ? 1 : columnsA,
                                               columnStride: transposeA ? columnsA : 1),
                     b: MatrixMultiply.Operand(base: baseB + sourcesB[t] * rowsB * columnsB,
                                               rowStride: transposeB ? 1 : columnsB,
                                               columnStride: transposeB ? columnsB : 1),
                     c: MatrixMultiply.Output(base: baseO + t * n * m, rowStride: m))
                }
            }
        }
    }
    return Tensor(shape: batch + [n, m], scalars: out)
}

/// The dot product of two vectors of equal length.
public func dot(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count, "dot: lengths differ (\(a.shape) vs \(b.shape))")
    var total = 0.0
    for i in 0..<a.count { total += a.scalars[i] * b.scalars[i] }
    return total
}

/// The outer product of two vectors: `[n] ⊗ [m] → [n, m]`.
public func outer(_ a: Tensor, _ b: Tensor) -> Tensor {
    matmul(a.reshaped([a.count, 1]), b.reshaped([1, b.count]))
}

/// Solves the linear system `A x = b` by Gaussian elimination with partial pivoting.
///
/// - Parameters:
///   - A: a square, invertible matrix, shape `[n, n]`.
///   - b: the right-hand side, shape `[n]` (or `[n, k]` for several systems at once).
/// - Returns: `x`, with the shape of `b`.
public func solveLinearSystem(_ A: Tensor, _ b: Tensor) -> Tensor {
    precondition(A.rank == 2 && A.shape[0] == A.shape[1], "solveLinearSystem: A must be square, got shape \(A.shape)")
    let n = A.shape[0]
    precondition(b.shape.first == n && b.rank <= 2, "solveLinearSystem: b must have shape [\(n)] or [\(n), k], got \(b.shape)")
    let k = b.rank == 1 ? 1 : b.shape[1]
    var a = A.scalars
    var rhs = b.scalars
    for column in 0..<n {
        // Partial pivoting: the largest entry of this column moves onto the diagonal.
        var pivot = column
        for r in (column + 1)..<Swift.max(n, column + 1) where abs(a[r * n + column]) > abs(a[pivot * n + column]) { pivot = r }
        precondition(abs(a[pivot * n + column]) > 1e-300, "solveLinearSystem: the matrix is singular")
        if pivot != column {
            for c in 0..<n { a.swapAt(column * n + c, pivot * n + c) }
            for c in 0..<k { rhs.swapAt(column * k + c, pivot * k + c) }
        }
        for r in (column + 1)..<Swift.max(n, column + 1) {
            let factor = a[r * n + column] / a[column * n + column]
            if factor == 0 { continue }
            for c in column..<n { a[r * n + c] -= factor * a[column * n + c] }
            for c in 0..<k { rhs[r * k + c] -= factor * rhs[column * k + c] }
        }
    }
    var x = [Double](repeating: 0, count: n * k)
    for r in stride(from: n - 1, through: 0, by: -1) {
        for c in 0..<k {
            var total = rhs[r * k + c]
            for j in (r + 1)..<Swift.max(n, r + 1) { total -= a[r * n + j] * x[j * k + c] }
            x[r * k + c] = total / a[r * n + r]
        }
    }
    return Tensor(shape: b.shape, scalars: x)
}
