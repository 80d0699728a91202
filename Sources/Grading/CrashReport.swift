/// Turns the standard error of a child that died into a short report: the
/// runtime's message and the first place in the learner's files.
public enum CrashReport {
    /// `SWIFT_BACKTRACE` for a grading child: a short, symbolicated backtrace of
    /// the crashed thread, with `file:line` for every frame that has debug info.
    public static let backtraceSettings = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"

    /// For example "Fatal error: Index out of range — at Lessons/01-activations/Softmax.swift:21".
    public static func summarize(standardError: String, exitDescription: String) -> String {
        let lines = standardError.split(separator: "\n").map(String.init)
        let fatal = lines.first { $0.contains("Fatal error") || $0.contains("Precondition failed") || $0.contains("Assertion failed") }
        var summary = "crashed (\(exitDescription))"
        if let fatal { summary += ": " + fatal.trimmingPrefix(while: { $0 == " " }) }
        if let place = learnerLocation(in: lines) { summary += "\n  at " + place }
        return summary
    }

    /// The first `Lessons/…swift:line` mentioned in a backtrace or message.
    public static func learnerLocation(in lines: [String]) -> String? {
        for line in lines {
            guard let range = line.range(of: "Lessons/") else { continue }
            let rest = line[range.lowerBound...]
            let end = rest.firstIndex(where: { $0 == " " || $0 == ")" || $0 == "," }) ?? rest.endIndex
            let place = String(rest[..<end])
            if place.contains(".swift:") {
                // Drop a trailing column number: file.swift:12:5 → file.swift:12
                let parts = place.split(separator: ":")
                return parts.count >= 2 ? "\(parts[0]):\(parts[1])" : place
            }
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> String {
        String(drop(while: predicate))
    }
}
