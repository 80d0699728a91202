import CourseKit
import Foundation
@testable import Grading
import Testing

@Suite("Data sets")
struct DatasetTests {
    @Test("a damaged data file: named, with the command that restores it, and not blamed on the learner's code")
    func damagedFileIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dlfs-\(UUID().uuidString)/digits.csv")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let good = try String(contentsOf: Dataset.dataDirectory().appendingPathComponent("digits.csv"), encoding: .utf8)
        for damaged in [String(good.prefix(good.count / 2)), good.replacingOccurrences(of: ",16,", with: ",17,"), ""] {
            try damaged.write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: Dataset.LoadError.self) { try Dataset.digits(from: file) }
            do { _ = try Dataset.digits(from: file) } catch {
                #expect(String(describing: error).contains("Data/digits.csv"))
                #expect(String(describing: error).contains("git checkout -- Data/digits.csv"))
            }
        }
        let spec = ExerciseSpec<Int>(id: "x.data", title: "t", file: "F.swift", declarations: [], hints: [], standard: "",
                                     mistakes: [], alternatives: []) { _, _, _ in
            _ = try Dataset.digits(from: file)
        }
        let report = Grader.grade(spec.exercise(lesson: "00-x", learner: 0, reference: 0), .learner, seed: 1)
        #expect(report.message.contains("this is not about your code"), "\(report.message)")
        #expect(report.message.contains("git checkout -- Data/digits.csv"))
    }

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
