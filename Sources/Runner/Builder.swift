import Foundation

/// One compiler message: `path:line:column: error: message`, and the source
/// excerpt the compiler prints under it.
public struct CompilerDiagnostic: Hashable, Sendable {
    public var path: String
    public var line: Int
    public var column: Int
    public var severity: String
    public var message: String
    public var excerpt: [String]

    /// `Lessons/01-activations/Sigmoid.swift` (or the path relative to the course folder).
    public var shortPath: String { Paths.short(path) }

    /// The lesson folder when the file is a learner's file (`01-activations`).
    public var lessonFolder: String? {
        guard let range = path.range(of: "Lessons/", options: .backwards) else { return nil }
        let rest = path[range.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        return String(rest[..<slash])
    }

    public var isError: Bool { severity == "error" }

    /// The message as the learner reads it: `file:line:col: error: …` and the excerpt.
    public var rendered: String {
        ([ "\(shortPath):\(line):\(column): \(severity): \(message)" ] + excerpt).joined(separator: "\n")
    }
}

/// What a build did.
public struct BuildResult: Sendable {
    public var succeeded: Bool
    public var output: String
    public var seconds: Double

    /// The compiler's errors, each once (a batch-mode compiler repeats them).
    public var errors: [CompilerDiagnostic] { Builder.parseDiagnostics(output).filter(\.isError) }

    /// Errors that name no file (a package manifest problem, a missing file, the linker).
    public var generalErrors: [String] {
        output.split(separator: "\n").map(String.init).filter { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("error:") || trimmed.contains(": error: ") && !trimmed.contains(".swift:")
        }
    }
}

/// What a running build is doing, as far as the learner cares.
public enum BuildProgress: Sendable, Equatable {
    /// SwiftPM waits for another build of the same folder to finish.
    case waitingForLock
    /// Something is being compiled (not just an up-to-date check).
    case compiling
}

/// Builds the grader with `swift build`, the way a learner would.
public struct Builder: Sendable {
    public enum Configuration: String, Sendable { case debug, release }

    public var root: URL
    /// `--scratch-path` for `swift build`; `nil` for the default `.build`.
    public var scratchPath: String?

    public init(root: URL, scratchPath: String?) {
        self.root = root
        self.scratchPath = scratchPath
    }

    var scratchArguments: [String] { scratchPath.map { ["--scratch-path", $0] } ?? [] }

    /// What SwiftPM prints while another `swift build` or `swift test` holds
    /// the build folder's lock.
    static let lockMarkers = ["Another instance of SwiftPM", "waiting until that process has finished"]

    /// What to tell the learner while the build waits for another one.
    public static let waitingMessage =
        "waiting for another build of this folder to finish (a `swift build` or `swift test` in another terminal?)…"

    /// `true` when build output says SwiftPM waits for another build's lock.
    public static func waitsForLock(_ output: String) -> Bool { lockMarkers.contains { output.contains($0) } }

    /// `swift build --product course-grader` (the learner's code and the
    /// graders), output captured. `progress` hears `waitingMessage` when
    /// SwiftPM waits for another build, and `compiling` once it compiles.
    public func build(_ configuration: Configuration = .debug, progress: (BuildProgress) -> Void = { _ in }) -> BuildResult {
        let start = Date()
        var arguments = ["build", "--package-path", root.path, "--product", GraderContract.graderProduct] + scratchArguments
        if configuration == .release { arguments += ["-c", "release"] }
        var waiting = false
        var compiling = false
        var seen = ""
        do {
            let result = try ChildProcess.run("swift", arguments, environment: Builder.environment,
                                              headLimit: 4 * 1024 * 1024, tailLimit: 64 * 1024, onOutput: { chunk in
                // A marker may be split across two chunks: look at the end of what came before too.
                let text = String(seen.suffix(200)) + chunk
                seen = text
                if !waiting, Builder.waitsForLock(text) {
                    waiting = true
                    progress(.waitingForLock)
                }
                if !compiling, text.contains("Compiling") || text.contains("Linking") {
                    compiling = true
                    progress(.compiling)
                }
            })
            let text = result.standardOutput.text + "\n" + result.standardError.text
            return BuildResult(succeeded: result.termination == .exited(0), output: text,
                               seconds: Date().timeIntervalSince(start))
        } catch {
            return BuildResult(succeeded: false, output: "error: \(error) — is the Swift toolchain on your PATH?",
                               seconds: Date().timeIntervalSince(start))
        }
    }

    /// The environment for `swift build`: plain output.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "DLFS_COLOR")
        return environment
    }

    /// The folder holding the built products.
    public func binPath(_ configuration: Configuration = .debug) -> URL {
        let scratch = scratchPath.map { URL(fileURLWithPath: $0, relativeTo: root).standardizedFileURL }
            ?? root.appendingPathComponent(".build")
        // SwiftPM keeps `<scratch>/debug` as a link to the platform's folder.
        let direct = scratch.appendingPathComponent(configuration.rawValue)
        if FileManager.default.fileExists(atPath: direct.path) { return direct }
        var arguments = ["build", "--package-path", root.path, "--show-bin-path"] + scratchArguments
        if configuration == .release { arguments += ["-c", "release"] }
        if let result = try? ChildProcess.run("swift", arguments, environment: Builder.environment),
           result.termination == .exited(0) {
            let path = result.standardOutput.text.trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\n").last.map(String.init) ?? ""
            if !path.isEmpty { return URL(fileURLWithPath: path) }
        }
        return direct
    }

    /// The built grader executable, `course-grader`.
    public func executable(_ configuration: Configuration = .debug) -> URL {
        binPath(configuration).appendingPathComponent(GraderContract.graderProduct)
    }

    /// The compiler's messages in build output, each once, in order.
    public static func parseDiagnostics(_ output: String) -> [CompilerDiagnostic] {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [CompilerDiagnostic] = []
        var seen = Set<String>()
        var index = 0
        while index < lines.count {
            defer { index += 1 }
            guard var diagnostic = header(lines[index]) else { continue }
            // The excerpt: numbered source lines and the markers under them.
            var next = index + 1
            while next < lines.count, isExcerptLine(lines[next]) {
                diagnostic.excerpt.append(lines[next])
                next += 1
            }
            index = next - 1
            let key = "\(diagnostic.path):\(diagnostic.line):\(diagnostic.column):\(diagnostic.severity):\(diagnostic.message)"
            if seen.insert(key).inserted { result.append(diagnostic) }
        }
        return result
    }

    /// `path:line:col: severity: message`, or nil.
    static func header(_ line: String) -> CompilerDiagnostic? {
        for severity in ["error", "warning", "note"] {
            guard let marker = line.range(of: ": \(severity): ") else { continue }
            let location = line[..<marker.lowerBound]
            let parts = location.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let column = Int(parts[parts.count - 1]), let number = Int(parts[parts.count - 2]) else {
                continue
            }
            let path = parts[..<(parts.count - 2)].joined(separator: ":")
            guard path.hasSuffix(".swift") else { continue }
            return CompilerDiagnostic(path: path, line: number, column: column, severity: severity,
                                      message: String(line[marker.upperBound...]), excerpt: [])
        }
        return nil
    }

    /// `12 | code`, `   | ^ marker`, or `   | `- error: …`.
    static func isExcerptLine(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " }
        guard !trimmed.isEmpty else { return false }
        let beforeBar = trimmed.prefix { $0 != "|" }
        guard beforeBar.count < trimmed.count else { return false }
        return beforeBar.allSatisfy { $0.isNumber || $0 == " " }
    }
}

/// Paths as the learner reads them.
public enum Paths {
    /// `Lessons/01-activations/Sigmoid.swift` from an absolute path; other
    /// paths inside the course folder relative to it.
    public static func short(_ path: String) -> String {
        for marker in ["/Lessons/", "/Solutions/", "/Sources/", "/Tests/"] {
            if let range = path.range(of: marker, options: .backwards) {
                return String(marker.dropFirst()) + path[range.upperBound...]
            }
        }
        return path
    }
}
