import Demos
import Foundation
import Grading
import Testing
@testable import Runner

/// The catalog the grader exports, built here from the Grading library.
enum TestCatalog {
    static func make() -> CourseCatalog {
        CourseCatalog(
            lessons: Catalog.lessons.map { lesson in
                CourseLesson(number: lesson.number, folder: lesson.folder, title: lesson.title, exercises: lesson.exercises.map { exercise in
                    ExerciseInfo(id: exercise.id, lesson: exercise.lesson, title: exercise.title, file: exercise.file,
                                 declarations: exercise.declarations, hints: exercise.hints)
                })
            },
            demos: DemoCatalog.demos.map { DemoInfo(lesson: $0.lesson, title: $0.title, exercises: $0.exercises) })
    }

    /// Makes `Course` answer from the real catalog.
    static func install() { Course.catalog = make() }
}

/// The runner does not link the Grading library; these check that its side
/// of the child-process protocol agrees with Grading's.
@Suite("Runner: the contract with the grader")
struct ContractTests {
    @Test("the same verdicts, symbols and report line")
    func verdicts() throws {
        #expect(Runner.Verdict.allCases.map(\.rawValue) == Grading.Verdict.allCases.map(\.rawValue))
        #expect(Runner.Verdict.allCases.map(\.symbol) == Grading.Verdict.allCases.map(\.symbol))
        #expect(GraderContract.reportPrefix == ChildGrader.reportPrefix)
        #expect(GraderContract.backtraceSettings == CrashReport.backtraceSettings)
        #expect(GraderContract.seedVariable == Seed.environmentVariable)
        for verdict in Grading.Verdict.allCases {
            let report = Grading.GradeReport(id: "a.b", verdict: verdict, message: "line 1\nline \"2\"", seed: (1 << 53) - 1)
            let line = GraderContract.reportPrefix + String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
            let parsed = try #require(GraderContract.parseReport(standardOutput: "printed\n" + line + "\n"))
            #expect(parsed.verdict.rawValue == verdict.rawValue)
            #expect(parsed.message == report.message && parsed.seed == report.seed && parsed.id == report.id)
        }
        #expect(GraderContract.parseReport(standardOutput: "no report") == nil)
    }

    @Test("the same crash summaries")
    func crashes() {
        let samples = [
            "Swift/ContiguousArrayBuffer.swift:692: Fatal error: Index out of range\n  3 [ra] 0x0 sigmoidForward(_:) + 226 in course at /home/me/course/Lessons/01-activations/Sigmoid.swift:18:25\n",
            "Activations/ReLU.swift:11: Fatal error: later\n",
            "nothing useful",
        ]
        for sample in samples {
            #expect(GraderContract.summarizeCrash(standardError: sample, exitDescription: "signal 4, SIGILL")
                    == CrashReport.summarize(standardError: sample, exitDescription: "signal 4, SIGILL"))
        }
    }

    @Test("course-grader __catalog prints the Grading library's catalog")
    func catalog() throws {
        let grader = try #require(CourseBinary.path.map { URL(fileURLWithPath: $0).deletingLastPathComponent()
            .appendingPathComponent(GraderContract.graderProduct).path })
        let result = try ChildProcess.run(grader, ["__catalog"], headLimit: 8 << 20, tailLimit: 0, timeLimit: 30)
        #expect(result.termination == .exited(0))
        let catalog = try JSONDecoder().decode(CourseCatalog.self, from: Data(result.standardOutput.text.utf8))
        #expect(catalog == TestCatalog.make())
    }
}
