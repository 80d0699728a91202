@testable import CourseKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite("SVGPlot")
struct SVGPlotTests {
    /// The elements of a parsed SVG document, in document order.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    /// Parses `svg` as XML; `nil` when it is not well-formed.
    static func parse(_ svg: String) -> [Element]? {
        let collector = Collector()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = collector
        guard parser.parse() else { return nil }
        return collector.elements
    }

    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
            open.append(elements.count - 1)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let current = open.last { elements[current].text += string }
        }
    }

    /// The points of a polyline's `points` attribute.
    static func points(_ element: Element) -> [(x: Double, y: Double)] {
        (element.attributes["points"] ?? "").split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").compactMap { Double($0) }
            return (xy[0], xy[1])
        }
    }

    static let plot = SVGPlot(title: "Loss <train & test>", xLabel: "epoch", yLabel: "MSE",
                              series: [Series("train <fast>", values: [4, 3, 2.5, 2, 1.8]),
                                       Series("test & \"val\"", values: [4.2, 3.5, 3, 2.9, 2.95]),
                                       Series("sparse", points: [(0, 1), (2, .nan), (4, 3)])],
                              width: 500, height: 300)

    @Test("the document is well-formed XML with the requested size")
    func wellFormed() throws {
        let svg = Self.plot.render()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        let elements = try #require(Self.parse(svg), "not well-formed XML:\n\(svg)")
        let root = try #require(elements.first)
        #expect(root.name == "svg")
        #expect(root.attributes["width"] == "500" && root.attributes["height"] == "300")
        #expect(root.attributes["viewBox"] == "0 0 500 300")
        // Elements open and close in balance (XMLParser checks this), every number is finite.
        for element in elements {
            for (key, value) in element.attributes where ["x", "y", "x1", "x2", "y1", "y2"].contains(key) {
                #expect(Double(value)?.isFinite == true, "\(element.name) \(key)=\(value)")
            }
        }
    }

    @Test("one polyline per series, inside the plot area, skipping non-finite points")
    func polylines() throws {
        let elements = try #require(Self.parse(Self.plot.render()))
        let lines = elements.filter { $0.name == "polyline" }
        #expect(lines.count == 3)
        #expect(lines.map { Self.points($0).count } == [5, 5, 2])
        #expect(Set(lines.compactMap { $0.attributes["stroke"] }) == Set(SVGPlot.palette.prefix(3)))
        let area = try #require(Self.plotArea(elements))
        for line in lines {
            for p in Self.points(line) {
                #expect(p.x >= area.x - 0.01 && p.x <= area.x + area.width + 0.01)
                #expect(p.y >= area.y - 0.01 && p.y <= area.y + area.height + 0.01)
            }
        }
        // x runs left to right; the first series falls, so its y (downward on screen) grows.
        let train = Self.points(lines[0])
        #expect(train.map(\.x) == train.map(\.x).sorted())
        #expect(train.map(\.y) == train.map(\.y).sorted())
        // The extremes touch the edges of the plot area.
        let all = lines.flatMap(Self.points)
        #expect(Swift.abs(all.map(\.x).min()! - area.x) < 0.01 && Swift.abs(all.map(\.x).max()! - (area.x + area.width)) < 0.01)
        #expect(Swift.abs(all.map(\.y).min()! - area.y) < 0.01 && Swift.abs(all.map(\.y).max()! - (area.y + area.height)) < 0.01)
    }

    /// The frame of the plot area (the rectangle stroked #333).
    static func plotArea(_ elements: [Element]) -> (x: Double, y: Double, width: Double, height: Double)? {
        rectangle(elements.first { $0.name == "rect" && $0.attributes["stroke"] == "#333" })
    }

    static func rectangle(_ element: Element?) -> (x: Double, y: Double, width: Double, height: Double)? {
        guard let a = element?.attributes, let x = a["x"].flatMap(Double.init), let y = a["y"].flatMap(Double.init),
              let w = a["width"].flatMap(Double.init), let h = a["height"].flatMap(Double.init) else { return nil }
        return (x, y, w, h)
    }

    /// Points along every polyline, about a pixel apart.
    static func dataPoints(_ elements: [Element]) -> [(x: Double, y: Double)] {
        var result: [(x: Double, y: Double)] = []
        for line in elements where line.name == "polyline" {
            let points = Self.points(line)
            result += points
            for (q, p) in zip(points, points.dropFirst()) {
                let steps = Int(Swift.max(Swift.abs(p.x - q.x), Swift.abs(p.y - q.y)).rounded(.up))
                for t in 0..<Swift.max(1, steps) {
                    let f = Double(t) / Double(Swift.max(1, steps))
                    result.append((q.x + f * (p.x - q.x), q.y + f * (p.y - q.y)))
                }
            }
        }
        return result
    }

    @Test("the legend hides no data: inside a free corner, or outside the plot area",
          arguments: [
            // accuracy at 1.0 along the top, a rising curve to the top right, curves that fill every corner
            [Series("training", values: [0.5, 0.9, 1, 1, 1, 1, 1, 1]), Series("validation", values: [0.5, 0.85, 0.95, 0.97, 0.97, 0.98, 0.97, 0.98])],
            [Series("sigmoid", xs: Array(stride(from: -5.0, through: 5, by: 0.1)), { 1 / (1 + Foundation.exp(-$0)) }),
             Series("derivative", xs: Array(stride(from: -5.0, through: 5, by: 0.1)), { let s = 1 / (1 + Foundation.exp(-$0)); return s * (1 - s) })],
            [Series("up", values: [0, 1, 2, 3, 4, 5]), Series("down", values: [5, 4, 3, 2, 1, 0]),
             Series("a long legend name for the middle", values: [2.5, 2.5, 2.5, 2.5, 2.5, 2.5])],
          ])
    func legendHidesNoData(_ series: [Series]) throws {
        let elements = try #require(Self.parse(SVGPlot(title: "t", xLabel: "x", yLabel: "y", series: series).render()))
        let legend = try #require(Self.rectangle(elements.first { $0.attributes["class"] == "legend" }))
        let area = try #require(Self.plotArea(elements))
        let hidden = Self.dataPoints(elements).filter { p in
            p.x >= legend.x && p.x <= legend.x + legend.width && p.y >= legend.y && p.y <= legend.y + legend.height
        }
        #expect(hidden.isEmpty, "\(hidden.count) data points under the legend")
        // The legend is inside the picture, and its names inside its box.
        #expect(legend.x >= 0 && legend.x + legend.width <= 640 && legend.y + legend.height <= 400)
        for series in series {
            #expect(SVGPlot.textWidth(series.name) + 36 <= legend.width)
        }
        _ = area
    }

    @Test("a log axis has ticks at decades, and no tick label reaches the axis title")
    func logDecades() throws {
        let plot = SVGPlot(title: "loss", xLabel: "epoch", yLabel: "cross-entropy",
                           series: [Series("loss", values: [2.3, 0.9, 0.31, 0.12, 0.05, 0.021, 0.009])], logY: true)
        let elements = try #require(Self.parse(plot.render()))
        let area = try #require(Self.plotArea(elements))
        let tickLabels = elements.filter { $0.name == "text" && $0.attributes["text-anchor"] == "end" }
        #expect(tickLabels.map(\.text) == ["0.001", "0.01", "0.1", "1", "10"], "\(tickLabels.map(\.text))")
        for label in tickLabels {
            let right = try #require(label.attributes["x"].flatMap(Double.init))
            #expect(right < area.x)
            // The rotated title is centred on x = 16, about 15 px tall.
            #expect(right - SVGPlot.textWidth(label.text) > 16 + 8, "\(label.text) reaches the axis title")
        }
        #expect(SVGPlot.logTicks(-6, 2, target: 6) == [-6, -4, -2, 0, 2])
        // Under three decades: 1, 2 and 5 times powers of ten.
        let short = SVGPlot.logTicks(Foundation.log10(0.03), Foundation.log10(0.9), target: 5).map { Foundation.pow(10, $0) }
        #expect(short.count == 4)
        for (tick, expected) in zip(short, [0.05, 0.1, 0.2, 0.5]) { expectClose(tick, expected, tolerance: 1e-12) }
        #expect(SVGPlot.decadeLabel(-2) == "0.01" && SVGPlot.decadeLabel(-5) == "1e-05")
    }

    @Test("the title, labels and legend names are escaped")
    func escaping() throws {
        let svg = Self.plot.render()
        #expect(svg.contains("Loss &lt;train &amp; test&gt;"))
        #expect(svg.contains("train &lt;fast&gt;"))
        #expect(svg.contains("test &amp; &quot;val&quot;"))
        #expect(!svg.contains("<train") && !svg.contains("& test"))
        let texts = try #require(Self.parse(svg)).filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains("Loss <train & test>"))
        #expect(texts.contains("train <fast>"))
        #expect(texts.contains("test & \"val\""))
        #expect(texts.contains("sparse"))
        #expect(texts.contains("epoch") && texts.contains("MSE"))
        #expect(SVGPlot.escape("a<b>&\"c\"") == "a&lt;b&gt;&amp;&quot;c&quot;")
        #expect(SVGPlot.escape("&lt;") == "&amp;lt;")
    }

    @Test("a log scale skips non-positive values and says so")
    func logScale() throws {
        let plot = SVGPlot(title: "log", yLabel: "loss", series: [
            Series("loss", values: [0, -1, 1, 10, 100]),
            Series("never positive", values: [0, -2, -3]),
        ], logY: true)
        let svg = plot.render()
        let elements = try #require(Self.parse(svg))
        let lines = elements.filter { $0.name == "polyline" }
        #expect(lines.count == 1)
        #expect(Self.points(lines[0]).count == 3)
        // Equal ratios are equal distances.
        let ys = Self.points(lines[0]).map(\.y)
        #expect(Swift.abs((ys[0] - ys[1]) - (ys[1] - ys[2])) < 0.02)
        let texts = elements.filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains("loss (log scale)"))
        #expect(texts.contains("never positive"), "still in the legend")
        #expect(texts.contains("1") && texts.contains("10") && texts.contains("100"))
    }

    @Test("no series, or only empty ones, still gives a valid document")
    func empty() throws {
        let none = try #require(Self.parse(SVGPlot(title: "nothing", series: []).render()))
        #expect(none.filter { $0.name == "polyline" }.isEmpty)
        let blank = try #require(Self.parse(SVGPlot(title: "blank", series: [Series("e", values: [])]).render()))
        #expect(blank.filter { $0.name == "polyline" }.isEmpty)
        let flat = try #require(Self.parse(SVGPlot(title: "flat", series: [Series("f", values: [3, 3, 3])]).render()))
        #expect(flat.filter { $0.name == "polyline" }.count == 1)
    }

    @Test("ticks by hand")
    func ticksByHand() {
        let unit = SVGPlot.ticks(0, 1)
        #expect(unit.count == 6)
        for (tick, expected) in zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1]) { expectClose(tick, expected, tolerance: 1e-12) }
        #expect(SVGPlot.ticks(-3.7, 12.2) == [0, 5, 10])
        #expect(SVGPlot.ticks(0, 100) == [0, 20, 40, 60, 80, 100])
        #expect(SVGPlot.ticks(-1, 1) == [-1, -0.5, 0, 0.5, 1])
        #expect(SVGPlot.ticks(1, 19) == [5, 10, 15])
        #expect(SVGPlot.ticks(1, 13) == [2, 4, 6, 8, 10, 12])
        #expect(SVGPlot.ticks(0, 10, target: 2) == [0, 5, 10])
        // No negative zero.
        #expect(SVGPlot.ticks(-0.5, 0.5).contains { $0 == 0 && $0.sign == .plus })
    }

    @Test("ticks are nice numbers (1, 2 or 5 × 10ⁿ apart) covering the range, on random ranges")
    func ticksAreNice() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<500 {
            let scale = Foundation.pow(10, Double(rng.nextInt(in: -6...6)))
            let low = rng.nextUniform(in: -10..<10) * scale
            let high = low + rng.nextUniform(in: 0.01..<20) * scale
            let ticks = SVGPlot.ticks(low, high)
            #expect(ticks.count >= 2 && ticks.count <= 7, "\(low)...\(high): \(ticks)")
            guard ticks.count >= 2 else { continue }
            let step = ticks[1] - ticks[0]
            let magnitude = Foundation.pow(10, Foundation.log10(step).rounded(.down))
            let mantissa = step / magnitude
            #expect([1.0, 2, 5, 10].contains { Swift.abs(mantissa - $0) < 1e-6 }, "step \(step)")
            for (a, b) in zip(ticks, ticks.dropFirst()) {
                #expect(Swift.abs((b - a) - step) <= 1e-9 * step)
            }
            for t in ticks {
                #expect(t >= low - 1e-9 * step && t <= high + 1e-9 * step)
                let multiple = t / step
                #expect(Swift.abs(multiple - multiple.rounded()) < 1e-6, "\(t) is not a multiple of \(step)")
            }
            #expect(ticks.first! - step < low && ticks.last! + step > high)
        }
    }

    @Test("tick labels")
    func labels() {
        #expect(SVGPlot.label(0) == "0")
        #expect(SVGPlot.label(0.6000000000000001) == "0.6")
        #expect(SVGPlot.label(-20) == "-20")
        #expect(SVGPlot.label(123.4567891) == "123.457")
        #expect(SVGPlot.label(1e4) == "1e+04")
        #expect(SVGPlot.label(1e-5) == "1e-05")
    }

    @Test("write(to:) creates the folder and writes the document")
    func write() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coursekit-svg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("nested/plot.svg")
        try Self.plot.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == Self.plot.render())
    }
}
