import Foundation
import Testing

/// GitHub renders a chapter's math only in some forms: display math in a
/// ```` ```math ```` block (inside `$$ … $$` its Markdown eats `\\` and the
/// backslash of `\,`), no spacing escapes, no math in headings. Doc comments
/// are read in an editor, so they carry plain Unicode math, not LaTeX.
@Suite struct ChapterMathTests {
    static let root = CourseBinary.repositoryRoot

    static func files(under folder: String, named predicate: (String) -> Bool) -> [URL] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { predicate($0.lastPathComponent) }
            .sorted { $0.path < $1.path }
    }

    /// Every problem in one chapter, as `README.md:LINE: what`.
    static func problems(inChapter url: URL) throws -> [String] {
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        let name = url.deletingLastPathComponent().lastPathComponent + "/README.md"
        var problems: [String] = []
        var fence: String? = nil   // the info string of the open code block
        for (index, line) in lines.enumerated() {
            let at = "\(name):\(index + 1)"
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                fence = fence == nil ? String(trimmed.dropFirst(3)) : nil
                continue
            }
            if let fence, fence != "math" { continue }   // Swift, shell: not math
            if line.contains("$$") { problems.append("\(at): $$ (use a ```math block)") }
            for escape in ["\\,", "\\;", "\\!", "\\:"] where line.contains(escape) {
                problems.append("\(at): \(escape) (GitHub shows it as punctuation)")
            }
            if let range = line.range(of: "\\\\"),
               !line[range.upperBound...].trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append("\(at): \\\\ in the middle of a line")
            }
            if fence == nil, trimmed.hasPrefix("#"), line.contains("$") {
                problems.append("\(at): math in a heading")
            }
        }
        if fence != nil { problems.append("\(name): a code block is never closed") }
        return problems
    }

    @Test func chaptersUseMathThatGitHubRenders() throws {
        let chapters = Self.files(under: "Lessons") { $0 == "README.md" }
        #expect(chapters.count >= 4, "no chapters found under \(Self.root.path)/Lessons")
        var problems: [String] = []
        for chapter in chapters { problems += try Self.problems(inChapter: chapter) }
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
    }

    @Test func theCheckCatchesEachPattern() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("chapter-math-\(UUID().uuidString)/99-x")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        let chapter = folder.appendingPathComponent("README.md")
        try """
        ## 1. The gradient: $\\sigma(z) - y$
        $$
        a\\,b
        $$
        ```math
        \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}
        a \\\\
        ```
        ```swift
        let s = "\\\\,"
        ```
        """.write(to: chapter, atomically: true, encoding: .utf8)
        let found = try Self.problems(inChapter: chapter)
        #expect(found.count == 5, "\(found)")
        #expect(found.contains { $0.contains(":1: math in a heading") })
        #expect(found.filter { $0.contains("$$") }.count == 2)
        #expect(found.contains { $0.contains(":3: \\,") })
        #expect(found.contains { $0.contains(":6: \\\\ in the middle") })
    }

    /// `$`, `^{`, `_{` or a backslash command such as `\frac`.
    static func looksLikeLaTeX(_ line: String) -> Bool {
        if line.contains("$") || line.contains("^{") || line.contains("_{") { return true }
        let characters = Array(line)
        return characters.indices.dropLast().contains { characters[$0] == "\\" && characters[$0 + 1].isLetter }
    }

    @Test func docCommentsAreUnicodeNotLaTeX() throws {
        let sources = Self.files(under: "Solutions") { $0.hasSuffix(".swift") }
        #expect(!sources.isEmpty)
        var problems: [String] = []
        for file in sources {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            for (index, line) in lines.enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("///"), Self.looksLikeLaTeX(trimmed) else { continue }
                problems.append("\(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent):\(index + 1): \(trimmed)")
            }
        }
        #expect(problems.isEmpty, "LaTeX in doc comments (write ∂L/∂x = dOut ⊙ y ⊙ (1 − y)):\n\(problems.joined(separator: "\n"))")
    }
}
