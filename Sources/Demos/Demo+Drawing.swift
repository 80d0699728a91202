import CourseKit
import Foundation

/// A character picture of 2-D points and a classifier's regions: each cell
/// is shaded by the class predicted at its centre, each point drawn with
/// its true class's mark.
func drawBoundary(_ X: Tensor, labels: [Int], width: Int, height: Int, classify: (Tensor) -> Int) -> String {
    let xs = X.slice(axis: 1, 0..<1).scalars, ys = X.slice(axis: 1, 1..<2).scalars
    let minX = (xs.min() ?? 0) - 0.3, maxX = (xs.max() ?? 1) + 0.3
    let minY = (ys.min() ?? 0) - 0.3, maxY = (ys.max() ?? 1) + 0.3
    let marks: [Character] = ["o", "x", "+"]
    let shades = [" ", "·", "░"]
    let colors: [Style] = [.cyan, .magenta, .yellow]
    var grid = (0..<height).map { row in
        (0..<width).map { column -> String in
            let x = minX + (Double(column) + 0.5) / Double(width) * (maxX - minX)
            let y = maxY - (Double(row) + 0.5) / Double(height) * (maxY - minY)
            return shades[classify(Tensor([[x, y]])) % shades.count].styled(.gray)
        }
    }
    for i in 0..<labels.count {
        let column = min(width - 1, max(0, Int((xs[i] - minX) / (maxX - minX) * Double(width))))
        let row = min(height - 1, max(0, Int((maxY - ys[i]) / (maxY - minY) * Double(height))))
        grid[row][column] = String(marks[labels[i] % marks.count]).styled(colors[labels[i] % colors.count])
    }
    let border = "   +" + String(repeating: "-", count: width) + "+"
    return ([border] + grid.map { "   |" + $0.joined() + "|" } + [border]).joined(separator: "\n")
}

/// `0.978` as `97.8%`.
func percent(_ fraction: Double) -> String { String(format: "%.1f%%", 100 * fraction) }
