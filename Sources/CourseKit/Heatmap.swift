/// A matrix drawn as shaded cells: attention maps, learned filters, digits.
///
/// With colors, each cell is two spaces on a 24-step grayscale background;
/// without, one of ` ░▒▓█` twice. Values are scaled from the matrix's
/// minimum (light) to its maximum (dark), or to `range` when given.
public struct Heatmap: Sendable {
    public var matrix: Tensor
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var range: ClosedRange<Double>?

    /// - Parameter matrix: shape `[rows, columns]`.
    public init(_ matrix: Tensor, title: String = "", rowLabels: [String] = [], columnLabels: [String] = [],
                range: ClosedRange<Double>? = nil) {
        precondition(matrix.rank == 2, "Heatmap: needs a matrix, got shape \(matrix.shape)")
        self.matrix = matrix
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.range = range
    }

    public func render(colors: Bool = Terminal.colorsEnabled) -> String {
        let rows = matrix.shape[0], columns = matrix.shape[1]
        let low = range?.lowerBound ?? (matrix.count > 0 ? matrix.min() : 0)
        let high = range?.upperBound ?? (matrix.count > 0 ? matrix.max() : 1)
        let span = high > low ? high - low : 1
        let shades = [" ", "░", "▒", "▓", "█"]
        let labelWidth = rowLabels.map(\.count).max() ?? 0
        var lines: [String] = title.isEmpty ? [] : [title.styled(.bold, enabled: colors)]
        if !columnLabels.isEmpty {
            lines.append(String(repeating: " ", count: labelWidth + (labelWidth > 0 ? 1 : 0))
                + columnLabels.map { String($0.prefix(2)).padded(to: 2) }.joined())
        }
        for r in 0..<rows {
            var line = labelWidth > 0 ? (r < rowLabels.count ? rowLabels[r] : "").padded(to: labelWidth) + " " : ""
            for c in 0..<columns {
                let v = matrix[r, c]
                let f = v.isFinite ? Swift.min(1, Swift.max(0, (v - low) / span)) : 0
                if colors {
                    let gray = 255 - Int((f * 23).rounded())   // 255 is near white, 232 black
                    line += "\u{1B}[48;5;\(gray)m  \u{1B}[0m"
                } else {
                    let shade = shades[Int((f * Double(shades.count - 1)).rounded())]
                    line += shade + shade
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
