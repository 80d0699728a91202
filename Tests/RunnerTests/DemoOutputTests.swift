import Demos
import Foundation
import Testing
@testable import Runner

/// `course demo N --quick` writes its plots into `quick/` beside the full run's,
/// never over them, and tells the grader's child to run quickly.
@Suite("Demo output folders")
struct DemoOutputTests {
    let base = URL(fileURLWithPath: "/tmp/course/.course/demos")

    @Test("a quick run writes into quick/, a full run into the demos folder itself")
    func outputFolders() {
        #expect(Commands.demoOutputFolder(demos: base, quick: true) == base.appendingPathComponent("quick"))
        #expect(Commands.demoOutputFolder(demos: base, quick: false) == base)
    }

    @Test("the child is told the folder, the learner's exercises and --quick, as the grader parses them")
    func childArguments() throws {
        let quick = Commands.demoOutputFolder(demos: base, quick: true)
        let arguments = Commands.demoArguments(lesson: 3, output: quick, passed: ["a.x", "a.y"], quick: true)
        let parsed = try ArgumentParser.parse(arguments)
        #expect(parsed.positionals == ["3"])
        #expect(parsed.option("output") == quick.path)
        #expect(parsed.option("passed") == "a.x,a.y")
        #expect(parsed.has("quick"))
        let full = try ArgumentParser.parse(Commands.demoArguments(lesson: 3, output: base, passed: [], quick: false))
        #expect(!full.has("quick") && full.option("passed") == nil && full.option("output") == base.path)
    }

    /// The cheapest demo, run quickly as `course demo --quick` runs it: its plots land in quick/ and nowhere else.
    @Test("a quick run of the activations demo leaves its SVG plots in quick/ only")
    func quickPlotsLandInQuickFolder() throws {
        let demos = FileManager.default.temporaryDirectory.appendingPathComponent("dlfs-quick-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: demos) }
        let quick = Commands.demoOutputFolder(demos: demos, quick: true)
        try FileManager.default.createDirectory(at: quick, withIntermediateDirectories: true)
        let demo = try #require(DemoCatalog.demo(lesson: 1))
        try DemoCatalog.run(demo, options: DemoOptions(quick: true, outputDirectory: quick, passed: []))
        let written = try FileManager.default.contentsOfDirectory(atPath: quick.path).filter { $0.hasSuffix(".svg") }
        #expect(!written.isEmpty, "the quick run wrote no SVG plot into \(quick.path)")
        let besides = try FileManager.default.contentsOfDirectory(atPath: demos.path).filter { $0 != "quick" }
        #expect(besides.isEmpty, "the quick run wrote \(besides) beside quick/, where the full run's plots live")
    }
}
