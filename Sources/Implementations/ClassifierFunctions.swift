import CourseKit
import Classifiers
import ClassifiersSolutions

/// Lesson 03's functions as values (learner, reference, or a mix).
public struct ClassifierFunctions: Sendable {
    public typealias Linear = @Sendable (_ X: Tensor, _ weights: Tensor, _ bias: Double) -> Tensor

    public var perceptronPredict: Linear
    public var perceptronUpdate: @Sendable (_ x: Tensor, _ label: Double, _ weights: Tensor, _ bias: Double, _ learningRate: Double)
        -> (weights: Tensor, bias: Double, mistake: Bool)
    public var perceptronTrain: @Sendable (_ X: Tensor, _ labels: Tensor, _ epochs: Int, _ learningRate: Double)
        -> (weights: Tensor, bias: Double, mistakesPerEpoch: [Int])
    public var binaryCrossEntropyWithLogits: @Sendable (_ logits: Tensor, _ targets: Tensor) -> (loss: Double, dLogits: Tensor)
    public var logisticRegressionStep: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double, _ learningRate: Double)
        -> (weights: Tensor, bias: Double, loss: Double)
    public var softmaxCrossEntropy: @Sendable (_ logits: Tensor, _ labels: [Int]) -> (loss: Double, dLogits: Tensor)
    public var softmaxRegressionStep: @Sendable (_ X: Tensor, _ labels: [Int], _ weights: Tensor, _ bias: Tensor, _ learningRate: Double)
        -> (weights: Tensor, bias: Tensor, loss: Double)
    public var multiclassSVMLoss: @Sendable (_ scores: Tensor, _ labels: [Int], _ margin: Double) -> (loss: Double, dScores: Tensor)

    /// The learner's code in `Lessons/03-perceptron-logistic`.
    public static let learner = ClassifierFunctions(
        perceptronPredict: { Classifiers.perceptronPredict($0, weights: $1, bias: $2) },
        perceptronUpdate: { Classifiers.perceptronUpdate($0, label: $1, weights: $2, bias: $3, learningRate: $4) },
        perceptronTrain: { Classifiers.perceptronTrain($0, labels: $1, epochs: $2, learningRate: $3) },
        binaryCrossEntropyWithLogits: { Classifiers.binaryCrossEntropyWithLogits($0, targets: $1) },
        logisticRegressionStep: { Classifiers.logisticRegressionStep($0, $1, weights: $2, bias: $3, learningRate: $4) },
        softmaxCrossEntropy: { Classifiers.softmaxCrossEntropy($0, labels: $1) },
        softmaxRegressionStep: { Classifiers.softmaxRegressionStep($0, labels: $1, weights: $2, bias: $3, learningRate: $4) },
        multiclassSVMLoss: { Classifiers.multiclassSVMLoss($0, labels: $1, margin: $2) })

    /// The reference solutions in `Solutions/03-perceptron-logistic`.
    public static let reference = ClassifierFunctions(
        perceptronPredict: { ClassifiersSolutions.perceptronPredict($0, weights: $1, bias: $2) },
        perceptronUpdate: { ClassifiersSolutions.perceptronUpdate($0, label: $1, weights: $2, bias: $3, learningRate: $4) },
        perceptronTrain: { ClassifiersSolutions.perceptronTrain($0, labels: $1, epochs: $2, learningRate: $3) },
        binaryCrossEntropyWithLogits: { ClassifiersSolutions.binaryCrossEntropyWithLogits($0, targets: $1) },
        logisticRegressionStep: { ClassifiersSolutions.logisticRegressionStep($0, $1, weights: $2, bias: $3, learningRate: $4) },
        softmaxCrossEntropy: { ClassifiersSolutions.softmaxCrossEntropy($0, labels: $1) },
        softmaxRegressionStep: { ClassifiersSolutions.softmaxRegressionStep($0, labels: $1, weights: $2, bias: $3, learningRate: $4) },
        multiclassSVMLoss: { ClassifiersSolutions.multiclassSVMLoss($0, labels: $1, margin: $2) })

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> ClassifierFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("classify.perceptronPredict") { mix.perceptronPredict = learner.perceptronPredict }
        if passed.contains("classify.perceptronUpdate") { mix.perceptronUpdate = learner.perceptronUpdate }
        if passed.contains("classify.perceptronTrain") { mix.perceptronTrain = learner.perceptronTrain }
        if passed.contains("classify.bce") { mix.binaryCrossEntropyWithLogits = learner.binaryCrossEntropyWithLogits }
        if passed.contains("classify.logisticStep") { mix.logisticRegressionStep = learner.logisticRegressionStep }
        if passed.contains("classify.softmaxCE") {
            mix.softmaxCrossEntropy = learner.softmaxCrossEntropy
            mix.softmaxRegressionStep = learner.softmaxRegressionStep
        }
        if passed.contains("classify.svm") { mix.multiclassSVMLoss = learner.multiclassSVMLoss }
        return mix
    }
}
