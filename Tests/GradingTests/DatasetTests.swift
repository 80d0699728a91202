import CourseKit
import Testing

@Suite("Data sets")
struct DatasetTests {
    @Test func digitsLoadCompletely() throws {
        let digits = try Dataset.digits()
        #expect(digits.features.shape == [1797, 64])
        #expect(digits.count == 1797)
        #expect(digits.classCounts.allSatisfy { (174...183).contains($0) }, "\(digits.classCounts)")
        #expect(digits.features.min() == 0 && digits.features.max() == 1)
    }

    @Test func splitAndMinibatchesCoverEveryExampleOnce() throws {
        let data = Dataset(features: Tensor.arange(0, 20).reshaped([10, 2]), labels: [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], classCount: 2)
        var rng = SeededGenerator(seed: 3)
        let (train, test) = data.split(trainingFraction: 0.7, using: &rng)
        #expect(train.count == 7 && test.count == 3)
        let firstColumn = (train.features.scalars + test.features.scalars).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(Set(firstColumn) == Set(stride(from: 0.0, to: 20, by: 2)))
        let batches = data.minibatches(size: 4, using: &rng)
        #expect(batches.map(\.count) == [4, 4, 2])
        #expect(batches.flatMap(\.features.scalars).sorted() == data.features.scalars)
        // Each row keeps its label.
        for batch in batches {
            for i in 0..<batch.count { #expect(Int(batch.features[i, 0] / 2) % 2 == batch.labels[i]) }
        }
    }
}
