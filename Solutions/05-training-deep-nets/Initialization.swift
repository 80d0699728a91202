import CourseKit
import Foundation

/// Exercise `dnn.initialization` — how many inputs feed one output unit (fan-in) and
/// how many outputs one input feeds (fan-out), read from a weight shape.
///
/// The course stores a dense layer's weights as `[D_in, D_out]` (out = x·W),
/// so for rank 2, fanIn = shape[0] and fanOut = shape[1]. PyTorch stores
/// `[out, in]` and reads them the other way round.
///
/// A convolution kernel (lesson 06) is `[F, C, KH, KW]`: F filters over C
/// input channels. One output sees C·KH·KW inputs, so fanIn = C·KH·KW and
/// fanOut = F·KH·KW. In general, for rank ≥ 3: receptive = product of
/// shape[2...], fanIn = shape[1]·receptive, fanOut = shape[0]·receptive.
///
/// - Parameter shape: rank ≥ 2, every size ≥ 1.
/// - Returns: (fanIn, fanOut).
public func fans(ofShape shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.count >= 2, "fans(ofShape:): a weight shape has rank ≥ 2, got \(shape)")
    precondition(shape.allSatisfy { $0 >= 1 }, "fans(ofShape:): every size must be ≥ 1, got \(shape)")
    // BEGIN SOLUTION
    if shape.count == 2 { return (shape[0], shape[1]) }
    let receptive = shape.dropFirst(2).reduce(1, *)
    return (shape[1] * receptive, shape[0] * receptive)
    // END SOLUTION
}

/// Exercise `dnn.initialization` — Xavier/Glorot initialization, normal.
///
/// Weights ~ N(0, σ²) with σ² = 2 / (fanIn + fanOut): the variance that keeps
/// both the forward activations and the backward gradients at a steady scale
/// through a linear (or tanh, near 0) layer. Draw with
/// `Tensor.randomNormal(shape, standardDeviation: σ, using: &generator)`
/// so that a fixed seed gives the grader's numbers.
///
/// - Parameters:
///   - shape: `[D_in, D_out]` or `[F, C, KH, KW]` (see `fans(ofShape:)`).
///   - generator: the random source; advanced by one normal draw per element.
/// - Returns: a tensor of `shape`.
public func xavierNormal(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    // BEGIN SOLUTION
    let (fanIn, fanOut) = fans(ofShape: shape)
    return Tensor.randomNormal(shape, standardDeviation: (2 / Double(fanIn + fanOut)).squareRoot(), using: &generator)
    // END SOLUTION
}

/// Exercise `dnn.initialization` — Xavier/Glorot initialization, uniform.
///
/// Weights ~ U(−a, a) with a = √(6 / (fanIn + fanOut)), which has the same
/// variance as `xavierNormal` (U(−a, a) has variance a²/3). Draw with
/// `Tensor.randomUniform(shape, in: -a..<a, using: &generator)`.
///
/// - Parameters:
///   - shape: `[D_in, D_out]` or `[F, C, KH, KW]`.
///   - generator: advanced by one uniform draw per element.
/// - Returns: a tensor of `shape`.
public func xavierUniform(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    // BEGIN SOLUTION
    let (fanIn, fanOut) = fans(ofShape: shape)
    let limit = (6 / Double(fanIn + fanOut)).squareRoot()
    return Tensor.randomUniform(shape, in: -limit..<limit, using: &generator)
    // END SOLUTION
}

/// Exercise `dnn.initialization` — He/Kaiming initialization, normal.
///
/// Weights ~ N(0, σ²) with σ² = 2 / fanIn: ReLU zeroes half of its inputs, so
/// a layer needs twice the "linear" variance 1/fanIn to keep E[h²] steady.
/// Draw with `Tensor.randomNormal(shape, standardDeviation: σ, using: &generator)`.
///
/// - Parameters:
///   - shape: `[D_in, D_out]` or `[F, C, KH, KW]`.
///   - generator: advanced by one normal draw per element.
/// - Returns: a tensor of `shape`.
public func heNormal(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    // BEGIN SOLUTION
    let fanIn = fans(ofShape: shape).fanIn
    return Tensor.randomNormal(shape, standardDeviation: (2 / Double(fanIn)).squareRoot(), using: &generator)
    // END SOLUTION
}

/// Exercise `dnn.initialization` — He/Kaiming initialization, uniform.
///
/// Weights ~ U(−a, a) with a = √(6 / fanIn) (variance a²/3 = 2/fanIn). Draw
/// with `Tensor.randomUniform(shape, in: -a..<a, using: &generator)`.
///
/// - Parameters:
///   - shape: `[D_in, D_out]` or `[F, C, KH, KW]`.
///   - generator: advanced by one uniform draw per element.
/// - Returns: a tensor of `shape`.
public func heUniform(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    // BEGIN SOLUTION
    let limit = (6 / Double(fans(ofShape: shape).fanIn)).squareRoot()
    return Tensor.randomUniform(shape, in: -limit..<limit, using: &generator)
    // END SOLUTION
}

// BEGIN TABLE DeepTrainingFunctions dnn.initialization
// fans: @Sendable (_ shape: [Int]) -> (fanIn: Int, fanOut: Int)
// = { shape in let f = Module.fans(ofShape: shape); return (f.fanIn, f.fanOut) }
// xavierNormal: Initializer = { shape, seed in var g = SeededGenerator(seed: seed); return Module.xavierNormal(shape, using: &g) }
// xavierUniform: Initializer = { shape, seed in var g = SeededGenerator(seed: seed); return Module.xavierUniform(shape, using: &g) }
// heNormal: Initializer = { shape, seed in var g = SeededGenerator(seed: seed); return Module.heNormal(shape, using: &g) }
// heUniform: Initializer = { shape, seed in var g = SeededGenerator(seed: seed); return Module.heUniform(shape, using: &g) }
// END TABLE
