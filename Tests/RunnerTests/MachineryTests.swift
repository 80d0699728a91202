import Foundation
import Grading
import Testing
@testable import Runner

@Suite("Runner: processes, build output, rendering")
struct MachineryTests {
    @Test("a capped buffer keeps the head and the tail")
    func cappedBuffer() {
        var buffer = CappedBuffer(headLimit: 4, tailLimit: 3)
        buffer.append(Array("abcdefghij".utf8))
        #expect(buffer.totalBytes == 10)
        #expect(buffer.omittedBytes == 3)
        #expect(buffer.text == "abcd\n… [3 bytes of output omitted] …\nhij")
        var small = CappedBuffer(headLimit: 10, tailLimit: 10)
        small.append(Array("hello".utf8))
        #expect(small.text == "hello")
    }

    @Test("a child's output, errors and exit status")
    func childProcess() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.termination == .exited(3))
        #expect(result.standardOutput.text == "out\n")
        #expect(result.standardError.text == "err\n")
        #expect(!result.killedAtDeadline)
        let signaled = try ChildProcess.run("/bin/sh", ["-c", "kill -SEGV $$"])
        #expect(signaled.termination == .signaled(11))
        #expect(signaled.termination.description == "signal 11, SIGSEGV")
    }

    @Test("a child past its deadline is killed")
    func deadline() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo started; sleep 30"], timeLimit: 0.5)
        #expect(result.killedAtDeadline)
        #expect(result.termination == .signaled(9))
        #expect(result.seconds < 3)
        #expect(result.standardOutput.text == "started\n")
    }

    @Test("a flood of output is drained and capped")
    func flood() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "yes xxxxxxxxxxxxxxx | head -c 3000000; echo; echo last line"],
                                          headLimit: 1000, tailLimit: 1000)
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.totalBytes > 3_000_000)
        #expect(result.standardOutput.text.count < 2200)
        #expect(result.standardOutput.text.hasSuffix("last line\n"))
    }

    static let buildOutput = """
        [51/73] Compiling Activations Sigmoid.swift
        /home/me/course/Lessons/01-activations/Sigmoid.swift:33:18: error: cannot convert value of type 'String' to specified type 'Int'
        31 | }
        32 | func broken() -> Int {
        33 |     let x: Int = "a"
           |                  `- error: cannot convert value of type 'String' to specified type 'Int'
        34 |     return y
        35 | }

        [52/73] Compiling Activations Softmax.swift
        /home/me/course/Lessons/01-activations/Sigmoid.swift:33:18: error: cannot convert value of type 'String' to specified type 'Int'
        31 | }
        33 |     let x: Int = "a"
        /home/me/course/Lessons/01-activations/Sigmoid.swift:30:9: warning: variable 'z' was never used
        /home/me/course/Sources/CourseKit/Tensor.swift:1:1: error: something else
        error: fatalError
        """

    @Test("compiler errors are parsed once each, with their source excerpt")
    func diagnostics() {
        let all = Builder.parseDiagnostics(Self.buildOutput)
        #expect(all.count == 3)
        let first = all[0]
        #expect(first.shortPath == "Lessons/01-activations/Sigmoid.swift")
        #expect(first.line == 33 && first.column == 18 && first.severity == "error")
        #expect(first.message == "cannot convert value of type 'String' to specified type 'Int'")
        #expect(first.excerpt.count == 6)
        #expect(first.lessonFolder == "01-activations")
        #expect(all[1].severity == "warning")
        #expect(all[2].lessonFolder == nil)
        let build = BuildResult(succeeded: false, output: Self.buildOutput, seconds: 1)
        #expect(build.errors.count == 2)
        #expect(build.generalErrors == ["error: fatalError"])
    }

    @Test("a lesson that does not compile: every exercise in it is a compile error with the compiler's message")
    func compileFailures() throws {
        TestCatalog.install()
        guard let lesson = Course.lessons.first(where: { $0.exercises.count >= 2 }) else { return }
        let exercise = lesson.exercises[1]
        let output = "/x/Lessons/\(exercise.lesson)/\(exercise.file):3:5: error: cannot find 'y' in scope\n3 |     y\n  |     `- error: cannot find 'y' in scope\n"
        let build = BuildResult(succeeded: false, output: output, seconds: 1)
        let reports = CompileFailures.reports(for: lesson.exercises, build: build, binary: URL(fileURLWithPath: "/nonexistent"),
                                              root: URL(fileURLWithPath: "/nonexistent"), seed: 1)
        #expect(reports.count == lesson.exercises.count)
        #expect(reports.values.allSatisfy { $0.verdict == .compileError })
        let own = try #require(reports[exercise.id])
        #expect(own.message.hasPrefix("\(exercise.lessonPath):3:5: error: cannot find 'y' in scope"))
        let other = try #require(reports[lesson.exercises[0].id])
        #expect(other.message.contains("does not compile, so nothing in this lesson can run"))
    }





    /// A trap in the course's own code, not the learner's, still gets a place.
    @Test("a crash outside the learner's files is placed at its first frame with a source location")
    func crashLocation() {
        let backtrace = """
          0              0x00007f5ad6b6df7f closure #1 in closure #1 in _assertionFailure(_:_:file:line:flags:) + 623 in libswiftCore.so
          2 [ra]         0x00007f5ad728e286 specialized Array.subscript.getter + 85 in libswiftSwiftOnoneSupport.so
          3 [ra]         0x000055eb580f8ca3 trap() + 226 in course at /tmp/exp/Sources/Runner/Fixtures.swift:61:13
          8 [ra] [thunk] 0x000055eb58168f32 partial apply for closure #2 + 145 in course at //<compiler-generated>
        """
        #expect(CrashLocation.firstFrame(in: backtrace) == "Sources/Runner/Fixtures.swift:61")
        #expect(CrashLocation.firstFrame(in: "no frames") == nil)
    }

    @Test("the course map fits narrow terminals")
    func narrowMap() {
        TestCatalog.install()
        let lessons = Course.lessons
        var verdicts: [String: Runner.Verdict] = [:]
        for (index, exercise) in lessons.flatMap(\.exercises).enumerated() {
            verdicts[exercise.id] = [.passed, .failed, .notStarted, .timedOut, .compileError][index % 5]
        }
        for width in [40, 60, 80, 132] {
            let text = Renderer(colors: false, width: width).map(lessons, verdicts: verdicts)
            for line in text.split(separator: "\n") {
                #expect(String(line).visibleWidth <= width, "wider than \(width): \(line)")
            }
            for exercise in lessons.flatMap(\.exercises) {
                #expect(text.contains(exercise.id) || width < 60, "\(exercise.id) missing at width \(width)")
            }
        }
        let colored = Renderer(colors: true, width: 80).map(lessons, verdicts: verdicts)
        let plain = Renderer(colors: false, width: 80).map(lessons, verdicts: verdicts)
        #expect(colored.contains("\u{1B}["))
        #expect(!plain.contains("\u{1B}["))
    }

    @Test("long diagnosis lines wrap, keeping their indentation")
    func wrapping() {
        let lines = Renderer.wrapLine("    expected shape [3]: [1, 2, 3] and a great many more words after that", width: 30)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 30 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("      ") })
        #expect(Renderer.wrapLine("short", width: 30) == ["short"])
    }

    @Test("the JSON report has the promised fields")
    func json() throws {
        guard let exercise = TestCatalog.make().lessons.flatMap(\.exercises).first else { return }
        let outcome = Outcome(exercise: exercise, report: Runner.GradeReport(id: exercise.id, verdict: .notStarted, message: "m", seed: 7),
                              output: "", seconds: 0)
        let text = JSONReport([outcome]).text
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entries = try #require(object["exercises"] as? [[String: Any]])
        #expect(Set(entries[0].keys) == ["id", "lesson", "title", "verdict", "message", "seed"])
        #expect(entries[0]["verdict"] as? String == "not-started")
    }
}
