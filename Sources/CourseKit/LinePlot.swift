import Foundation

/// A line plot drawn with Unicode braille characters, several series in
/// different colors, with y-axis labels and a legend.
///
/// ```swift
/// let plot = LinePlot(title: "loss", series: [Series("train", values: losses)])
/// print(plot.render(width: 60, height: 15))
/// ```
public struct LinePlot: Sendable {
    public var title: String
    public var series: [Series]
    /// Plot y on a log10 scale (positive values only), for loss curves.
    public var logY: Bool

    public init(title: String, series: [Series], logY: Bool = false) {
        self.title = title
        self.series = series
        self.logY = logY
    }

    /// The plot as lines of text: `width` × `height` character cells for the
    /// drawing area (each cell holds 2 × 4 braille dots).
    public func render(width: Int = 60, height: Int = 15, colors: Bool = Terminal.colorsEnabled) -> String {
        let bounds = PlotBounds(series, logY: logY)
        let dotsX = width * 2, dotsY = height * 4
        // cell → (bit pattern, series index of the last series drawn there)
        var cells = Array(repeating: Array(repeating: (bits: 0, owner: -1), count: width), count: height)
        let dotBits = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]
        func plotDot(_ dx: Int, _ dy: Int, _ owner: Int) {
            guard dx >= 0, dx < dotsX, dy >= 0, dy < dotsY else { return }
            let row = (dotsY - 1 - dy) / 4, column = dx / 2
            let bit = dotBits[(dotsY - 1 - dy) % 4][dx % 2]
            cells[row][column].bits |= bit
            cells[row][column].owner = owner
        }
        func toDots(_ p: (x: Double, y: Double)) -> (Int, Int) {
            let y = logY ? log10Safe(p.y) : p.y
            let fx = (p.x - bounds.minX) / (bounds.maxX - bounds.minX)
            let fy = (y - bounds.minY) / (bounds.maxY - bounds.minY)
            return (Int((fx * Double(dotsX - 1)).rounded()), Int((fy * Double(dotsY - 1)).rounded()))
        }
        for (owner, s) in series.enumerated() {
            let points = s.finitePoints.filter { !logY || $0.y > 0 }.map(toDots)
            for (i, p) in points.enumerated() {
                plotDot(p.0, p.1, owner)
                guard i > 0 else { continue }
                // Connect consecutive points with a straight run of dots.
                let q = points[i - 1]
                let steps = Swift.max(Swift.abs(p.0 - q.0), Swift.abs(p.1 - q.1))
                guard steps > 1 else { continue }
                for t in 1..<steps {
                    let f = Double(t) / Double(steps)
                    plotDot(Int((Double(q.0) + f * Double(p.0 - q.0)).rounded()), Int((Double(q.1) + f * Double(p.1 - q.1)).rounded()), owner)
                }
            }
        }
        func label(_ v: Double) -> String {
            let value = logY ? pow(10, v) : v
            return LinePlot.axisLabel(value, span: logY ? 0 : bounds.maxY - bounds.minY)
        }
        let top = label(bounds.maxY), bottom = label(bounds.minY), middle = label((bounds.maxY + bounds.minY) / 2)
        let labelWidth = Swift.max(top.count, bottom.count, middle.count)
        var lines = [title.styled(.bold, enabled: colors)]
        for (r, row) in cells.enumerated() {
            let axisLabel = r == 0 ? top : r == height - 1 ? bottom : r == height / 2 ? middle : ""
            var line = axisLabel.padded(to: labelWidth, alignRight: true) + " ┤"
            for cell in row {
                if cell.bits == 0 { line += " "; continue }
                let glyph = String(Character(Unicode.Scalar(0x2800 + cell.bits)!))
                line += colors ? Style.series[cell.owner % Style.series.count].apply(glyph, enabled: true) : glyph
            }
            lines.append(line)
        }
        let left = LinePlot.axisLabel(bounds.minX), right = LinePlot.axisLabel(bounds.maxX)
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: width))
        lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: Swift.max(1, width - left.count - right.count)) + right)
        let legend = series.enumerated().map { i, s in
            let mark = "━━"
            return (colors ? Style.series[i % Style.series.count].apply(mark, enabled: true) : mark) + " " + s.name
        }
        lines.append(String(repeating: " ", count: labelWidth + 2) + legend.joined(separator: "   ") + (logY ? "   (log scale)" : ""))
        return lines.joined(separator: "\n")
    }

    /// A short axis label: three significant digits, exponent form when tiny or huge.
    /// Values within 1e-4 × `span` of zero print as "0".
    static func axisLabel(_ v: Double, span: Double = 0) -> String {
        if v == 0 || abs(v) < 1e-4 * span { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.2e", v) }
        return String(format: "%.3g", v)
    }
}
