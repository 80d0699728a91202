import CourseKit
import LinearRegression
import LinearRegressionSolutions

/// Lesson 02's functions as values (learner, reference, or a mix).
public struct LinearRegressionFunctions: Sendable {
    public typealias LossAndGradients = (loss: Double, dWeights: Tensor, dBias: Double)
    public typealias Parameters = (weights: Tensor, bias: Double)

    public var predict: @Sendable (_ X: Tensor, _ weights: Tensor, _ bias: Double) -> Tensor
    public var mseLoss: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double) -> LossAndGradients
    public var gradientDescentStep: @Sendable (_ weights: Tensor, _ bias: Double, _ dWeights: Tensor, _ dBias: Double,
                                               _ learningRate: Double) -> Parameters
    public var fit: @Sendable (_ X: Tensor, _ y: Tensor, _ learningRate: Double, _ epochs: Int)
        -> (weights: Tensor, bias: Double, losses: [Double])
    public var solveNormalEquations: @Sendable (_ X: Tensor, _ y: Tensor) -> Parameters
    public var ridgeLoss: @Sendable (_ X: Tensor, _ y: Tensor, _ weights: Tensor, _ bias: Double, _ lambda: Double) -> LossAndGradients
    public var solveRidge: @Sendable (_ X: Tensor, _ y: Tensor, _ lambda: Double) -> Parameters

    /// The learner's code in `Lessons/02-linear-regression`.
    public static let learner = LinearRegressionFunctions(
        predict: { LinearRegression.predict($0, weights: $1, bias: $2) },
        mseLoss: { LinearRegression.mseLoss($0, $1, weights: $2, bias: $3) },
        gradientDescentStep: { LinearRegression.gradientDescentStep(weights: $0, bias: $1, dWeights: $2, dBias: $3, learningRate: $4) },
        fit: { LinearRegression.fit($0, $1, learningRate: $2, epochs: $3) },
        solveNormalEquations: { LinearRegression.solveNormalEquations($0, $1) },
        ridgeLoss: { LinearRegression.ridgeLoss($0, $1, weights: $2, bias: $3, lambda: $4) },
        solveRidge: { LinearRegression.solveRidge($0, $1, lambda: $2) })

    /// The reference solutions in `Solutions/02-linear-regression`.
    public static let reference = LinearRegressionFunctions(
        predict: { LinearRegressionSolutions.predict($0, weights: $1, bias: $2) },
        mseLoss: { LinearRegressionSolutions.mseLoss($0, $1, weights: $2, bias: $3) },
        gradientDescentStep: { LinearRegressionSolutions.gradientDescentStep(weights: $0, bias: $1, dWeights: $2, dBias: $3, learningRate: $4) },
        fit: { LinearRegressionSolutions.fit($0, $1, learningRate: $2, epochs: $3) },
        solveNormalEquations: { LinearRegressionSolutions.solveNormalEquations($0, $1) },
        ridgeLoss: { LinearRegressionSolutions.ridgeLoss($0, $1, weights: $2, bias: $3, lambda: $4) },
        solveRidge: { LinearRegressionSolutions.solveRidge($0, $1, lambda: $2) })

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> LinearRegressionFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("linreg.predict") { mix.predict = learner.predict }
        if passed.contains("linreg.mse") { mix.mseLoss = learner.mseLoss }
        if passed.contains("linreg.step") { mix.gradientDescentStep = learner.gradientDescentStep }
        if passed.contains("linreg.fit") { mix.fit = learner.fit }
        if passed.contains("linreg.normalEquations") { mix.solveNormalEquations = learner.solveNormalEquations }
        if passed.contains("linreg.ridge") { mix.ridgeLoss = learner.ridgeLoss; mix.solveRidge = learner.solveRidge }
        return mix
    }
}
