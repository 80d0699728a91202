import Testing

/// Lesson 08 — your code in `Lessons/08-transformer`, graded: one test per exercise.
@Suite("Lesson 08 — your code in Lessons/08-transformer")
struct Lesson08_transformer {
    @Test("transformer.attention") func attention() async throws { try await gradeLearner() }
    @Test("transformer.multiHead") func multiHead() async throws { try await gradeLearner() }
    @Test("transformer.positions") func positions() async throws { try await gradeLearner() }
    @Test("transformer.feedForward") func feedForward() async throws { try await gradeLearner() }
    @Test("transformer.block") func block() async throws { try await gradeLearner() }
    @Test("transformer.decoder") func decoder() async throws { try await gradeLearner() }
    @Test("transformer.trainingStep") func trainingStep() async throws { try await gradeLearner() }
}
