import Grading
import Testing

/// The block `swift test` ends with, and how a learner's test finds its exercise.
@Suite("Learner summary and test names")
struct LearnerSummaryTests {
    @Test("per lesson: the verdicts in the runner's words, each failure at its place, and the next exercise")
    func summaryBlock() throws {
        let lesson = try #require(Catalog.lessons.first { $0.exercises.count >= 4 })
        let ids = lesson.exercises.map(\.id)
        let crash = "crashed (signal 4): Fatal error: Index out of range\n  at \(lesson.exercises[2].lessonPath):16"
        let reports = [
            GradeReport(id: ids[0], verdict: .passed, message: "ok", seed: 1),
            GradeReport(id: ids[1], verdict: .failed, message: "wrong", seed: 1),
            GradeReport(id: ids[2], verdict: .crashed, message: crash, seed: 1),
            GradeReport(id: ids[3], verdict: .notStarted, message: "not started: todo()", seed: 1),
        ]
        let text = LearnerSummary.render(Dictionary(uniqueKeysWithValues: reports.map { ($0.id, $0) }))
        #expect(text.contains("✓✗💥·  1 passed · 1 failed · 1 not started · 1 crashed  (4 of \(ids.count) graded)"), "\(text)")
        #expect(text.contains("✗ \(ids[1]) failed — \(lesson.exercises[1].lessonPath):"), "\(text)")
        #expect(text.contains("💥 \(ids[2]) crashed — \(lesson.exercises[2].lessonPath):16"), "\(text)")
        #expect(!text.contains("✗ \(ids[3])") && !text.contains("✓ \(ids[0])"))
        #expect(text.contains("next: \(ids[1]) — edit \(lesson.exercises[1].lessonPath)"), "\(text)")
        // Only the lessons graded in this run are listed.
        for other in Catalog.lessons where other.number != lesson.number {
            #expect(!text.contains(other.title))
        }
    }

    @Test("everything graded passes: no next exercise")
    func allPassed() {
        let reports = Catalog.exercises.map { GradeReport(id: $0.id, verdict: .passed, message: "", seed: 1) }
        let text = LearnerSummary.render(Dictionary(uniqueKeysWithValues: reports.map { ($0.id, $0) }))
        #expect(text.contains("\(reports.count) passed") && text.contains("Every exercise passes"))
        #expect(!text.contains("next:"))
    }

    @Test("a test's suite and function name the exercise it grades")
    func exerciseIDs() {
        #expect(LearnerTests.exerciseID(suite: "Lesson12_topic", function: "name()") == "topic.name")
        #expect(LearnerTests.exerciseID(suite: "Helpers", function: "name()") == nil)
        #expect(LearnerTests.exerciseID(suite: "LessonXY_topic", function: "name()") == nil)
        for lesson in Catalog.lessons {
            for exercise in lesson.exercises {
                let name = exercise.id.split(separator: ".").last.map(String.init) ?? ""
                #expect(LearnerTests.exerciseID(suite: LearnerTests.suiteName(of: lesson), function: name + "()") == exercise.id)
            }
        }
    }
}
