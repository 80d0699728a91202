import CourseKit
import Demos
import Foundation
import Grading
import Runner

// course-grader — the half of the runner that holds the learner's code and
// the graders. The runner (`course`) builds it, and starts it as a child
// process for each exercise, so a trap or a hang never takes the runner down:
//
//   course-grader __grade ID        grade one exercise; prints one report line
//   course-grader __catalog         the lessons, exercises, hints and demos, as JSON
//   course-grader __demo LESSON [--quick] [--quick-sections NAMES] [--passed IDS] [--output DIR]
//
// Learners never call it directly: `swift run course` does.

/// The catalog as the runner reads it.
enum GraderExport {
    static func info(_ exercise: Exercise) -> ExerciseInfo {
        ExerciseInfo(id: exercise.id, lesson: exercise.lesson, title: exercise.title, file: exercise.file,
                     declarations: exercise.declarations, hints: exercise.hints)
    }

    static var catalog: CourseCatalog {
        var lessons = Catalog.lessons.map { lesson in
            CourseLesson(number: lesson.number, folder: lesson.folder, title: lesson.title, exercises: lesson.exercises.map(info))
        }
        if Fixtures.enabled { lessons.append(Fixtures.lesson) }
        let demos = DemoCatalog.demos.map { DemoInfo(lesson: $0.lesson, title: $0.title, exercises: $0.exercises) }
        return CourseCatalog(lessons: lessons, demos: demos)
    }
}

/// `__demo LESSON [--quick] [--quick-sections NAMES] [--passed IDS] [--output DIR]`: one demo, in this process.
func runDemo(_ arguments: [String]) -> Int32 {
    let parsed: CommandLineArguments
    do {
        parsed = try ArgumentParser.parse(["__demo"] + arguments)
    } catch {
        Terminal.writeToStandardError("course-grader: \(error)\n")
        return 2
    }
    guard let lesson = Int(parsed.positionals[0]), let demo = DemoCatalog.demo(lesson: lesson) else {
        Terminal.writeToStandardError("course-grader: no demo for lesson \(parsed.positionals[0])\n")
        return 1
    }
    let output = URL(fileURLWithPath: parsed.option("output") ?? ".course/demos")
    let passed = Set((parsed.option("passed") ?? "").split(separator: ",").map(String.init))
    let quickSections = Set((parsed.option("quick-sections") ?? "").split(separator: ",").map(String.init))
    do {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try DemoCatalog.run(demo, options: DemoOptions(quick: parsed.has("quick"), outputDirectory: output, passed: passed,
                                                       quickSections: quickSections))
        return 0
    } catch {
        Terminal.writeToStandardError("demo \(lesson) failed: \(error)\n")
        return 1
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "__grade" where arguments.count == 2:
    CourseCLI.lineBufferStandardOutput()
    if Fixtures.enabled, let fixture = Fixtures.exercises.first(where: { $0.id == arguments[1] }) {
        ChildGrader.run(exercise: fixture)
    }
    ChildGrader.run(exerciseID: arguments[1])
case "__catalog" where arguments.count == 1:
    print(GraderExport.catalog.json)
case "__demo" where arguments.count >= 2:
    exit(runDemo(Array(arguments.dropFirst())))
default:
    Terminal.writeToStandardError("""
        usage: course-grader __grade ID | __catalog | __demo LESSON [--quick] [--quick-sections NAMES] [--passed IDS] [--output DIR]
        (the runner's child process: learners run `swift run course`)

        """)
    exit(2)
}
