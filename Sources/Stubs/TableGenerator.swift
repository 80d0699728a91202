import Foundation

/// Generates each lesson's function table (`Sources/Implementations/Generated/<Struct>+Tables.swift`)
/// from the `TABLE` blocks in its solution files, so that an exercise is one
/// solution file and one grader spec.
///
/// A solution file ends with one block per exercise it holds, in comments:
///
/// ```swift
/// // BEGIN TABLE ActivationFunctions activations.sigmoid
/// // sigmoidForward: Unary = { Module.sigmoidForward($0) }
/// // sigmoidBackward: Backward = { Module.sigmoidBackward($0, output: $1) }
/// // END TABLE
/// ```
///
/// The header names the table's struct and the exercise id; `needs ID ID …`
/// after the id makes the mix use the learner's entries only when those
/// exercises have passed too. Each entry is `name: ClosureType = adapter`,
/// where the adapter calls the lesson's functions as `Module.f(…)`; a long
/// type continues on indented lines and its adapter on a line of its own that
/// starts with `= `; `///` lines document the next entry.
/// The generated struct has one stored closure per entry, a `learner` table
/// (`Module` is the learner's module), a `reference` table (the solutions'
/// module) and `mixing(learnerFor:)`; typealiases, helpers and variants stay
/// hand-written, in extensions. The stub generator leaves the blocks out of
/// the learner's stubs.
public enum TableGenerator {
    public static let beginMarker = "// BEGIN TABLE"
    public static let endMarker = "// END TABLE"
    /// Where the generated tables live, relative to the root.
    public static let folder = "Sources/Implementations/Generated"
    /// The placeholder an adapter uses for the module it calls.
    public static let modulePlaceholder = "Module"

    /// One `name: Type = adapter` line group of a block.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var documentation: [String]
        /// The closure type, its continuation lines with their indentation.
        public var type: [String]
        /// The adapter, with `Module.` where the lesson's module goes.
        public var adapter: [String]
    }

    /// One `BEGIN TABLE … END TABLE` block.
    public struct Block: Sendable, Equatable {
        public var structName: String
        public var exerciseID: String
        public var needs: [String]
        public var entries: [Entry]
        /// `Solutions/<lesson>/<file>`, for messages.
        public var file: String
    }

    public struct TableError: Error, CustomStringConvertible, Equatable {
        public let file: String
        public let line: Int
        public let problem: String
        public var description: String { "\(file):\(line): \(problem)" }
    }

    /// The solution text without its TABLE blocks (what the stub and `course solution` show).
    public static func removingBlocks(from text: String) -> String {
        var inside = false
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(beginMarker) {
                // The blank lines that set the block apart go with it.
                while kept.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { kept.removeLast() }
                inside = true
            } else if inside {
                if trimmed == endMarker { inside = false }
            } else {
                kept.append(line)
            }
        }
        return kept.joined(separator: "\n")
    }

    /// The TABLE blocks of one solution file.
    public static func blocks(in text: String, file: String) throws -> [Block] {
        var result: [Block] = []
        var current: Block?
        var openedAt = 0
        var pendingDocumentation: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let trimmed = rawLine.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(beginMarker) {
                guard current == nil else {
                    throw TableError(file: file, line: number, problem: "\(beginMarker) inside the block opened on line \(openedAt)")
                }
                let words = trimmed.dropFirst(beginMarker.count).split(separator: " ").map(String.init)
                guard words.count >= 2, words.count == 2 || (words[2] == "needs" && words.count > 3) else {
                    throw TableError(file: file, line: number,
                                     problem: "a table block opens with \"\(beginMarker) <Struct> <exercise id> [needs <id> …]\"")
                }
                current = Block(structName: words[0], exerciseID: words[1], needs: Array(words.dropFirst(3)), entries: [], file: file)
                openedAt = number
                pendingDocumentation = []
                continue
            }
            guard var block = current else {
                if trimmed == endMarker {
                    throw TableError(file: file, line: number, problem: "\(endMarker) without a \(beginMarker) before it")
                }
                continue
            }
            if trimmed == endMarker {
                guard !block.entries.isEmpty else {
                    throw TableError(file: file, line: openedAt, problem: "the table block for \(block.exerciseID) has no entry")
                }
                result.append(try finished(block, openedAt: openedAt))
                current = nil
                continue
            }
            if trimmed.isEmpty { continue }
            guard trimmed.hasPrefix("//") else {
                throw TableError(file: file, line: number, problem: "a table block holds only // comment lines (close it with \(endMarker))")
            }
            var content = Substring(trimmed.dropFirst(2))
            if content.hasPrefix(" ") { content = content.dropFirst() }
            let line = String(content)
            if line.hasPrefix("///") {
                pendingDocumentation.append(line)
            } else if line.first.map({ $0.isLetter || $0 == "_" }) == true {
                guard let colon = line.firstIndex(of: ":") else {
                    throw TableError(file: file, line: number, problem: "an entry starts \"name: ClosureType = adapter\"")
                }
                let name = String(line[..<colon])
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw TableError(file: file, line: number, problem: "`\(name)` is not a property name")
                }
                let rest = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                block.entries.append(Entry(name: name, documentation: pendingDocumentation, type: [rest], adapter: []))
                pendingDocumentation = []
            } else if !block.entries.isEmpty {
                block.entries[block.entries.count - 1].type.append(line)
            } else {
                throw TableError(file: file, line: number, problem: "a table block starts with an entry (`name: Type = adapter`) or `///`")
            }
            current = block
        }
        if current != nil {
            throw TableError(file: file, line: openedAt, problem: "\(beginMarker) is never closed by \(endMarker)")
        }
        return result
    }

    /// Splits each entry's lines at its first ` = ` into the type and the adapter.
    private static func finished(_ block: Block, openedAt: Int) throws -> Block {
        var block = block
        for (k, entry) in block.entries.enumerated() {
            let lines = entry.type
            // The adapter follows the first ` = `, or a line that starts with `= `.
            guard let row = lines.firstIndex(where: { $0.hasPrefix("= ") || $0.contains(" = ") }) else {
                throw TableError(file: block.file, line: openedAt, problem: "entry `\(entry.name)` has no ` = adapter`")
            }
            let line = lines[row]
            let split = line.hasPrefix("= ") ? line.startIndex..<line.index(line.startIndex, offsetBy: 2) : line.range(of: " = ")!
            let typeTail = String(line[..<split.lowerBound])
            let adapterHead = String(line[split.upperBound...]).trimmingCharacters(in: .whitespaces)
            var type = Array(lines[..<row]) + [typeTail]
            type = type.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let adapter = [adapterHead] + lines[(row + 1)...]
            guard !type.isEmpty, !adapterHead.isEmpty else {
                throw TableError(file: block.file, line: openedAt, problem: "entry `\(entry.name)` needs a type and an adapter")
            }
            block.entries[k].type = type
            block.entries[k].adapter = adapter
        }
        return block
    }

    /// A lesson folder and its two modules, read from `Package.swift`'s `Lesson(folder:module:…)` lines.
    public struct LessonModules: Sendable, Equatable {
        public let folder: String
        public let module: String
        public var solutionModule: String { module + "Solutions" }
    }

    public static func lessonModules(root: URL) throws -> [LessonModules] {
        let manifest = root.appendingPathComponent("Package.swift")
        guard let text = try? String(contentsOf: manifest, encoding: .utf8) else { return [] }
        let pattern = try NSRegularExpression(pattern: #"Lesson\(folder: "([^"]+)", module: "([^"]+)""#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).map { match in
            LessonModules(folder: String(text[Range(match.range(at: 1), in: text)!]),
                          module: String(text[Range(match.range(at: 2), in: text)!]))
        }
    }

    /// One generated file: its path relative to the root and its text.
    public struct Table: Sendable, Equatable {
        public let relativePath: String
        public let text: String
    }

    /// Every table the solutions' TABLE blocks describe.
    public static func tables(root: URL) throws -> [Table] {
        let solutions = root.appendingPathComponent("Solutions")
        let fm = FileManager.default
        guard let folders = try? fm.contentsOfDirectory(atPath: solutions.path) else { return [] }
        let modules = try lessonModules(root: root)
        var result: [Table] = []
        for folder in folders.sorted() {
            let directory = solutions.appendingPathComponent(folder)
            guard let files = try? fm.contentsOfDirectory(atPath: directory.path) else { continue }
            var blocks: [Block] = []
            var imports = Set<String>()
            for file in files.sorted() where file.hasSuffix(".swift") {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                blocks += try self.blocks(in: text, file: "Solutions/\(folder)/\(file)")
                for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                    imports.insert(String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces))
                }
            }
            guard let first = blocks.first else { continue }
            guard let lesson = modules.first(where: { $0.folder == folder }) else {
                throw TableError(file: first.file, line: 1, problem: "Solutions/\(folder) has table blocks but Package.swift has no Lesson(folder: \"\(folder)\", module: …)")
            }
            if let other = blocks.first(where: { $0.structName != first.structName }) {
                throw TableError(file: other.file, line: 1,
                                 problem: "every table block of Solutions/\(folder) names one struct: \(first.structName), not \(other.structName)")
            }
            var seen: [String: String] = [:]
            for block in blocks {
                for entry in block.entries {
                    if let earlier = seen[entry.name] {
                        throw TableError(file: block.file, line: 1, problem: "entry `\(entry.name)` is also in \(earlier)")
                    }
                    seen[entry.name] = block.file
                }
            }
            imports.formUnion([lesson.module, lesson.solutionModule])
            result.append(Table(relativePath: "\(self.folder)/\(first.structName)+Tables.swift",
                                text: render(blocks, lesson: lesson, imports: imports)))
        }
        return result
    }

    static func render(_ blocks: [Block], lesson: LessonModules, imports: Set<String>) -> String {
        let name = blocks[0].structName
        let number = lesson.folder.prefix { $0.isNumber }
        let entries = blocks.flatMap(\.entries)
        var out: [String] = []
        out.append("// Generated by `swift run stubgen` from the TABLE blocks in Solutions/\(lesson.folder): do not edit.")
        out.append("// An entry changes in its solution file; helpers, typealiases and variants are hand-written, in extensions.")
        out.append("")
        out += imports.sorted().map { "import " + $0 }
        out.append("")
        out.append("/// Lesson \(number)'s functions as values, so that graders and demos can run the")
        out.append("/// learner's code, the reference code, or a mix (see `mixing(learnerFor:)`).")
        out.append("public struct \(name): Sendable {")
        for entry in entries {
            out += entry.documentation.map { "    " + $0 }
            out.append("    public var \(entry.name): " + entry.type[0])
            out += entry.type.dropFirst().map { "    " + $0 }
        }
        for (label, module, folder) in [("The learner's code in `Lessons/", lesson.module, lesson.folder),
                                         ("The reference solutions in `Solutions/", lesson.solutionModule, lesson.folder)] {
            out.append("")
            out.append("    /// \(label)\(folder)`.")
            out.append("    public static let \(module == lesson.module ? "learner" : "reference") = \(name)(")
            for (k, entry) in entries.enumerated() {
                let adapter = entry.adapter.map { substitute(module, in: $0) }
                out.append("        \(entry.name): " + adapter[0] + (adapter.count == 1 ? (k == entries.count - 1 ? ")" : ",") : ""))
                for (j, line) in adapter.enumerated().dropFirst() {
                    out.append("        " + line + (j == adapter.count - 1 ? (k == entries.count - 1 ? ")" : ",") : ""))
                }
            }
        }
        out.append("")
        out.append("    /// The learner's functions for the exercises in `passed`, the reference for the rest.")
        out.append("    public static func mixing(learnerFor passed: Set<String>) -> \(name) {")
        out.append("        var mix = reference")
        out.append("        let learner = learner")
        for block in blocks {
            if block.needs.isEmpty {
                out.append("        if passed.contains(\"\(block.exerciseID)\") {")
            } else {
                out.append("        // \(block.exerciseID) runs the learner's code of the exercises it needs: the learner's entries only when those passed too.")
                let all = ([block.exerciseID] + block.needs).map { "\"\($0)\"" }.joined(separator: ", ")
                out.append("        if ([\(all)] as Set<String>).isSubset(of: passed) {")
            }
            out += block.entries.map { "            mix.\($0.name) = learner.\($0.name)" }
            out.append("        }")
        }
        out.append("        return mix")
        out.append("    }")
        out.append("}")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// `Module.` → `<module>.` wherever `Module` stands as a whole word.
    static func substitute(_ module: String, in line: String) -> String {
        var result = ""
        var rest = Substring(line)
        let token = modulePlaceholder + "."
        while let range = rest.range(of: token) {
            let before = rest[..<range.lowerBound]
            let previous = before.last ?? (result.last ?? " ")
            result += before
            result += (previous.isLetter || previous.isNumber || previous == "_" || previous == ".") ? token : module + "."
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    /// The generated files that are missing, differ from their blocks, or have no blocks any more.
    public static func outOfDate(root: URL) throws -> [String] {
        let expected = try tables(root: root)
        var stale = expected.filter { table in
            (try? String(contentsOf: root.appendingPathComponent(table.relativePath), encoding: .utf8)) != table.text
        }.map(\.relativePath)
        let known = Set(expected.map(\.relativePath))
        let directory = root.appendingPathComponent(folder)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where file.hasSuffix(".swift") {
            let path = "\(folder)/\(file)"
            if !known.contains(path) { stale.append(path + " (no TABLE blocks make it)") }
        }
        return stale.sorted()
    }

    /// Writes every table that differs (these files are generated, never edited: no backup),
    /// and removes generated files no block makes any more. Returns the paths changed.
    @discardableResult
    public static func writeTables(root: URL) throws -> [String] {
        var changed: [String] = []
        let expected = try tables(root: root)
        for table in expected {
            let url = root.appendingPathComponent(table.relativePath)
            if (try? String(contentsOf: url, encoding: .utf8)) == table.text { continue }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try table.text.write(to: url, atomically: true, encoding: .utf8)
            changed.append(table.relativePath)
        }
        let known = Set(expected.map(\.relativePath))
        let directory = root.appendingPathComponent(folder)
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where file.hasSuffix(".swift") {
            let path = "\(folder)/\(file)"
            if !known.contains(path) {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(file))
                changed.append(path + " (removed)")
            }
        }
        return changed
    }
}
