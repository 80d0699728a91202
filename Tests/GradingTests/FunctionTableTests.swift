import Foundation
import Grading
import Stubs
import Testing

@Suite("Function tables")
struct FunctionTableTests {
    private let solution = """
    import CourseKit

    public func f(_ x: Tensor, scale: Double) -> Tensor {
        // BEGIN SOLUTION
        x * scale
        // END SOLUTION
    }

    // BEGIN TABLE DemoFunctions demo.f
    // /// Scales.
    // f: @Sendable (_ x: Tensor, _ scale: Double) -> Tensor = { Module.f($0, scale: $1) }
    // END TABLE
    // BEGIN TABLE DemoFunctions demo.g needs demo.f
    // g: @Sendable (_ x: Tensor)
    //     -> (out: Tensor, backward: @Sendable (Tensor) -> Tensor)
    // = { x in
    //     let (out, cache) = Module.gForward(x)
    //     return (out, { Module.gBackward($0, cache: cache) })
    // }
    // END TABLE

    """

    @Test func theStubLeavesTheBlocksOut() throws {
        let stub = try StubGenerator.stub(fromSolution: solution)
        #expect(!stub.contains("TABLE") && !stub.contains("Module."))
        #expect(stub.hasSuffix("    todo()\n}\n"), "the blank line before the blocks goes with them: \(stub.debugDescription)")
    }

    @Test func writesStoredClosuresBothTablesAndTheMix() throws {
        let root = try temporaryRoot(solution)
        #expect(try TableGenerator.outOfDate(root: root) == ["\(TableGenerator.folder)/DemoFunctions+Tables.swift"])
        try TableGenerator.writeTables(root: root)
        #expect(try TableGenerator.outOfDate(root: root).isEmpty)
        let text = try String(contentsOf: root.appendingPathComponent("\(TableGenerator.folder)/DemoFunctions+Tables.swift"), encoding: .utf8)
        for piece in ["do not edit", "import Demo\n", "import DemoSolutions\n", "public struct DemoFunctions: Sendable {",
                      "    /// Scales.\n    public var f: @Sendable (_ x: Tensor, _ scale: Double) -> Tensor\n",
                      "    public var g: @Sendable (_ x: Tensor)\n        -> (out: Tensor, backward: @Sendable (Tensor) -> Tensor)\n",
                      "public static let learner = DemoFunctions(\n        f: { Demo.f($0, scale: $1) },\n        g: { x in\n",
                      "            let (out, cache) = DemoSolutions.gForward(x)\n",
                      "            return (out, { DemoSolutions.gBackward($0, cache: cache) })\n        })\n",
                      "if passed.contains(\"demo.f\") {\n            mix.f = learner.f\n        }",
                      "if ([\"demo.g\", \"demo.f\"] as Set<String>).isSubset(of: passed) {\n            mix.g = learner.g\n        }"] {
            #expect(text.contains(piece), "missing \(piece.debugDescription) in:\n\(text)")
        }
        // An edited block makes the table stale; a table no block makes is stale, and removed.
        try solution.replacingOccurrences(of: "scale: $1", with: "scale: 2 * $1")
            .write(to: root.appendingPathComponent("Solutions/01-demo/F.swift"), atomically: true, encoding: .utf8)
        let orphan = root.appendingPathComponent("\(TableGenerator.folder)/GoneFunctions+Tables.swift")
        try "old".write(to: orphan, atomically: true, encoding: .utf8)
        #expect(try TableGenerator.outOfDate(root: root) == ["\(TableGenerator.folder)/DemoFunctions+Tables.swift",
                                                              "\(TableGenerator.folder)/GoneFunctions+Tables.swift (no TABLE blocks make it)"])
        try TableGenerator.writeTables(root: root)
        #expect(try TableGenerator.outOfDate(root: root).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
    }

    @Test func rejectsMalformedBlocks() {
        let cases: [(String, String)] = [
            ("// BEGIN TABLE S a.b\n// f: T = { }\n", "never closed"),
            ("// END TABLE\n", "without a"),
            ("// BEGIN TABLE S\n// END TABLE\n", "opens with"),
            ("// BEGIN TABLE S a.b\n// END TABLE\n", "no entry"),
            ("// BEGIN TABLE S a.b\n// f: T\n// END TABLE\n", "no ` = adapter`"),
            ("// BEGIN TABLE S a.b\nlet x = 1\n// END TABLE\n", "only // comment lines"),
        ]
        for (text, problem) in cases {
            do {
                _ = try TableGenerator.blocks(in: text, file: "T.swift")
                Issue.record("accepted a malformed block: \(text.debugDescription)")
            } catch let error as TableGenerator.TableError {
                #expect(error.description.contains(problem), "\(error)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test("the function tables in Sources/Implementations/Generated are generated from the solutions")
    func tablesAreInSync() throws {
        let stale = try TableGenerator.outOfDate(root: repositoryRoot)
        #expect(stale.isEmpty, "function tables that differ from the TABLE blocks in Solutions/ (`swift run stubgen` rewrites them): \(stale)")
    }

    @Test("every exercise has one TABLE block, in its own solution file")
    func everyExerciseHasATableBlock() throws {
        var blocks: [TableGenerator.Block] = []
        for exercise in Set(Catalog.exercises.map(\.solutionPath)).sorted() {
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent(exercise), encoding: .utf8)
            blocks += try TableGenerator.blocks(in: text, file: exercise)
        }
        let ids = Set(Catalog.exercises.map(\.id))
        for exercise in Catalog.exercises {
            let own = blocks.filter { $0.exerciseID == exercise.id }
            #expect(own.count == 1 && own.first?.file == exercise.solutionPath,
                    "\(exercise.id): \(own.count) TABLE blocks (\(own.map(\.file))); it needs one, in \(exercise.solutionPath)")
        }
        for block in blocks {
            #expect(ids.contains(block.exerciseID), "\(block.file): TABLE block for an unknown exercise \(block.exerciseID)")
            for need in block.needs { #expect(ids.contains(need), "\(block.file): \(block.exerciseID) needs an unknown exercise \(need)") }
        }
    }

    private func temporaryRoot(_ solution: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tables-\(UUID().uuidString)")
        let folder = root.appendingPathComponent("Solutions/01-demo")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try solution.write(to: folder.appendingPathComponent("F.swift"), atomically: true, encoding: .utf8)
        try "let demo = Lesson(folder: \"01-demo\", module: \"Demo\", uses: [])\n"
            .write(to: root.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
        return root
    }
}
