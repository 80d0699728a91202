import Testing

/// Lesson 02 — your implementations in `Lessons/02-linear-regression`, graded.
@Suite("02 Linear regression — your code")
struct Lesson02LinearRegressionExercises {
    @Test("linreg.predict") func predict() async throws { try await gradeLearner("linreg.predict") }
    @Test("linreg.mse") func mse() async throws { try await gradeLearner("linreg.mse") }
    @Test("linreg.step") func step() async throws { try await gradeLearner("linreg.step") }
    @Test("linreg.fit") func fit() async throws { try await gradeLearner("linreg.fit") }
    @Test("linreg.normalEquations") func normalEquations() async throws { try await gradeLearner("linreg.normalEquations") }
    @Test("linreg.ridge") func ridge() async throws { try await gradeLearner("linreg.ridge") }
}
