// The tensor engine's benchmark: `swift run -c release bench` (add `--quick`
// for a short run). It prints GFLOP/s of matmul, the time of elementwise,
// broadcast, reduction and transpose operations, heap allocations per training
// step, lesson 04's demo training time, lesson 06's CNN training per epoch, one
// training step of lesson 08's Transformer, and the time of every demo (reference code, one thread;
// `--demos-only`, `--demo N`, `--transformer-step`, `--cnn`, `--no-demos`). Tools/benchmarks/ holds the same
// work for numpy and PyTorch; BENCHMARKS.md records the figures side by side.
import CourseKit
import DeepTrainingSolutions
import Demos
import Dispatch
import Foundation
import Implementations
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let quick = CommandLine.arguments.contains("--quick")
let budget = quick ? 0.05 : 0.3

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used by this process (user + system), steadier than wall time on a shared machine.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The best time of one call over repeated runs that together last about `budget` seconds.
func bestTime(_ body: () -> Void) -> Double {
    body()
    var best = Double.infinity, spent = 0.0, runs = 0
    while spent < budget || runs < 3 {
        let start = now()
        body()
        let t = now() - start
        best = min(best, t)
        spent += t
        runs += 1
    }
    return best
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fixed(_ x: Double, _ digits: Int = 1) -> String {
    let scale = pow(10.0, Double(digits))
    let r = (x * scale).rounded() / scale
    return digits == 0 ? String(Int(r)) : String(r)
}

func random(_ shape: [Int]) -> Tensor {
    var generator = SeededGenerator(seed: UInt64(shape.reduce(1, *)))
    return Tensor.randomNormal(shape, using: &generator)
}

let cores = Parallelism.maximumThreads
let demosOnly = ["--demos-only", "--demo", "--transformer-step", "--cnn"].contains { CommandLine.arguments.contains($0) }
if !demosOnly {
print("CourseKit tensor benchmark (\(cores) threads available; best of repeated runs)\n")

// MARK: matmul
print("matmul [n, k] × [k, m]                 GFLOP/s 1 thread   \(cores) threads")
let shapes: [(String, Int, Int, Int, Bool, Bool)] = [
    ("64³", 64, 64, 64, false, false), ("128³", 128, 128, 128, false, false),
    ("256³", 256, 256, 256, false, false), ("512³", 512, 512, 512, false, false),
    ("[32,64]×[64,128]  (forward)", 32, 64, 128, false, false),
    ("[32,128]×[128,10] (forward)", 32, 128, 10, false, false),
    ("[32,10]×[128,10]ᵀ (dx)", 32, 10, 128, false, true),
    ("[32,64]ᵀ×[32,128] (dW)", 64, 32, 128, true, false),
]
for (name, n, k, m, ta, tb) in shapes {
    let a = random(ta ? [k, n] : [n, k]), b = random(tb ? [m, k] : [k, m])
    var gflops: [Double] = []
    for threads in [1, cores] {
        Parallelism.maximumThreads = threads
        let t = bestTime { _ = matmul(a, b, transposeA: ta, transposeB: tb) }
        gflops.append(2 * Double(n * k * m) / t / 1e9)
    }
    Parallelism.maximumThreads = cores
    print("  \(pad(name, 38)) \(pad(fixed(gflops[0]), 18)) \(fixed(gflops[1]))")
}

// MARK: elementwise, broadcast, reductions, transposes
print("\noperation                               time (µs)")
let big = random([1000, 1000]), big2 = random([1000, 1000]) * 0.5, rowVector = random([1000]), column = random([1000, 1])
let small = random([64, 128]), smallRow = random([128])
let ops: [(String, () -> Tensor)] = [
    ("[1000,1000] + [1000,1000]", { big + big2 }),
    ("[1000,1000] + [1000] (row broadcast)", { big + rowVector }),
    ("[1000,1000] + [1000,1] (column broadcast)", { big + column }),
    ("[1000,1000] * 2.5", { big * 2.5 }),
    ("[1000,1000] += [1000,1000] (in place)", { var x = big; x += big2; return x }),
    ("maximum([1000,1000], 0)", { maximum(big, 0) }),
    ("exp([1000,1000])", { exp(big) }),
    ("[1000,1000].sum(axis: 0)", { big.sum(axis: 0) }),
    ("[1000,1000].sum(axis: 1)", { big.sum(axis: 1) }),
    ("[1000,1000].max(axis: 1)", { big.max(axis: 1) }),
    ("[1000,1000].transposed()", { big.transposed() }),
    ("[64,128] + [128] (row broadcast)", { small + smallRow }),
    ("[64,128].sum(axis: 0)", { small.sum(axis: 0) }),
    ("[64,128].transposed()", { small.transposed() }),
]
for (name, op) in ops {
    let t = bestTime { _ = op() }
    print("  \(pad(name, 38)) \(fixed(t * 1e6))")
}

// MARK: lesson 04's demo training (digits, [64, 128, 10], batch 32, η 0.1, λ 1e-4, 30 epochs)
let digits = try Dataset.digits()
var splitter = SeededGenerator(seed: 4)
let (rest, _) = digits.split(trainingFraction: 0.8, using: &splitter)
let (rawTrain, rawValidation) = rest.split(trainingFraction: 0.85, using: &splitter)
let mean = rawTrain.features.mean(axis: 0), spread = sqrt(rawTrain.features.variance(axis: 0)) + 0.05
let train = Dataset(features: (rawTrain.features - mean) / spread, labels: rawTrain.labels, classCount: 10)
let validation = Dataset(features: (rawValidation.features - mean) / spread, labels: rawValidation.labels, classCount: 10)
let f = BackpropFunctions.reference
var initGenerator = SeededGenerator(seed: 7)
let initial = BackpropFunctions.heInitialized(sizes: [64, 128, 10], using: &initGenerator)

// Heap allocations of one training step (forward, backward, SGD update) on one minibatch.
Parallelism.maximumThreads = 1
let batch = train.features.slice(axis: 0, 0..<32), batchLabels = Array(train.labels[0..<32])
func step(_ layers: BackpropFunctions.Layers) -> BackpropFunctions.Layers {
    let (_, gradients) = f.networkLoss(layers, batch, batchLabels, 1e-4)
    return f.sgdStep(layers, gradients, 0.1)
}
_ = step(initial)
#if os(Linux) && compiler(<6.4)
let before = MallocCounter.count
_ = step(initial)
let allocations = MallocCounter.count - before
print("\nheap allocations per training step (forward + backward + SGD, batch 32): \(allocations)")
#endif
Parallelism.maximumThreads = cores

let epochs = quick ? 3 : 30
let start = now()
let run = f.train(initial, train, validation, epochs, 32, 0.1, 1e-4, 100)
let seconds = now() - start
print("lesson 04 demo training: \(train.count) digits, [64, 128, 10], batch 32, \(epochs) epochs with per-epoch accuracy: "
    + "\(fixed(seconds, 3)) s (validation accuracy \(fixed(100 * (run.history.validationAccuracy.last ?? 0), 1))%)")
}

// MARK: lesson 08's reversal Transformer, one training step at a time (the demo's model, reference code, one thread)
// The model of `course demo 8`, part 1: tokens and learned positions, 2 pre-norm blocks (D = 32, 2 heads,
// feed-forward 64), a final layer norm and a read-out over 10 digits; batches of 32 strings of 8 digits,
// cross-entropy, the lesson's training step (clipping to norm 1, warmup and cosine from 3e-3, Adam).
// Tools/benchmarks/torch_transformer.py is the same step in PyTorch. `--transformer-step` runs only this.
if !CommandLine.arguments.contains("--demo") && !CommandLine.arguments.contains("--no-demos")
    && !CommandLine.arguments.contains("--cnn") {
    typealias T = TransformersFunctions
    let f = T.reference
    let (length, digits, width, hidden, layers, heads, batch) = (8, 10, 32, 64, 2, 2, 32)
    let steps = quick ? 30 : 200
    var random = SeededGenerator(seed: 8)
    var parameters = [Tensor.randomNormal([digits, width], standardDeviation: 0.5, using: &random),
                      Tensor.randomNormal([length, width], standardDeviation: 0.5, using: &random)]
    for _ in 0..<layers { parameters += T.randomBlock(width: width, hidden: hidden, using: &random) }
    parameters += [Tensor.ones([width]), Tensor.zeros([width]),
                   Tensor.randomNormal([width, digits], standardDeviation: (1 / Double(width)).squareRoot(), using: &random),
                   Tensor.zeros([digits])]
    var optimizer = T.adam()
    Parallelism.maximumThreads = 1
    let (wall0, cpu0) = (now(), cpuSeconds())
    var loss = 0.0
    for step in 0..<steps {
        let tokens = (0..<batch).map { _ in (0..<length).map { _ in random.nextInt(in: 0..<digits) } }
        let targets = tokens.flatMap { $0.reversed() }
        // Forward.
        let (embedded, embeddingBackward) = f.tokenEmbedding(tokens, parameters[0], parameters[1])
        var x = embedded
        var backwards: [T.ParameterBackward] = []
        for layer in 0..<layers {
            let (out, _, backward) = f.block(x, Array(parameters[(2 + 16 * layer)..<(18 + 16 * layer)]), heads, nil)
            x = out
            backwards.append(backward)
        }
        let last = 2 + 16 * layers
        let (normalized, normBackward) = T.layerNorm(x, gamma: parameters[last], beta: parameters[last + 1])
        let rows = normalized.reshaped([-1, width])
        let scores = matmul(rows, parameters[last + 2]) + parameters[last + 3]
        // Softmax cross-entropy.
        let e = exp(scores - scores.max(axis: 1, keepingDims: true))
        var dScores = e / e.sum(axis: 1, keepingDims: true)
        loss = 0
        dScores.withScalars { d in
            for (row, target) in targets.enumerated() {
                loss -= Foundation.log(d[row * digits + target]) / Double(targets.count)
                d[row * digits + target] -= 1
            }
        }
        dScores = dScores / Double(targets.count)
        // Backward.
        let dReadOut = matmul(rows.transposed(), dScores), dReadOutBias = dScores.sum(axis: 0)
        let (dNormalized, dGamma, dBeta) = normBackward(matmul(dScores, parameters[last + 2].transposed()).reshaped(x.shape))
        var dx = dNormalized
        var blockGradients: [[Tensor]] = []
        for backward in backwards.reversed() {
            let (dIn, gradients) = backward(dx)
            dx = dIn
            blockGradients.insert(gradients, at: 0)
        }
        let (dTokens, dPositions) = embeddingBackward(dx)
        let gradients = [dTokens, dPositions] + blockGradients.flatMap { $0 } + [dGamma, dBeta, dReadOut, dReadOutBias]
        let result = f.trainingStep(parameters, gradients, optimizer, step, (3e-3, Swift.min(100, steps / 5), steps), 1.0)
        (parameters, optimizer) = (result.parameters, result.optimizer)
    }
    let (wall, cpu) = (now() - wall0, cpuSeconds() - cpu0)
    Parallelism.maximumThreads = cores
    print("\nlesson 08 reversal Transformer, \(steps) training steps of 32 × 8 digits, 1 thread: "
        + "\(fixed(1000 * wall / Double(steps), 2)) ms/step wall, \(fixed(1000 * cpu / Double(steps), 2)) ms/step CPU (final loss \(fixed(loss, 4)))")
}

// MARK: lesson 06's CNN, the demo's training (part 3) epoch by epoch (reference code, one thread)
// The data, split, network, batch, shifts, Adam and schedule of `course demo 6`; held-out accuracy after every
// epoch. Tools/benchmarks/torch_cnn.py is the same training in PyTorch. `--cnn` runs only this.
if !CommandLine.arguments.contains("--demo") && !CommandLine.arguments.contains("--no-demos")
    && !CommandLine.arguments.contains("--transformer-step") {
    let f = ConvNetsFunctions.reference
    var random = SeededGenerator(seed: 6)
    let (allImages, allLabels) = try Dataset.mnist5k()
    let order = random.permutation(allLabels.count)
    let trainIndices = Array(order[..<4_000]), testIndices = Array(order[4_000..<5_000])
    let trainX = allImages.rows(at: trainIndices), trainY = trainIndices.map { allLabels[$0] }
    let testX = allImages.rows(at: testIndices), testY = testIndices.map { allLabels[$0] }
    let epochs = quick ? 1 : 3, batchSize = 32, perEpoch = (4_000 + 31) / 32
    var net = ConvNetsFunctions.heInitializedNet(channels: 1, height: 28, width: 28, filters1: 8, filters2: 16, classes: 10, using: &random)
    var adam = net.map { AdamState(shape: $0.shape) }
    func shifted(_ images: Tensor) -> Tensor {
        var out = [Double](repeating: 0, count: images.count)
        for i in 0..<images.shape[0] {
            let dy = random.nextInt(in: -2...2), dx = random.nextInt(in: -2...2)
            for y in Swift.max(0, dy)..<Swift.min(28, 28 + dy) {
                for x in Swift.max(0, dx)..<Swift.min(28, 28 + dx) { out[(i * 28 + y) * 28 + x] = images.scalars[(i * 28 + y - dy) * 28 + x - dx] }
            }
        }
        return Tensor(shape: images.shape, scalars: out)
    }
    Parallelism.maximumThreads = 1
    let (wall0, cpu0) = (now(), cpuSeconds())
    var step = 0, right = 0
    for _ in 0..<epochs {
        let shuffled = random.permutation(4_000)
        for start in stride(from: 0, to: 4_000, by: batchSize) {
            let indices = Array(shuffled[start..<Swift.min(start + batchSize, 4_000)])
            let (_, gradients) = f.convNetLoss(net, shifted(trainX.rows(at: indices)), indices.map { trainY[$0] }, 1e-4)
            let rate = cosineWarmupLearningRate(step: step, maximumLearningRate: 3e-3, warmupSteps: perEpoch / 2,
                                                totalSteps: 15 * perEpoch, minimumLearningRate: 1e-5)
            for k in net.indices { net[k] = adamUpdate(net[k], gradient: gradients[k], state: &adam[k], learningRate: rate) }
            step += 1
        }
        right = stride(from: 0, to: 1_000, by: 250).reduce(0) { total, start in
            let predicted = f.convNetScores(net, testX.slice(axis: 0, start..<(start + 250))).argmax(axis: 1).scalars
            return total + zip(predicted, testY[start..<(start + 250)]).filter { Int($0) == $1 }.count
        }
    }
    let (wall, cpu) = (now() - wall0, cpuSeconds() - cpu0)
    Parallelism.maximumThreads = cores
    print("lesson 06 demo CNN, \(epochs) of the demo's 15 epochs (4,000 digits, batch 32, per-epoch accuracy), 1 thread: "
        + "\(fixed(wall / Double(epochs), 2)) s/epoch wall, \(fixed(cpu / Double(epochs), 2)) s/epoch CPU (held-out accuracy \(fixed(Double(right) / 10, 1))%)")
}

// MARK: every demo's training, reference code (one thread, the demos' own output hidden)
// `--demos-only` skips everything above; `--demo N` times one demo; `--no-demos` skips this part.
if !CommandLine.arguments.contains("--no-demos") && !CommandLine.arguments.contains("--transformer-step")
    && !CommandLine.arguments.contains("--cnn") {
    let selected = CommandLine.arguments.firstIndex(of: "--demo").flatMap { i in
        i + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[i + 1]) : nil
    }
    print("\nevery demo in \(quick ? "quick" : "full") mode, reference code, 1 thread   wall (s)   CPU (s)   the demo's own training time")
    Parallelism.maximumThreads = 1
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("dlfs-bench-demos")
    for demo in DemoCatalog.demos where selected == nil || demo.lesson == selected {
        let captured = output.appendingPathComponent("demo-\(demo.lesson).txt")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // The demo prints plots and tables; they go to a file, and its "training time" lines are read back.
        fflush(nil)
        let saved = dup(STDOUT_FILENO)
        let file = open(captured.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(file, STDOUT_FILENO)
        let (wall0, cpu0) = (now(), cpuSeconds())
        try demo.run(DemoOptions(quick: quick, outputDirectory: output, passed: []))
        let (wall, cpu) = (now() - wall0, cpuSeconds() - cpu0)
        fflush(nil)
        dup2(saved, STDOUT_FILENO)
        close(file)
        close(saved)
        let text = (try? String(contentsOf: captured, encoding: .utf8)) ?? ""
        let trainingLines = text.split(separator: "\n").filter { $0.contains("training time") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        print("  \(pad("\(String(format: "%02d", demo.lesson)) \(demo.title)", 60)) \(pad(fixed(wall, 2), 10)) \(pad(fixed(cpu, 2), 9)) "
            + trainingLines.joined(separator: "; "))
    }
    Parallelism.maximumThreads = cores
}
