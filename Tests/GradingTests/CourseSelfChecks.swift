import CourseKit
import Foundation
import Grading
import Stubs
import Testing

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The seeds to grade with: one fresh seed, or `DLFS_STRESS=N` fresh seeds
/// in a row to hunt for graders that pass or fail by luck.
func stressSeeds() -> [UInt64] {
    let count = ProcessInfo.processInfo.environment["DLFS_STRESS"].flatMap(Int.init) ?? 1
    let first = Seed.forThisRun()
    return (0..<max(1, count)).map { first &+ UInt64($0) &* 7_919 }
}

/// The course's own guarantees: the reference passes, every known mistake
/// fails and is named, every correct rewrite passes, and the files line up.
@Suite("Course self-checks")
struct CourseSelfChecks {
    @Test("the reference solution passes", arguments: Catalog.exercises)
    func referencePasses(_ exercise: Exercise) {
        for seed in stressSeeds() {
            let report = Grader.grade(exercise, .reference, seed: seed)
            #expect(report.verdict == .passed, "\(report.message)\n(seed \(report.seed))")
        }
    }

    @Test("every known mistake is rejected, and named", arguments: Catalog.exercises.flatMap(\.mistakes))
    func mistakeFails(_ mistake: Variant) throws {
        let exercise = try #require(Catalog.exercise(id: mistake.exerciseID))
        for seed in stressSeeds() {
            let report = Grader.grade(exercise, .variant(mistake), seed: seed)
            #expect(report.verdict == .failed, "the mistake “\(mistake.name)” passed (seed \(report.seed))")
            #expect(report.message.contains(mistake.explanation),
                    "the diagnosis does not name the mistake “\(mistake.name)”:\n\(report.message)\n(seed \(report.seed))")
        }
    }

    @Test("every correct rewrite is accepted", arguments: Catalog.exercises.flatMap(\.alternatives))
    func alternativePasses(_ alternative: Variant) throws {
        let exercise = try #require(Catalog.exercise(id: alternative.exerciseID))
        for seed in stressSeeds() {
            let report = Grader.grade(exercise, .variant(alternative), seed: seed)
            #expect(report.verdict == .passed, "the correct rewrite “\(alternative.name)” was rejected:\n\(report.message)\n(seed \(report.seed))")
        }
    }

    @Test("every exercise is complete: files, declarations, hints, mistakes, standard")
    func catalogIsComplete() throws {
        let ids = Catalog.exercises.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate exercise ids")
        for exercise in Catalog.exercises {
            for path in [exercise.lessonPath, exercise.solutionPath] {
                let text = try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
                for declaration in exercise.declarations {
                    let name = String(declaration.prefix { $0 != "(" })
                    #expect(text.contains("func \(name)("), "\(path) does not declare \(declaration) (\(exercise.id))")
                }
            }
            #expect(exercise.mistakes.count >= 3, "\(exercise.id) needs at least three known mistakes")
            #expect(!exercise.standard.isEmpty, "\(exercise.id) must state what is checked")
        }
        // `course check classify` names a lesson by its exercises' id prefix:
        // one prefix per lesson, and no two lessons share one.
        let prefixes = Catalog.lessons.map { lesson in Set(lesson.exercises.map { $0.id.prefix { $0 != "." } }) }
        for (lesson, keys) in zip(Catalog.lessons, prefixes) {
            #expect(keys.count == 1, "the exercises of \(lesson.folder) should share one id prefix, not \(keys.sorted())")
        }
        let allKeys = prefixes.flatMap { $0 }
        #expect(Set(allKeys).count == allKeys.count, "two lessons share an id prefix: \(allKeys)")
        for lesson in Catalog.lessons {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(lesson.chapterPath).path),
                    "\(lesson.chapterPath) is missing")
        }
    }

    @Test("every hint ladder has at least four rungs, and no rung is the whole answer")
    func hintLaddersStopShortOfTheCode() throws {
        for exercise in Catalog.exercises {
            #expect(exercise.hints.count >= 4,
                    "\(exercise.id) needs a hint ladder of at least four rungs (concept → where to look → formula or shapes → a partial sketch), not \(exercise.hints.count)")
            let solution = try String(contentsOf: repositoryRoot.appendingPathComponent(exercise.solutionPath), encoding: .utf8)
            for declaration in exercise.declarations {
                let name = String(declaration.prefix { $0 != "(" })
                let lines = try #require(answerLines(of: name, in: solution), "no marked answer for \(name) in \(exercise.solutionPath)")
                for (rung, hint) in exercise.hints.enumerated() {
                    let compact = hint.filter { !$0.isWhitespace }
                    #expect(!lines.allSatisfy { compact.contains($0) },
                            "\(exercise.id): hint \(rung + 1) holds the whole answer of \(name) — that is what `course solution` is for, after passing")
                }
            }
        }
    }

    @Test("every exercise has its own learner test")
    func everyExerciseIsGradedBySwiftTest() throws {
        let folder = repositoryRoot.appendingPathComponent("Tests/GradingTests")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        let text = try files.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined()
        for exercise in Catalog.exercises {
            #expect(text.contains("gradeLearner(\"\(exercise.id)\")"), "no test calls gradeLearner(\"\(exercise.id)\")")
        }
    }

    @Test("every stub in Lessons/ is generated from its solution")
    func stubsAreInSync() throws {
        let stale = try StubGenerator.outOfDate(root: repositoryRoot)
        #expect(stale.isEmpty, "out-of-date stubs (run `swift run stubgen`): \(stale)")
    }
}

/// The code lines of a function's marked answer (between `// BEGIN SOLUTION`
/// and `// END SOLUTION` after `func name(`), whitespace removed, comments and
/// lines of only braces dropped; `nil` when there is no such region.
func answerLines(of name: String, in text: String) -> [String]? {
    guard let declaration = text.range(of: "func \(name)("),
          let begin = text.range(of: "// BEGIN SOLUTION", range: declaration.upperBound..<text.endIndex),
          let end = text.range(of: "// END SOLUTION", range: begin.upperBound..<text.endIndex) else { return nil }
    let region = text[begin.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).dropFirst()   // the rest of the marker's line
    let lines = region.map { $0.filter { !$0.isWhitespace } }
        .filter { !$0.hasPrefix("//") && !$0.allSatisfy { "{}()".contains($0) } }
    return lines.isEmpty ? nil : lines
}
