import Testing

/// Lesson 04 — your implementations in `Lessons/04-backprop`, graded.
@Suite("04 Backpropagation and the MLP — your code")
struct Lesson04BackpropExercises {
    @Test("mlp.affine") func affine() async throws { try await gradeLearner("mlp.affine") }
    @Test("mlp.relu") func relu() async throws { try await gradeLearner("mlp.relu") }
    @Test("mlp.twoLayer") func twoLayer() async throws { try await gradeLearner("mlp.twoLayer") }
    @Test("mlp.deepNet") func deepNet() async throws { try await gradeLearner("mlp.deepNet") }
    @Test("mlp.training") func training() async throws { try await gradeLearner("mlp.training") }
}
