import CourseKit
import Foundation
import RecurrentNetsSolutions

/// Exercise `transformer.positions` — the sinusoidal positional encoding of
/// Vaswani et al. (2017), **interleaved**: even features are sines, odd
/// features cosines, one frequency per pair.
///
///     PE[t, 2i]     = sin(t / 10000^(2i/D))
///     PE[t, 2i + 1] = cos(t / 10000^(2i/D))          for i = 0 … D/2 − 1
///
/// Some libraries concatenate instead (all sines in the first D/2 features,
/// all cosines in the last D/2): the same numbers in another order, so a
/// model trained with one does not read the other.
///
/// - Parameters:
///   - length: T ≥ 1 positions, numbered from 0.
///   - width: D, even.
/// - Returns: `[T, D]`; add it to every sequence of a `[B, T, D]` batch.
public func sinusoidalPositionalEncoding(length: Int, width: Int) -> Tensor {
    precondition(length >= 1 && width >= 2 && width % 2 == 0,
                 "sinusoidalPositionalEncoding: needs length ≥ 1 and an even width ≥ 2, got \(length), \(width)")
    todo()
}

/// What `tokenEmbeddingForward` keeps: both lookups' caches.
public struct TokenEmbeddingCache: Sendable {
    /// The token table's lookup (lesson 07).
    public var tokens: EmbeddingCache
    /// The position table's lookup: position t for every sequence.
    public var positions: EmbeddingCache

    public init(tokens: EmbeddingCache, positions: EmbeddingCache) {
        self.tokens = tokens
        self.positions = positions
    }
}

/// Exercise `transformer.positions` — a Transformer's input layer with learned
/// positional embeddings: each token's vector plus its position's vector.
///
///     out[b, t, :] = E_tok[tokens[b][t], :] + E_pos[t, :]
///
/// Both are lookups: use lesson 07's `embeddingForward`, the second with
/// the indices 0 … T − 1 for every sequence.
///
/// - Parameters:
///   - tokens: B sequences of T token indices in `0..<V` (all of length T).
///   - tokenTable: E_tok, `[V, D]`.
///   - positionTable: E_pos, `[T_max, D]` with T ≤ T_max.
/// - Returns: out `[B, T, D]` and the cache.
public func tokenEmbeddingForward(_ tokens: [[Int]], tokenTable: Tensor, positionTable: Tensor)
    -> (out: Tensor, cache: TokenEmbeddingCache) {
    precondition(!tokens.isEmpty && tokens[0].count <= positionTable.shape[0],
                 "tokenEmbeddingForward: sequences of \(tokens.first?.count ?? 0) positions but a position table of \(positionTable.shape[0])")
    precondition(tokenTable.rank == 2 && positionTable.rank == 2 && tokenTable.shape[1] == positionTable.shape[1],
                 "tokenEmbeddingForward: tables \(tokenTable.shape) and \(positionTable.shape) must be [V, D] and [T_max, D]")
    todo()
}

/// Exercise `transformer.positions` — the input layer, backward: the gradient
/// of both tables. A position's row is used once per sequence in the batch.
/// Chapter section "Positional information".
///
/// - Parameters:
///   - dOut: ∂L/∂out, `[B, T, D]`.
///   - cache: from `tokenEmbeddingForward`.
/// - Returns: dTokenTable `[V, D]` and dPositionTable `[T_max, D]` (zero in rows never used).
public func tokenEmbeddingBackward(_ dOut: Tensor, cache: TokenEmbeddingCache) -> (dTokenTable: Tensor, dPositionTable: Tensor) {
    todo()
}
