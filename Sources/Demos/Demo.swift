import CourseKit
import Foundation

/// How a demo runs: quickly (for CI) or in full, where it writes its SVG
/// files, and which exercises the learner has passed (their code is used for
/// those, the reference for the rest).
public struct DemoOptions: Sendable {
    public var quick: Bool
    public var outputDirectory: URL
    public var passed: Set<String>
    /// Sections that run quickly even in a full run (the demo tests' debug builds name the slow ones).
    public var quickSections: Set<String>

    public init(quick: Bool, outputDirectory: URL, passed: Set<String>, quickSections: Set<String> = []) {
        self.quick = quick
        self.outputDirectory = outputDirectory
        self.passed = passed
        self.quickSections = quickSections
    }

    /// Whether a section runs in quick mode: the whole demo does, or the section was named.
    public func isQuick(_ section: String) -> Bool { quick || quickSections.contains(section) }

    /// "yours" or "reference" for an exercise.
    public func source(of exerciseID: String) -> String { passed.contains(exerciseID) ? "yours" : "reference" }

    /// Writes an image grid into the output folder and returns its path.
    @discardableResult
    public func write(_ grid: SVGImageGrid, named name: String) throws -> String {
        let url = outputDirectory.appendingPathComponent(name)
        try grid.write(to: url)
        return url.path
    }

    /// Writes an SVG plot into the output folder and returns its path.
    @discardableResult
    public func write(_ plot: SVGPlot, named name: String) throws -> String {
        let url = outputDirectory.appendingPathComponent(name)
        try plot.write(to: url)
        return url.path
    }
}

/// One lesson's demo.
public struct Demo: Sendable {
    /// The lesson number, 1-based.
    public let lesson: Int
    public let title: String
    /// The exercises whose code the demo runs (so it can say whose it used).
    public let exercises: [String]
    public let run: @Sendable (DemoOptions) throws -> Void

    public init(lesson: Int, title: String, exercises: [String], run: @escaping @Sendable (DemoOptions) throws -> Void) {
        self.lesson = lesson
        self.title = title
        self.exercises = exercises
        self.run = run
    }

    /// Prints the header: the title and whose implementation each exercise uses.
    public func printHeader(_ options: DemoOptions) {
        print("Demo \(String(format: "%02d", lesson)) — \(title)".styled(.bold) + (options.quick ? "  (quick mode)" : ""))
        let mine = exercises.filter { options.passed.contains($0) }
        let reference = exercises.filter { !options.passed.contains($0) }
        if !mine.isEmpty { print("  your code:      " + mine.joined(separator: ", ")) }
        if !reference.isEmpty { print("  reference code: " + reference.joined(separator: ", ") + "  (pass these to see your own code run)") }
        print("")
    }
}

/// Every lesson's demo.
public enum DemoCatalog {
    public static let demos: [Demo] = [activationsDemo, linearRegressionDemo, classifiersDemo, backpropDemo, deepTrainingDemo,
                                       convNetsDemo, recurrentNetsDemo, transformersDemo]

    public static func demo(lesson: Int) -> Demo? { demos.first { $0.lesson == lesson } }

    /// Runs a demo: header, body, wall time.
    public static func run(_ demo: Demo, options: DemoOptions) throws {
        demo.printHeader(options)
        let start = Date()
        try demo.run(options)
        print("\nwall time: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
    }
}
