import CourseKit
import Foundation
import Testing

@Suite("todo()")
struct TodoTests {
    @Test("todo() exits with status 86 and says where")
    func exitsWith86() async throws {
        #expect(TodoPolicy.exitStatus == 86)
        let result = try await #require(processExitsWith: .exitCode(86), observing: [\.standardErrorContent]) {
            TodoPolicy.current = .exit
            todo()
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("todo(): not implemented yet at"))
        #expect(message.contains("TodoTests.swift:"))
    }

    @Test("with the report policy todo() calls the handler with the file and line")
    func reportPolicy() async {
        await #expect(processExitsWith: .exitCode(3)) {
            TodoPolicy.current = .report { file, line in
                exit(file.hasSuffix("TodoTests.swift") && line == 42 ? 3 : 4)
            }
            todo(line: 42)
        }
    }
}
