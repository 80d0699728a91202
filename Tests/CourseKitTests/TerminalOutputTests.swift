@testable import CourseKit
import Foundation
import Testing

@Suite("Terminal output: styles, tables, plots, heatmaps, progress bars")
struct TerminalOutputTests {
    // MARK: Styles and widths

    @Test("styles wrap text in ANSI codes only when enabled")
    func styles() {
        #expect(Style.red.apply("x", enabled: true) == "\u{1B}[31mx\u{1B}[0m")
        #expect(Style.bold.apply("x", enabled: false) == "x")
        #expect("hi".styled(.green, enabled: true) == "\u{1B}[32mhi\u{1B}[0m")
        #expect("hi".styled(.green, enabled: false) == "hi")
        for style in Style.allCases {
            #expect(style.apply("abc", enabled: true).visibleWidth == 3)
        }
        #expect(Set(Style.series).count == Style.series.count)
    }

    @Test("visibleWidth counts what the terminal shows, ignoring ANSI escapes")
    func visibleWidth() {
        #expect("".visibleWidth == 0)
        #expect("abc".visibleWidth == 3)
        #expect("\u{1B}[1mabc\u{1B}[0m".visibleWidth == 3)
        #expect("\u{1B}[38;5;196mx\u{1B}[0m y".visibleWidth == 3)
        #expect("\u{1B}[48;5;240m  \u{1B}[0m".visibleWidth == 2)
        #expect("⣿━█".visibleWidth == 3)
        // Escapes other than colors (clear line, cursor movement) end with other letters.
        #expect("\u{1B}[2Kabc".visibleWidth == 3)
        #expect("\r\u{1B}[2K".visibleWidth == 1)
        #expect("\u{1B}[3Ax\u{1B}[10Cy".visibleWidth == 2)
    }

    @Test("padded(to:) pads to a visible width, on either side")
    func padding() {
        #expect("ab".padded(to: 4) == "ab  ")
        #expect("ab".padded(to: 4, alignRight: true) == "  ab")
        #expect("abcdef".padded(to: 4) == "abcdef")
        let styled = "ab".styled(.red, enabled: true)
        let padded = styled.padded(to: 5, alignRight: true)
        #expect(padded == "   " + styled)
        #expect(padded.visibleWidth == 5)
    }

    // MARK: Table

    @Test("a table aligns its columns, numbers to the right")
    func tableAlignment() {
        var table = Table(["name", "value"], rightAligned: [1])
        table.append(["sigmoid", "3.1e-17"])
        table.append(["tanh", "1"])
        #expect(table.render(colors: false) == """
            name       value
            ───────  ───────
            sigmoid  3.1e-17
            tanh           1
            """)
    }

    @Test("a table without colors has no escapes; with colors the columns still line up")
    func tableColors() {
        var table = Table(["a", "long header", "c"], rows: [["1", "2"], ["yy", "zzz"]], rightAligned: [2])
        table.append(["wide cell", "", "3"])
        let plain = table.render(colors: false)
        #expect(!plain.contains(escapeCharacter))
        let plainLines = plain.components(separatedBy: "\n")
        #expect(plainLines.count == 5)
        #expect(Set(plainLines.map(\.visibleWidth)).count == 1, "\(plainLines)")
        // A row with fewer cells is padded.
        #expect(plainLines[2] == "1".padded(to: 9) + "  " + "2".padded(to: 11) + "  " + " ")
        #expect(plainLines[4] == "wide cell" + "  " + String(repeating: " ", count: 11) + "  " + "3")

        let colored = table.render(colors: true)
        #expect(colored.hasPrefix("\u{1B}[1m"))
        #expect(colored.components(separatedBy: "\n").map(\.visibleWidth) == plainLines.map(\.visibleWidth))

        // Styled cells are measured by what shows.
        let styledTable = Table(["k", "v"], rows: [["x".styled(.red, enabled: true), "1"], ["yyy", "2"]])
        let styledLines = styledTable.render(colors: false).components(separatedBy: "\n")
        #expect(Set(styledLines.map(\.visibleWidth)).count == 1, "\(styledLines)")
        #expect(styledLines[2] == "\u{1B}[31mx\u{1B}[0m    1")

        #expect(Table(["only"]).render(colors: false) == "only\n────")
    }

    // MARK: LinePlot

    @Test("a line plot has the requested size, axis labels and a legend")
    func linePlotLayout() {
        let plot = LinePlot(title: "loss", series: [Series("train", values: [1, 2, 3, 4])])
        let lines = plot.render(width: 20, height: 5, colors: false).components(separatedBy: "\n")
        // Title, 5 rows, the x axis, its labels, the legend.
        #expect(lines.count == 9)
        #expect(lines[0] == "loss")
        let rows = lines[1...5]
        #expect(rows.allSatisfy { $0.visibleWidth == 1 + 2 + 20 }, "\(rows)")
        // Ticks at round numbers (1, 2, 3, 4), each on its nearest row; the other rows have no tick.
        #expect(rows.map { String($0.prefix(3)) } == ["4 ┤", "3 ┤", "  │", "2 ┤", "1 ┤"])
        #expect(lines[6] == "  └" + String(repeating: "─", count: 20))
        #expect(lines[7].trimmingCharacters(in: .whitespaces).hasPrefix("0"))
        #expect(lines[7].hasSuffix("3"))
        #expect(lines[7].visibleWidth == 1 + 2 + 20)
        #expect(lines[8] == "   ━━ train")
        // A rising line: the first column's dot in the bottom row, the last column's in the top row.
        let cells = rows.map { Array($0.dropFirst(3)) }
        #expect(cells[4][0] != " " && cells[0][19] != " ")
        #expect(cells[0][0] == " " && cells[4][19] == " ")
        // Every column has a dot: consecutive points are connected.
        for column in 0..<20 { #expect(cells.contains { $0[column] != " " }, "column \(column)") }
        // Only braille glyphs in the drawing area.
        #expect(cells.joined().allSatisfy { $0 == " " || (0x2800...0x28FF).contains($0.unicodeScalars.first!.value) })
    }

    @Test("a line plot without colors has no escapes; with colors it has the same visible layout")
    func linePlotColors() {
        let plot = LinePlot(title: "two", series: [
            Series("sin", xs: Array(stride(from: 0.0, through: 6.3, by: 0.1)), sin),
            Series("cos", xs: Array(stride(from: 0.0, through: 6.3, by: 0.1)), cos),
        ])
        let plain = plot.render(width: 40, height: 10, colors: false)
        #expect(!plain.contains(escapeCharacter))
        // Without colors the curves differ by glyph: braille for the first, × for the second.
        #expect(plain.contains("⠒⠒ sin") && plain.contains("×× cos"), "\(plain)")
        let drawing = plain.components(separatedBy: "\n").dropFirst().prefix(10).joined()
        #expect(drawing.contains("×") && drawing.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
        let colored = plot.render(width: 40, height: 10, colors: true)
        #expect(colored.contains(escapeCharacter))
        #expect(colored.contains("\u{1B}[36m") && colored.contains("\u{1B}[35m"))
        #expect(colored.contains("━━"))
        let plainLines = plain.components(separatedBy: "\n"), coloredLines = colored.components(separatedBy: "\n")
        #expect(plainLines.count == 14 && coloredLines.count == 14)
        #expect(zip(plainLines, coloredLines).allSatisfy { $0.visibleWidth == $1.visibleWidth })
        // y ticks at round numbers: every label is a multiple of 0.5 here.
        let labels = plainLines.dropFirst().prefix(10).compactMap { line -> Double? in
            guard let bar = line.firstIndex(of: "┤") else { return nil }
            return Double(line[..<bar].trimmingCharacters(in: .whitespaces))
        }
        #expect(labels.count >= 2)
        #expect(labels.allSatisfy { ($0 * 2).rounded() == $0 * 2 }, "\(labels)")
    }

    @Test("log scale, flat series, NaNs and no series at all do not break the plot")
    func linePlotEdgeCases() {
        let log = LinePlot(title: "log", series: [Series("loss", values: [100, 10, 1, 0.1, 0, -1])], logY: true)
            .render(width: 30, height: 8, colors: false)
        #expect(log.contains("(log scale)"))
        let logLines = log.components(separatedBy: "\n")
        #expect(logLines.count == 12)
        // Ticks at decades only.
        #expect(logLines[1].hasPrefix("100 ┤"))
        #expect(logLines[3].hasPrefix(" 10 ┤"))
        #expect(logLines[6].hasPrefix("  1 ┤"))
        #expect(logLines[8].hasPrefix("0.1 ┤"))

        let flat = LinePlot(title: "flat", series: [Series("c", values: [2, 2, 2])]).render(width: 10, height: 4, colors: false)
        #expect(flat.components(separatedBy: "\n").count == 8)
        #expect(flat.contains("⠤") || flat.contains("⠒") || flat.contains("⠉") || flat.contains("⣀"))

        let gaps = LinePlot(title: "gaps", series: [Series("g", values: [1, .nan, 3, .infinity, 2])])
            .render(width: 10, height: 4, colors: false)
        #expect(!gaps.contains("nan") && !gaps.contains("inf"))

        let empty = LinePlot(title: "empty", series: []).render(width: 10, height: 3, colors: false)
        #expect(empty.components(separatedBy: "\n").count == 7)
    }

    @Test("axis labels: three significant digits, 0 near zero, exponents when tiny or huge")
    func axisLabels() {
        #expect(LinePlot.axisLabel(0) == "0")
        #expect(LinePlot.axisLabel(3.14159) == "3.14")
        #expect(LinePlot.axisLabel(-42) == "-42")
        #expect(LinePlot.axisLabel(123_456) == "1.23e+05")
        #expect(LinePlot.axisLabel(0.0004) == "4.00e-04")
        #expect(LinePlot.axisLabel(1e-17, span: 2) == "0")
    }

    // MARK: Heatmap

    @Test("a heatmap without colors shades from light to dark")
    func heatmapShades() {
        let map = Heatmap(Tensor([[0, 1], [2, 3]]), title: "h")
        #expect(map.render(colors: false) == "h\n  ░░\n▓▓██")
        let fixed = Heatmap(Tensor([[-5, 0.5, 5]]), range: 0...1)
        #expect(fixed.render(colors: false) == "  ▒▒██")
        // NaN draws as the lightest shade; a constant matrix does not divide by zero.
        #expect(Heatmap(Tensor([[.nan, 1]])).render(colors: false) == "    ")
        #expect(Heatmap(Tensor([[7, 7]])).render(colors: false) == "    ")
    }

    @Test("heatmap dimensions: one line per row, two cells per column, labels")
    func heatmapDimensions() {
        let matrix = randomTensor([5, 7], seed: 1)
        let labelled = Heatmap(matrix, title: "attention", rowLabels: ["a", "bb", "c", "d", "e"],
                               columnLabels: ["x", "y", "zzz", "w", "v", "u", "t"])
        for colors in [false, true] {
            let lines = labelled.render(colors: colors).components(separatedBy: "\n")
            #expect(lines.count == 1 + 1 + 5)
            #expect(lines[1] == "   x y zzw v u t ")
            #expect(lines[2...].allSatisfy { $0.visibleWidth == 3 + 14 })
            #expect(lines[3].hasPrefix("bb "))
            #expect(lines.joined().contains(escapeCharacter) == colors)
        }
        let plain = Heatmap(matrix).render(colors: false).components(separatedBy: "\n")
        #expect(plain.count == 5 && plain.allSatisfy { $0.count == 14 })
        let colored = Heatmap(Tensor([[0, 1]])).render(colors: true)
        #expect(colored == "\u{1B}[48;5;255m  \u{1B}[0m\u{1B}[48;5;232m  \u{1B}[0m")
    }

    // MARK: ProgressBar

    @Test("a progress bar is always `width` cells, with eighths at the tip")
    func progressBar() {
        #expect(ProgressBar.render(done: 0, total: 10, width: 10) == String(repeating: " ", count: 10))
        #expect(ProgressBar.render(done: 5, total: 10, width: 10) == "█████     ")
        #expect(ProgressBar.render(done: 10, total: 10, width: 10) == String(repeating: "█", count: 10))
        #expect(ProgressBar.render(done: 3, total: 8, width: 1) == "▍")
        #expect(ProgressBar.render(done: 1, total: 16, width: 2) == "▏ ")
        // Out-of-range progress is clamped.
        #expect(ProgressBar.render(done: 15, total: 10, width: 4) == "████")
        #expect(ProgressBar.render(done: -3, total: 10, width: 4) == "    ")
        #expect(ProgressBar.render(done: 1, total: 0, width: 3) == "███")
        for done in 0...37 {
            let bar = ProgressBar.render(done: done, total: 37, width: 9)
            #expect(bar.count == 9 && bar.visibleWidth == 9 && !bar.contains(escapeCharacter))
        }
    }

    @Test("off a terminal, the progress bar prints one plain line per 10%")
    func progressBarLog() async throws {
        let result = try await #require(processExitsWith: .success, observing: [\.standardOutputContent]) {
            setenv("DLFS_COLOR", "0", 1)
            var bar = ProgressBar(total: 20, label: "train")
            for i in 0...20 { bar.update(i, status: "ok") }
            bar.finish()
        }
        let output = String(decoding: result.standardOutputContent, as: UTF8.self)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 11, "\(output)")
        #expect(!output.contains(escapeCharacter))
        #expect(lines.allSatisfy { $0.hasPrefix("train ") && $0.hasSuffix("% ok") })
        #expect(lines.last?.contains("100%") == true)
    }

    // MARK: Terminal settings (in child processes: they read the environment)

    @Test("DLFS_COLOR forces colors on or off; off a terminal they are off")
    func colorSettingsOffTerminal() async {
        await #expect(processExitsWith: .success) {
            redirectStandardOutput(to: "/dev/null")
            unsetenv("DLFS_COLOR")
            unsetenv("NO_COLOR")
            setenv("TERM", "xterm-256color", 1)
            precondition(!Terminal.isInteractive)
            precondition(!Terminal.colorsEnabled)
            precondition(!Table(["a"]).render().contains("\u{1B}"))
            setenv("DLFS_COLOR", "1", 1)
            setenv("NO_COLOR", "1", 1)
            precondition(Terminal.colorsEnabled)
            precondition(Table(["a"]).render().contains("\u{1B}"))
            setenv("DLFS_COLOR", "0", 1)
            precondition(!Terminal.colorsEnabled)
        }
    }

    @Test("on a terminal, colors are on unless NO_COLOR is set or TERM is dumb; the width comes from the terminal")
    func colorSettingsOnTerminal() async {
        await #expect(processExitsWith: .success) {
            // A pseudo-terminal as standard output, 100 columns wide.
            // (A system without pseudo-terminals has nothing to check here.)
            guard let slave = openPseudoTerminal() else { exit(0) }
            var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
            dup2(slave, 1)
            unsetenv("DLFS_COLOR")
            unsetenv("NO_COLOR")
            unsetenv("COLUMNS")
            setenv("TERM", "xterm-256color", 1)
            precondition(Terminal.isInteractive)
            precondition(Terminal.colorsEnabled)
            precondition(Terminal.width == 100)
            let plot = LinePlot(title: "t", series: [Series("s", values: [1, 2])])
            precondition(plot.render(width: 10, height: 3).contains("\u{1B}"))
            setenv("NO_COLOR", "1", 1)
            precondition(!Terminal.colorsEnabled)
            precondition(!plot.render(width: 10, height: 3).contains("\u{1B}"))
            precondition(!Heatmap(Tensor([[0, 1]]), title: "x").render().contains("\u{1B}"))
            unsetenv("NO_COLOR")
            setenv("TERM", "dumb", 1)
            precondition(!Terminal.colorsEnabled)
            setenv("DLFS_COLOR", "1", 1)
            precondition(Terminal.colorsEnabled)
        }
    }

    @Test("the width: COLUMNS, at least 40, else 80 off a terminal")
    func width() async {
        await #expect(processExitsWith: .success) {
            redirectStandardOutput(to: "/dev/null")
            setenv("COLUMNS", "120", 1)
            precondition(Terminal.width == 120)
            setenv("COLUMNS", "10", 1)
            precondition(Terminal.width == 40)
            setenv("COLUMNS", "wide", 1)
            precondition(Terminal.width == 80)
            unsetenv("COLUMNS")
            precondition(Terminal.width == 80)
            precondition(Terminal.environment("COLUMNS") == nil)
            setenv("DLFS_TEST_VARIABLE", "value", 1)
            precondition(Terminal.environment("DLFS_TEST_VARIABLE") == "value")
        }
    }
}

/// Points standard output at a file (in an exit test's child process).
func redirectStandardOutput(to path: String) {
    let fd = open(path, O_WRONLY)
    precondition(fd >= 0)
    dup2(fd, 1)
}

/// Opens a pseudo-terminal and returns the descriptor of its terminal side, or `nil`
/// when the system has none. The pty functions are looked up at run time because
/// Swift's Glibc module does not export them.
func openPseudoTerminal() -> Int32? {
    typealias OpenPT = @convention(c) (Int32) -> Int32
    typealias Control = @convention(c) (Int32) -> Int32
    typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
    let handle = dlopen(nil, RTLD_NOW)
    guard let openSymbol = dlsym(handle, "posix_openpt"), let grantSymbol = dlsym(handle, "grantpt"),
          let unlockSymbol = dlsym(handle, "unlockpt"), let nameSymbol = dlsym(handle, "ptsname") else { return nil }
    let master = unsafeBitCast(openSymbol, to: OpenPT.self)(O_RDWR | O_NOCTTY)
    guard master >= 0,
          unsafeBitCast(grantSymbol, to: Control.self)(master) == 0,
          unsafeBitCast(unlockSymbol, to: Control.self)(master) == 0,
          let name = unsafeBitCast(nameSymbol, to: Name.self)(master) else { return nil }
    let slave = open(name, O_RDWR | O_NOCTTY)
    return slave >= 0 ? slave : nil
}
