import Foundation

/// The little the runner remembers between runs, in `.course/` (ignored by
/// git): how many hint rungs were shown, whether the welcome was shown, the
/// last catalog of exercises, and backups made by `reset`. Progress is never stored: it comes from grading.
/// Anything unreadable here is treated as absent — nothing is lost.
public struct LocalState: Sendable {
    public let directory: URL

    public init(root: URL) {
        directory = root.appendingPathComponent(".course")
    }

    var hintsFile: URL { directory.appendingPathComponent("hints.json") }
    var welcomeFile: URL { directory.appendingPathComponent("welcomed") }
    public var backups: URL { directory.appendingPathComponent("backups") }
    public var demos: URL { directory.appendingPathComponent("demos") }

    /// How many rungs of each exercise's hint ladder were shown.
    public func hintsShown() -> [String: Int] {
        guard let data = try? Data(contentsOf: hintsFile),
              let counts = try? JSONDecoder().decode([String: Int].self, from: data) else { return [:] }
        return counts
    }

    public func setHintsShown(_ count: Int, for id: String) {
        var counts = hintsShown()
        counts[id] = count
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(counts) else { return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? data.write(to: hintsFile, options: .atomic)
    }

    var catalogFile: URL { directory.appendingPathComponent("catalog.json") }

    /// The catalog of the last grader that could say, for when the course
    /// does not compile.
    public func cachedCatalog() -> CourseCatalog? {
        guard let data = try? Data(contentsOf: catalogFile) else { return nil }
        return try? JSONDecoder().decode(CourseCatalog.self, from: data)
    }

    public func saveCatalog(_ catalog: CourseCatalog) {
        if cachedCatalog() == catalog { return }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? Data(catalog.json.utf8).write(to: catalogFile, options: .atomic)
    }

    /// `true` the first time only.
    public func firstVisit() -> Bool {
        if FileManager.default.fileExists(atPath: welcomeFile.path) { return false }
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? Data("welcomed\n".utf8).write(to: welcomeFile)
        return true
    }
}
