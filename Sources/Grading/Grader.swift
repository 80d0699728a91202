import CourseKit
import Foundation

/// Grades exercises in this process. Learner code can trap or call `todo()`,
/// so the learner's side is graded through `ChildGrader`, in a child process.
public enum Grader {
    /// Whose implementation to grade.
    public enum Subject: Sendable {
        case learner
        case reference
        case variant(Variant)
    }

    /// Runs the exercise's checks in order; the first failure is the diagnosis.
    public static func grade(_ exercise: Exercise, _ subject: Subject, seed: UInt64) -> GradeReport {
        var context = GradingContext(seed: seed, exerciseID: exercise.id)
        do {
            switch subject {
            case .learner: try exercise.checkLearner(&context)
            case .reference: try exercise.checkReference(&context)
            case .variant(let variant): try variant.check(&context)
            }
            let summary = context.passedChecks.isEmpty ? "all checks passed" : context.passedChecks.joined(separator: "; ")
            return GradeReport(id: exercise.id, verdict: .passed, message: summary, seed: seed)
        } catch let failure as CheckFailure {
            return GradeReport(id: exercise.id, verdict: .failed, message: failure.diagnosis, seed: seed)
        } catch let damaged as Dataset.LoadError {
            // Not the learner's code: the course's data file, named with the command that restores it.
            return GradeReport(id: exercise.id, verdict: .failed,
                               message: "could not grade: the course's data could not be read (this is not about your code): \(damaged)",
                               seed: seed)
        } catch {
            return GradeReport(id: exercise.id, verdict: .failed, message: "unexpected error: \(error)", seed: seed)
        }
    }
}

/// The child-process side of grading one learner exercise.
///
/// The parent (a `swift test` exit test, or the `course` runner) starts a
/// child that calls `run`; the child prints exactly one report line starting
/// with `reportPrefix` and exits with `exitStatus`. If the learner's code traps
/// the child dies by a signal instead and prints no report: the parent calls
/// that a crash. A `todo()` reached in the learner's code reports
/// "not started"; a watchdog reports "timed out" after the time limit.
public enum ChildGrader {
    public static let reportPrefix = "@@dlfs-report "
    /// The child's exit status after printing a report (any verdict).
    public static let exitStatus: Int32 = 3
    /// Seconds before the watchdog reports a hang; `DLFS_TIME_LIMIT` overrides.
    public static let defaultTimeLimit = 20.0

    public static var timeLimit: Double {
        ProcessInfo.processInfo.environment["DLFS_TIME_LIMIT"].flatMap(Double.init) ?? defaultTimeLimit
    }

    /// Grades the learner's implementation of `exerciseID` and exits.
    public static func run(exerciseID: String) -> Never {
        guard let exercise = Catalog.exercise(id: exerciseID) else {
            report(GradeReport(id: exerciseID, verdict: .failed, message: "no exercise with id \(exerciseID)",
                               seed: Seed.forThisRun()))
        }
        run(exercise: exercise)
    }

    /// Grades the learner's implementation of an exercise (one outside the
    /// catalog too, such as the runner's test fixtures) and exits.
    public static func run(exercise: Exercise) -> Never {
        let seed = Seed.forThisRun()
        let exerciseID = exercise.id
        TodoPolicy.current = .report { file, line in
            let path = Catalog.shortPath(file)
            // A todo() of another exercise: the learner's own code is written, and calls one that is not.
            if let owner = Catalog.exercise(owningTodoIn: file, line: line), owner.id != exerciseID {
                report(GradeReport(id: exerciseID, verdict: .failed, message: """
                    your code calls a function that is not written yet: todo() at \(path):\(line), exercise \(owner.id). \
                    Pass \(owner.id) first, then come back to \(exerciseID).
                    """, seed: seed))
            }
            report(GradeReport(id: exerciseID, verdict: .notStarted, message: "not started: todo() at \(path):\(line)", seed: seed))
        }
        let limit = timeLimit
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: limit)
            report(GradeReport(id: exerciseID, verdict: .timedOut,
                               message: "timed out: still running after \(Diagnosis.short(limit)) s — an infinite loop?", seed: seed))
        }
        watchdog.start()
        report(Grader.grade(exercise, .learner, seed: seed))
    }

    /// Prints a report line and exits the child.
    static func report(_ report: GradeReport) -> Never {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // A newline first, in case the learner's code left a line unfinished.
        print("\n" + reportPrefix + json)
        Terminal.flushStandardOutput()
        exit(exitStatus)
    }

    /// The report in a child's standard output, or `nil` when there is none (a crash).
    public static func parseReport(standardOutput: String) -> GradeReport? {
        guard let line = standardOutput.split(separator: "\n").last(where: { $0.hasPrefix(reportPrefix) }) else { return nil }
        return try? JSONDecoder().decode(GradeReport.self, from: Data(line.dropFirst(reportPrefix.count).utf8))
    }
}
