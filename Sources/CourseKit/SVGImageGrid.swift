import Foundation

/// Small images side by side in one SVG file: each a matrix of cells in a
/// diverging palette (blue negative, white zero, red positive), scaled to
/// its own largest magnitude. What the first layer of a network on 8 × 8
/// digits looks at: one image per hidden unit.
public struct SVGImageGrid: Sendable {
    public var title: String
    /// Each of shape `[rows, columns]`, all the same shape.
    public var images: [Tensor]
    public var columns: Int
    public var cellSize: Double

    public init(title: String, images: [Tensor], columns: Int = 16, cellSize: Double = 5) {
        precondition(images.allSatisfy { $0.rank == 2 && $0.shape == images[0].shape },
                     "SVGImageGrid: every image must be a matrix of one shape")
        precondition(columns > 0 && cellSize > 0, "SVGImageGrid: columns and cellSize must be positive")
        self.title = title
        self.images = images
        self.columns = columns
        self.cellSize = cellSize
    }

    /// A value in −1…1 as a color: blue for negative, white for 0, red for positive.
    static func color(_ f: Double) -> String {
        let t = Swift.min(1, Swift.max(-1, f.isFinite ? f : 0))
        let (r, g, b): (Double, Double, Double) = t >= 0
            ? (255, 255 - t * (255 - 40), 255 - t * (255 - 40))    // toward #FF2828
            : (255 + t * (255 - 30), 255 + t * (255 - 90), 255)     // toward #1E5AFF
        return String(format: "#%02X%02X%02X", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    public func render() -> String {
        let rows = images.first?.shape[0] ?? 0, cols = images.first?.shape[1] ?? 0
        let gap = 6.0, margin = 12.0, top = 40.0
        let imageW = Double(cols) * cellSize, imageH = Double(rows) * cellSize
        let gridColumns = Swift.max(1, Swift.min(columns, images.count))
        let gridRows = (images.count + gridColumns - 1) / gridColumns
        let width = Int((margin * 2 + Double(gridColumns) * (imageW + gap) - gap).rounded(.up))
        let height = Int((top + Double(gridRows) * (imageH + gap) - gap + margin + 18).rounded(.up))
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Double(width) / 2)" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(SVGPlot.escape(title))</text>

        """
        for (index, image) in images.enumerated() {
            let x0 = margin + Double(index % gridColumns) * (imageW + gap)
            let y0 = top + Double(index / gridColumns) * (imageH + gap)
            let scale = image.count > 0 ? Swift.max(abs(image.min()), abs(image.max()), 1e-12) : 1
            for r in 0..<rows {
                for c in 0..<cols {
                    svg += "<rect x=\"\(x0 + Double(c) * cellSize)\" y=\"\(y0 + Double(r) * cellSize)\" width=\"\(cellSize)\" height=\"\(cellSize)\" fill=\"\(Self.color(image[r, c] / scale))\"/>\n"
                }
            }
            svg += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(imageW)\" height=\"\(imageH)\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.5\"/>\n"
        }
        svg += "<text x=\"\(margin)\" y=\"\(Double(height) - 8)\">blue: negative weight · white: 0 · red: positive (each image scaled to its largest weight)</text>\n"
        svg += "</svg>\n"
        return svg
    }

    /// Writes the SVG document, creating the folder if needed.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try render().write(to: url, atomically: true, encoding: .utf8)
    }
}
