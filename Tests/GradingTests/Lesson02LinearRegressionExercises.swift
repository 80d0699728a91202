import Testing

/// Lesson 02 — your code in `Lessons/02-linear-regression`, graded: one test per exercise.
@Suite("Lesson 02 — your code in Lessons/02-linear-regression")
struct Lesson02_linreg {
    @Test("linreg.predict") func predict() async throws { try await gradeLearner() }
    @Test("linreg.mse") func mse() async throws { try await gradeLearner() }
    @Test("linreg.step") func step() async throws { try await gradeLearner() }
    @Test("linreg.fit") func fit() async throws { try await gradeLearner() }
    @Test("linreg.normalEquations") func normalEquations() async throws { try await gradeLearner() }
    @Test("linreg.ridge") func ridge() async throws { try await gradeLearner() }
}
