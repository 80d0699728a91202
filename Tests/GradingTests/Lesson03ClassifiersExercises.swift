import Testing

/// Lesson 03 — your code in `Lessons/03-perceptron-logistic`, graded: one test per exercise.
@Suite("Lesson 03 — your code in Lessons/03-perceptron-logistic")
struct Lesson03_classify {
    @Test("classify.perceptronPredict") func perceptronPredict() async throws { try await gradeLearner() }
    @Test("classify.perceptronUpdate") func perceptronUpdate() async throws { try await gradeLearner() }
    @Test("classify.perceptronTrain") func perceptronTrain() async throws { try await gradeLearner() }
    @Test("classify.bce") func bce() async throws { try await gradeLearner() }
    @Test("classify.logisticStep") func logisticStep() async throws { try await gradeLearner() }
    @Test("classify.softmaxCE") func softmaxCE() async throws { try await gradeLearner() }
    @Test("classify.svm") func svm() async throws { try await gradeLearner() }
}
