/// A progress bar for training loops.
///
/// On a terminal it redraws one line in place; elsewhere (CI, a pipe) it
/// prints a plain line at every 10% so logs stay short.
///
/// ```swift
/// var bar = ProgressBar(total: epochs, label: "training")
/// for epoch in 1...epochs {
///     …
///     bar.update(epoch, status: "loss \(loss)")
/// }
/// bar.finish()
/// ```
public struct ProgressBar {
    public let total: Int
    public let label: String
    private var lastDecile = -1
    private let interactive: Bool

    public init(total: Int, label: String) {
        self.total = Swift.max(total, 1)
        self.label = label
        self.interactive = Terminal.isInteractive
    }

    /// The bar as text for `done` of `total` steps, `width` cells wide.
    public static func render(done: Int, total: Int, width: Int) -> String {
        let fraction = Swift.min(1, Swift.max(0, Double(done) / Double(Swift.max(total, 1))))
        let eighths = Int((fraction * Double(width * 8)).rounded(.down))
        let full = eighths / 8
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let bar = String(repeating: "█", count: full) + partial
        return bar + String(repeating: " ", count: Swift.max(0, width - bar.count))
    }

    /// Reports that `done` steps are finished.
    public mutating func update(_ done: Int, status: String = "") {
        let percent = Int((100 * Double(done) / Double(total)).rounded(.down))
        let barWidth = Swift.max(10, Swift.min(30, Terminal.width - label.count - status.count - 12))
        let line = "\(label) \(ProgressBar.render(done: done, total: total, width: barWidth).styled(.cyan)) \(String(percent).padded(to: 3, alignRight: true))% \(status)"
        if interactive {
            print("\r\u{1B}[2K" + line, terminator: "")
            Terminal.flushStandardOutput()
        } else {
            let decile = percent / 10
            if decile != lastDecile {
                lastDecile = decile
                print(line)
            }
        }
    }

    /// Ends the bar's line.
    public func finish() {
        if interactive { print("") }
    }
}
