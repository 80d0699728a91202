/// A plain text table with a header row and aligned columns.
///
/// ```swift
/// var table = Table(["function", "max |error|"])
/// table.append(["sigmoid", "3.1e-17"])
/// print(table.render())
/// ```
public struct Table: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Columns whose contents are right-aligned (numbers).
    public var rightAligned: Set<Int>

    public init(_ header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.header = header
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    public func render(colors: Bool = Terminal.colorsEnabled) -> String {
        let columns = ([header] + rows).map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in [header] + rows {
            for (i, cell) in row.enumerated() { widths[i] = Swift.max(widths[i], cell.visibleWidth) }
        }
        func line(_ row: [String]) -> String {
            (0..<columns).map { i in
                (i < row.count ? row[i] : "").padded(to: widths[i], alignRight: rightAligned.contains(i))
            }.joined(separator: "  ")
        }
        var lines = [line(header).styled(.bold, enabled: colors)]
        lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }
}
