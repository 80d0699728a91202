import Testing

/// Lesson 03 — your implementations in `Lessons/03-perceptron-logistic`, graded.
@Suite("03 Perceptron and logistic regression — your code")
struct Lesson03ClassifiersExercises {
    @Test("classify.perceptronPredict") func perceptronPredict() async throws { try await gradeLearner("classify.perceptronPredict") }
    @Test("classify.perceptronUpdate") func perceptronUpdate() async throws { try await gradeLearner("classify.perceptronUpdate") }
    @Test("classify.perceptronTrain") func perceptronTrain() async throws { try await gradeLearner("classify.perceptronTrain") }
    @Test("classify.bce") func bce() async throws { try await gradeLearner("classify.bce") }
    @Test("classify.logisticStep") func logisticStep() async throws { try await gradeLearner("classify.logisticStep") }
    @Test("classify.softmaxCE") func softmaxCE() async throws { try await gradeLearner("classify.softmaxCE") }
    @Test("classify.svm") func svm() async throws { try await gradeLearner("classify.svm") }
}
