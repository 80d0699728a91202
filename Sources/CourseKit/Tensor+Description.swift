#if canImport(Foundation)
import Foundation
#endif

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// A numpy-like rendering: nested brackets, aligned columns, and `…` in
    /// the middle of axes longer than 8.
    ///
    ///     [[ 1.0000, -2.5000],
    ///      [ 0.0000,  3.1416]]
    public var description: String {
        if rank == 0 { return Tensor.format(scalars[0]) }
        let formatted = scalars.map(Tensor.format)
        let width = formatted.map(\.count).max() ?? 0
        var out = ""
        render(axis: 0, offset: 0, depth: 1, width: width, formatted: formatted, into: &out)
        return out
    }

    public var debugDescription: String { "Tensor(shape: \(shape))\n\(description)" }

    public static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        let magnitude = Swift.abs(x)
        #if canImport(Foundation)
        if magnitude != 0 && (magnitude >= 1e5 || magnitude < 1e-4) { return String(format: "%.4e", x) }
        return String(format: "%.4f", x)
        #else
        return "\(x)"
        #endif
    }

    private func render(axis: Int, offset: Int, depth: Int, width: Int, formatted: [String], into out: inout String) {
        let n = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let shown: [Int?] = n > 8 ? Array(0..<3) + [nil] + Array((n - 3)..<n) : Array(0..<n)
        out += "["
        for (position, index) in shown.enumerated() {
            if position > 0 {
                out += axis == rank - 1 ? ", " : ",\n" + String(repeating: "\n", count: Swift.max(0, rank - axis - 2)) + String(repeating: " ", count: depth)
            }
            guard let i = index else { out += "…"; continue }
            if axis == rank - 1 {
                let text = formatted[offset + i]
                out += String(repeating: " ", count: width - text.count) + text
            } else {
                render(axis: axis + 1, offset: offset + i * stride, depth: depth + 1, width: width, formatted: formatted, into: &out)
            }
        }
        out += "]"
    }
}
