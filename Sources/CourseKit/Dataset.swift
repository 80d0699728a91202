import Foundation

/// Examples and their integer labels, with the usual chores: splitting,
/// shuffling and cutting into minibatches — all with a `SeededGenerator`,
/// so every run sees the same order.
///
/// ```swift
/// let digits = try Dataset.digits()                       // 1,797 × 64, labels 0–9
/// var rng = SeededGenerator(seed: 0)
/// let (train, test) = digits.split(trainingFraction: 0.8, using: &rng)
/// for batch in train.minibatches(size: 32, using: &rng) { … batch.features … batch.labels … }
/// ```
public struct Dataset: Sendable {
    /// One row per example, shape `[N, D]`.
    public var features: Tensor
    /// One label per example, `N` of them, each in `0..<classCount`.
    public var labels: [Int]
    public var classCount: Int

    public init(features: Tensor, labels: [Int], classCount: Int) {
        precondition(features.rank == 2, "Dataset: features must be [N, D], got \(features.shape)")
        precondition(features.shape[0] == labels.count,
                     "Dataset: \(features.shape[0]) rows of features but \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount }, "Dataset: labels must lie in 0..<\(classCount)")
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The examples at the given positions, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(features: features.rows(at: indices), labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// A shuffled split into a training and a test part.
    public func split(trainingFraction: Double, using generator: inout SeededGenerator) -> (train: Dataset, test: Dataset) {
        precondition(trainingFraction > 0 && trainingFraction < 1, "Dataset.split: the fraction must lie in (0, 1)")
        let order = generator.permutation(count)
        let cut = Int((Double(count) * trainingFraction).rounded())
        return (subset(Array(order[..<cut])), subset(Array(order[cut...])))
    }

    /// The examples in a random order, cut into batches of `size` (the last may be smaller).
    public func minibatches(size: Int, using generator: inout SeededGenerator) -> [Dataset] {
        precondition(size > 0, "Dataset.minibatches: size must be positive")
        let order = generator.permutation(count)
        return stride(from: 0, to: count, by: size).map { start in
            subset(Array(order[start..<Swift.min(start + size, count)]))
        }
    }

    /// How many examples each class has.
    public var classCounts: [Int] {
        var counts = Array(repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }
}

extension Dataset {
    /// Where the course's data sets live: `Data/` at the repository's root,
    /// found from this source file's location (a learner's clone) or from
    /// the current directory.
    public static func dataDirectory() -> URL {
        let fromSource = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data")
        if FileManager.default.fileExists(atPath: fromSource.path) { return fromSource }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Data")
    }

    /// A problem reading a data file: which file, which line, what, and how
    /// to get the shipped file back.
    public struct LoadError: Error, CustomStringConvertible {
        /// The path as the learner knows it: `Data/digits.csv`.
        public let file: String
        /// 0 when the file could not be read at all.
        public let line: Int
        public let problem: String
        public var description: String {
            (line > 0 ? "\(file):\(line): \(problem)" : "\(file): \(problem)")
                + " — the data file is damaged or missing; restore it with `git checkout -- \(file)`"
        }
    }

    /// The UCI handwritten digits shipped in `Data/digits.csv`: 1,797 images
    /// of 8 × 8 pixels, features scaled from 0–16 to 0–1, labels 0–9
    /// (CC BY 4.0, E. Alpaydin and C. Kaynak — see `Data/README.md`).
    public static func digits(from url: URL = dataDirectory().appendingPathComponent("digits.csv")) throws -> Dataset {
        let file = "Data/" + url.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LoadError(file: file, line: 0, problem: "cannot be read as UTF-8 text (\(url.path))")
        }
        var pixels: [Double] = []
        var labels: [Int] = []
        pixels.reserveCapacity(1797 * 64)
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",")
            guard fields.count == 65 else {
                throw LoadError(file: file, line: number + 1, problem: "expected 65 comma-separated integers, found \(fields.count)")
            }
            for field in fields.prefix(64) {
                guard let value = Int(field), (0...16).contains(value) else {
                    throw LoadError(file: file, line: number + 1, problem: "pixel \"\(field)\" is not an integer in 0...16")
                }
                pixels.append(Double(value) / 16)
            }
            guard let label = Int(fields[64]), (0...9).contains(label) else {
                throw LoadError(file: file, line: number + 1, problem: "label \"\(fields[64])\" is not a digit")
            }
            labels.append(label)
        }
        guard labels.count == 1797 else {
            throw LoadError(file: file, line: labels.count + 1, problem: "expected 1,797 images, found \(labels.count)")
        }
        return Dataset(features: Tensor(shape: [labels.count, 64], scalars: pixels), labels: labels, classCount: 10)
    }
}
