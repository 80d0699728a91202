#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// What `todo()` does when an unfinished exercise is called.
public enum TodoPolicy: Sendable {
    /// Print where the unfinished code is and exit with status 86.
    case exit
    /// Call the handler (the grader reports "not started"); it must not return.
    case report(@Sendable (_ file: String, _ line: Int) -> Never)

    nonisolated(unsafe) public static var current: TodoPolicy = .exit

    /// The exit status of a program stopped by `todo()`.
    public static let exitStatus: Int32 = 86
}

/// Marks code the learner has not written yet. Every stub in `Lessons/`
/// starts as `todo()`; replace it with your implementation.
///
/// Calling it stops the program (it never returns), so a stub type-checks
/// whatever its return type, and the grader reports the exercise as
/// "not started" rather than failed.
public func todo(_ file: StaticString = #filePath, line: UInt = #line) -> Never {
    let place = "\(file)"
    switch TodoPolicy.current {
    case .report(let handler):
        handler(place, Int(line))
    case .exit:
        Terminal.writeToStandardError("todo(): not implemented yet at \(place):\(line)\n")
        exit(TodoPolicy.exitStatus)
    }
}
