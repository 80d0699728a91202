import Testing

/// Lesson 07 — your code in `Lessons/07-recurrent-networks`, graded: one test per exercise.
@Suite("Lesson 07 — your code in Lessons/07-recurrent-networks")
struct Lesson07_rnn {
    @Test("rnn.step") func step() async throws { try await gradeLearner() }
    @Test("rnn.sequence") func sequence() async throws { try await gradeLearner() }
    @Test("rnn.embedding") func embedding() async throws { try await gradeLearner() }
    @Test("rnn.temporal") func temporal() async throws { try await gradeLearner() }
    @Test("rnn.lstmStep") func lstmStep() async throws { try await gradeLearner() }
    @Test("rnn.lstm") func lstm() async throws { try await gradeLearner() }
    @Test("rnn.sampling") func sampling() async throws { try await gradeLearner() }
    @Test("rnn.composition") func composition() async throws { try await gradeLearner() }
}
