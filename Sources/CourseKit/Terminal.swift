#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Facts about the terminal and small helpers for styled output.
///
/// Colors are used only when standard output is a terminal and the
/// `NO_COLOR` environment variable is unset (https://no-color.org).
public enum Terminal {
    /// `true` when standard output is a terminal.
    public static var isInteractive: Bool { isatty(1) == 1 }

    /// `true` when styled output should be printed.
    public static var colorsEnabled: Bool {
        if let forced = environment("DLFS_COLOR") { return forced == "1" }
        return isInteractive && environment("NO_COLOR") == nil && environment("TERM") != "dumb"
    }

    /// The terminal's width in columns (`COLUMNS`, the terminal, or 80), at least 40.
    public static var width: Int {
        if let text = environment("COLUMNS"), let columns = Int(text), columns > 0 { return Swift.max(40, columns) }
        #if os(Linux) || os(macOS)
        var size = winsize()
        if isInteractive, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Swift.max(40, Int(size.ws_col)) }
        #endif
        return 80
    }

    /// The terminal's height in rows (`LINES`, the terminal, or 24), at least 10.
    public static var height: Int {
        if let text = environment("LINES"), let rows = Int(text), rows > 0 { return Swift.max(10, rows) }
        #if os(Linux) || os(macOS)
        var size = winsize()
        if isInteractive, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Swift.max(10, Int(size.ws_row)) }
        #endif
        return 24
    }

    /// An environment variable, or `nil`.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Writes text to standard error, unbuffered.
    public static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Flushes standard output (needed before a process exits abruptly).
    public static func flushStandardOutput() { fflush(nil) }
}

/// ANSI styles, applied only when `Terminal.colorsEnabled`.
public enum Style: String, Sendable, CaseIterable {
    case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36", gray = "90"

    /// `text` wrapped in this style's escape codes, or `text` unchanged when colors are off.
    public func apply(_ text: String, enabled: Bool = Terminal.colorsEnabled) -> String {
        enabled ? "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" : text
    }

    /// The colors used for the series of a plot, in order.
    public static let series: [Style] = [.cyan, .magenta, .yellow, .green, .blue, .red]
}

extension String {
    /// This text in a style (no escape codes when colors are off).
    public func styled(_ style: Style, enabled: Bool = Terminal.colorsEnabled) -> String {
        style.apply(self, enabled: enabled)
    }

    /// The number of columns the text takes on screen, ignoring ANSI escapes.
    public var visibleWidth: Int {
        var width = 0
        var afterEscape = false, inSequence = false
        for scalar in unicodeScalars {
            if afterEscape { afterEscape = false; inSequence = scalar == "["; continue }
            // A control sequence ends at its first letter-like byte: `m` for colors, `K` to clear a line, `A` to move up…
            if inSequence { if (0x40...0x7E).contains(scalar.value) { inSequence = false }; continue }
            if scalar == "\u{1B}" { afterEscape = true; continue }
            width += 1
        }
        return width
    }

    /// Pads with spaces on the right (or left) to a visible width.
    public func padded(to width: Int, alignRight: Bool = false) -> String {
        let gap = Swift.max(0, width - visibleWidth)
        return alignRight ? String(repeating: " ", count: gap) + self : self + String(repeating: " ", count: gap)
    }
}
