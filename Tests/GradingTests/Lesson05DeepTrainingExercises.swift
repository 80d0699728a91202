import Testing

/// Lesson 05 — your implementations in `Lessons/05-training-deep-nets`, graded.
@Suite("05 Training deep networks — your code")
struct Lesson05DeepTrainingExercises {
    @Test("deep.init") func initialization() async throws { try await gradeLearner("deep.init") }
    @Test("deep.momentum") func momentum() async throws { try await gradeLearner("deep.momentum") }
    @Test("deep.adaptive") func adaptive() async throws { try await gradeLearner("deep.adaptive") }
    @Test("deep.adam") func adam() async throws { try await gradeLearner("deep.adam") }
    @Test("deep.l2") func l2() async throws { try await gradeLearner("deep.l2") }
    @Test("deep.dropout") func dropout() async throws { try await gradeLearner("deep.dropout") }
    @Test("deep.clipping") func clipping() async throws { try await gradeLearner("deep.clipping") }
    @Test("deep.batchNorm") func batchNorm() async throws { try await gradeLearner("deep.batchNorm") }
    @Test("deep.layerNorm") func layerNorm() async throws { try await gradeLearner("deep.layerNorm") }
    @Test("deep.schedules") func schedules() async throws { try await gradeLearner("deep.schedules") }
    @Test("deep.network") func network() async throws { try await gradeLearner("deep.network") }
    @Test("deep.training") func training() async throws { try await gradeLearner("deep.training") }
}
