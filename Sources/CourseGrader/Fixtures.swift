import CourseKit
import Foundation
import Grading
import Runner

/// Exercises for the runner's own tests, present only when `DLFS_FIXTURES=1`:
/// one that traps, one that hangs, one that floods its output, one that
/// reaches another exercise's `todo()`, and one that passes. They let the
/// end-to-end tests check crash, hang and flood isolation, and how a call
/// into an unwritten exercise is reported, without editing a stub and
/// rebuilding the course.
enum Fixtures {
    static var enabled: Bool { ProcessInfo.processInfo.environment["DLFS_FIXTURES"] == "1" }

    static let folder = "00-fixtures"

    struct Body: Sendable {
        var run: @Sendable () -> Void
    }

    static let noop = Body { }

    static func spec(_ name: String, _ title: String) -> ExerciseSpec<Body> {
        ExerciseSpec<Body>(
            id: "fixture.\(name)", title: title, file: "Fixtures.swift", declarations: [],
            hints: ["Fixture hint one.", "Fixture hint two.", "Fixture hint three."],
            standard: "runs to the end", mistakes: [], alternatives: []
        ) { candidate, _, context in
            candidate.run()
            context.pass("ran to the end")
        }
    }

    static let bodies: [(name: String, title: String, body: Body)] = [
        ("trap", "Traps: an index out of range", Body(run: trap)),
        ("hang", "Hangs: an infinite loop", Body(run: hang)),
        ("flood", "Floods its output, then passes", Body(run: flood)),
        ("unwritten", "Calls a function of another exercise that is still a stub", Body(run: callsUnwritten)),
        ("pass", "Passes", noop),
    ]

    static var exercises: [Exercise] {
        bodies.map { fixture in spec(fixture.name, fixture.title).exercise(lesson: folder, learner: fixture.body, reference: noop) }
    }

    static var lesson: CourseLesson {
        CourseLesson(number: 99, folder: folder, title: "Runner fixtures", exercises: exercises.map(GraderExport.info))
    }

    static func trap() {
        let values = [1, 2, 3]
        // An index the optimizer cannot see: out of range at run time.
        let index = values.count + (Int(ProcessInfo.processInfo.environment["DLFS_FIXTURE_OFFSET"] ?? "0") ?? 0)
        print("fixture.trap: reading values[\(index)]")
        _ = values[index]
    }

    static func hang() {
        var counter = 0
        while counter >= 0 { counter = (counter &+ 1) & 0xFFFF }
    }

    /// What a learner's code does when it calls an earlier exercise's stub:
    /// a `todo()` in another exercise's file (`activations.sigmoid`'s).
    static func callsUnwritten() {
        todo("/course/Lessons/01-activations/Sigmoid.swift", line: 16)
    }

    /// About 4 MB of output.
    static func flood() {
        let filler = String(repeating: "output nobody asked for ", count: 40)
        for line in 0..<4_000 {
            print("fixture.flood: line \(line) \(filler)")
        }
    }
}
