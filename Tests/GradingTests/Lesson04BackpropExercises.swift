import Testing

/// Lesson 04 — your code in `Lessons/04-backprop`, graded: one test per exercise.
@Suite("Lesson 04 — your code in Lessons/04-backprop")
struct Lesson04_mlp {
    @Test("mlp.affine") func affine() async throws { try await gradeLearner() }
    @Test("mlp.relu") func relu() async throws { try await gradeLearner() }
    @Test("mlp.twoLayer") func twoLayer() async throws { try await gradeLearner() }
    @Test("mlp.deepNet") func deepNet() async throws { try await gradeLearner() }
    @Test("mlp.training") func training() async throws { try await gradeLearner() }
}
