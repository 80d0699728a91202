import Testing

/// Lesson 06 — your implementations in `Lessons/06-convolutional-networks`, graded.
@Suite("06 Convolutional networks — your code")
struct Lesson06ConvNetsExercises {
    @Test("cnn.sizes") func sizes() async throws { try await gradeLearner("cnn.sizes") }
    @Test("cnn.conv") func conv() async throws { try await gradeLearner("cnn.conv") }
    @Test("cnn.pool") func pool() async throws { try await gradeLearner("cnn.pool") }
    @Test("cnn.im2col") func im2col() async throws { try await gradeLearner("cnn.im2col") }
    @Test("cnn.fastConv") func fastConv() async throws { try await gradeLearner("cnn.fastConv") }
    @Test("cnn.spatialNorm") func spatialNorm() async throws { try await gradeLearner("cnn.spatialNorm") }
    @Test("cnn.residual") func residual() async throws { try await gradeLearner("cnn.residual") }
    @Test("cnn.smallNet") func smallNet() async throws { try await gradeLearner("cnn.smallNet") }
}
