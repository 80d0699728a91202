import Foundation

/// Generates the learner's stub files from the reference solutions.
///
/// A solution file marks each answer with two lines:
///
/// ```swift
/// public func reluForward(_ x: Tensor) -> Tensor {
///     // BEGIN SOLUTION
///     maximum(x, 0)
///     // END SOLUTION
/// }
/// ```
///
/// The stub at the same relative path under `Lessons/` is the same file with
/// each marked region, markers included, replaced by one `todo()` at the
/// indentation of its `BEGIN` line. Everything outside the regions is copied
/// unchanged, so a solution file dropped over its stub always compiles — except
/// the solution's `// BEGIN TABLE` blocks (comments for `TableGenerator`), which
/// the stub leaves out.
public enum StubGenerator {
    public static let beginMarker = "// BEGIN SOLUTION"
    public static let endMarker = "// END SOLUTION"

    /// A malformed marker: where and what.
    public struct MarkerError: Error, CustomStringConvertible, Equatable {
        public let file: String
        public let line: Int
        public let problem: String
        public var description: String { "\(file):\(line): \(problem)" }
    }

    /// The stub text for one solution file.
    ///
    /// - Throws: `MarkerError` for a region that is nested, unterminated or
    ///   closed without being opened, and for a file with no region at all.
    public static func stub(fromSolution text: String, file: String = "<solution>") throws -> String {
        var output: [Substring] = []
        var openedAt: Int?
        var regions = 0
        // The TABLE blocks (see `TableGenerator`) stand after the answers, so the line numbers below still hold.
        let lines = TableGenerator.removingBlocks(from: text).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == beginMarker {
                if let start = openedAt {
                    throw MarkerError(file: file, line: index + 1, problem: "\(beginMarker) inside the region opened on line \(start)")
                }
                openedAt = index + 1
                regions += 1
                let indentation = line.prefix { $0 == " " || $0 == "\t" }
                output.append(indentation + "todo()")
            } else if trimmed == endMarker {
                guard openedAt != nil else {
                    throw MarkerError(file: file, line: index + 1, problem: "\(endMarker) without a \(beginMarker) before it")
                }
                openedAt = nil
            } else if trimmed.hasPrefix("// BEGIN SOLUTION") || trimmed.hasPrefix("// END SOLUTION") {
                throw MarkerError(file: file, line: index + 1, problem: "a marker must be exactly \"\(beginMarker)\" or \"\(endMarker)\" on a line of its own")
            } else if openedAt == nil {
                output.append(line)
            }
        }
        if let start = openedAt {
            throw MarkerError(file: file, line: start, problem: "\(beginMarker) is never closed by \(endMarker)")
        }
        if regions == 0 {
            throw MarkerError(file: file, line: 1, problem: "no \(beginMarker) region: every solution file holds at least one answer")
        }
        return output.joined(separator: "\n")
    }

    /// One solution file and the stub it should produce.
    public struct Pair: Sendable {
        /// Path relative to `Solutions/` and `Lessons/`, e.g. `01-activations/Sigmoid.swift`.
        public let relativePath: String
        public let solution: URL
        public let stub: URL
        public let expectedStub: String
    }

    /// Every solution file under `root/Solutions` with its expected stub.
    public static func pairs(root: URL) throws -> [Pair] {
        let solutions = root.appendingPathComponent("Solutions")
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(at: solutions, includingPropertiesForKeys: nil) else { return [] }
        var result: [Pair] = []
        let prefix = solutions.standardizedFileURL.path + "/"
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let relative = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            let text = try String(contentsOf: url, encoding: .utf8)
            let stub = try self.stub(fromSolution: text, file: "Solutions/" + relative)
            result.append(Pair(relativePath: relative, solution: url,
                               stub: root.appendingPathComponent("Lessons").appendingPathComponent(relative),
                               expectedStub: stub))
        }
        return result.sorted { $0.relativePath < $1.relativePath }
    }

    /// The relative paths of stubs that are missing or differ from what the
    /// generator would write, plus stubs with no solution.
    public static func outOfDate(root: URL) throws -> [String] {
        let all = try pairs(root: root)
        var stale = all.filter { pair in
            (try? String(contentsOf: pair.stub, encoding: .utf8)) != pair.expectedStub
        }.map(\.relativePath)
        let known = Set(all.map(\.relativePath))
        let lessons = root.appendingPathComponent("Lessons")
        let prefix = lessons.standardizedFileURL.path + "/"
        if let enumerator = FileManager.default.enumerator(at: lessons, includingPropertiesForKeys: nil) {
            for case let url as URL in enumerator where url.pathExtension == "swift" {
                let relative = String(url.standardizedFileURL.path.dropFirst(prefix.count))
                if !known.contains(relative) { stale.append(relative + " (no solution file)") }
            }
        }
        return stale.sorted()
    }

    /// What `writeStubs` did: the stubs it wrote, the learner's files it backed
    /// up before overwriting them (`--force`), and the files it left alone.
    public struct WriteResult: Sendable, Equatable {
        /// Paths relative to `Lessons/` that now hold the generated stub.
        public var written: [String] = []
        /// Files that differed from their stub, overwritten with `force`: the relative path and its backup.
        public var backedUp: [Backup] = []
        /// Files that differ from their stub and were not touched (no `force`).
        public var refused: [String] = []

        public struct Backup: Sendable, Equatable {
            public let relativePath: String
            public let backup: URL
        }
    }

    /// Writes every stub that is missing, and — only with `force` — every file
    /// under `Lessons/` that differs from the stub it should be.
    ///
    /// A file that differs may be a learner's work: it is never overwritten
    /// without `force`, and with `force` it is first copied to
    /// `.course/backups/` (as `course reset` does; the result names the copy).
    @discardableResult
    public static func writeStubs(root: URL, only relativePaths: Set<String>? = nil, force: Bool = false) throws -> WriteResult {
        var result = WriteResult()
        for pair in try pairs(root: root) where relativePaths?.contains(pair.relativePath) ?? true {
            let current = try? String(contentsOf: pair.stub, encoding: .utf8)
            if current == pair.expectedStub { continue }
            if let current {
                guard force else {
                    result.refused.append(pair.relativePath)
                    continue
                }
                let name = pair.relativePath.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".swift", with: "")
                let backup = try backUp(current, named: name, root: root)
                result.backedUp.append(.init(relativePath: pair.relativePath, backup: backup))
            }
            try FileManager.default.createDirectory(at: pair.stub.deletingLastPathComponent(), withIntermediateDirectories: true)
            try pair.expectedStub.write(to: pair.stub, atomically: true, encoding: .utf8)
            result.written.append(pair.relativePath)
        }
        return result
    }

    /// The folder of backups, `root/.course/backups` (shared with `course reset`).
    public static func backupFolder(root: URL) -> URL {
        root.appendingPathComponent(".course").appendingPathComponent("backups")
    }

    /// Copies a learner's text to `.course/backups/<name>-<timestamp>.swift`,
    /// never overwriting an earlier backup; returns the file written.
    public static func backUp(_ text: String, named name: String, root: URL) throws -> URL {
        let folder = backupFolder(root: root)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let stamp = formatter.string(from: Date())
        var url = folder.appendingPathComponent("\(name)-\(stamp).swift")
        var counter = 2
        while FileManager.default.fileExists(atPath: url.path) {
            url = folder.appendingPathComponent("\(name)-\(stamp)-\(counter).swift")
            counter += 1
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The report of a `writeStubs` run for an author's command: what was
    /// written, each backup's path, and the files left alone and why.
    /// `command` is how to run it again with `--force`.
    public static func describe(_ result: WriteResult, relativeTo root: URL, command: String) -> String {
        var lines: [String] = []
        let rootPath = root.standardizedFileURL.path + "/"
        func shown(_ url: URL) -> String {
            let path = url.standardizedFileURL.path
            return path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path
        }
        let fresh = result.written.filter { path in !result.backedUp.contains { $0.relativePath == path } }
        if !fresh.isEmpty { lines.append("stubs: wrote " + fresh.map { "Lessons/" + $0 }.joined(separator: ", ")) }
        for item in result.backedUp {
            lines.append("stubs: Lessons/\(item.relativePath) differed from its stub: backed up to \(shown(item.backup)), then overwritten")
        }
        if !result.refused.isEmpty {
            lines.append("stubs: left alone \(result.refused.count) file\(result.refused.count == 1 ? "" : "s") that differ from their stub "
                         + "(a learner's work, or a stub whose solution changed):")
            lines += result.refused.map { "  Lessons/" + $0 }
            lines.append("This command is for course authors. To overwrite them (each is backed up to .course/backups/ first): \(command) --force")
        }
        if lines.isEmpty { lines.append("stubs: all in sync, nothing written") }
        return lines.joined(separator: "\n")
    }
}
