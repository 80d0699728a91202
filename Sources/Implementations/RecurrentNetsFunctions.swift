import CourseKit
import DeepTrainingSolutions
import RecurrentNets
import RecurrentNetsSolutions

/// Lesson 07's functions as values (learner, reference, or a mix).
///
/// Both modules declare their own parameter and cache types, so the values
/// here speak plain tensors: a layer's forward returns its output and a
/// closure that runs its backward with the cache it captured; a layer's
/// weights travel as `(wx, wh, bias)`.
public struct RecurrentNetsFunctions: Sendable {
    /// Wx `[D, G]`, Wh `[H, G]`, b `[G]` (G = H for the vanilla RNN, 4H for the LSTM), or their gradients.
    public typealias Weights = (wx: Tensor, wh: Tensor, bias: Tensor)
    public typealias StepBackward = @Sendable (_ dhNext: Tensor) -> (dx: Tensor, dhPrev: Tensor, gradients: Weights)
    public typealias SequenceBackward = @Sendable (_ dh: Tensor) -> (dx: Tensor, dh0: Tensor, gradients: Weights)
    public typealias LSTMStepBackward = @Sendable (_ dhNext: Tensor, _ dcNext: Tensor)
        -> (dx: Tensor, dhPrev: Tensor, dcPrev: Tensor, gradients: Weights)
    public typealias AffineBackward = @Sendable (_ dOut: Tensor) -> (dx: Tensor, dWeights: Tensor, dBias: Tensor)
    public typealias BidirectionalBackward = @Sendable (_ dh: Tensor)
        -> (dx: Tensor, dh0Forward: Tensor, dh0Backward: Tensor, forward: Weights, backward: Weights)
    public typealias StackedBackward = @Sendable (_ dh: Tensor) -> (dx: Tensor, dh0: [Tensor], gradients: [Weights])

    public var rnnStep: @Sendable (_ x: Tensor, _ hPrev: Tensor, _ weights: Weights) -> (hNext: Tensor, backward: StepBackward)
    public var rnn: @Sendable (_ x: Tensor, _ h0: Tensor, _ weights: Weights) -> (h: Tensor, backward: SequenceBackward)
    public var embedding: @Sendable (_ indices: [[Int]], _ table: Tensor) -> (out: Tensor, backward: @Sendable (_ dOut: Tensor) -> Tensor)
    public var temporalAffine: @Sendable (_ x: Tensor, _ weights: Tensor, _ bias: Tensor) -> (out: Tensor, backward: AffineBackward)
    public var temporalSoftmaxLoss: @Sendable (_ scores: Tensor, _ targets: [[Int]], _ mask: [[Bool]]) -> (loss: Double, dScores: Tensor)
    public var lstmStep: @Sendable (_ x: Tensor, _ hPrev: Tensor, _ cPrev: Tensor, _ weights: Weights)
        -> (hNext: Tensor, cNext: Tensor, backward: LSTMStepBackward)
    public var lstm: @Sendable (_ x: Tensor, _ h0: Tensor, _ weights: Weights) -> (h: Tensor, backward: SequenceBackward)
    public var samplingProbabilities: @Sendable (_ logits: Tensor, _ temperature: Double, _ topK: Int?) -> Tensor
    public var sampleToken: @Sendable (_ logits: Tensor, _ temperature: Double, _ topK: Int?, _ generator: inout SeededGenerator) -> Int
    public var bidirectional: @Sendable (_ x: Tensor, _ h0Forward: Tensor, _ h0Backward: Tensor, _ forward: Weights, _ backward: Weights)
        -> (h: Tensor, backward: BidirectionalBackward)
    public var stacked: @Sendable (_ x: Tensor, _ h0: [Tensor], _ layers: [Weights]) -> (h: Tensor, backward: StackedBackward)

    /// The learner's code in `Lessons/07-recurrent-networks`.
    public static let learner = RecurrentNetsFunctions(
        rnnStep: { x, h, w in
            let (out, cache) = RecurrentNets.rnnStepForward(x, hPrev: h, parameters: parameters(w))
            return (out, { let r = RecurrentNets.rnnStepBackward($0, cache: cache); return (r.dx, r.dhPrev, weights(r.gradients)) })
        },
        rnn: { x, h0, w in
            let (out, cache) = RecurrentNets.rnnForward(x, h0: h0, parameters: parameters(w))
            return (out, { let r = RecurrentNets.rnnBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
        },
        embedding: { indices, table in
            let (out, cache) = RecurrentNets.embeddingForward(indices, table: table)
            return (out, { RecurrentNets.embeddingBackward($0, cache: cache) })
        },
        temporalAffine: { x, w, b in
            let (out, cache) = RecurrentNets.temporalAffineForward(x, weights: w, bias: b)
            return (out, { RecurrentNets.temporalAffineBackward($0, cache: cache) })
        },
        temporalSoftmaxLoss: { RecurrentNets.temporalSoftmaxLoss($0, targets: $1, mask: $2) },
        lstmStep: { x, h, c, w in
            let (hNext, cNext, cache) = RecurrentNets.lstmStepForward(x, hPrev: h, cPrev: c, parameters: parameters(w))
            return (hNext, cNext, {
                let r = RecurrentNets.lstmStepBackward($0, dcNext: $1, cache: cache)
                return (r.dx, r.dhPrev, r.dcPrev, weights(r.gradients))
            })
        },
        lstm: { x, h0, w in
            let (out, cache) = RecurrentNets.lstmForward(x, h0: h0, parameters: parameters(w))
            return (out, { let r = RecurrentNets.lstmBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
        },
        samplingProbabilities: { RecurrentNets.samplingProbabilities($0, temperature: $1, topK: $2) },
        sampleToken: { RecurrentNets.sampleToken($0, temperature: $1, topK: $2, using: &$3) },
        bidirectional: { x, h0f, h0b, f, b in
            let (out, cache) = RecurrentNets.bidirectionalRNNForward(x, h0Forward: h0f, h0Backward: h0b,
                                                                     forward: parameters(f), backward: parameters(b))
            return (out, {
                let r = RecurrentNets.bidirectionalRNNBackward($0, cache: cache)
                return (r.dx, r.dh0Forward, r.dh0Backward, weights(r.forward), weights(r.backward))
            })
        },
        stacked: { x, h0, layers in
            let (out, cache) = RecurrentNets.stackedRNNForward(x, h0: h0, layers: layers.map(parameters))
            return (out, { let r = RecurrentNets.stackedRNNBackward($0, cache: cache); return (r.dx, r.dh0, r.gradients.map(weights)) })
        })

    /// The reference solutions in `Solutions/07-recurrent-networks`.
    public static let reference = RecurrentNetsFunctions(
        rnnStep: { x, h, w in
            let (out, cache) = RecurrentNetsSolutions.rnnStepForward(x, hPrev: h, parameters: parameters(w))
            return (out, { let r = RecurrentNetsSolutions.rnnStepBackward($0, cache: cache); return (r.dx, r.dhPrev, weights(r.gradients)) })
        },
        rnn: { x, h0, w in
            let (out, cache) = RecurrentNetsSolutions.rnnForward(x, h0: h0, parameters: parameters(w))
            return (out, { let r = RecurrentNetsSolutions.rnnBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
        },
        embedding: { indices, table in
            let (out, cache) = RecurrentNetsSolutions.embeddingForward(indices, table: table)
            return (out, { RecurrentNetsSolutions.embeddingBackward($0, cache: cache) })
        },
        temporalAffine: { x, w, b in
            let (out, cache) = RecurrentNetsSolutions.temporalAffineForward(x, weights: w, bias: b)
            return (out, { RecurrentNetsSolutions.temporalAffineBackward($0, cache: cache) })
        },
        temporalSoftmaxLoss: { RecurrentNetsSolutions.temporalSoftmaxLoss($0, targets: $1, mask: $2) },
        lstmStep: { x, h, c, w in
            let (hNext, cNext, cache) = RecurrentNetsSolutions.lstmStepForward(x, hPrev: h, cPrev: c, parameters: parameters(w))
            return (hNext, cNext, {
                let r = RecurrentNetsSolutions.lstmStepBackward($0, dcNext: $1, cache: cache)
                return (r.dx, r.dhPrev, r.dcPrev, weights(r.gradients))
            })
        },
        lstm: { x, h0, w in
            let (out, cache) = RecurrentNetsSolutions.lstmForward(x, h0: h0, parameters: parameters(w))
            return (out, { let r = RecurrentNetsSolutions.lstmBackward($0, cache: cache); return (r.dx, r.dh0, weights(r.gradients)) })
        },
        samplingProbabilities: { RecurrentNetsSolutions.samplingProbabilities($0, temperature: $1, topK: $2) },
        sampleToken: { RecurrentNetsSolutions.sampleToken($0, temperature: $1, topK: $2, using: &$3) },
        bidirectional: { x, h0f, h0b, f, b in
            let (out, cache) = RecurrentNetsSolutions.bidirectionalRNNForward(x, h0Forward: h0f, h0Backward: h0b,
                                                                              forward: parameters(f), backward: parameters(b))
            return (out, {
                let r = RecurrentNetsSolutions.bidirectionalRNNBackward($0, cache: cache)
                return (r.dx, r.dh0Forward, r.dh0Backward, weights(r.forward), weights(r.backward))
            })
        },
        stacked: { x, h0, layers in
            let (out, cache) = RecurrentNetsSolutions.stackedRNNForward(x, h0: h0, layers: layers.map(parameters))
            return (out, {
                let r = RecurrentNetsSolutions.stackedRNNBackward($0, cache: cache)
                return (r.dx, r.dh0, r.gradients.map(weights))
            })
        })

    /// A vanilla RNN layer as the reference initializes it: Wx ~ N(0, 1/D), Wh ~ N(0, 1/H), b = 0.
    public static func rnnWeights(inputSize: Int, hiddenSize: Int, using generator: inout SeededGenerator) -> Weights {
        weights(RecurrentNetsSolutions.RecurrentParameters.rnn(inputSize: inputSize, hiddenSize: hiddenSize, using: &generator))
    }

    /// An LSTM layer as the reference initializes it: the forget gate's bias at 1, every other bias 0.
    public static func lstmWeights(inputSize: Int, hiddenSize: Int, using generator: inout SeededGenerator) -> Weights {
        weights(RecurrentNetsSolutions.RecurrentParameters.lstm(inputSize: inputSize, hiddenSize: hiddenSize, using: &generator))
    }

    /// Lesson 05's reference clipping: all gradients scaled together so that their joint norm is at most `maxNorm`.
    public static func clipByGlobalNorm(_ gradients: [Tensor], maxNorm: Double) -> (clipped: [Tensor], norm: Double) {
        DeepTrainingSolutions.clipByGlobalNorm(gradients, maxNorm: maxNorm)
    }

    /// Lesson 05's reference Adam, one step on each parameter; `state` holds (first moment, second moment, step) per parameter.
    public static func adamStep(_ parameters: [Tensor], gradients: [Tensor], state: inout [(m: Tensor, v: Tensor, t: Int)],
                                learningRate: Double) -> [Tensor] {
        if state.isEmpty { state = parameters.map { (Tensor.zeros(like: $0), Tensor.zeros(like: $0), 0) } }
        return parameters.indices.map { k in
            var adam = AdamState(firstMoment: state[k].m, secondMoment: state[k].v, step: state[k].t)
            let updated = DeepTrainingSolutions.adamUpdate(parameters[k], gradient: gradients[k], state: &adam, learningRate: learningRate)
            state[k] = (adam.firstMoment, adam.secondMoment, adam.step)
            return updated
        }
    }

    /// x with its time axis reversed, `[N, T, D]`.
    public static func reversingTime(_ x: Tensor) -> Tensor { RecurrentNetsSolutions.reversingTime(x) }

    /// The learner's functions for the exercises in `passed`, the reference for the rest.
    public static func mixing(learnerFor passed: Set<String>) -> RecurrentNetsFunctions {
        var mix = reference
        let learner = learner
        if passed.contains("rnn.step") { mix.rnnStep = learner.rnnStep }
        if passed.contains("rnn.sequence") { mix.rnn = learner.rnn }
        if passed.contains("rnn.embedding") { mix.embedding = learner.embedding }
        if passed.contains("rnn.temporal") { (mix.temporalAffine, mix.temporalSoftmaxLoss) = (learner.temporalAffine, learner.temporalSoftmaxLoss) }
        if passed.contains("rnn.lstmStep") { mix.lstmStep = learner.lstmStep }
        if passed.contains("rnn.lstm") { mix.lstm = learner.lstm }
        if passed.contains("rnn.sampling") {
            (mix.samplingProbabilities, mix.sampleToken) = (learner.samplingProbabilities, learner.sampleToken)
        }
        if passed.contains("rnn.composition") { (mix.bidirectional, mix.stacked) = (learner.bidirectional, learner.stacked) }
        return mix
    }
}

/// The two modules' parameter types, converted to and from plain tensors.
protocol RecurrentParameterSet {
    init(wx: Tensor, wh: Tensor, bias: Tensor)
    var wx: Tensor { get }
    var wh: Tensor { get }
    var bias: Tensor { get }
}

extension RecurrentNets.RecurrentParameters: RecurrentParameterSet {}
extension RecurrentNetsSolutions.RecurrentParameters: RecurrentParameterSet {}

private func parameters<P: RecurrentParameterSet>(_ w: RecurrentNetsFunctions.Weights) -> P {
    P(wx: w.wx, wh: w.wh, bias: w.bias)
}

private func weights<P: RecurrentParameterSet>(_ p: P) -> RecurrentNetsFunctions.Weights {
    (p.wx, p.wh, p.bias)
}
