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
