import CourseKit
import Foundation

/// What `embeddingForward` keeps: the indices that were looked up, and the table's shape.
public struct EmbeddingCache: Sendable {
    /// N rows of T indices, each in `0..<V`.
    public var indices: [[Int]]
    /// The table's shape `[V, D]`.
    public var tableShape: [Int]

    public init(indices: [[Int]], tableShape: [Int]) {
        self.indices = indices
        self.tableShape = tableShape
    }
}

/// Exercise `rnn.embedding` — a word (or character) embedding, forward:
/// a table lookup. Token i is represented by row i of the table W.
///
///     out[n, t, :] = W[indices[n][t], :]
///
/// - Parameters:
///   - indices: N sequences of T token indices, each in `0..<V` (every row the same length T).
///   - table: W, `[V, D]`: one D-dimensional vector per token of a vocabulary of V.
/// - Returns: out `[N, T, D]` and the cache.
public func embeddingForward(_ indices: [[Int]], table: Tensor) -> (out: Tensor, cache: EmbeddingCache) {
    precondition(table.rank == 2, "embeddingForward: the table must be [V, D], got shape \(table.shape)")
    precondition(!indices.isEmpty && indices.allSatisfy { $0.count == indices[0].count },
                 "embeddingForward: give N ≥ 1 rows of indices, all of the same length T")
    // BEGIN SOLUTION
    let n = indices.count, t = indices[0].count, d = table.shape[1]
    let out = table.rows(at: indices.flatMap { $0 }).reshaped([n, t, d])
    return (out, EmbeddingCache(indices: indices, tableShape: table.shape))
    // END SOLUTION
}

/// Exercise `rnn.embedding` — the embedding, backward: ∂L/∂W.
///
/// Only the rows that were looked up receive a gradient; a token that occurs
/// several times in the batch receives the sum of the gradients of all its
/// occurrences (see the chapter, section "Embeddings").
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[N, T, D]`.
///   - cache: from `embeddingForward`.
/// - Returns: ∂L/∂W, `[V, D]`.
public func embeddingBackward(_ dOut: Tensor, cache: EmbeddingCache) -> Tensor {
    // BEGIN SOLUTION
    let d = cache.tableShape[1]
    var dTable = Tensor.zeros(cache.tableShape)
    let upstream = dOut.scalars
    dTable.withScalars { table in
        for (position, token) in cache.indices.flatMap({ $0 }).enumerated() {
            for k in 0..<d { table[token * d + k] += upstream[position * d + k] }
        }
    }
    return dTable
    // END SOLUTION
}

// BEGIN TABLE RecurrentNetsFunctions rnn.embedding
// embedding: @Sendable (_ indices: [[Int]], _ table: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor)
// = { indices, table in
//     let (out, cache) = Module.embeddingForward(indices, table: table)
//     return (out, { Module.embeddingBackward($0, cache: cache) })
// }
// END TABLE
