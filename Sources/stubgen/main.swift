import Foundation
import Stubs

// stubgen — for course authors: writes (or checks) the learner's stubs in
// Lessons/ from the reference solutions in Solutions/, and each lesson's
// function table in Sources/Implementations/Generated/ from the solutions'
// `// BEGIN TABLE` blocks. It depends on nothing but Foundation, so it works
// even when lesson code does not compile.
//
//   swift run stubgen            write missing stubs; leave alone every file that differs from its stub;
//                                rewrite every function table that differs from its blocks
//   swift run stubgen --force    also overwrite those stubs, each backed up to .course/backups/ first
//   swift run stubgen --check    exit 1 if any stub or function table is out of date
//   swift run stubgen --root DIR use another checkout
//
// A file under Lessons/ that differs from its stub may be a learner's work:
// it is never overwritten without --force, and never without a backup.

var arguments = Array(CommandLine.arguments.dropFirst())
var root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
if let i = arguments.firstIndex(of: "--root"), i + 1 < arguments.count {
    root = URL(fileURLWithPath: arguments[i + 1])
    arguments.removeSubrange(i...(i + 1))
}
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
    usage: stubgen [--check | --force] [--root DIR]

    For course authors: writes the stubs in Lessons/ from the solutions in Solutions/,
    and the function tables in \(TableGenerator.folder)/ from the solutions' TABLE blocks.
    (Learners: to restore one exercise's stub, use `swift run course reset ID`.)
      (no option)  write missing stubs; files that differ from their stub are left alone and listed;
                   rewrite the function tables that differ (generated files: no backup)
      --force      overwrite those stubs too, after backing each up to .course/backups/ (the path is printed)
      --check      exit 1 if any stub or function table is missing or differs from its solution
    """)
    exit(0)
}
if let unknown = arguments.first(where: { !["--check", "--force"].contains($0) }) {
    print("stubgen: unknown argument `\(unknown)` (see `stubgen --help`)")
    exit(2)
}
do {
    if arguments.contains("--check") {
        let stale = try StubGenerator.outOfDate(root: root)
        let staleTables = try TableGenerator.outOfDate(root: root)
        if stale.isEmpty {
            print("stubs: all \(try StubGenerator.pairs(root: root).count) stubs are in sync with their solutions")
        } else {
            print("stubs that differ from their solutions (for course authors: `swift run stubgen --force` regenerates them, after a backup):")
            stale.forEach { print("  Lessons/\($0)") }
        }
        if staleTables.isEmpty {
            print("tables: all \(try TableGenerator.tables(root: root).count) function tables are in sync with the solutions' TABLE blocks")
        } else {
            print("function tables that differ from the TABLE blocks in Solutions/ (generated files, never edited: `swift run stubgen` rewrites them):")
            staleTables.forEach { print("  \($0)") }
        }
        if !stale.isEmpty || !staleTables.isEmpty { exit(1) }
    } else {
        let result = try StubGenerator.writeStubs(root: root, force: arguments.contains("--force"))
        print(StubGenerator.describe(result, relativeTo: root, command: "swift run stubgen"))
        let tables = try TableGenerator.writeTables(root: root)
        print(tables.isEmpty ? "tables: all in sync, nothing written" : "tables: wrote " + tables.joined(separator: ", "))
        // Files left alone are not an error: stubgen did what it safely could.
    }
} catch {
    print("stubgen: \(error)")
    exit(1)
}
