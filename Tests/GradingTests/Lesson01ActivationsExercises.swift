// The pattern for every lesson's learner tests (copy this file for a new lesson):
//
//   @Suite("Lesson NN — your code in Lessons/NN-topic")
//   struct LessonNN_<prefix> {                       // <prefix>: the exercise ids' prefix, e.g. `deep`
//       @Test("<prefix>.<name>") func <name>() async throws { try await gradeLearner() }
//   }
//
// one test per exercise, the function named after the part of the id after the
// dot. gradeLearner() reads the exercise id from these names, so the test id
// `GradingTests.Lesson01_activations/sigmoid()` is what a learner filters by:
// `swift test --filter activations.sigmoid` (the filter is a regular expression
// and `.` matches the `/`), `--filter activations`, `--filter 01`. The course
// self-checks require exactly one such test per exercise of the catalog, and no
// other test id that a lesson's filters would match.

import Testing

/// Lesson 01 — your code in `Lessons/01-activations`, graded: one test per exercise.
@Suite("Lesson 01 — your code in Lessons/01-activations")
struct Lesson01_activations {
    @Test("activations.sigmoid") func sigmoid() async throws { try await gradeLearner() }
    @Test("activations.tanh") func tanh() async throws { try await gradeLearner() }
    @Test("activations.relu") func relu() async throws { try await gradeLearner() }
    @Test("activations.leakyRelu") func leakyRelu() async throws { try await gradeLearner() }
    @Test("activations.gelu") func gelu() async throws { try await gradeLearner() }
    @Test("activations.softmax") func softmax() async throws { try await gradeLearner() }
    @Test("activations.logSoftmax") func logSoftmax() async throws { try await gradeLearner() }
}
