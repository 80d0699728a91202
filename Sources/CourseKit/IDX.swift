import Foundation

/// MNIST's IDX file format: a big-endian header, then raw bytes.
///
/// An image file (`idx3-ubyte`) starts with the magic number `0x00000803`
/// (two zero bytes, 0x08 for unsigned bytes, 3 dimensions), the image count,
/// the number of rows and of columns, each a 32-bit big-endian integer,
/// followed by count · rows · columns pixel bytes, row by row. A label file
/// (`idx1-ubyte`) starts with `0x00000801` and the count, followed by one
/// byte per label.
public enum IDX {
    /// A problem reading an IDX file: which file, and what is wrong with it.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public let file: String
        public let problem: String
        public var description: String { "\(file): \(problem)" }

        public init(file: String, problem: String) {
            self.file = file
            self.problem = problem
        }
    }

    /// Images as read from an idx3-ubyte file: pixels 0–255 row by row.
    public struct Images: Sendable {
        public let count: Int
        public let rows: Int
        public let columns: Int
        /// count · rows · columns bytes, image after image, each row by row.
        public let pixels: [UInt8]
    }

    public static let imageMagic: UInt32 = 0x0000_0803
    public static let labelMagic: UInt32 = 0x0000_0801

    /// Parses the bytes of an idx3-ubyte image file; `file` names it in errors.
    public static func images(from bytes: [UInt8], file: String) throws -> Images {
        let header = 16
        guard bytes.count >= header else {
            throw FormatError(file: file, problem: "truncated: \(bytes.count) bytes, shorter than the 16-byte header of an IDX image file")
        }
        let magic = bigEndian(bytes, at: 0)
        guard magic == imageMagic else {
            throw FormatError(file: file, problem: "wrong magic number \(hex(magic)), expected \(hex(imageMagic)) (unsigned bytes, 3 dimensions) — is this an image file?")
        }
        let count = Int(bigEndian(bytes, at: 4)), rows = Int(bigEndian(bytes, at: 8)), columns = Int(bigEndian(bytes, at: 12))
        guard rows > 0, columns > 0, rows <= 4096, columns <= 4096 else {
            throw FormatError(file: file, problem: "implausible image size \(rows) × \(columns)")
        }
        let expected = header + count * rows * columns
        guard bytes.count == expected else {
            let what = bytes.count < expected ? "truncated" : "too long"
            throw FormatError(file: file, problem: "\(what): the header announces \(count) images of \(rows) × \(columns), which needs \(expected) bytes, but the file has \(bytes.count)")
        }
        return Images(count: count, rows: rows, columns: columns, pixels: Array(bytes[header...]))
    }

    /// Parses the bytes of an idx1-ubyte label file; every label must be below `classCount`.
    public static func labels(from bytes: [UInt8], file: String, classCount: Int = 10) throws -> [Int] {
        let header = 8
        guard bytes.count >= header else {
            throw FormatError(file: file, problem: "truncated: \(bytes.count) bytes, shorter than the 8-byte header of an IDX label file")
        }
        let magic = bigEndian(bytes, at: 0)
        guard magic == labelMagic else {
            throw FormatError(file: file, problem: "wrong magic number \(hex(magic)), expected \(hex(labelMagic)) (unsigned bytes, 1 dimension) — is this a label file?")
        }
        let count = Int(bigEndian(bytes, at: 4))
        guard bytes.count == header + count else {
            let what = bytes.count < header + count ? "truncated" : "too long"
            throw FormatError(file: file, problem: "\(what): the header announces \(count) labels, which needs \(header + count) bytes, but the file has \(bytes.count)")
        }
        let labels = bytes[header...].map(Int.init)
        if let bad = labels.firstIndex(where: { $0 >= classCount }) {
            throw FormatError(file: file, problem: "label \(labels[bad]) at position \(bad) is not in 0..<\(classCount)")
        }
        return labels
    }

    /// An image file and a label file together: their counts must agree.
    /// - Returns: images `[N, 1, rows, columns]` with pixels scaled to 0–1, and N labels.
    public static func dataset(images imageBytes: [UInt8], imageFile: String, labels labelBytes: [UInt8], labelFile: String,
                               classCount: Int = 10) throws -> (images: Tensor, labels: [Int]) {
        let images = try images(from: imageBytes, file: imageFile)
        let labels = try labels(from: labelBytes, file: labelFile, classCount: classCount)
        guard images.count == labels.count else {
            throw FormatError(file: labelFile, problem: "holds \(labels.count) labels but \(imageFile) holds \(images.count) images")
        }
        let scalars = images.pixels.map { Double($0) / 255 }
        return (Tensor(shape: [images.count, 1, images.rows, images.columns], scalars: scalars), labels)
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { ($0 << 8) | UInt32(bytes[offset + $1]) }
    }

    private static func hex(_ value: UInt32) -> String { "0x" + String(format: "%08X", value) }
}

extension Dataset {
    /// The 5,000 MNIST digits shipped in `Data/` (500 per digit, ordered by
    /// class), read from MNIST's IDX files.
    /// - Returns: images `[5000, 1, 28, 28]` with pixels scaled from 0–255 to 0–1, and the labels 0–9.
    public static func mnist5k(in directory: URL = dataDirectory()) throws -> (images: Tensor, labels: [Int]) {
        let imageFile = "mnist-5k-images.idx3-ubyte", labelFile = "mnist-5k-labels.idx1-ubyte"
        func read(_ name: String) throws -> [UInt8] {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw IDX.FormatError(file: name, problem: "cannot be read at \(url.path)")
            }
            return [UInt8](data)
        }
        return try IDX.dataset(images: read(imageFile), imageFile: imageFile, labels: read(labelFile), labelFile: labelFile)
    }
}
