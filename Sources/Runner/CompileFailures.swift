import Foundation

/// Which exercises a failed build stops, and what to tell the learner: the
/// compiler's messages for their files, not a wall of build output.
public enum CompileFailures {
    /// The most compiler messages shown for one exercise.
    static let shownErrors = 5

    /// Reports for the exercises the failed build leaves ungradable. An
    /// exercise in a lesson that compiled, unchanged since the last good
    /// build, is left out: it can still be graded with the previous binary.
    public static func reports(for exercises: [ExerciseInfo], build: BuildResult, binary: URL, root: URL,
                               seed: UInt64) -> [String: GradeReport] {
        let errors = build.errors
        var byLesson: [String: [CompilerDiagnostic]] = [:]
        var outside: [CompilerDiagnostic] = []
        for error in errors {
            if let folder = error.lessonFolder { byLesson[folder, default: []].append(error) } else { outside.append(error) }
        }
        // An error in the course's code that names a learner's function: most
        // likely a declaration the learner renamed or changed.
        var changedDeclarations: [String: [CompilerDiagnostic]] = [:]   // by exercise id
        var signatureErrors: [String: [CompilerDiagnostic]] = [:]       // by lesson folder
        var unexplained: [CompilerDiagnostic] = []
        for error in outside {
            let named = Course.exercises.filter { exercise in
                exercise.declarations.contains { declaration in
                    let name = String(declaration.prefix { $0 != "(" })
                    return !name.isEmpty && error.message.contains("'\(name)'")
                }
            }
            let lessons = named.isEmpty
                ? Set(Course.exercises.filter { exercise in
                    exercise.declarations.contains { declaration in
                        let name = String(declaration.prefix { $0 != "(" })
                        return !name.isEmpty && error.excerpt.joined(separator: "\n").contains(name)
                    }
                }.map(\.lesson))
                : Set(named.map(\.lesson))
            if lessons.isEmpty { unexplained.append(error) }
            for exercise in named { changedDeclarations[exercise.id, default: []].append(error) }
            for lesson in lessons { signatureErrors[lesson, default: []].append(error) }
        }

        let binaryDate = modificationDate(binary.path)
        let missing = missingFiles(root: root)
        var reports: [String: GradeReport] = [:]
        for exercise in exercises {
            var message: String?
            let missingHere = missing.filter { $0.lesson == exercise.lesson }
            if missingHere.contains(where: { $0.lessonPath == exercise.lessonPath }) {
                message = "\(exercise.lessonPath) is missing (deleted, renamed or moved?). "
                    + "`swift run course reset \(exercise.id)` restores the stub"
                    + (Course.exercises(sharingFileWith: exercise).count > 1 ? " (the whole file)." : ".")
            } else if let gone = missingHere.first {
                let files = Set(missingHere.map(\.lessonPath)).sorted().joined(separator: ", ")
                message = "\(files) is missing, so nothing in this lesson can run. "
                    + "`swift run course reset \(gone.id)` restores the stub."
            } else if let lessonErrors = byLesson[exercise.lesson] {
                let own = lessonErrors.filter { $0.path.hasSuffix("/" + exercise.lessonPath) }
                let others = lessonErrors.filter { !$0.path.hasSuffix("/" + exercise.lessonPath) }
                if own.isEmpty {
                    let files = Set(others.map(\.shortPath)).sorted().joined(separator: ", ")
                    message = "\(files) does not compile, so nothing in this lesson can run:\n" + render(others)
                } else {
                    message = render(own + others)
                }
            } else if let errors = changedDeclarations[exercise.id] {
                message = "the course's code that calls \(exercise.declarations.joined(separator: " and ")) does not compile: "
                    + "did you rename a function, or change its parameters or return type? Keep each declaration as the stub has it "
                    + "(`swift run course reset \(exercise.id)` restores the stub, after a backup).\n" + render(errors)
            } else if let errors = signatureErrors[exercise.lesson] {
                let culprits = changedDeclarations.keys.filter { id in Course.exercise(named: id)?.lesson == exercise.lesson }.sorted()
                message = (culprits.isEmpty ? "a declaration in this lesson changed" : "the declarations of \(culprits.joined(separator: ", ")) changed")
                    + ", so nothing in this lesson can run:\n" + render(errors)
            } else if !unexplained.isEmpty {
                message = "the course itself does not build (this is not about your code):\n" + render(unexplained)
            } else if errors.isEmpty {
                let general = build.generalErrors
                let lines = general.isEmpty
                    ? Array(build.output.split(separator: "\n").suffix(15).map(String.init))
                    : Array(general.prefix(10))
                message = "the build failed:\n" + lines.joined(separator: "\n")
            } else if binaryDate == nil || lessonChanged(exercise.lesson, since: binaryDate!, root: root) {
                let broken = byLesson.keys.sorted().map { "Lessons/\($0)" }.joined(separator: ", ")
                message = "not graded: \(broken) does not compile, and this lesson changed since the last build that worked. Fix the errors there first."
            }
            if let message {
                reports[exercise.id] = GradeReport(id: exercise.id, verdict: .compileError, message: message, seed: seed)
            }
        }
        return reports
    }

    /// Exercises whose file is not where the catalog says, in a lesson
    /// folder that is there (a deleted or renamed stub).
    static func missingFiles(root: URL) -> [ExerciseInfo] {
        let fm = FileManager.default
        return Course.exercises.filter { exercise in
            !fm.fileExists(atPath: root.appendingPathComponent(exercise.lessonPath).path)
                && fm.fileExists(atPath: root.appendingPathComponent("Lessons/\(exercise.lesson)").path)
        }
    }

    /// The learner's files that do not compile or are missing, as
    /// `Lessons/NN-topic/File.swift`.
    public static func brokenFiles(_ build: BuildResult, root: URL) -> Set<String> {
        Set(build.errors.filter { $0.lessonFolder != nil }.map(\.shortPath) + missingFiles(root: root).map(\.lessonPath))
    }

    /// The first few errors, rendered, and how many more there are.
    static func render(_ errors: [CompilerDiagnostic]) -> String {
        var text = errors.prefix(shownErrors).map(\.rendered).joined(separator: "\n")
        if errors.count > shownErrors { text += "\n… and \(errors.count - shownErrors) more errors" }
        return text
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// `true` when a file of the lesson is newer than `date`.
    static func lessonChanged(_ folder: String, since date: Date, root: URL) -> Bool {
        let directory = root.appendingPathComponent("Lessons").appendingPathComponent(folder)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return true }
        return files.filter { $0.hasSuffix(".swift") }.contains { file in
            (modificationDate(directory.appendingPathComponent(file).path) ?? .distantFuture) > date
        }
    }
}
