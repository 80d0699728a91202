import Testing

/// Lesson 08 — your implementations in `Lessons/08-transformer`, graded.
@Suite("08 The Transformer — your code")
struct Lesson08TransformersExercises {
    @Test("transformer.attention") func attention() async throws { try await gradeLearner("transformer.attention") }
    @Test("transformer.multiHead") func multiHead() async throws { try await gradeLearner("transformer.multiHead") }
    @Test("transformer.positions") func positions() async throws { try await gradeLearner("transformer.positions") }
    @Test("transformer.feedForward") func feedForward() async throws { try await gradeLearner("transformer.feedForward") }
    @Test("transformer.block") func block() async throws { try await gradeLearner("transformer.block") }
    @Test("transformer.decoder") func decoder() async throws { try await gradeLearner("transformer.decoder") }
    @Test("transformer.trainingStep") func trainingStep() async throws { try await gradeLearner("transformer.trainingStep") }
}
