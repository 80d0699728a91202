import Foundation
import Stubs

// stubgen — writes (or checks) the learner's stubs in Lessons/ from the
// reference solutions in Solutions/. It depends on nothing but Foundation,
// so it works even when lesson code does not compile.
//
//   swift run stubgen            write missing or out-of-date stubs
//   swift run stubgen --check    exit 1 if any stub is out of date
//   swift run stubgen --root DIR use another checkout

var arguments = Array(CommandLine.arguments.dropFirst())
var root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
if let i = arguments.firstIndex(of: "--root"), i + 1 < arguments.count {
    root = URL(fileURLWithPath: arguments[i + 1])
    arguments.removeSubrange(i...(i + 1))
}
if arguments.contains("--help") || arguments.contains("-h") {
    print("usage: stubgen [--check] [--root DIR]")
    exit(0)
}
do {
    if arguments.contains("--check") {
        let stale = try StubGenerator.outOfDate(root: root)
        if stale.isEmpty {
            print("stubs: all \(try StubGenerator.pairs(root: root).count) stubs are in sync with their solutions")
        } else {
            print("stubs out of date (run `swift run stubgen` to regenerate):")
            stale.forEach { print("  Lessons/\($0)") }
            exit(1)
        }
    } else {
        let written = try StubGenerator.writeStubs(root: root)
        print(written.isEmpty ? "stubs: nothing to write" : "stubs: wrote \(written.map { "Lessons/" + $0 }.joined(separator: ", "))")
    }
} catch {
    print("stubgen: \(error)")
    exit(1)
}
