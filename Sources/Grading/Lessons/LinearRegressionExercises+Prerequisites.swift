import CourseKit
import Foundation
import Implementations

/// The learner's later functions call their earlier ones: `mseLoss` calls
/// `predict`, `fit` calls `mseLoss` and `gradientDescentStep`, `ridgeLoss`
/// calls `mseLoss`. A failure of the later exercise names the earlier ones
/// that still disagree with the reference (`GradingContext.noting`).
extension Prerequisite where Functions == LinearRegressionFunctions {
    static let predict = Prerequisite(exerciseID: "linreg.predict", function: "predict") { candidate, reference, context in
        let p = LinearRegressionLesson.randomProblem(&context, rows: 3...6, features: 1...3)
        return Tolerance.standard.accepts(candidate.predict(p.X, p.weights, p.bias), reference.predict(p.X, p.weights, p.bias))
    }

    static let mse = Prerequisite(exerciseID: "linreg.mse", function: "mseLoss") { candidate, reference, context in
        let p = LinearRegressionLesson.randomProblem(&context, rows: 3...6, features: 1...3)
        let got = candidate.mseLoss(p.X, p.y, p.weights, p.bias), want = reference.mseLoss(p.X, p.y, p.weights, p.bias)
        return Tolerance.standard.accepts(Tensor([got.loss, got.dBias]), Tensor([want.loss, want.dBias]))
            && Tolerance.standard.accepts(got.dWeights, want.dWeights)
    }

    static let step = Prerequisite(exerciseID: "linreg.step", function: "gradientDescentStep") { candidate, reference, context in
        let w = context.randomTensor([context.random.nextInt(in: 1...3)]), b = context.random.nextNormal()
        // Large gradients too, so a step that clips them is noticed.
        let got = candidate.gradientDescentStep(w, b, w * 50 - 100, 75, 0.1)
        let want = reference.gradientDescentStep(w, b, w * 50 - 100, 75, 0.1)
        return Tolerance.standard.accepts(got.weights, want.weights) && Tolerance.standard.accepts(got.bias, want.bias)
    }
}
