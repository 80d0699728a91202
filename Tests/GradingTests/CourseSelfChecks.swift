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

/// `body` applied to every item, on all cores at once (GCD's pool, not Swift's); the results in order.
func inParallel<Item: Sendable, Result: Sendable>(_ items: [Item], _ body: @escaping @Sendable (Item) -> Result) -> [Result] {
    let slots = ResultSlots<Result>(items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        slots.set(index, body(items[index]))
    }
    return slots.values.map { $0! }
}

/// Results written by several threads, one slot each.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Value?]
    init(_ count: Int) { stored = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.lock(); stored[index] = value; lock.unlock() }
    var values: [Value?] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// The course's own guarantees: the reference passes, every known mistake
/// fails and is named, every correct rewrite passes, and the files line up.
@Suite("Course self-checks")
struct CourseSelfChecks {
    // The grading below is heavy and synchronous: it runs as background work
    // (`TestScheduler`), after the learner's own tests, off Swift's small pool of
    // threads, spread over the cores. One test each (not one per exercise or
    // variant): a learner's `swift test` prints three lines for them, not two hundred.

    @Test("the reference solution passes")
    func referencePasses() async throws {
        let exercises = Catalog.exercises
        let reports = try await TestScheduler.background {
            inParallel(exercises) { exercise in stressSeeds().map { Grader.grade(exercise, .reference, seed: $0) } }
        }
        for (exercise, reports) in zip(exercises, reports) {
            for report in reports {
                #expect(report.verdict == .passed, "\(exercise.id): \(report.message)\n(seed \(report.seed))")
            }
        }
    }

    @Test("every known mistake is rejected, and named")
    func mistakesFail() async throws {
        let mistakes = Catalog.exercises.flatMap(\.mistakes)
        let reports = try await TestScheduler.background {
            inParallel(mistakes) { mistake in
                Catalog.exercise(id: mistake.exerciseID).map { exercise in
                    stressSeeds().map { Grader.grade(exercise, .variant(mistake), seed: $0) }
                } ?? []
            }
        }
        for (mistake, reports) in zip(mistakes, reports) {
            #expect(!reports.isEmpty, "\(mistake): no exercise \(mistake.exerciseID)")
            for report in reports {
                #expect(report.verdict == .failed, "\(mistake.exerciseID): the mistake “\(mistake.name)” passed (seed \(report.seed))")
                #expect(report.message.contains(mistake.explanation),
                        "\(mistake.exerciseID): the diagnosis does not name the mistake “\(mistake.name)”:\n\(report.message)\n(seed \(report.seed))")
            }
        }
    }

    @Test("every correct rewrite is accepted")
    func alternativesPass() async throws {
        let alternatives = Catalog.exercises.flatMap(\.alternatives)
        let reports = try await TestScheduler.background {
            inParallel(alternatives) { alternative in
                Catalog.exercise(id: alternative.exerciseID).map { exercise in
                    stressSeeds().map { Grader.grade(exercise, .variant(alternative), seed: $0) }
                } ?? []
            }
        }
        for (alternative, reports) in zip(alternatives, reports) {
            #expect(!reports.isEmpty, "\(alternative): no exercise \(alternative.exerciseID)")
            for report in reports {
                #expect(report.verdict == .passed,
                        "\(alternative.exerciseID): the correct rewrite “\(alternative.name)” was rejected:\n\(report.message)\n(seed \(report.seed))")
            }
        }
    }

    @Test("every exercise is complete: files, declarations, hints, mistakes, standard")
    func catalogIsComplete() throws {
        let ids = Catalog.exercises.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate exercise ids")
        for exercise in Catalog.exercises {
            // The stub as the generator makes it from the solution, not the learner's file in Lessons/.
            let solution = try String(contentsOf: repositoryRoot.appendingPathComponent(exercise.solutionPath), encoding: .utf8)
            let stub = try StubGenerator.stub(fromSolution: solution, file: exercise.solutionPath)
            for (path, text) in [(exercise.lessonPath + " (generated)", stub), (exercise.solutionPath, solution)] {
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

    /// The learner's tests, as the pattern at the top of
    /// `Lesson01ActivationsExercises.swift` describes: a suite `LessonNN_<prefix>`
    /// per lesson, with exactly one test per exercise, named after it.
    @Test("every exercise has exactly one learner test, named after it")
    func everyExerciseIsGradedBySwiftTest() throws {
        let sources = try testSources()
        for lesson in Catalog.lessons where !lesson.exercises.isEmpty {
            let suite = LearnerTests.suiteName(of: lesson)
            let bodies = sources.compactMap { _, text in body(ofStruct: suite, in: text) }
            guard bodies.count == 1, let body = bodies.first else {
                Issue.record("lesson \(lesson.folder) needs exactly one `struct \(suite)` in Tests/GradingTests (found \(bodies.count)); copy the pattern at the top of Lesson01ActivationsExercises.swift")
                continue
            }
            let functions = body.components(separatedBy: "func ").dropFirst().map { String($0.prefix { $0 != "(" }) }
            let expected = lesson.exercises.map { String($0.id.drop { $0 != "." }.dropFirst()) }
            #expect(functions.sorted() == expected.sorted(),
                    "\(suite) should hold one test per exercise, named \(expected), not \(functions)")
            let grading = body.components(separatedBy: "try await gradeLearner()").count - 1
            #expect(grading == expected.count, "every test in \(suite) should call `try await gradeLearner()`")
            for exercise in lesson.exercises {
                let name = exercise.id.drop { $0 != "." }.dropFirst()
                #expect(LearnerTests.exerciseID(suite: suite, function: "\(name)()") == exercise.id)
                #expect(body.contains("@Test(\"\(exercise.id)\") func \(name)()"),
                        "\(suite): write the test for \(exercise.id) as `@Test(\"\(exercise.id)\") func \(name)() async throws { try await gradeLearner() }`")
            }
        }
    }

    /// `swift test --filter activations` (or `01`) must grade lesson 01 and
    /// nothing else. The filter is a regular expression over each test's id,
    /// `Module.Suite/function()/Module/File.swift:line:column` (the line of its
    /// `@Test`), so no other suite, test or helper name in Tests/ may contain a
    /// lesson's id prefix or its two-digit number, and no other test may start
    /// on a line whose number contains it (line 101 matches `01`: add a line of
    /// doc comment above that test, or take one away).
    @Test("a lesson's filters (its id prefix, its number) select its learner tests only")
    func lessonFiltersAreUnambiguous() throws {
        let suites = Catalog.lessons.filter { !$0.exercises.isEmpty }.map { lesson in
            (lesson: lesson, suite: LearnerTests.suiteName(of: lesson),
             keys: [String(lesson.exercises[0].id.prefix { $0 != "." }), String(format: "%02d", lesson.number)])
        }
        for (path, text) in try testSources() {
            let owner = suites.first { text.contains("struct \($0.suite) {") }
            let fileID = path.split(separator: "/").suffix(2).joined(separator: "/")
            let suiteBody = owner.flatMap { body(ofStruct: $0.suite, in: text) }
            let outside = suiteBody.map { text.replacingOccurrences(of: $0, with: "") } ?? text
            let ownNames = suiteBody.map(identifiers(in:)) ?? []
            let otherNames = identifiers(in: outside)
            var tests: [String] = []
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("@Test") { tests.append("\(fileID):\(index + 1):\(line.count - trimmed.count + 1)") }
            }
            for entry in suites {
                for key in entry.keys {
                    var strays = otherNames.filter { $0.contains(key) }.map { "the name \($0)" }
                    if entry.suite != owner?.suite {
                        strays += ownNames.filter { $0.contains(key) }.map { "the name \($0)" }
                        strays += tests.filter { $0.contains(key) }.map { "the test at \($0)" }
                        if fileID.contains(key) { strays.append("every test in \(fileID)") }
                    }
                    #expect(strays.isEmpty, "`swift test --filter \(key)` would also run \(strays): only \(entry.suite) may match “\(key)”")
                }
            }
        }
        for module in ["CourseKitTests", "GradingTests", "RunnerTests"] {
            for entry in suites { for key in entry.keys { #expect(!module.contains(key)) } }
        }
    }

    /// Every Swift file under Tests/: its path and text.
    private func testSources() throws -> [(String, String)] {
        let folder = repositoryRoot.appendingPathComponent("Tests")
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var result: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            result.append((url.path, try String(contentsOf: url, encoding: .utf8)))
        }
        return result
    }

    /// The text from `struct name {` to its closing brace at the start of a line.
    private func body(ofStruct name: String, in text: String) -> String? {
        guard let start = text.range(of: "struct \(name) {") else { return nil }
        let end = text.range(of: "\n}", range: start.upperBound..<text.endIndex)?.upperBound ?? text.endIndex
        return String(text[start.lowerBound..<end])
    }

    /// The names declared with `func`, `struct`, `enum`, `class` or `actor` (test ids are made of these).
    private func identifiers(in text: String) -> [String] {
        var names: [String] = []
        for keyword in ["func ", "struct ", "enum ", "class ", "actor "] {
            for piece in text.components(separatedBy: keyword).dropFirst() {
                let name = piece.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !name.isEmpty { names.append(String(name)) }
            }
        }
        return names
    }

    @Test("every solution file makes a stub (its markers are well formed)")
    func everySolutionMakesAStub() throws {
        let pairs = try StubGenerator.pairs(root: repositoryRoot)
        #expect(!pairs.isEmpty)
        for pair in pairs { #expect(pair.expectedStub.contains("todo()"), "\(pair.relativePath)") }
    }

    /// Lessons/ is the learner's working copy: outside CI it holds their work,
    /// which differs from the stubs by design. CI (`CI=true`) checks a fresh clone.
    @Test("every stub in Lessons/ is generated from its solution",
          .enabled(if: CourseChecks.pristineCheckout,
                   "runs only in CI (CI=true): outside CI, Lessons/ holds your work, which differs from the stubs"))
    func stubsAreInSync() throws {
        let stale = try StubGenerator.outOfDate(root: repositoryRoot)
        #expect(stale.isEmpty, "stubs that differ from their solutions (course authors: `swift run stubgen --force`): \(stale)")
    }
}

/// Checks of the course's own files that need a pristine checkout.
enum CourseChecks {
    /// CI sets `CI=true`: there `Lessons/` is a fresh clone and must hold exactly the generated stubs.
    static var pristineCheckout: Bool {
        let value = ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? ""
        return !value.isEmpty && value != "false" && value != "0"
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
