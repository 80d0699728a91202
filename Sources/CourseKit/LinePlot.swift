import Foundation

/// A line plot drawn with Unicode braille characters, several series in
/// different colors, with y-axis labels at round numbers and a legend.
/// Without colors (`NO_COLOR`, a pipe) every series after the first is
/// drawn with its own glyph (`×`, `+`, `o`, …), so the curves stay apart.
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

    /// The glyphs of the series after the first when there are no colors.
    static let glyphs: [Character] = ["×", "+", "o", "*", "#", "%"]

    /// The plot as lines of text: `width` × `height` character cells for the
    /// drawing area (each cell holds 2 × 4 braille dots).
    public func render(width: Int = 60, height: Int = 15, colors: Bool = Terminal.colorsEnabled) -> String {
        let bounds = PlotBounds(series, logY: logY)
        let glyphMode = !colors && series.count > 1
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
        // Ticks at round numbers (decades on a log scale), each on the row nearest to it.
        let target = logY ? Swift.max(2, height / 2) : Swift.max(3, Swift.min(6, height / 2 + 1))
        let ticks = logY ? SVGPlot.logTicks(bounds.minY, bounds.maxY, target: target) : SVGPlot.ticks(bounds.minY, bounds.maxY, target: target)
        var rowLabels: [Int: String] = [:]
        for tick in ticks {
            let fraction = (bounds.maxY - tick) / (bounds.maxY - bounds.minY)
            let row = Int((fraction * Double(height - 1)).rounded())
            guard row >= 0, row < height, rowLabels[row] == nil else { continue }
            rowLabels[row] = logY ? SVGPlot.decadeLabel(tick) : LinePlot.axisLabel(tick, span: bounds.maxY - bounds.minY)
        }
        let labelWidth = Swift.max(1, rowLabels.values.map(\.count).max() ?? 1)
        var lines = [title.styled(.bold, enabled: colors)]
        for (r, row) in cells.enumerated() {
            let axisLabel = rowLabels[r] ?? ""
            var line = axisLabel.padded(to: labelWidth, alignRight: true) + (axisLabel.isEmpty ? " │" : " ┤")
            for cell in row {
                if cell.bits == 0 { line += " "; continue }
                if glyphMode, cell.owner > 0 {
                    line.append(LinePlot.glyphs[(cell.owner - 1) % LinePlot.glyphs.count])
                    continue
                }
                let glyph = String(Character(Unicode.Scalar(0x2800 + cell.bits)!))
                line += colors ? Style.series[cell.owner % Style.series.count].apply(glyph, enabled: true) : glyph
            }
            lines.append(line)
        }
        let left = LinePlot.axisLabel(bounds.minX), right = LinePlot.axisLabel(bounds.maxX)
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: width))
        lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: Swift.max(1, width - left.count - right.count)) + right)
        let legend = series.enumerated().map { i, s in
            let mark = glyphMode ? (i == 0 ? "⠒⠒" : String(repeating: LinePlot.glyphs[(i - 1) % LinePlot.glyphs.count], count: 2)) : "━━"
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
