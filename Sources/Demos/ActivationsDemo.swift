import CourseKit
import Foundation
import Implementations

/// Demo 01 — activations: each function and its derivative (computed by the
/// backward pass, with dOut = 1), softmax's stability, and the gradient that
/// survives a deep stack of sigmoid, tanh or ReLU layers.
let activationsDemo = Demo(
    lesson: 1, title: "Activations",
    exercises: ["activations.sigmoid", "activations.tanh", "activations.relu", "activations.leakyRelu",
                "activations.gelu", "activations.softmax", "activations.logSoftmax"]
) { options in
    let f = ActivationFunctions.mixing(learnerFor: options.passed)
    let plotWidth = min(60, max(30, Terminal.width - 16))
    let plotHeight = options.quick ? 8 : 12

    // 1. Every elementwise function and its derivative on [-5, 5].
    let xs = Tensor.linspace(-5, 5, count: options.quick ? 41 : 201)
    let functions: [(name: String, exercise: String, forward: (Tensor) -> Tensor, derivative: (Tensor) -> Tensor)] = [
        ("sigmoid", "activations.sigmoid", f.sigmoidForward, { x in f.sigmoidBackward(Tensor.ones(like: x), f.sigmoidForward(x)) }),
        ("tanh", "activations.tanh", f.tanhForward, { x in f.tanhBackward(Tensor.ones(like: x), f.tanhForward(x)) }),
        ("relu", "activations.relu", f.reluForward, { x in f.reluBackward(Tensor.ones(like: x), x) }),
        ("leaky relu (α = 0.1)", "activations.leakyRelu", { f.leakyReluForward($0, 0.1) }, { x in f.leakyReluBackward(Tensor.ones(like: x), x, 0.1) }),
        ("gelu", "activations.gelu", f.geluForward, { x in f.geluBackward(Tensor.ones(like: x), x) }),
    ]
    var functionSeries: [Series] = [], derivativeSeries: [Series] = []
    print("1. Each function and its derivative from your backward pass (d/dx), x in [-5, 5]; the legend under each plot tells them apart\n")
    for function in functions {
        let y = function.forward(xs), dy = function.derivative(xs)
        let curve = Series(function.name, points: zip(xs.scalars, y.scalars).map { ($0, $1) })
        let slope = Series("d/dx", points: zip(xs.scalars, dy.scalars).map { ($0, $1) })
        functionSeries.append(curve)
        derivativeSeries.append(Series(function.name, points: slope.points))
        print(LinePlot(title: "\(function.name)  [\(options.source(of: function.exercise))]", series: [curve, slope])
            .render(width: plotWidth, height: plotHeight))
        print("")
    }
    let functionsPath = try options.write(SVGPlot(title: "Activation functions", xLabel: "x", yLabel: "f(x)", series: functionSeries),
                                          named: "01-activations.svg")
    let derivativesPath = try options.write(SVGPlot(title: "Their derivatives (from the backward passes)", xLabel: "x", yLabel: "f'(x)",
                                                    series: derivativeSeries), named: "01-derivatives.svg")

    // 2. Softmax does not care about a constant shift — and the stable form survives logits of 1000.
    print("2. Softmax is shift-invariant; the stable form survives huge logits [\(options.source(of: "activations.softmax"))]\n")
    var table = Table(["logits", "softmax", "log-softmax"])
    for row in [[1.0, 2, 3], [1001.0, 1002, 1003], [-1000.0, 0, 1000]] {
        let logits = Tensor([row])
        let p = f.softmaxForward(logits), logP = f.logSoftmaxForward(logits)
        table.append([row.map { Tensor.format($0) }.joined(separator: ", "),
                      p.scalars.map { Tensor.format($0) }.joined(separator: ", "),
                      logP.scalars.map { Tensor.format($0) }.joined(separator: ", ")])
    }
    print(table.render())
    print("\n   The first two rows differ by 1000 in every logit and give the same probabilities.\n")

    // 3. The gradient that survives a deep stack: h ← act(W h), backpropagated with your backward passes.
    print("3. How much gradient reaches the input of a deep stack h ← act(W·h)  (width 32, one fixed random input)")
    print("   [sigmoid: \(options.source(of: "activations.sigmoid")), tanh: \(options.source(of: "activations.tanh")), relu: \(options.source(of: "activations.relu"))]\n")
    let width = 32
    let maxDepth = options.quick ? 12 : 30
    var random = SeededGenerator(seed: 7)
    let input = Tensor.randomNormal([1, width], using: &random)
    // Weights scaled so that pre-activations neither explode nor vanish: 1/√width for sigmoid and tanh, √(2/width) for ReLU.
    let weights = (0..<maxDepth).map { _ in Tensor.randomNormal([width, width], using: &random) }
    let stacks: [(name: String, scale: Double, forward: (Tensor) -> Tensor, backward: (Tensor, Tensor, Tensor) -> Tensor)] = [
        ("sigmoid", 1 / Double(width).squareRoot(), f.sigmoidForward, { dOut, _, y in f.sigmoidBackward(dOut, y) }),
        ("tanh", 1 / Double(width).squareRoot(), f.tanhForward, { dOut, _, y in f.tanhBackward(dOut, y) }),
        ("relu", (2 / Double(width)).squareRoot(), f.reluForward, { dOut, x, _ in f.reluBackward(dOut, x) }),
    ]
    var depthSeries: [Series] = []
    var depthTable = Table(["depth"] + stacks.map { "‖∂L/∂x‖ \($0.name)" }, rightAligned: Set(0...stacks.count))
    var norms: [[Double]] = Array(repeating: [], count: stacks.count)
    for (s, stack) in stacks.enumerated() {
        for depth in 1...maxDepth {
            var h = input
            var saved: [(pre: Tensor, post: Tensor)] = []
            for layer in 0..<depth {
                let pre = matmul(h, weights[layer] * stack.scale)
                h = stack.forward(pre)
                saved.append((pre, h))
            }
            // Unit upstream gradient at the top, pushed back down through every layer.
            var grad = Tensor.ones(like: h) / Double(width).squareRoot()
            for layer in stride(from: depth - 1, through: 0, by: -1) {
                grad = stack.backward(grad, saved[layer].pre, saved[layer].post)
                grad = matmul(grad, (weights[layer] * stack.scale).transposed())
            }
            norms[s].append(grad.norm())
        }
        depthSeries.append(Series(stack.name, points: norms[s].enumerated().map { (Double($0.offset + 1), $0.element) }))
    }
    for depth in [1, 5, 10, 20, 30] where depth <= maxDepth {
        depthTable.append([String(depth)] + norms.map { String(format: "%.2e", $0[depth - 1]) })
    }
    print(LinePlot(title: "gradient norm at the input vs depth", series: depthSeries, logY: true).render(width: plotWidth, height: plotHeight + 2))
    print("")
    print(depthTable.render())
    let sigmoidDrop = norms[0][maxDepth - 1] / norms[0][0]
    let reluDrop = norms[2][maxDepth - 1] / norms[2][0]
    print("""

       Through \(maxDepth) sigmoid layers the gradient shrinks by a factor of \(String(format: "%.1e", sigmoidDrop)): σ' ≤ 1/4, so \
    every layer multiplies it by a quarter or less and it vanishes. Through \(maxDepth) ReLU layers it changes only by a factor of \
    \(String(format: "%.1e", reluDrop)): ReLU's derivative is exactly 1 wherever a unit is active, so the activation itself takes \
    nothing away; what is lost comes from units that happen to be inactive (dead for this input) and from the random weights.
    """)
    let depthPath = try options.write(SVGPlot(title: "Gradient reaching the input of a deep stack", xLabel: "depth",
                                              yLabel: "‖∂L/∂x‖", series: depthSeries, logY: true), named: "01-gradient-vs-depth.svg")
    print("\nSVG plots: \(functionsPath)\n           \(derivativesPath)\n           \(depthPath)")
}
