import Testing

/// Lesson 07 — your implementations in `Lessons/07-recurrent-networks`, graded.
@Suite("07 Recurrent networks — your code")
struct Lesson07RecurrentNetsExercises {
    @Test("rnn.step") func step() async throws { try await gradeLearner("rnn.step") }
    @Test("rnn.sequence") func sequence() async throws { try await gradeLearner("rnn.sequence") }
    @Test("rnn.embedding") func embedding() async throws { try await gradeLearner("rnn.embedding") }
    @Test("rnn.temporal") func temporal() async throws { try await gradeLearner("rnn.temporal") }
    @Test("rnn.lstmStep") func lstmStep() async throws { try await gradeLearner("rnn.lstmStep") }
    @Test("rnn.lstm") func lstm() async throws { try await gradeLearner("rnn.lstm") }
    @Test("rnn.sampling") func sampling() async throws { try await gradeLearner("rnn.sampling") }
    @Test("rnn.composition") func composition() async throws { try await gradeLearner("rnn.composition") }
}
