// The tensor engine's benchmark: `swift run -c release bench` (add `--quick`
// for a short run). It prints GFLOP/s of matmul, the time of elementwise,
// broadcast, reduction and transpose operations, heap allocations per training
// step, and lesson 04's demo training time. Tools/benchmarks/ holds the same
// work for numpy and PyTorch; BENCHMARKS.md records the figures side by side.
import CourseKit
import Dispatch
import Implementations
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let quick = CommandLine.arguments.contains("--quick")
let budget = quick ? 0.05 : 0.3

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

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
