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

    /// The SVG document.
    public func render() -> String {
        let bounds = PlotBounds(series, logY: logY)
        let left = 70.0, right = 20.0, top = 40.0, bottom = 55.0
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
        for t in Self.ticks(bounds.minY, bounds.maxY) {
            let y = top + plotH - (t - bounds.minY) / (bounds.maxY - bounds.minY) * plotH
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotW)\" y2=\"\(y)\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(left - 6)\" y=\"\(y + 4)\" text-anchor=\"end\">\(Self.label(logY ? pow(10, t) : t))</text>\n"
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
        if !series.isEmpty {
            let boxHeight = Double(series.count) * 18 + 8
            svg += "<rect x=\"\(left + plotW - 158)\" y=\"\(top + 2)\" width=\"154\" height=\"\(boxHeight)\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
        }
        for (i, s) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let y = top + 12 + Double(i) * 18
            svg += "<line x1=\"\(left + plotW - 150)\" y1=\"\(y - 4)\" x2=\"\(left + plotW - 128)\" y2=\"\(y - 4)\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
            svg += "<text x=\"\(left + plotW - 122)\" y=\"\(y)\">\(Self.escape(s.name))</text>\n"
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
