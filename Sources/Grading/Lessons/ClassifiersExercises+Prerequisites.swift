import CourseKit
import Implementations

/// Lesson 03's later functions usually call its earlier ones: the update may
/// call `perceptronPredict`, training calls `perceptronUpdate`, a logistic
/// step calls `binaryCrossEntropyWithLogits`. A failure of the later exercise
/// names the earlier ones that still disagree with the reference.
extension Prerequisite where Functions == ClassifierFunctions {
    static let perceptronPredict = Prerequisite(exerciseID: "classify.perceptronPredict", function: "perceptronPredict") { candidate, reference, context in
        let d = context.random.nextInt(in: 1...3)
        let X = Tensor.concatenate([context.randomTensor([4, d]), Tensor.zeros([1, d])], axis: 0)
        let w = context.randomTensor([d])
        return candidate.perceptronPredict(X, w, 0) == reference.perceptronPredict(X, w, 0)
    }

    static let perceptronUpdate = Prerequisite(exerciseID: "classify.perceptronUpdate", function: "perceptronUpdate") { candidate, reference, context in
        let d = context.random.nextInt(in: 1...3)
        let examples = [(context.randomTensor([d]), 1.0, context.randomTensor([d]), 0.3),
                        (context.randomTensor([d]), -1.0, context.randomTensor([d]), -0.2),
                        (Tensor.ones([d]), -1.0, Tensor.zeros([d]), 0.0),
                        (Tensor([1, 2]), 1.0, Tensor([2, -1]), 0.0)]   // on a trained perceptron's boundary
        return zip(examples, [0.5, 2, 1, 0.5]).allSatisfy { example, lr in
            let (x, label, w, b) = example
            let got = candidate.perceptronUpdate(x, label, w, b, lr), want = reference.perceptronUpdate(x, label, w, b, lr)
            return got.mistake == want.mistake && Tolerance.standard.accepts(got.weights, want.weights)
                && Tolerance.standard.accepts(got.bias, want.bias)
        }
    }

    static let bce = Prerequisite(exerciseID: "classify.bce", function: "binaryCrossEntropyWithLogits") { candidate, reference, context in
        let z = Tensor.concatenate([context.randomTensor([4], scale: 2), Tensor([40, -40])], axis: 0)
        let y = Tensor([1, 0, 1, 0, 0, 1])
        let got = candidate.binaryCrossEntropyWithLogits(z, y), want = reference.binaryCrossEntropyWithLogits(z, y)
        return Tolerance.standard.accepts(got.loss, want.loss) && Tolerance.standard.accepts(got.dLogits, want.dLogits)
    }
}
