import ActivationsSolutions
import BackpropSolutions
import ClassifiersSolutions
import ConvNetsSolutions
import CourseKit
import DeepTrainingSolutions
import Foundation
import LinearRegressionSolutions
import RecurrentNetsSolutions
import Testing
import TransformersSolutions

/// The reference solutions of every lesson against a PyTorch float64 oracle.
///
/// `Tools/oracle/make_fixtures.py` drew seeded float64 inputs (non-square shapes, batches of one,
/// sequences of length 1 and ≥ 5, random upstream gradients), ran the PyTorch equivalent of each
/// reference function with autograd (exact numpy where PyTorch has none) and wrote every input,
/// output and gradient into `PyTorchOracleFixtures.swift`; these tests replay the inputs through
/// the Swift references. No Python is needed to run them.
///
/// Tolerance: for every compared tensor, max over its elements of |swift − torch| / max(1, |torch|)
/// must be ≤ 1e-9. `DLFS_ORACLE_REPORT=1 swift test --filter PyTorchOracle` prints the worst error of
/// each function.
@Suite("Reference solutions agree with a PyTorch float64 oracle")
struct PyTorchOracleTests {
    static let tolerance = 1e-9

    // MARK: elementwise functions

    @Test("activations and their backwards: ReLU, leaky ReLU, sigmoid, tanh, GELU (tanh form), softmax, log-softmax")
    func elementwiseFunctions() {
        for tag in ["wide", "single"] {
            var c = Self.fixture("relu.\(tag)")
            var x = c["x"], up = c["up"]
            agree(reluForward(x), c["out"], "reluForward")
            agree(reluBackward(up, input: x), c["dx"], "reluBackward")
            let layer = reluLayerForward(x)
            agree(layer.out, c["out"], "reluLayerForward")
            agree(reluLayerBackward(up, cache: layer.cache), c["dx"], "reluLayerBackward")

            c = Self.fixture("leaky.\(tag)")
            (x, up) = (c["x"], c["up"])
            agree(leakyReluForward(x, alpha: 0.07), c["out"], "leakyReluForward")
            agree(leakyReluBackward(up, input: x, alpha: 0.07), c["dx"], "leakyReluBackward")

            c = Self.fixture("sigmoid.\(tag)")
            (x, up) = (c["x"], c["up"])
            var out = sigmoidForward(x)
            agree(out, c["out"], "sigmoidForward")
            agree(sigmoidBackward(up, output: out), c["dx"], "sigmoidBackward")

            c = Self.fixture("tanh.\(tag)")
            (x, up) = (c["x"], c["up"])
            out = tanhForward(x)
            agree(out, c["out"], "tanhForward")
            agree(tanhBackward(up, output: out), c["dx"], "tanhBackward")

            c = Self.fixture("gelu.\(tag)")
            (x, up) = (c["x"], c["up"])
            agree(geluForward(x), c["out"], "geluForward (tanh approximation)")
            agree(geluBackward(up, input: x), c["dx"], "geluBackward (tanh approximation)")

            c = Self.fixture("softmax.\(tag)")
            (x, up) = (c["x"], c["up"])
            out = softmaxForward(x)
            agree(out, c["out"], "softmaxForward")
            agree(softmaxBackward(up, output: out), c["dx"], "softmaxBackward")

            c = Self.fixture("logsoftmax.\(tag)")
            (x, up) = (c["x"], c["up"])
            out = logSoftmaxForward(x)
            agree(out, c["out"], "logSoftmaxForward")
            agree(logSoftmaxBackward(up, output: out), c["dx"], "logSoftmaxBackward")
        }
    }

    // MARK: linear models and classifiers

    @Test("linear regression: predictions, MSE and ridge losses with gradients, closed forms, the training loop")
    func regressionFunctions() {
        for tag in ["wide", "single"] {
            let c = Self.fixture("linear.\(tag)")
            let (x, y, w, b, lambda) = (c["X"], c["y"], c["w"], c.scalar("b"), c.scalar("lam"))
            agree(predict(x, weights: w, bias: b), c["pred"], "predict")
            let mse = mseLoss(x, y, weights: w, bias: b)
            agree(mse.loss, c.scalar("mse"), "mseLoss: loss")
            agree(mse.dWeights, c["dw"], "mseLoss: dWeights")
            agree(mse.dBias, c.scalar("db"), "mseLoss: dBias")
            let ridge = ridgeLoss(x, y, weights: w, bias: b, lambda: lambda)
            agree(ridge.loss, c.scalar("ridge"), "ridgeLoss: loss")
            agree(ridge.dWeights, c["rdw"], "ridgeLoss: dWeights")
            agree(ridge.dBias, c.scalar("rdb"), "ridgeLoss: dBias")
        }
        var c = Self.fixture("closedform")
        let normal = solveNormalEquations(c["X"], c["y"])
        agree(normal.weights, c["w"], "solveNormalEquations: w")
        agree(normal.bias, c.scalar("b"), "solveNormalEquations: b")
        let ridge = solveRidge(c["X"], c["y"], lambda: c.scalar("lam"))
        agree(ridge.weights, c["rw"], "solveRidge: w")
        agree(ridge.bias, c.scalar("rb"), "solveRidge: b")

        c = Self.fixture("gdstep")
        let stepped = gradientDescentStep(weights: c["w"], bias: c.scalar("b"), dWeights: c["dw"], dBias: c.scalar("db"),
                                          learningRate: c.scalar("lr"))
        agree(stepped.weights, c["nw"], "gradientDescentStep: w")
        agree(stepped.bias, c.scalar("nb"), "gradientDescentStep: b")

        c = Self.fixture("fitloop")
        let fitted = fit(c["X"], c["y"], learningRate: c.scalar("lr"), epochs: c.int("epochs"))
        agree(fitted.weights, c["w"], "fit (and gradientDescentStep): w")
        agree(fitted.bias, c.scalar("b"), "fit (and gradientDescentStep): b")
        agree(Tensor(fitted.losses), c["losses"], "fit: losses")
    }

    @Test("classifier losses and steps: BCE with logits, softmax cross-entropy, multiclass SVM, logistic and softmax regression")
    func classifierLosses() {
        for tag in ["wide", "single"] {
            var c = Self.fixture("bce.\(tag)")
            let bce = binaryCrossEntropyWithLogits(c["z"], targets: c["t"])
            agree(bce.loss, c.scalar("loss"), "binaryCrossEntropyWithLogits: loss")
            agree(bce.dLogits, c["dz"], "binaryCrossEntropyWithLogits: dLogits")

            c = Self.fixture("softmaxce.\(tag)")
            let ce = softmaxCrossEntropy(c["s"], labels: c.ints("labels"))
            agree(ce.loss, c.scalar("loss"), "softmaxCrossEntropy: loss")
            agree(ce.dLogits, c["ds"], "softmaxCrossEntropy: dLogits")

            c = Self.fixture("svm.\(tag)")
            let svm = multiclassSVMLoss(c["s"], labels: c.ints("labels"), margin: c.scalar("margin"))
            agree(svm.loss, c.scalar("loss"), "multiclassSVMLoss: loss (PyTorch's multi_margin_loss × C)")
            agree(svm.dScores, c["ds"], "multiclassSVMLoss: dScores")
        }
        var c = Self.fixture("logisticstep")
        let logistic = logisticRegressionStep(c["X"], c["y"], weights: c["w"], bias: c.scalar("b"), learningRate: c.scalar("lr"))
        agree(logistic.loss, c.scalar("loss"), "logisticRegressionStep: loss")
        agree(logistic.weights, c["nw"], "logisticRegressionStep: w")
        agree(logistic.bias, c.scalar("nb"), "logisticRegressionStep: b")

        c = Self.fixture("softmaxstep")
        let softmax = softmaxRegressionStep(c["X"], labels: c.ints("labels"), weights: c["W"], bias: c["b"],
                                            learningRate: c.scalar("lr"))
        agree(softmax.loss, c.scalar("loss"), "softmaxRegressionStep: loss")
        agree(softmax.weights, c["nW"], "softmaxRegressionStep: W")
        agree(softmax.bias, c["nb"], "softmaxRegressionStep: b")
    }

    // MARK: fully connected networks

    @Test("affine and affine-ReLU layers, the two-layer and deeper networks (scores, loss, every gradient), an SGD step")
    func denseLayers() {
        for tag in ["wide", "single"] {
            var c = Self.fixture("affine.\(tag)")
            let affine = affineForward(c["x"], weights: c["W"], bias: c["b"])
            agree(affine.out, c["out"], "affineForward")
            let affineGradients = affineBackward(c["up"], cache: affine.cache)
            agree(affineGradients.dx, c["dx"], "affineBackward: dx")
            agree(affineGradients.dWeights, c["dW"], "affineBackward: dWeights")
            agree(affineGradients.dBias, c["db"], "affineBackward: dBias")

            c = Self.fixture("affinerelu.\(tag)")
            let both = affineReluForward(c["x"], weights: c["W"], bias: c["b"])
            agree(both.out, c["out"], "affineReluForward")
            let bothGradients = affineReluBackward(c["up"], cache: both.cache)
            agree(bothGradients.dx, c["dx"], "affineReluBackward: dx")
            agree(bothGradients.dWeights, c["dW"], "affineReluBackward: dWeights")
            agree(bothGradients.dBias, c["db"], "affineReluBackward: dBias")

            c = Self.fixture("twolayer.\(tag)")
            let net = TwoLayerNet(w1: c["W1"], b1: c["b1"], w2: c["W2"], b2: c["b2"])
            agree(twoLayerNetScores(net, c["X"]), c["scores"], "twoLayerNetScores")
            let two = twoLayerNetLoss(net, c["X"], labels: c.ints("labels"), regularization: c.scalar("reg"))
            agree(two.loss, c.scalar("loss"), "twoLayerNetLoss: loss")
            agree(two.gradients.w1, c["dW1"], "twoLayerNetLoss: dW1")
            agree(two.gradients.b1, c["db1"], "twoLayerNetLoss: db1")
            agree(two.gradients.w2, c["dW2"], "twoLayerNetLoss: dW2")
            agree(two.gradients.b2, c["db2"], "twoLayerNetLoss: db2")

            c = Self.fixture("deepnet.\(tag)")
            let layers = Self.layersOf(c, "p", count: 3)
            agree(networkScores(layers, c["X"]), c["scores"], "networkScores")
            agree(accuracy(layers, c["X"], labels: c.ints("labels")), c.scalar("accuracy"), "accuracy")
            let deep = networkLoss(layers, c["X"], labels: c.ints("labels"), regularization: c.scalar("reg"))
            agree(deep.loss, c.scalar("loss"), "networkLoss: loss")
            agreeLayers(deep.gradients, c, "g", "networkLoss")
        }
        let c = Self.fixture("sgdstep")
        let stepped = sgdStep(Self.layersOf(c, "p", count: 2), gradients: Self.layersOf(c, "g", count: 2),
                              learningRate: c.scalar("lr"))
        agreeLayers(stepped, c, "n", "sgdStep")
    }

    // MARK: training deep networks

    @Test("optimizer steps with a changing learning rate: momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW (functions and Optimizer)")
    func optimizerSteps() {
        let rules: [(String, OptimizerRule)] = [
            ("sgd", .sgd), ("momentum", .momentum(0.9)), ("nesterov", .nesterov(0.9)), ("adagrad", .adagrad(epsilon: 1e-8)),
            ("rmsprop", .rmsprop(decayRate: 0.99, epsilon: 1e-8)), ("adam", .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)),
            ("adamw", .adamW(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)),
        ]
        for (name, rule) in rules {
            let c = Self.fixture("opt.\(name)")
            let rates = c["lr"].scalars
            var w = c["w"], buffer = Tensor.zeros(like: w), state = AdamState(shape: w.shape)
            var optimizer = name == "sgd" ? Optimizer.sgd(learningRate: rates[0]) : Optimizer(rule, learningRate: rates[0])
            var parameters = [c["w"]]
            for (step, rate) in rates.enumerated() {
                let g = c["g\(step)"]
                switch name {
                case "momentum": w = sgdMomentumUpdate(w, gradient: g, velocity: &buffer, learningRate: rate, momentum: 0.9)
                case "nesterov": w = nesterovMomentumUpdate(w, gradient: g, velocity: &buffer, learningRate: rate, momentum: 0.9)
                case "adagrad": w = adagradUpdate(w, gradient: g, squaredGradientSum: &buffer, learningRate: rate, epsilon: 1e-8)
                case "rmsprop":
                    w = rmspropUpdate(w, gradient: g, squaredGradientAverage: &buffer, learningRate: rate, decayRate: 0.99, epsilon: 1e-8)
                case "adam": w = adamUpdate(w, gradient: g, state: &state, learningRate: rate)
                case "adamw": w = adamWUpdate(w, gradient: g, state: &state, learningRate: rate, weightDecay: 0.1)
                default: break   // plain SGD has no update function of its own: Optimizer.step below
                }
                if name != "sgd" { agree(w, c["w\(step)"], "\(optimizer.name) update") }
                optimizer.learningRate = rate
                optimizer.step(&parameters, gradients: [g])
                agree(parameters[0], c["w\(step)"], "Optimizer.step (\(optimizer.name))")
            }
        }
    }

    @Test("batch norm (training with running statistics, inference; both backwards), layer norm, clipping, the L2 penalty")
    func normalizationLayers() {
        for tag in ["wide", "pair"] {
            var c = Self.fixture("batchnorm.\(tag)")
            var running = BatchNormRunningStats(mean: c["rm"], variance: c["rv"])
            let train = batchNormForward(c["x"], gamma: c["gamma"], beta: c["beta"], running: &running, mode: .training)
            agree(train.out, c["out"], "batchNormForward (training)")
            agree(running.mean, c["nrm"], "batchNormForward: running mean")
            agree(running.variance, c["nrv"], "batchNormForward: running variance (unbiased)")
            for (backward, name) in Self.batchNormBackwards {
                let g = backward(c["up"], train.cache)
                agree(g.dx, c["dx"], "\(name): dx")
                agree(g.dGamma, c["dg"], "\(name): dGamma")
                agree(g.dBeta, c["db"], "\(name): dBeta")
            }
            c = Self.fixture("batchnormeval.\(tag)")
            running = BatchNormRunningStats(mean: c["rm"], variance: c["rv"])
            let inference = batchNormForward(c["x"], gamma: c["gamma"], beta: c["beta"], running: &running, mode: .inference)
            agree(inference.out, c["out"], "batchNormForward (inference)")
            agree(running.mean, c["rm"], "batchNormForward (inference) leaves the running mean")
            for (backward, name) in Self.batchNormBackwards {
                let g = backward(c["up"], inference.cache)
                agree(g.dx, c["dx"], "\(name) (inference): dx")
                agree(g.dGamma, c["dg"], "\(name) (inference): dGamma")
                agree(g.dBeta, c["db"], "\(name) (inference): dBeta")
            }
        }
        for tag in ["wide", "single"] {
            let c = Self.fixture("layernorm.\(tag)")
            let forward = layerNormForward(c["x"], gamma: c["gamma"], beta: c["beta"])
            agree(forward.out, c["out"], "layerNormForward")
            let g = layerNormBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "layerNormBackward: dx")
            agree(g.dGamma, c["dg"], "layerNormBackward: dGamma")
            agree(g.dBeta, c["db"], "layerNormBackward: dBeta")
        }
        for tag in ["clipped", "kept"] {
            let c = Self.fixture("clip.\(tag)")
            let clipped = clipByGlobalNorm([c["g0"], c["g1"]], maxNorm: c.scalar("c"))
            agree(clipped.norm, c.scalar("norm"), "clipByGlobalNorm: norm")
            agree(clipped.clipped[0], c["n0"], "clipByGlobalNorm: gradients")
            agree(clipped.clipped[1], c["n1"], "clipByGlobalNorm: gradients")
        }
        let c = Self.fixture("l2")
        let penalty = l2Penalty(Self.layersOf(c, "p", count: 2), strength: c.scalar("s"))
        agree(penalty.penalty, c.scalar("penalty"), "l2Penalty: penalty")
        agreeLayers(penalty.gradients, c, "g", "l2Penalty")
    }

    /// The network of lesson 05 against PyTorch: every hidden layer is F.linear, then F.batch_norm
    /// (training mode, momentum 0.1, ε = 1e-5, running statistics updated in place) or F.layer_norm
    /// (ε = 1e-5), then ReLU; the last layer is F.linear alone, and the loss is F.cross_entropy plus
    /// ½λ·Σ‖W‖² over the weights only (no biases, γ or β). The drop probability is 0: dropout masks
    /// come from the course's SeededGenerator, which PyTorch cannot replay.
    /// The inference-mode scores are computed first, from the running statistics as given; the
    /// training step then updates them, and the updated statistics are compared with the ones
    /// F.batch_norm left in its running buffers.
    @Test("a deep network without normalization, with batch norm and with layer norm: scores, loss, every gradient, running statistics")
    func deepNetworkLossAndScores() {
        for (kind, normalization) in [("none", Normalization.none), ("batch", .batch), ("layer", .layer)] {
            let c = Self.fixture("network.\(kind)")
            var network = DeepNetwork(layers: Self.layersOf(c, "p", count: 3), normalization: normalization)
            if normalization != .none {
                network.gammas = [c["gamma0"], c["gamma1"]]
                network.betas = [c["beta0"], c["beta1"]]
            }
            if normalization == .batch {
                network.runningStats = [BatchNormRunningStats(mean: c["rm0"], variance: c["rv0"]),
                                        BatchNormRunningStats(mean: c["rm1"], variance: c["rv1"])]
            }
            agree(deepNetworkScores(network, c["X"]), c["evalscores"], "deepNetworkScores (\(kind))")
            agree(deepNetworkAccuracy(network, c["X"], labels: c.ints("labels")), c.scalar("accuracy"), "deepNetworkAccuracy (\(kind))")
            var generator = SeededGenerator(seed: 1)
            let result = deepNetworkLoss(&network, c["X"], labels: c.ints("labels"), regularization: c.scalar("reg"), using: &generator)
            agree(result.loss, c.scalar("loss"), "deepNetworkLoss (\(kind)): loss")
            agreeLayers(result.gradients.layers, c, "g", "deepNetworkLoss (\(kind))")
            if normalization != .none {
                for l in 0..<2 {
                    agree(result.gradients.gammas[l], c["dgamma\(l)"], "deepNetworkLoss (\(kind)): dγ")
                    agree(result.gradients.betas[l], c["dbeta\(l)"], "deepNetworkLoss (\(kind)): dβ")
                }
            }
            if normalization == .batch {
                for l in 0..<2 {
                    agree(network.runningStats[l].mean, c["nrm\(l)"], "deepNetworkLoss (batch): running mean")
                    agree(network.runningStats[l].variance, c["nrv\(l)"], "deepNetworkLoss (batch): running variance")
                }
            }
        }
    }

    @Test("learning-rate schedules: step decay (StepLR) and linear warmup then cosine (LinearLR, CosineAnnealingLR)")
    func learningRateSchedules() {
        let c = Self.fixture("schedules")
        let stepped = (0..<c["step"].count).map {
            stepDecayLearningRate(step: $0, initialLearningRate: 0.3, dropEvery: 4, factor: 0.5)
        }
        agree(Tensor(stepped), c["step"], "stepDecayLearningRate")
        let cosine = (0..<c["cosine"].count).map {
            cosineWarmupLearningRate(step: $0, maximumLearningRate: 0.3, warmupSteps: 4, totalSteps: 15, minimumLearningRate: 0.01)
        }
        agree(Tensor(cosine), c["cosine"], "cosineWarmupLearningRate")
        let schedules: [(LearningRateSchedule, String)] = [(.stepDecay(dropEvery: 4, factor: 0.5), "step"),
                                                          (.cosineWarmup(warmupSteps: 4, totalSteps: 15, minimumLearningRate: 0.01), "cosine")]
        for (schedule, key) in schedules {
            agree(Tensor((0..<c[key].count).map { schedule.learningRate(atStep: $0, base: 0.3) }), c[key], "LearningRateSchedule.learningRate")
        }
    }

    // MARK: convolutional networks

    @Test("convolution, loops and im2col (strided, padded, non-square kernels, a batch of one): output and every gradient; im2col, col2im")
    func convolutionLayers() {
        for tag in ["strided", "single", "padded"] {
            let c = Self.fixture("conv.\(tag)")
            let (x, w, b, stride, padding) = (c["x"], c["w"], c["b"], c.int("stride"), c.int("pad"))
            let loops = conv2dForward(x, weights: w, bias: b, stride: stride, padding: padding)
            agree(loops.out, c["out"], "conv2dForward")
            let loopGradients = conv2dBackward(c["up"], cache: loops.cache)
            agree(loopGradients.dx, c["dx"], "conv2dBackward: dx")
            agree(loopGradients.dWeights, c["dw"], "conv2dBackward: dWeights")
            agree(loopGradients.dBias, c["db"], "conv2dBackward: dBias")
            let fast = conv2dForwardFast(x, weights: w, bias: b, stride: stride, padding: padding)
            agree(fast.out, c["out"], "conv2dForwardFast")
            let fastGradients = conv2dBackwardFast(c["up"], cache: fast.cache)
            agree(fastGradients.dx, c["dx"], "conv2dBackwardFast: dx")
            agree(fastGradients.dWeights, c["dw"], "conv2dBackwardFast: dWeights")
            agree(fastGradients.dBias, c["db"], "conv2dBackwardFast: dBias")
            let (kh, kw) = (w.shape[2], w.shape[3])
            let outShape = c["out"].shape
            agree(Double(convOutputSize(inputSize: x.shape[2], kernelSize: kh, stride: stride, padding: padding)), Double(outShape[2]),
                  "convOutputSize (F.conv2d's output height)")
            agree(Double(convOutputSize(inputSize: x.shape[3], kernelSize: kw, stride: stride, padding: padding)), Double(outShape[3]),
                  "convOutputSize (F.conv2d's output width)")
            agree(im2col(x, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding), c["cols"], "im2col (F.unfold)")
            agree(col2im(c["dcols"], inputShape: x.shape, kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding),
                  c["folded"], "col2im (F.fold)")
        }
    }

    @Test("max pooling (random values and ties: the first maximum takes the gradient) and average pooling, overlapping windows")
    func poolingLayers() {
        for tag in ["tiled", "overlap", "wide"] {
            for kind in ["random", "ties"] {
                let c = Self.fixture("maxpool.\(tag).\(kind)")
                let size = c.ints("size")
                let forward = maxPoolForward(c["x"], poolHeight: size[0], poolWidth: size[1], stride: size[2])
                agree(forward.out, c["out"], "maxPoolForward")
                agree(maxPoolBackward(c["up"], cache: forward.cache), c["dx"], "maxPoolBackward (\(kind))")
            }
            let c = Self.fixture("avgpool.\(tag)")
            let size = c.ints("size")
            let forward = avgPoolForward(c["x"], poolHeight: size[0], poolWidth: size[1], stride: size[2])
            agree(forward.out, c["out"], "avgPoolForward")
            agree(avgPoolBackward(c["up"], cache: forward.cache), c["dx"], "avgPoolBackward")
        }
    }

    @Test("spatial batch norm (training and inference, running statistics) and global average pooling")
    func spatialNormalization() {
        for tag in ["wide", "single"] {
            for (mode, forwardMode) in [("train", ForwardMode.training), ("eval", .inference)] {
                let c = Self.fixture("spatialnorm.\(tag).\(mode)")
                var running = BatchNormRunningStats(mean: c["rm"], variance: c["rv"])
                let forward = spatialBatchNormForward(c["x"], gamma: c["gamma"], beta: c["beta"], running: &running, mode: forwardMode)
                agree(forward.out, c["out"], "spatialBatchNormForward (\(mode))")
                agree(running.mean, c["nrm"], "spatialBatchNormForward (\(mode)): running mean")
                agree(running.variance, c["nrv"], "spatialBatchNormForward (\(mode)): running variance")
                let g = spatialBatchNormBackward(c["up"], cache: forward.cache)
                agree(g.dx, c["dx"], "spatialBatchNormBackward (\(mode)): dx")
                agree(g.dGamma, c["dg"], "spatialBatchNormBackward (\(mode)): dGamma")
                agree(g.dBeta, c["db"], "spatialBatchNormBackward (\(mode)): dBeta")
            }
            let c = Self.fixture("gap.\(tag)")
            agree(globalAveragePoolForward(c["x"]), c["out"], "globalAveragePoolForward")
            agree(globalAveragePoolBackward(c["up"], inputShape: c["x"].shape), c["dx"], "globalAveragePoolBackward")
        }
    }

    /// PyTorch has no residual block: the oracle composes F.conv2d (padding K/2, stride S), ReLU, F.conv2d
    /// and the 1 × 1 projection. The network is F.conv2d → ReLU → F.max_pool2d twice, then F.linear and
    /// F.cross_entropy plus ½λ·Σ‖W‖² over the three weight tensors.
    @Test("residual blocks (identity shortcut; strided with a projection) and the small convolutional network")
    func residualAndSmallConvolutional() {
        for tag in ["identity", "projection"] {
            let c = Self.fixture("residual.\(tag)")
            let projected = c.has("p4")
            let block = ResidualBlock(weights1: c["p0"], bias1: c["p1"], weights2: c["p2"], bias2: c["p3"],
                                      projectionWeights: projected ? c["p4"] : nil, projectionBias: projected ? c["p5"] : nil,
                                      stride: c.int("stride"))
            let forward = residualBlockForward(c["x"], block: block)
            agree(forward.out, c["out"], "residualBlockForward (\(tag))")
            let g = residualBlockBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "residualBlockBackward (\(tag)): dx")
            let found = [g.dWeights1, g.dBias1, g.dWeights2, g.dBias2] + (projected ? [g.dProjectionWeights!, g.dProjectionBias!] : [])
            for (k, gradient) in found.enumerated() { agree(gradient, c["g\(k)"], "residualBlockBackward (\(tag)): parameters") }
        }
        for tag in ["wide", "single"] {
            let c = Self.fixture("convnet.\(tag)")
            let net = ConvNet(conv1Weights: c["p0"], conv1Bias: c["p1"], conv2Weights: c["p2"], conv2Bias: c["p3"],
                              fcWeights: c["p4"], fcBias: c["p5"])
            agree(convNetScores(net, c["X"]), c["scores"], "convNetScores")
            let result = convNetLoss(net, c["X"], labels: c.ints("labels"), regularization: c.scalar("reg"))
            agree(result.loss, c.scalar("loss"), "convNetLoss: loss")
            let g = result.gradients
            for (k, gradient) in [g.conv1Weights, g.conv1Bias, g.conv2Weights, g.conv2Bias, g.fcWeights, g.fcBias].enumerated() {
                agree(gradient, c["g\(k)"], "convNetLoss: parameters")
            }
        }
    }

    // MARK: recurrent networks

    @Test("one recurrent step, vanilla (RNNCell) and LSTM (LSTMCell, gates i, f, g, o), also saturated: outputs and every gradient")
    func recurrentSteps() {
        for tag in ["wide", "single", "stress"] {
            var c = Self.fixture("rstep.\(tag)")
            let vanilla = rnnStepForward(c["x"], hPrev: c["h"], parameters: Self.recurrent(c, "wx", "wh", "b"))
            agree(vanilla.hNext, c["out"], "rnnStepForward")
            let back = rnnStepBackward(c["up"], cache: vanilla.cache)
            agree(back.dx, c["dx"], "rnnStepBackward: dx")
            agree(back.dhPrev, c["dh"], "rnnStepBackward: dhPrev")
            agreeRecurrent(back.gradients, c, "dwx", "dwh", "db", "rnnStepBackward")

            c = Self.fixture("lstep.\(tag)")
            let lstm = lstmStepForward(c["x"], hPrev: c["h"], cPrev: c["c"], parameters: Self.recurrent(c, "wx", "wh", "b"))
            agree(lstm.hNext, c["hn"], "lstmStepForward: h")
            agree(lstm.cNext, c["cn"], "lstmStepForward: c")
            let lstmBack = lstmStepBackward(c["up"], dcNext: c["upc"], cache: lstm.cache)
            agree(lstmBack.dx, c["dx"], "lstmStepBackward: dx")
            agree(lstmBack.dhPrev, c["dh"], "lstmStepBackward: dhPrev")
            agree(lstmBack.dcPrev, c["dc"], "lstmStepBackward: dcPrev")
            agreeRecurrent(lstmBack.gradients, c, "dwx", "dwh", "db", "lstmStepBackward")
        }
    }

    @Test("whole sequences (T = 6, T = 1, a batch of one, T = 12 saturated), vanilla (nn.RNN) and LSTM (nn.LSTM): states, dx, dh0, weights")
    func recurrentSequences() {
        for tag in ["long", "short", "single", "stress"] {
            var c = Self.fixture("seq.vanilla.\(tag)")
            let vanilla = rnnForward(c["x"], h0: c["h0"], parameters: Self.recurrent(c, "wx", "wh", "b"))
            agree(vanilla.h, c["out"], "rnnForward")
            let back = rnnBackward(c["up"], cache: vanilla.cache)
            agree(back.dx, c["dx"], "rnnBackward: dx")
            agree(back.dh0, c["dh0"], "rnnBackward: dh0")
            agreeRecurrent(back.gradients, c, "dwx", "dwh", "db", "rnnBackward")

            c = Self.fixture("seq.lstm.\(tag)")
            let lstm = lstmForward(c["x"], h0: c["h0"], parameters: Self.recurrent(c, "wx", "wh", "b"))
            agree(lstm.h, c["out"], "lstmForward")
            let lstmBack = lstmBackward(c["up"], cache: lstm.cache)
            agree(lstmBack.dx, c["dx"], "lstmBackward: dx")
            agree(lstmBack.dh0, c["dh0"], "lstmBackward: dh0")
            agreeRecurrent(lstmBack.gradients, c, "dwx", "dwh", "db", "lstmBackward")
        }
    }

    @Test("bidirectional (nn.RNN bidirectional) and two stacked layers (num_layers = 2): states and every gradient")
    func bidirectionalAndStacked() {
        for tag in ["long", "short", "single"] {
            var c = Self.fixture("bidir.\(tag)")
            let both = bidirectionalRNNForward(c["x"], h0Forward: c["h0f"], h0Backward: c["h0b"],
                                               forward: Self.recurrent(c, "p0", "p1", "p2"), backward: Self.recurrent(c, "p3", "p4", "p5"))
            agree(both.h, c["out"], "bidirectionalRNNForward")
            let back = bidirectionalRNNBackward(c["up"], cache: both.cache)
            agree(back.dx, c["dx"], "bidirectionalRNNBackward: dx")
            agree(back.dh0Forward, c["dh0f"], "bidirectionalRNNBackward: dh0Forward")
            agree(back.dh0Backward, c["dh0b"], "bidirectionalRNNBackward: dh0Backward")
            agreeRecurrent(back.forward, c, "g0", "g1", "g2", "bidirectionalRNNBackward (forward)")
            agreeRecurrent(back.backward, c, "g3", "g4", "g5", "bidirectionalRNNBackward (backward)")

            c = Self.fixture("stack.\(tag)")
            let stacked = stackedRNNForward(c["x"], h0: [c["h00"], c["h01"]],
                                            layers: [Self.recurrent(c, "p0", "p1", "p2"), Self.recurrent(c, "p3", "p4", "p5")])
            agree(stacked.h, c["out"], "stackedRNNForward")
            let stackBack = stackedRNNBackward(c["up"], cache: stacked.cache)
            agree(stackBack.dx, c["dx"], "stackedRNNBackward: dx")
            agree(stackBack.dh0[0], c["dh00"], "stackedRNNBackward: dh0")
            agree(stackBack.dh0[1], c["dh01"], "stackedRNNBackward: dh0")
            agreeRecurrent(stackBack.gradients[0], c, "g0", "g1", "g2", "stackedRNNBackward")
            agreeRecurrent(stackBack.gradients[1], c, "g3", "g4", "g5", "stackedRNNBackward")
        }
    }

    @Test("embedding (repeated indices), temporal affine, masked temporal softmax loss, sampling probabilities")
    func sequenceLayers() {
        for tag in ["repeats", "single"] {
            let c = Self.fixture("embed.\(tag)")
            let forward = embeddingForward(c.intRows("idx"), table: c["table"])
            agree(forward.out, c["out"], "embeddingForward")
            agree(embeddingBackward(c["up"], cache: forward.cache), c["dt"], "embeddingBackward")
        }
        for tag in ["long", "single"] {
            let c = Self.fixture("taffine.\(tag)")
            let forward = temporalAffineForward(c["x"], weights: c["W"], bias: c["b"])
            agree(forward.out, c["out"], "temporalAffineForward")
            let g = temporalAffineBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "temporalAffineBackward: dx")
            agree(g.dWeights, c["dW"], "temporalAffineBackward: dWeights")
            agree(g.dBias, c["db"], "temporalAffineBackward: dBias")
        }
        for tag in ["masked", "single"] {
            let c = Self.fixture("tsoftmax.\(tag)")
            let result = temporalSoftmaxLoss(c["s"], targets: c.intRows("targets"), mask: c.intRows("mask").map { $0.map { $0 != 0 } })
            agree(result.loss, c.scalar("loss"), "temporalSoftmaxLoss: loss (cross_entropy with ignore_index)")
            agree(result.dScores, c["ds"], "temporalSoftmaxLoss: dScores")
        }
        for tag in ["plain", "topk", "top1"] {
            let c = Self.fixture("sampling.\(tag)")
            let k = c.int("k")
            agree(samplingProbabilities(c["logits"], temperature: c.scalar("tau"), topK: k == 0 ? nil : k), c["p"],
                  "samplingProbabilities")
        }
    }

    // MARK: attention and the Transformer

    @Test("scaled dot-product attention: padding (rows with nothing to attend to), causal, several heads, no mask, near one-hot rows")
    func attentionCore() {
        for length in [1, 5] {
            agree(causalMask(length: length), Self.fixture("causal.\(length)")["mask"], "causalMask")
        }
        let padded = paddingMask(queryLengths: [4, 2], keyLengths: [6, 3], queries: 4, keys: 6)
        agree(padded, Self.fixture("attend.padded")["mask"], "paddingMask")
        for tag in ["padded", "causal", "heads", "nomask", "sharp"] {
            let c = Self.fixture("attend.\(tag)")
            let forward = attentionForward(query: c["q"], key: c["k"], value: c["v"], mask: c.has("mask") ? c["mask"] : nil)
            agree(forward.out, c["out"], "attentionForward (\(tag))")
            agree(forward.cache.weights, c["weights"], "attentionForward (\(tag)): weights")
            let g = attentionBackward(c["up"], cache: forward.cache)
            agree(g.dQuery, c["dq"], "attentionBackward (\(tag)): dQuery")
            agree(g.dKey, c["dk"], "attentionBackward (\(tag)): dKey")
            agree(g.dValue, c["dv"], "attentionBackward (\(tag)): dValue")
        }
    }

    @Test("multi-head attention (nn.MultiheadAttention): causal, cross with padded keys, one token, large weights, padded queries")
    func multiHeadAttention() {
        for tag in ["selfcausal", "cross", "single", "stress", "padquery"] {
            let c = Self.fixture("mha.\(tag)")
            let (selfAttention, x) = (c.scalar("selfatt") == 1, c["x"])
            let forward = multiHeadAttentionForward(x, context: selfAttention ? x : c["ctx"], parameters: AttentionParameters(tensors: c.list("p", 8)),
                                                    heads: c.int("heads"), mask: c.has("mask") ? c["mask"] : nil)
            agree(forward.out, c["out"], "multiHeadAttentionForward (\(tag))")
            // nn.MultiheadAttention's weights are NaN for padded queries: that case has none to compare
            if c.has("weights") { agree(forward.cache.attention.weights, c["weights"], "multiHeadAttentionForward (\(tag)): weights") }
            let g = multiHeadAttentionBackward(c["up"], cache: forward.cache)
            if selfAttention {
                agree(g.dx + g.dContext, c["dx"], "multiHeadAttentionBackward (\(tag)): dx + dContext")
            } else {
                agree(g.dx, c["dx"], "multiHeadAttentionBackward (\(tag)): dx")
                agree(g.dContext, c["dctx"], "multiHeadAttentionBackward (\(tag)): dContext")
            }
            agreeList(g.gradients.tensors, c, "g", "multiHeadAttentionBackward (\(tag)): parameters")
        }
    }

    @Test("feed-forward with GELU (tanh form) and token layer norm")
    func feedForwardAndNorm() {
        for tag in ["long", "single"] {
            var c = Self.fixture("ffn.\(tag)")
            let forward = feedForwardForward(c["x"], parameters: FeedForwardParameters(tensors: c.list("p", 4)))
            agree(forward.out, c["out"], "feedForwardForward")
            let g = feedForwardBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "feedForwardBackward: dx")
            agreeList(g.gradients.tensors, c, "g", "feedForwardBackward: parameters")

            c = Self.fixture("tokennorm.\(tag)")
            let norm = tokenLayerNormForward(c["x"], gamma: c["gamma"], beta: c["beta"])
            agree(norm.out, c["out"], "tokenLayerNormForward")
            let ng = tokenLayerNormBackward(c["up"], cache: norm.cache)
            agree(ng.dx, c["dx"], "tokenLayerNormBackward: dx")
            agree(ng.dGamma, c["dg"], "tokenLayerNormBackward: dGamma")
            agree(ng.dBeta, c["db"], "tokenLayerNormBackward: dBeta")
        }
    }

    /// nn.TransformerEncoderLayer(norm_first: true, dropout 0, GELU tanh, ε = 1e-5, batch_first) is the course's
    /// pre-norm block: its in_proj_weight stacks W_Qᵀ, W_Kᵀ, W_Vᵀ and its linear layers hold W₁ᵀ and W₂ᵀ. Its
    /// src_mask (True = blocked) is the causal mask and src_key_padding_mask blocks the padded keys; the course
    /// passes their product as one [B, T, T] mask (1 = may attend). The large-input case adds 50 to inputs of
    /// standard deviation 20, with attention weights three times larger: the layer norms must still agree.
    @Test("the pre-norm block (nn.TransformerEncoderLayer, norm_first) with causal and key padding masks, also large inputs: output and every gradient")
    func encoderBlock() {
        for tag in ["long", "single", "stress"] {
            let c = Self.fixture("block.\(tag)")
            let forward = transformerBlockForward(c["x"], parameters: TransformerBlockParameters(tensors: c.list("p", 16)),
                                                  heads: c.int("heads"), mask: c["mask"])
            agree(forward.out, c["out"], "transformerBlockForward (\(tag))")
            let g = transformerBlockBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "transformerBlockBackward (\(tag)): dx")
            agreeList(g.gradients.tensors, c, "g", "transformerBlockBackward (\(tag)): parameters")
        }
    }

    @Test("the decoder block with cross-attention (nn.TransformerDecoderLayer, norm_first): output, dx, dEncoderOutput, every parameter")
    func decoderBlock() {
        for tag in ["long", "single"] {
            let c = Self.fixture("decoder.\(tag)")
            let forward = decoderBlockForward(c["x"], encoderOutput: c["e"], parameters: DecoderBlockParameters(tensors: c.list("p", 26)),
                                              heads: c.int("heads"), selfMask: c["selfmask"], crossMask: c["crossmask"])
            agree(forward.out, c["out"], "decoderBlockForward (\(tag))")
            let g = decoderBlockBackward(c["up"], cache: forward.cache)
            agree(g.dx, c["dx"], "decoderBlockBackward (\(tag)): dx")
            agree(g.dEncoderOutput, c["de"], "decoderBlockBackward (\(tag)): dEncoderOutput")
            agreeList(g.gradients.tensors, c, "g", "decoderBlockBackward (\(tag)): parameters")
        }
    }

    @Test("positions: the sinusoidal encoding (interleaved sin, cos) and learned token plus position embeddings")
    func positionLayers() {
        for (length, width) in [(1, 2), (7, 6)] {
            agree(sinusoidalPositionalEncoding(length: length, width: width), Self.fixture("sinusoid.\(length)x\(width)")["pe"],
                  "sinusoidalPositionalEncoding")
        }
        let c = Self.fixture("tokenembed")
        let forward = tokenEmbeddingForward(c.intRows("tokens"), tokenTable: c["tt"], positionTable: c["pt"])
        agree(forward.out, c["out"], "tokenEmbeddingForward")
        let g = tokenEmbeddingBackward(c["up"], cache: forward.cache)
        agree(g.dTokenTable, c["dtt"], "tokenEmbeddingBackward: dTokenTable")
        agree(g.dPositionTable, c["dpt"], "tokenEmbeddingBackward: dPositionTable")
    }

    /// Dropout's masks and the initializers' draws come from the course's SeededGenerator, which PyTorch
    /// cannot replay: dropout is compared through its backward (with the mask PyTorch drew), its
    /// inference mode and the values of its mask; the initializers through PyTorch's fans and the
    /// standard deviations and bounds nn.init would use (sample statistics of 70,000 draws, within 1%).
    @Test("dropout (backward with PyTorch's mask, mask values, inference) and initialization (fans, std, bounds of nn.init)")
    func dropoutAndInitialization() {
        var c = Self.fixture("dropout")
        let (x, p) = (c["x"], c.scalar("p"))
        agree(dropoutBackward(c["up"], mask: c["mask"]), c["dx"], "dropoutBackward")
        var generator = SeededGenerator(seed: 11)
        agree(dropoutForward(x, dropProbability: p, mode: .inference, using: &generator).out, c["inference"], "dropoutForward (inference)")
        let (out, mask) = dropoutForward(x, dropProbability: p, mode: .training, using: &generator)
        let values = c["values"].scalars
        let offValues = mask.scalars.filter { m in !values.contains { Swift.abs(m - $0) <= 1e-9 * Swift.max(1, $0) } }
        #expect(offValues.isEmpty, "dropoutForward's mask holds \(offValues), F.dropout's only \(values)")
        #expect(Set(mask.scalars).count == 2, "a 4 × 6 mask at p = 0.3 should both drop and keep")
        agree(out, x * mask, "dropoutForward: out = x ⊙ mask")
        for tag in ["matrix", "filters"] {
            c = Self.fixture("init.\(tag)")
            let shape = c.ints("shape")
            let (fanIn, fanOut) = fans(ofShape: shape)
            agree(Tensor([Double(fanIn), Double(fanOut)]), c["fans"], "fans(ofShape:) (nn.init's, of the [out, in] layout)")
            let draws: [(String, (inout SeededGenerator) -> Tensor, Double, Bool)] = [
                ("xavierNormal", { xavierNormal(shape, using: &$0) }, c["xavier"].scalars[0], false),
                ("xavierUniform", { xavierUniform(shape, using: &$0) }, c["xavier"].scalars[1], true),
                ("heNormal", { heNormal(shape, using: &$0) }, c["he"].scalars[0], false),
                ("heUniform", { heUniform(shape, using: &$0) }, c["he"].scalars[1], true),
            ]
            for (name, draw, scale, uniform) in draws {
                var samples: [Double] = []
                while samples.count < 70_000 { samples += draw(&generator).scalars }
                let std = (samples.reduce(0) { $0 + $1 * $1 } / Double(samples.count)).squareRoot()
                let wanted = uniform ? scale / 3.0.squareRoot() : scale
                #expect(Swift.abs(std / wanted - 1) < 0.01, "\(name) \(tag): standard deviation \(std), nn.init's \(wanted)")
                if uniform {
                    let largest = samples.map { Swift.abs($0) }.max() ?? 0
                    #expect(largest <= scale && largest > 0.99 * scale, "\(name) \(tag): largest |w| \(largest), nn.init's bound \(scale)")
                }
            }
        }
    }

    @Test("head bookkeeping and time reversal: splitHeads, mergeHeads (reshape, permute), reversingTime (flip)")
    func reshapingHelpers() {
        let c = Self.fixture("heads")
        agree(splitHeads(c["x"], heads: 3), c["split"], "splitHeads")
        agree(mergeHeads(c["y"]), c["merged"], "mergeHeads")
        agree(reversingTime(c["x"]), c["reversed"], "reversingTime")
    }

    @Test("the receptive field equals the span of input positions with a nonzero gradient (autograd through F.conv1d)")
    func receptiveFieldByAutograd() {
        for tag in ["mixed", "plain"] {
            let c = Self.fixture("receptive.\(tag)")
            agree(Double(receptiveField(kernelSizes: c.ints("kernels"), strides: c.ints("strides"))), c.scalar("field"), "receptiveField")
        }
    }

    /// PyTorch's side: clip_grad_norm_ (with the course's c/n factor, see deliberateDifferences), LinearLR then CosineAnnealingLR, Adam.
    @Test("a Transformer training step: global-norm clipping, warmup then cosine learning rate, Adam (three steps)")
    func optimizationStep() {
        let c = Self.fixture("trainstep")
        var parameters = c.list("p", 2)
        var optimizer = Optimizer.adam(learningRate: 0)
        for step in 0..<3 {
            let result = transformerTrainingStep(&parameters, gradients: c.list("g\(step)", 2), optimizer: &optimizer, step: step,
                                                 maximumLearningRate: 0.01, warmupSteps: 2, totalSteps: 10, maxGradientNorm: 1)
            agree(result.learningRate, c.scalar("lr\(step)"), "transformerTrainingStep: learning rate")
            agree(result.gradientNorm, c.scalar("norm\(step)"), "transformerTrainingStep: gradient norm")
            agreeList(parameters, c, "w\(step)", "transformerTrainingStep: parameters")
        }
    }

    /// Where the course deliberately departs from PyTorch's default, the two must differ (and by how much):
    /// this documents the convention and shows that the comparison above can fail.
    @Test("deliberate departures from PyTorch's defaults are detected: exact GELU, clipping's 1e-6, the SVM's 1/C")
    func deliberateDifferences() {
        var c = Self.fixture("differs.gelu")
        let gelu = relativeError(geluForward(c["x"]), c["erf"])
        #expect(gelu > 1e-5 && gelu < 1e-3, "the tanh GELU is 4.7e-4 at most from F.gelu's exact erf form, got \(gelu)")
        c = Self.fixture("differs.clip")
        let clipped = clipByGlobalNorm([c["g0"], c["g1"]], maxNorm: c.scalar("c")).clipped
        let clip = Swift.max(relativeError(clipped[0], c["n0"]), relativeError(clipped[1], c["n1"]))
        #expect(clip > 1e-9 && clip < 1e-6, "clip_grad_norm_ scales by c/(n + 1e-6), the course by c/n: got \(clip)")
        c = Self.fixture("differs.svm")
        let classes = Double(c["s"].shape[1])
        let svm = multiclassSVMLoss(c["s"], labels: c.ints("labels"), margin: 1).loss
        #expect(Swift.abs(svm - classes * c.scalar("loss")) <= 1e-12 * Swift.max(1, svm) && svm > 0,
                "multi_margin_loss divides by the class count, the course does not: \(svm) vs \(c.scalar("loss")) × \(classes)")
    }

    /// A name counts as called when this file contains it followed by "(" after a character that cannot be
    /// part of an identifier (a textual check: an enum case of the same name also counts).
    @Test("every public function of Solutions/ is compared here, or listed in notCompared with the reason")
    func everyReferenceFunctionIsCovered() throws {
        let source = try String(contentsOf: repositoryRoot.appendingPathComponent("Tests/GradingTests/PyTorchOracleTests.swift"), encoding: .utf8)
        let folder = repositoryRoot.appendingPathComponent("Solutions")
        var names = Set<String>()
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for keyword in ["public func ", "public static func ", "public mutating func "] {
                for piece in text.components(separatedBy: keyword).dropFirst() {
                    names.insert(String(piece.prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
                }
            }
        }
        #expect(names.count > 100, "found only \(names.count) public functions under Solutions/")
        func isCalled(_ name: String) -> Bool {
            var rest = source[...]
            while let range = rest.range(of: name + "(") {
                let before = range.lowerBound == source.startIndex ? " " : source[source.index(before: range.lowerBound)]
                if !(before.isLetter || before.isNumber || before == "_") { return true }
                rest = source[range.upperBound...]
            }
            return false
        }
        for name in names.sorted() {
            #expect(isCalled(name) || Self.notCompared[name] != nil, "\(name) is neither compared with PyTorch nor listed in notCompared")
        }
        for name in Self.notCompared.keys {
            #expect(names.contains(name), "notCompared lists \(name), which Solutions/ no longer defines")
            #expect(!isCalled(name), "\(name) is compared above: take it out of notCompared")
        }
    }

    @Test("the fixtures are complete: every generated case is read by a test above")
    func everyFixtureIsUsed() {
        let fixtures = OracleFixtures.shared
        #expect(fixtures.cases.count >= 100, "only \(fixtures.cases.count) fixture cases: was the generator cut short?")
        for name in fixtures.cases.keys {
            #expect(Self.usedPrefixes.contains { name.hasPrefix($0) }, "fixture \(name) is compared by no test")
        }
    }

    typealias BatchNormBackward = (Tensor, BatchNormCache) -> (dx: Tensor, dGamma: Tensor, dBeta: Tensor)
    static var batchNormBackwards: [(BatchNormBackward, String)] { [
        ({ batchNormBackward($0, cache: $1) }, "batchNormBackward"),
        ({ batchNormBackwardSimplified($0, cache: $1) }, "batchNormBackwardSimplified"),
    ] }

    /// The public functions of Solutions/ that no test here calls, and why.
    static let notCompared: [String: String] = [
        "perceptronPredict": "the perceptron's rule is not the gradient of a loss PyTorch provides; lesson 03's grader covers it",
        "perceptronUpdate": "the perceptron's rule is not the gradient of a loss PyTorch provides; lesson 03's grader covers it",
        "perceptronTrain": "the perceptron's rule is not the gradient of a loss PyTorch provides; lesson 03's grader covers it",
        "trainNetwork": "its minibatches are shuffled by SeededGenerator, which PyTorch cannot replay; each step it takes is compared",
        "trainDeepNetwork": "its minibatches are shuffled by SeededGenerator, which PyTorch cannot replay; each step it takes is compared",
        "sampleToken": "it draws from SeededGenerator; the distribution it samples, samplingProbabilities, is compared",
        "network": "random initial weights from SeededGenerator; the initializers' distributions are compared",
        "heInitialized": "random initial weights from SeededGenerator; the initializers' distributions are compared",
        "random": "random initial weights from SeededGenerator; the initializers' distributions are compared",
        "rnn": "random initial weights from SeededGenerator; the initializers' distributions are compared",
        "lstm": "random initial weights from SeededGenerator; the initializers' distributions are compared",
    ]

    static let usedPrefixes = ["relu.", "leaky.", "sigmoid.", "tanh.", "gelu.", "softmax.", "logsoftmax.", "linear.", "closedform",
                               "fitloop", "bce.", "softmaxce.", "svm.", "logisticstep", "softmaxstep", "affine.", "affinerelu.",
                               "twolayer.", "deepnet.", "sgdstep", "opt.", "clip.", "l2", "batchnorm.", "batchnormeval.",
                               "layernorm.", "network.", "schedules", "conv.", "maxpool.", "avgpool.", "spatialnorm.", "gap.",
                               "residual.", "convnet.", "rstep.", "lstep.", "seq.", "bidir.", "stack.", "embed.", "taffine.",
                               "tsoftmax.", "sampling.", "causal.", "attend.", "mha.", "ffn.", "tokennorm.", "block.", "decoder.",
                               "sinusoid.", "tokenembed", "receptive.", "trainstep", "differs.", "gdstep", "dropout", "init.", "heads"]

    // MARK: helpers

    static func fixture(_ name: String) -> OracleCase {
        guard let entries = OracleFixtures.shared.cases[name] else {
            Issue.record("no fixture \(name): regenerate with python3 Tools/oracle/make_fixtures.py")
            return OracleCase(name: name, entries: [:])
        }
        return OracleCase(name: name, entries: entries)
    }

    static func layersOf(_ c: OracleCase, _ prefix: String, count: Int) -> [DenseLayer] {
        (0..<count).map { DenseLayer(weights: c["\(prefix)\(2 * $0)"], bias: c["\(prefix)\(2 * $0 + 1)"]) }
    }

    static func recurrent(_ c: OracleCase, _ wx: String, _ wh: String, _ b: String) -> RecurrentParameters {
        RecurrentParameters(wx: c[wx], wh: c[wh], bias: c[b])
    }

    func agreeLayers(_ layers: [DenseLayer], _ c: OracleCase, _ prefix: String, _ what: String) {
        for (l, layer) in layers.enumerated() {
            agree(layer.weights, c["\(prefix)\(2 * l)"], "\(what): dW")
            agree(layer.bias, c["\(prefix)\(2 * l + 1)"], "\(what): db")
        }
    }

    func agreeRecurrent(_ p: RecurrentParameters, _ c: OracleCase, _ wx: String, _ wh: String, _ b: String, _ what: String) {
        agree(p.wx, c[wx], "\(what): dWx")
        agree(p.wh, c[wh], "\(what): dWh")
        agree(p.bias, c[b], "\(what): db")
    }

    func agreeList(_ tensors: [Tensor], _ c: OracleCase, _ prefix: String, _ what: String) {
        #expect(!c.has("\(prefix)\(tensors.count)"), "\(what): PyTorch has more than \(tensors.count) tensors")
        for (k, tensor) in tensors.enumerated() { agree(tensor, c["\(prefix)\(k)"], what) }
    }

    func agree(_ got: Double, _ want: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        agree(Tensor([got]), Tensor([want]), what, sourceLocation: sourceLocation)
    }

    /// max over the elements of |got − want| / max(1, |want|).
    func relativeError(_ got: Tensor, _ want: Tensor) -> Double {
        zip(got.scalars, want.scalars).map { Swift.abs($0 - $1) / Swift.max(1, Swift.abs($1)) }.max() ?? 0
    }

    /// The relative error of `got`, recorded per function and asserted ≤ 1e-9.
    func agree(_ got: Tensor, _ want: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard got.shape == want.shape else {
            Issue.record("\(what): shape \(got.shape), PyTorch \(want.shape)", sourceLocation: sourceLocation)
            return
        }
        let error = relativeError(got, want)
        OracleReport.shared.record(what, error)
        #expect(error <= Self.tolerance, "\(what) differs from PyTorch by \(error) (relative, tolerance \(Self.tolerance))",
                sourceLocation: sourceLocation)
    }
}

/// The generated fixtures: case name → array name → shape and values.
struct OracleFixtures: Sendable {
    struct Entry: Sendable {
        let shape: [Int]
        let values: [Double]
    }

    private(set) var cases: [String: [String: Entry]] = [:]

    mutating func put(_ name: String, _ key: String, _ shape: [Int], _ values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "fixture \(name).\(key): shape \(shape) but \(values.count) values")
        cases[name, default: [:]][key] = Entry(shape: shape, values: values)
    }

    static let shared: OracleFixtures = {
        var fixtures = OracleFixtures()
        registerAll(&fixtures)
        return fixtures
    }()
}

/// One fixture case, read as tensors, integers or index rows.
struct OracleCase {
    let name: String
    let entries: [String: OracleFixtures.Entry]

    func has(_ key: String) -> Bool { entries[key] != nil }

    subscript(_ key: String) -> Tensor {
        guard let entry = entries[key] else {
            Issue.record("fixture \(name) has no array \(key)")
            return Tensor.zeros([1])
        }
        return Tensor(shape: entry.shape, scalars: entry.values)
    }

    func scalar(_ key: String) -> Double { self[key].scalars.first ?? .nan }
    func int(_ key: String) -> Int { Int(scalar(key)) }
    func ints(_ key: String) -> [Int] { self[key].scalars.map { Int($0) } }

    func intRows(_ key: String) -> [[Int]] {
        let t = self[key]
        let width = t.shape.last ?? 1
        return stride(from: 0, to: t.count, by: width).map { start in t.scalars[start..<(start + width)].map { Int($0) } }
    }

    func list(_ prefix: String, _ count: Int) -> [Tensor] { (0..<count).map { self["\(prefix)\($0)"] } }
}

/// The worst relative error seen per function, printed when DLFS_ORACLE_REPORT is set.
final class OracleReport: @unchecked Sendable {
    static let shared = OracleReport()
    private let lock = NSLock()
    private var worst: [String: Double] = [:]

    func record(_ what: String, _ error: Double) {
        lock.lock()
        defer { lock.unlock() }
        worst[what] = Swift.max(worst[what] ?? 0, error)
        if ProcessInfo.processInfo.environment["DLFS_ORACLE_REPORT"] != nil {
            print("oracle-error\t\(what)\t\(error)")
        }
    }
}
