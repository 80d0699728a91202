import Foundation
import Stubs
import Testing

@Suite("Stub generator")
struct StubGeneratorTests {
    @Test func replacesEachRegionWithTodoAtItsIndentation() throws {
        let solution = """
        import CourseKit

        /// Doc.
        public func f(_ x: Tensor) -> Tensor {
            // BEGIN SOLUTION
            let y = x * 2
            return y
            // END SOLUTION
        }

        public func g() -> Int {
          // BEGIN SOLUTION
          42
          // END SOLUTION
        }

        """
        let stub = try StubGenerator.stub(fromSolution: solution)
        #expect(stub == """
        import CourseKit

        /// Doc.
        public func f(_ x: Tensor) -> Tensor {
            todo()
        }

        public func g() -> Int {
          todo()
        }

        """)
    }

    @Test func leavesEverythingOutsideRegionsUntouched() throws {
        let solution = "a\n  // BEGIN SOLUTION\n  secret\n  // END SOLUTION\nb\n"
        #expect(try StubGenerator.stub(fromSolution: solution) == "a\n  todo()\nb\n")
    }

    @Test func rejectsMalformedMarkers() {
        let cases: [(String, String)] = [
            ("// BEGIN SOLUTION\nx\n", "never closed"),
            ("x\n// END SOLUTION\n", "without a"),
            ("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION\n", "inside the region"),
            ("no regions at all\n", "no // BEGIN SOLUTION region"),
            ("// BEGIN SOLUTIONS\n// END SOLUTION\n", "exactly"),
        ]
        for (text, problem) in cases {
            do {
                _ = try StubGenerator.stub(fromSolution: text, file: "T.swift")
                Issue.record("accepted malformed markers: \(text.debugDescription)")
            } catch let error as StubGenerator.MarkerError {
                #expect(error.description.contains(problem), "\(error)")
                #expect(error.file == "T.swift")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func isIdempotentOnItsOutput() throws {
        let solution = "f {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}\n"
        let stub = try StubGenerator.stub(fromSolution: solution)
        #expect(!stub.contains("SOLUTION"))
        #expect(stub.contains("todo()"))
    }
}

/// stubgen and `course dev sync` write into Lessons/, where a learner works:
/// they must never destroy that work.
@Suite("Stub generator: a learner's work is safe")
struct StubWritingTests {
    /// A course folder with one solution and a stub file in a given state.
    private func course(lesson text: String?) throws -> URL {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("dlfs-stubgen-\(UUID().uuidString)")
        for folder in ["Solutions/09-demo", "Lessons/09-demo"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try "f {\n    // BEGIN SOLUTION\n    1\n    // END SOLUTION\n}\n"
            .write(to: root.appendingPathComponent("Solutions/09-demo/F.swift"), atomically: true, encoding: .utf8)
        if let text {
            try text.write(to: root.appendingPathComponent("Lessons/09-demo/F.swift"), atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("a file that differs from its stub is left alone without --force")
    func refuses() throws {
        let mine = "f {\n    2 // my answer\n}\n"
        let root = try course(lesson: mine)
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try StubGenerator.writeStubs(root: root)
        #expect(result.refused == ["09-demo/F.swift"] && result.written.isEmpty && result.backedUp.isEmpty)
        #expect(try String(contentsOf: root.appendingPathComponent("Lessons/09-demo/F.swift"), encoding: .utf8) == mine)
        #expect(!FileManager.default.fileExists(atPath: StubGenerator.backupFolder(root: root).path))
        let report = StubGenerator.describe(result, relativeTo: root, command: "swift run stubgen")
        #expect(report.contains("Lessons/09-demo/F.swift") && report.contains("for course authors") && report.contains("--force"))
    }


    @Test("with --force the file is backed up first, and the report names the backup")
    func forceBacksUp() throws {
        let mine = "f {\n    2 // my answer\n}\n"
        let root = try course(lesson: mine)
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try StubGenerator.writeStubs(root: root, force: true)
        let backup = try #require(result.backedUp.first)
        #expect(result.written == ["09-demo/F.swift"] && backup.relativePath == "09-demo/F.swift")
        #expect(try String(contentsOf: backup.backup, encoding: .utf8) == mine)
        #expect(backup.backup.path.contains("/.course/backups/"))
        #expect(try String(contentsOf: root.appendingPathComponent("Lessons/09-demo/F.swift"), encoding: .utf8) == "f {\n    todo()\n}\n")
        let report = StubGenerator.describe(result, relativeTo: root, command: "swift run stubgen")
        #expect(report.contains(".course/backups/09-demo-F-"), "\(report)")
        // A second backup of the same file in the same second gets its own name.
        let again = try StubGenerator.backUp("other", named: "09-demo-F", root: root)
        #expect(again != backup.backup)
    }

    @Test("a missing stub is written; a stub already in sync is not touched")
    func writesMissing() throws {
        let root = try course(lesson: nil)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try StubGenerator.writeStubs(root: root).written == ["09-demo/F.swift"])
        let second = try StubGenerator.writeStubs(root: root)
        #expect(second.written.isEmpty && second.backedUp.isEmpty && second.refused.isEmpty)
        #expect(StubGenerator.describe(second, relativeTo: root, command: "x").contains("nothing written"))
    }
}
