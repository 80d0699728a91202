import Testing

/// Lesson 06 — your code in `Lessons/06-convolutional-networks`, graded: one test per exercise.
@Suite("Lesson 06 — your code in Lessons/06-convolutional-networks")
struct Lesson06_cnn {
    @Test("cnn.sizes") func sizes() async throws { try await gradeLearner() }
    @Test("cnn.conv") func conv() async throws { try await gradeLearner() }
    @Test("cnn.pool") func pool() async throws { try await gradeLearner() }
    @Test("cnn.im2col") func im2col() async throws { try await gradeLearner() }
    @Test("cnn.fastConv") func fastConv() async throws { try await gradeLearner() }
    @Test("cnn.spatialNorm") func spatialNorm() async throws { try await gradeLearner() }
    @Test("cnn.residual") func residual() async throws { try await gradeLearner() }
    @Test("cnn.smallNet") func smallNet() async throws { try await gradeLearner() }
}
