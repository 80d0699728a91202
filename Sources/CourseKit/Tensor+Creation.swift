extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// A tensor of zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// A tensor of ones with the shape of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Tensor {
        var result = zeros([n, n])
        for i in 0..<n { result[i, i] = 1 }
        return result
    }

    /// `[start, start + step, …]` up to but excluding `end`, as a vector.
    public static func arange(_ start: Double, _ end: Double, step: Double = 1) -> Tensor {
        precondition(step != 0, "Tensor.arange: step must not be 0")
        var values: [Double] = []
        var v = start
        while step > 0 ? v < end : v > end {
            values.append(v)
            v = start + Double(values.count) * step
        }
        return Tensor(values)
    }

    /// `count` evenly spaced numbers from `start` to `end`, both included.
    public static func linspace(_ start: Double, _ end: Double, count: Int) -> Tensor {
        precondition(count >= 1, "Tensor.linspace: count must be at least 1")
        if count == 1 { return Tensor([start]) }
        let step = (end - start) / Double(count - 1)
        // `start + (count - 1) * step` can miss `end` by a rounding error; the end is promised exactly.
        return Tensor((0..<count).map { $0 == count - 1 ? end : start + Double($0) * step })
    }

    /// Samples from a normal distribution with the given mean and standard deviation.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, standardDeviation: Double = 1,
                                    using generator: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in
            mean + standardDeviation * generator.nextNormal()
        })
    }

    /// Samples uniformly from `range` (the upper bound excluded).
    public static func randomUniform(_ shape: [Int], in range: Range<Double> = 0..<1,
                                     using generator: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in generator.nextUniform(in: range) })
    }

    /// A one-hot matrix of shape `[labels.count, classes]`: row `i` is 1 at column `labels[i]`.
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var result = zeros([labels.count, classes])
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < classes, "Tensor.oneHot: label \(label) is not in 0..<\(classes)")
            result[i, label] = 1
        }
        return result
    }
}
