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
/// (The stored functions, `learner`, `reference` and `mixing(learnerFor:)` are generated from the
/// solutions' TABLE blocks: see `Generated/RecurrentNetsFunctions+Tables.swift`.)
extension RecurrentNetsFunctions {
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

func parameters<P: RecurrentParameterSet>(_ w: RecurrentNetsFunctions.Weights) -> P {
    P(wx: w.wx, wh: w.wh, bias: w.bias)
}

func weights<P: RecurrentParameterSet>(_ p: P) -> RecurrentNetsFunctions.Weights {
    (p.wx, p.wh, p.bias)
}
