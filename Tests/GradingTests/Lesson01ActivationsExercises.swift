import Testing

/// Lesson 01 — your implementations in `Lessons/01-activations`, graded.
/// (One test per exercise so that each shows on its own line.)
@Suite("01 Activations — your code")
struct Lesson01ActivationsExercises {
    @Test("activations.sigmoid") func sigmoid() async throws { try await gradeLearner("activations.sigmoid") }
    @Test("activations.tanh") func tanh() async throws { try await gradeLearner("activations.tanh") }
    @Test("activations.relu") func relu() async throws { try await gradeLearner("activations.relu") }
    @Test("activations.leakyRelu") func leakyRelu() async throws { try await gradeLearner("activations.leakyRelu") }
    @Test("activations.gelu") func gelu() async throws { try await gradeLearner("activations.gelu") }
    @Test("activations.softmax") func softmax() async throws { try await gradeLearner("activations.softmax") }
    @Test("activations.logSoftmax") func logSoftmax() async throws { try await gradeLearner("activations.logSoftmax") }
}
