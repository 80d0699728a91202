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
    precondition(a.rank >= 1 && b.rank >= 1, "matmul: needs tensors of rank 1 or more, got \(a.shape) and \(b.shape)")
    // With a vector b the product below is already squeezed to [1], so the axis added to a is the last one.
    if a.rank == 1 { return matmul(a.reshaped([1, a.count]), b).squeezing(axis: b.rank == 1 ? -1 : -2) }
    if b.rank == 1 { return matmul(a, b.reshaped([b.count, 1])).squeezing(axis: -1) }
    let n = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
    let k2 = b.shape[b.rank - 2], m = b.shape[b.rank - 1]
    precondition(k == k2, "matmul: inner sizes differ: \(a.shape) × \(b.shape) (\(k) vs \(k2)); did you mean to transpose one of them?")
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    guard let batch = Tensor.broadcastShape(batchA, batchB) else {
        preconditionFailure("matmul: batch shapes \(batchA) and \(batchB) do not broadcast")
    }
    let batchCount = batch.reduce(1, *)
    // Which matrix of a and of b each output matrix uses.
    let batchIndexA = Tensor.arange(0, Double(batchA.reduce(1, *))).reshaped(batchA).broadcast(to: batch)
    let batchIndexB = Tensor.arange(0, Double(batchB.reduce(1, *))).reshaped(batchB).broadcast(to: batch)
    var out = [Double](repeating: 0, count: batchCount * n * m)
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { po in
                for t in 0..<batchCount {
                    let baseA = Int(batchIndexA.scalars[t]) * n * k
                    let baseB = Int(batchIndexB.scalars[t]) * k * m
                    let baseO = t * n * m
                    // i-p-j order: the inner loop walks rows of b and of the output contiguously.
                    for i in 0..<n {
                        for p in 0..<k {
                            // No shortcut for aip == 0: 0 × ∞ must stay NaN so that overflow shows.
                            let aip = pa[baseA + i * k + p]
                            let rowB = baseB + p * m
                            let rowO = baseO + i * m
                            for j in 0..<m { po[rowO + j] += aip * pb[rowB + j] }
                        }
                    }
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
