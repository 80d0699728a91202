import Foundation

/// A line plot written as a standalone SVG file: several series, axes with
/// ticks, axis labels, a title and a legend. No dependencies; any browser opens it.
///
/// ```swift
/// let svg = SVGPlot(title: "Loss", xLabel: "epoch", yLabel: "MSE",
///                   series: [Series("train", values: losses)])
/// try svg.write(to: URL(fileURLWithPath: "loss.svg"))
/// ```
public struct SVGPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY: Bool
    public var width: Int
    public var height: Int

    /// Series colors (a color-blind-friendly palette).
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

    public init(title: String, xLabel: String = "", yLabel: String = "", series: [Series],
                logY: Bool = false, width: Int = 640, height: Int = 400) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
        self.width = width
        self.height = height
    }

    /// "Nice" tick positions covering `low...high` (steps of 1, 2 or 5 × 10ⁿ).
    static func ticks(_ low: Double, _ high: Double, target: Int = 6) -> [Double] {
        let rawStep = (high - low) / Double(Swift.max(target, 1))
        let magnitude = pow(10, (log10(rawStep)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rawStep } ?? rawStep
        var ticks: [Double] = []
        var t = (low / step).rounded(.up) * step
        while t <= high + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e4 || abs(v) < 1e-3 { return String(format: "%.0e", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    /// Ticks of a log10 axis, as exponents: whole decades (1, 0.1, 0.01) when
    /// the range spans two or more, every second or third when it spans many;
    /// nice values when it spans less than two.
    static func logTicks(_ low: Double, _ high: Double, target: Int = 6) -> [Double] {
        let first = (low - 1e-9).rounded(.up), last = (high + 1e-9).rounded(.down)
        if last - first >= 2 {
            let count = Int(last - first) + 1
            let step = Swift.max(1, Int((Double(count) / Double(target)).rounded(.up)))
            return stride(from: first, through: last, by: Double(step)).map { $0 }
        }
        // Fewer than three decades: 1, 2 and 5 times each power of ten, evenly thinned.
        var candidates: [Double] = []
        for power in Int(low.rounded(.down)) - 1...Int(high.rounded(.up)) {
            for mantissa in [1.0, 2, 5] {
                let exponent = log10(mantissa) + Double(power)
                if exponent >= low - 1e-9, exponent <= high + 1e-9 { candidates.append(exponent) }
            }
        }
        guard candidates.count > target else { return candidates }
        let every = Int((Double(candidates.count) / Double(target)).rounded(.up))
        return candidates.enumerated().filter { $0.offset % every == 0 }.map(\.element)
    }

    /// A decade's label: 0.001 … 10000 written out, 1e-05 beyond.
    static func decadeLabel(_ exponent: Double) -> String { label(pow(10, exponent)) }

    /// The width of text at 12 px, generously estimated (no font metrics here).
    static func textWidth(_ text: String, fontSize: Double = 12) -> Double { Double(text.count) * fontSize * 0.62 + 2 }

    /// Where the legend goes: inside a corner of the plot area where it hides
    /// no data, or (when every corner holds data) outside, right of the plot.
    struct Layout {
        var left, right, top, bottom: Double
        var legend: (x: Double, y: Double, width: Double, height: Double)?
        var legendOutside: Bool
    }

    /// The plot area's margins and the legend's box for this plot's data.
    func layout(bounds: PlotBounds, yLabels: [String]) -> Layout {
        let tickWidth = yLabels.map { Self.textWidth($0) }.max() ?? 10
        // The y title's line sits at x = 16 (±8 for its height): tick labels end 6 px before the axis.
        let left = Swift.max(40, 26 + tickWidth + 8), top = 40.0, bottom = 55.0
        guard !series.isEmpty else { return Layout(left: left, right: 20, top: top, bottom: bottom, legend: nil, legendOutside: false) }
        let legendWidth = 8 + 22 + 6 + (series.map { Self.textWidth($0.name) }.max() ?? 0) + 8
        let legendHeight = Double(series.count) * 18 + 8
        let right = 20.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let samples = sampledPoints(bounds: bounds, left: left, top: top, plotW: plotW, plotH: plotH)
        let inset = 4.0
        let corners = [
            (left + plotW - legendWidth - inset, top + inset),                         // top right
            (left + inset, top + inset),                                              // top left
            (left + plotW - legendWidth - inset, top + plotH - legendHeight - inset),  // bottom right
            (left + inset, top + plotH - legendHeight - inset),                       // bottom left
            (left + plotW - legendWidth - inset, top + (plotH - legendHeight) / 2),    // middle right
            (left + inset, top + (plotH - legendHeight) / 2),                         // middle left
        ]
        if legendWidth + 2 * inset <= plotW, legendHeight + 2 * inset <= plotH {
            for (x, y) in corners {
                let margin = 3.0
                let hides = samples.contains { p in
                    p.x >= x - margin && p.x <= x + legendWidth + margin && p.y >= y - margin && p.y <= y + legendHeight + margin
                }
                if !hides {
                    return Layout(left: left, right: right, top: top, bottom: bottom,
                                  legend: (x, y, legendWidth, legendHeight), legendOutside: false)
                }
            }
        }
        // Every place inside hides data: the legend goes right of the plot area.
        let outsideRight = legendWidth + 16
        return Layout(left: left, right: outsideRight, top: top, bottom: bottom,
                      legend: (Double(width) - legendWidth - 6, top, legendWidth, legendHeight), legendOutside: true)
    }

    /// The drawn lines as points every 2 px or so, in SVG coordinates.
    func sampledPoints(bounds: PlotBounds, left: Double, top: Double, plotW: Double, plotH: Double) -> [(x: Double, y: Double)] {
        func px(_ x: Double) -> Double { left + (x - bounds.minX) / (bounds.maxX - bounds.minX) * plotW }
        func py(_ y: Double) -> Double {
            let v = logY ? log10(y) : y
            return top + plotH - (v - bounds.minY) / (bounds.maxY - bounds.minY) * plotH
        }
        var result: [(x: Double, y: Double)] = []
        for s in series {
            let points = s.finitePoints.filter { !logY || $0.y > 0 }.map { (x: px($0.x), y: py($0.y)) }
            for (i, p) in points.enumerated() {
                result.append(p)
                guard i > 0 else { continue }
                let q = points[i - 1]
                let steps = Int((Swift.max(abs(p.x - q.x), abs(p.y - q.y)) / 2).rounded(.up))
                if steps > 1 {
                    for t in 1..<steps {
                        let f = Double(t) / Double(steps)
                        result.append((q.x + f * (p.x - q.x), q.y + f * (p.y - q.y)))
                    }
                }
            }
        }
        return result
    }

    /// The SVG document.
    public func render() -> String {
        var bounds = PlotBounds(series, logY: logY)
        if logY {
            // Whole decades at both ends, so the ticks at 1, 0.1, 0.01 frame the data.
            bounds.minY = bounds.minY.rounded(.down)
            bounds.maxY = Swift.max(bounds.maxY.rounded(.up), bounds.minY + 1)
        }
        let yTicks = logY ? Self.logTicks(bounds.minY, bounds.maxY) : Self.ticks(bounds.minY, bounds.maxY)
        let yLabels = yTicks.map { logY ? Self.decadeLabel($0) : Self.label($0) }
        let layout = self.layout(bounds: bounds, yLabels: yLabels)
        let left = layout.left, right = layout.right, top = layout.top, bottom = layout.bottom
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        func px(_ x: Double) -> Double { left + (x - bounds.minX) / (bounds.maxX - bounds.minX) * plotW }
        func py(_ y: Double) -> Double {
            let v = logY ? log10(y) : y
            return top + plotH - (v - bounds.minY) / (bounds.maxY - bounds.minY) * plotH
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Double(width) / 2)" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(Self.escape(title))</text>

        """
        // Grid and ticks.
        for t in Self.ticks(bounds.minX, bounds.maxX) {
            let x = px(t)
            svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + plotH)\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(x)\" y=\"\(top + plotH + 16)\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for (t, text) in zip(yTicks, yLabels) {
            let y = top + plotH - (t - bounds.minY) / (bounds.maxY - bounds.minY) * plotH
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotW)\" y2=\"\(y)\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(text)</text>\n"
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(Double(height) - 12)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel + (logY ? " (log scale)" : "")))</text>\n"
        // Lines, then the legend.
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let points = s.finitePoints.filter { !logY || $0.y > 0 }
            guard !points.isEmpty else { continue }
            let path = points.map { String(format: "%.2f,%.2f", px($0.x), py($0.y)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        }
        if let legend = layout.legend {
            svg += "<rect class=\"legend\" x=\"\(legend.x)\" y=\"\(legend.y)\" width=\"\(legend.width)\" height=\"\(legend.height)\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n"
            for (i, s) in series.enumerated() {
                let color = Self.palette[i % Self.palette.count]
                let y = legend.y + 17 + Double(i) * 18
                svg += "<line x1=\"\(legend.x + 8)\" y1=\"\(y - 4)\" x2=\"\(legend.x + 30)\" y2=\"\(y - 4)\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
                svg += "<text x=\"\(legend.x + 36)\" y=\"\(y)\">\(Self.escape(s.name))</text>\n"
            }
        }
        svg += "</svg>\n"
        return svg
    }

    /// Writes the SVG document, creating the folder if needed.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try render().write(to: url, atomically: true, encoding: .utf8)
    }
}
