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

@Suite("IDX files (MNIST)")
struct IDXTests {
    /// A well-formed image file of `count` images of rows × columns, pixel i = i mod 256.
    private func imageFile(count: Int, rows: Int, columns: Int, magic: UInt32 = IDX.imageMagic) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in [magic, UInt32(count), UInt32(rows), UInt32(columns)] {
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 255), UInt8((value >> 8) & 255), UInt8(value & 255)]
        }
        return bytes + (0..<(count * rows * columns)).map { UInt8($0 % 256) }
    }

    private func labelFile(_ labels: [UInt8], magic: UInt32 = IDX.labelMagic) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in [magic, UInt32(labels.count)] {
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 255), UInt8((value >> 8) & 255), UInt8(value & 255)]
        }
        return bytes + labels
    }

    @Test func aGoodFileReadsRowByRow() throws {
        let (images, labels) = try IDX.dataset(images: imageFile(count: 2, rows: 3, columns: 2), imageFile: "i",
                                               labels: labelFile([7, 1]), labelFile: "l")
        #expect(images.shape == [2, 1, 3, 2])
        #expect(labels == [7, 1])
        #expect(images[1, 0, 2, 1] == 11.0 / 255)   // the 12th pixel: image 1, row 2, column 1
    }

    @Test func aTruncatedFileIsNamed() {
        var bytes = imageFile(count: 2, rows: 3, columns: 2)
        bytes.removeLast()
        #expect(throws: IDX.FormatError(file: "x.idx3-ubyte", problem: "truncated: the header announces 2 images of 3 × 2, which needs 28 bytes, but the file has 27")) {
            try IDX.images(from: bytes, file: "x.idx3-ubyte")
        }
        #expect(throws: IDX.FormatError.self) { try IDX.labels(from: [0, 0, 8], file: "l") }
        #expect(throws: IDX.FormatError(file: "l", problem: "truncated: the header announces 3 labels, which needs 11 bytes, but the file has 10")) {
            try IDX.labels(from: Array(labelFile([1, 2, 3]).dropLast()), file: "l")
        }
    }

    @Test func aWrongMagicNumberIsNamed() {
        // A label file read as images, and the other way round.
        #expect(throws: IDX.FormatError(file: "l", problem: "wrong magic number 0x00000803, expected 0x00000801 (unsigned bytes, 1 dimension) — is this a label file?")) {
            try IDX.labels(from: imageFile(count: 1, rows: 1, columns: 1), file: "l")
        }
        do {
            _ = try IDX.images(from: imageFile(count: 1, rows: 2, columns: 2, magic: 0x0000_0801), file: "i")
            Issue.record("a wrong magic number was accepted")
        } catch {
            #expect(String(describing: error).hasPrefix("i: wrong magic number 0x00000801"))
        }
    }


    @Test func countsMustAgree() {
        #expect(throws: IDX.FormatError(file: "l", problem: "holds 3 labels but i holds 2 images")) {
            try IDX.dataset(images: imageFile(count: 2, rows: 2, columns: 2), imageFile: "i", labels: labelFile([1, 2, 3]), labelFile: "l")
        }
        #expect(throws: IDX.FormatError(file: "l", problem: "label 10 at position 1 is not in 0..<10")) {
            try IDX.labels(from: labelFile([1, 10]), file: "l")
        }
    }

    @Test func theShippedMNISTSubsetLoads() throws {
        let (images, labels) = try Dataset.mnist5k()
        #expect(images.shape == [5000, 1, 28, 28])
        #expect((0..<10).map { digit in labels.filter { $0 == digit }.count } == Array(repeating: 500, count: 10))
        #expect(images.min() == 0 && images.max() == 1)
    }
}
