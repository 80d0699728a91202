import Foundation

/// One named line of a plot: points `(x, y)` drawn in order.
public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(_ name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    /// A series whose x values are 0, 1, 2, … (a loss curve per epoch).
    public init(_ name: String, values: [Double]) {
        self.init(name, points: values.enumerated().map { (Double($0.offset), $0.element) })
    }

    /// `y = f(x)` sampled at the given xs.
    public init(_ name: String, xs: [Double], _ f: (Double) -> Double) {
        self.init(name, points: xs.map { ($0, f($0)) })
    }

    /// The finite points only (NaN and infinities are skipped when plotting).
    var finitePoints: [(x: Double, y: Double)] { points.filter { $0.x.isFinite && $0.y.isFinite } }
}

/// The extent of the finite points of several series, widened when flat.
struct PlotBounds {
    var minX, maxX, minY, maxY: Double

    init(_ series: [Series], logY: Bool = false) {
        let points = series.flatMap(\.finitePoints).filter { !logY || $0.y > 0 }
        let ys = points.map { logY ? log10Safe($0.y) : $0.y }
        minX = points.map(\.x).min() ?? 0
        maxX = points.map(\.x).max() ?? 1
        minY = ys.min() ?? 0
        maxY = ys.max() ?? 1
        if maxX == minX { minX -= 1; maxX += 1 }
        if maxY == minY { minY -= 1; maxY += 1 }
    }
}

/// log10 of a positive number (the y axis of a log-scale plot).
func log10Safe(_ y: Double) -> Double { log10(y) }
