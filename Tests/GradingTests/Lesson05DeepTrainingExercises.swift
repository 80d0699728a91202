import Testing

/// Lesson 05 — your code in `Lessons/05-training-deep-nets`, graded: one test per exercise.
@Suite("Lesson 05 — your code in Lessons/05-training-deep-nets")
struct Lesson05_dnn {
    @Test("dnn.initialization") func initialization() async throws { try await gradeLearner() }
    @Test("dnn.momentum") func momentum() async throws { try await gradeLearner() }
    @Test("dnn.adaptive") func adaptive() async throws { try await gradeLearner() }
    @Test("dnn.adam") func adam() async throws { try await gradeLearner() }
    @Test("dnn.l2") func l2() async throws { try await gradeLearner() }
    @Test("dnn.dropout") func dropout() async throws { try await gradeLearner() }
    @Test("dnn.clipping") func clipping() async throws { try await gradeLearner() }
    @Test("dnn.batchNorm") func batchNorm() async throws { try await gradeLearner() }
    @Test("dnn.layerNorm") func layerNorm() async throws { try await gradeLearner() }
    @Test("dnn.schedules") func schedules() async throws { try await gradeLearner() }
    @Test("dnn.network") func network() async throws { try await gradeLearner() }
    @Test("dnn.training") func training() async throws { try await gradeLearner() }
}
