import CourseKit
import Foundation
import Implementations

/// Demo 07 — the adding problem: a vanilla RNN and an LSTM, the same data, the
/// same optimizer; the RNN stays at the trivial baseline, the LSTM solves it,
/// and the gradient of the loss with respect to the hidden state at every time
/// step shows why. Then a character-level LSTM language model learns the
/// course's chapters (`RecurrentNetsDemo+LanguageModel.swift`).
let recurrentNetsDemo = Demo(
    lesson: 7, title: "Recurrent networks",
    exercises: ["rnn.step", "rnn.sequence", "rnn.lstmStep", "rnn.lstm", "rnn.embedding", "rnn.temporal", "rnn.sampling"]
) { options in
    let f = RecurrentNetsFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    let steps = 30, hidden = 16, batchSize = 32
    let iterations = options.quick ? 150 : 1_000
    let learningRate = 0.01, maxNorm = 1.0
    print("""
    The adding problem (Hochreiter and Schmidhuber, 1997): each of T = \(steps) steps carries a random number in [0, 1)
    and a marker; exactly two steps are marked (one in each half), and the target is the sum of their two numbers.
    Predicting the mean, 1, scores the baseline mean squared error 1/6 ≈ 0.167. To beat it, a network must carry a
    number across up to \(steps - 1) steps. Both networks: H = \(hidden), a linear read-out of the last hidden state,
    minibatches of \(batchSize), Adam (η = \(learningRate)), gradients clipped to norm \(maxNorm) (lesson 05), \(iterations) steps.

    """)

    var random = SeededGenerator(seed: 7)
    func addingBatch(_ count: Int) -> (x: Tensor, y: Tensor) {
        var x = Tensor.zeros([count, steps, 2]), y = Tensor.zeros([count, 1])
        x.withScalars { s in
            y.withScalars { target in
                for n in 0..<count {
                    let first = random.nextInt(in: 0..<(steps / 2)), second = random.nextInt(in: (steps / 2)..<steps)
                    for t in 0..<steps {
                        let value = random.nextUniform()
                        s[(n * steps + t) * 2] = value
                        if t == first || t == second {
                            s[(n * steps + t) * 2 + 1] = 1
                            target[n] += value
                        }
                    }
                }
            }
        }
        return (x, y)
    }
    let test = addingBatch(1_000)

    struct Model {
        var weights: RecurrentNetsFunctions.Weights
        var readOut: Tensor   // [H, 1]
        var readOutBias: Tensor   // [1]
        var parameters: [Tensor] { [weights.wx, weights.wh, weights.bias, readOut, readOutBias] }
        init(weights: RecurrentNetsFunctions.Weights, readOut: Tensor, readOutBias: Tensor) {
            (self.weights, self.readOut, self.readOutBias) = (weights, readOut, readOutBias)
        }
        init(_ p: [Tensor]) { self.init(weights: (p[0], p[1], p[2]), readOut: p[3], readOutBias: p[4]) }
    }
    typealias Layer = @Sendable (Tensor, Tensor, RecurrentNetsFunctions.Weights) -> (h: Tensor, backward: RecurrentNetsFunctions.SequenceBackward)

    /// The mean squared error on a batch and, when asked, every parameter's gradient.
    func lossAndGradients(_ model: Model, _ layer: Layer, _ x: Tensor, _ y: Tensor) -> (loss: Double, gradients: [Tensor]) {
        let n = x.shape[0]
        let (h, backward) = layer(x, Tensor.zeros([n, hidden]), model.weights)
        let last = h.select(axis: 1, index: steps - 1)
        let prediction = matmul(last, model.readOut) + model.readOutBias
        let error = prediction - y
        let loss = (error * error).mean()
        let dPrediction = error * (2 / Double(n))
        var dh = Tensor.zeros(h.shape)
        dh.setSelection(axis: 1, index: steps - 1, to: matmul(dPrediction, model.readOut.transposed()))
        let g = backward(dh)
        return (loss, [g.gradients.wx, g.gradients.wh, g.gradients.bias, matmul(last.transposed(), dPrediction), dPrediction.sum(axis: 0)])
    }

    func train(_ name: String, _ layer: Layer, _ start: Model) -> (model: Model, curve: [Double], seconds: Double) {
        var model = start
        var state: [(m: Tensor, v: Tensor, t: Int)] = []
        var curve: [Double] = []
        var window: [Double] = []
        var bar = ProgressBar(total: iterations, label: "   \(name)")
        let began = Date()
        for iteration in 1...iterations {
            let (x, y) = addingBatch(batchSize)
            let (loss, gradients) = lossAndGradients(model, layer, x, y)
            window.append(loss)
            let clipped = RecurrentNetsFunctions.clipByGlobalNorm(gradients, maxNorm: maxNorm).clipped
            model = Model(RecurrentNetsFunctions.adamStep(model.parameters, gradients: clipped, state: &state, learningRate: learningRate))
            if iteration % 50 == 0 || iteration == iterations {
                curve.append(window.reduce(0, +) / Double(window.count))
                window = []
                bar.update(iteration, status: "training MSE \(Tensor.format(curve[curve.count - 1]))")
            }
        }
        bar.finish()
        return (model, curve, Date().timeIntervalSince(began))
    }

    var initRandom = SeededGenerator(seed: 70)
    func readOut() -> (Tensor, Tensor) { (Tensor.randomNormal([hidden, 1], standardDeviation: (1 / Double(hidden)).squareRoot(), using: &initRandom), Tensor.zeros([1])) }
    let rnnStartWeights = RecurrentNetsFunctions.rnnWeights(inputSize: 2, hiddenSize: hidden, using: &initRandom)
    let (rnnOut, rnnOutBias) = readOut()
    let lstmStartWeights = RecurrentNetsFunctions.lstmWeights(inputSize: 2, hiddenSize: hidden, using: &initRandom)
    let (lstmOut, lstmOutBias) = readOut()

    let rnnRun = train("vanilla RNN [\(options.source(of: "rnn.sequence"))]", f.rnn,
                       Model(weights: rnnStartWeights, readOut: rnnOut, readOutBias: rnnOutBias))
    let lstmRun = train("LSTM        [\(options.source(of: "rnn.lstm"))]", f.lstm,
                        Model(weights: lstmStartWeights, readOut: lstmOut, readOutBias: lstmOutBias))
    let rnnTest = lossAndGradients(rnnRun.model, f.rnn, test.x, test.y).loss
    let lstmTest = lossAndGradients(lstmRun.model, f.lstm, test.x, test.y).loss
    let baseline = 1.0 / 6

    print("")
    let curves = [Series("vanilla RNN", values: rnnRun.curve), Series("LSTM", values: lstmRun.curve),
                  Series("baseline 1/6", values: Array(repeating: baseline, count: rnnRun.curve.count))]
    print(LinePlot(title: "training MSE (mean of every 50 steps)", series: curves, logY: true).render(width: plotWidth, height: options.quick ? 8 : 12))
    print("")
    print("   test MSE on 1,000 fresh sequences (the baseline is 1/6 ≈ 0.167):")
    print("     vanilla RNN: test MSE \(String(format: "%.4f", rnnTest))   (\(String(format: "%.1f", rnnRun.seconds)) s)  "
        + (rnnTest > 0.1 ? "near the baseline: it learned little more than to predict the mean" : "below the baseline"))
    print("     LSTM:        test MSE \(String(format: "%.4f", lstmTest))   (\(String(format: "%.1f", lstmRun.seconds)) s)  "
        + (lstmTest < 0.01 ? "✓ solved (< 0.01)" : options.quick ? "(quick mode: train in full to go below 0.01)" : "✗ not below 0.01"))

    // Section 4, measured: ‖∂L/∂hₜ‖ at every step, by backpropagation through time with the step functions.
    let probe = addingBatch(64)
    func rnnGradientNorms(_ w: RecurrentNetsFunctions.Weights, _ model: Model) -> [Double] {
        var h = Tensor.zeros([64, hidden])
        var backwards: [RecurrentNetsFunctions.StepBackward] = []
        for t in 0..<steps {
            let step = f.rnnStep(probe.x.select(axis: 1, index: t), h, w)
            h = step.hNext
            backwards.append(step.backward)
        }
        let error = matmul(h, model.readOut) + model.readOutBias - probe.y
        var dh = matmul(error * (2 / 64.0), model.readOut.transposed())
        var norms = Array(repeating: 0.0, count: steps)
        for t in (0..<steps).reversed() {
            norms[t] = dh.norm()
            dh = backwards[t](dh).dhPrev
        }
        return norms
    }
    func lstmGradientNorms(_ w: RecurrentNetsFunctions.Weights, _ model: Model) -> [Double] {
        var h = Tensor.zeros([64, hidden]), c = Tensor.zeros([64, hidden])
        var backwards: [RecurrentNetsFunctions.LSTMStepBackward] = []
        for t in 0..<steps {
            let step = f.lstmStep(probe.x.select(axis: 1, index: t), h, c, w)
            (h, c) = (step.hNext, step.cNext)
            backwards.append(step.backward)
        }
        let error = matmul(h, model.readOut) + model.readOutBias - probe.y
        var dh = matmul(error * (2 / 64.0), model.readOut.transposed()), dc = Tensor.zeros(like: dh)
        var norms = Array(repeating: 0.0, count: steps)
        for t in (0..<steps).reversed() {
            norms[t] = dh.norm()
            let g = backwards[t](dh, dc)
            (dh, dc) = (g.dhPrev, g.dcPrev)
        }
        return norms
    }
    let startRNN = Model(weights: rnnStartWeights, readOut: rnnOut, readOutBias: rnnOutBias)
    let startLSTM = Model(weights: lstmStartWeights, readOut: lstmOut, readOutBias: lstmOutBias)
    // Relative to the last step, so the two networks' scales compare.
    func relative(_ norms: [Double]) -> [Double] { norms.map { $0 / max(norms[steps - 1], 1e-300) } }
    func firstHalf(_ values: [Double]) -> Double { values[0..<(steps / 2)].reduce(0, +) / Double(steps / 2) }
    let rnnStart = relative(rnnGradientNorms(startRNN.weights, startRNN)), lstmStart = relative(lstmGradientNorms(startLSTM.weights, startLSTM))
    let rnnTrained = relative(rnnGradientNorms(rnnRun.model.weights, rnnRun.model))
    let lstmTrained = relative(lstmGradientNorms(lstmRun.model.weights, lstmRun.model))
    print("")
    let normSeries = [Series("RNN at the start", values: rnnStart), Series("LSTM at the start", values: lstmStart),
                      Series("RNN trained", values: rnnTrained), Series("LSTM trained", values: lstmTrained)]
    print(LinePlot(title: "‖∂L/∂hₜ‖ / ‖∂L/∂h_T‖ at each step t = 1 … \(steps) (log scale)", series: normSeries, logY: true)
        .render(width: plotWidth, height: options.quick ? 8 : 12))
    let (rs, ls, rt, lt) = (firstHalf(rnnStart), firstHalf(lstmStart), firstHalf(rnnTrained), firstHalf(lstmTrained))
    func e(_ x: Double) -> String { String(format: "%.2e", x) }
    print("   ‖∂L/∂hₜ‖ relative to the last step's, mean over the first half (t = 1 … \(steps / 2)), on 64 sequences:")
    print("     vanilla RNN: first-half gradient \(e(rt)) after training, \(e(rs)) at the start")
    print("     LSTM:        first-half gradient \(e(lt)) after training, \(e(ls)) at the start")
    if rt < lt {
        print("   After training, the RNN's gradient reaching the first marker's half is \(String(format: lt / rt < 1e4 ? "%.0f" : "%.1e", lt / rt))× smaller than the LSTM's:"
            + " its path back is a product of Jacobians diag(1 − hₜ²)·Whᵀ, the LSTM's cell path a product of forget gates.\n")
    } else {
        print("   In this run the trained RNN's gradient reaching the first half is not smaller than the LSTM's:"
            + " a gradient that reaches the early steps is necessary, not sufficient (see the chapter, section 16).\n")
    }

    try characterLanguageModelSection(options, f: f, plotWidth: plotWidth)

    let curvePath = try options.write(SVGPlot(title: "Adding problem (T = \(steps)): training MSE", xLabel: "step / 50", yLabel: "MSE",
                                              series: curves, logY: true), named: "07-adding-loss.svg")
    let normPath = try options.write(SVGPlot(title: "Adding problem: gradient norm at each time step, relative to the last", xLabel: "time step",
                                             yLabel: "relative ‖∂L/∂h_t‖", series: normSeries, logY: true), named: "07-gradient-norms.svg")
    let classificationPaths = try sentimentClassificationSection(options, functions: f)   // RecurrentNetsDemo+Classification.swift
    print("SVG plots: " + ([curvePath, normPath] + classificationPaths).joined(separator: "\n           "))
}
