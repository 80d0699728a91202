import Foundation

/// A product of this package in the build folder the running program came
/// from: how tests find `course` and `course-grader` without building them
/// again (a second `swift build` inside `swift test` would fight over the folder).
public enum BuiltExecutable {
    /// `name` next to the running executable or test bundle, looking up to
    /// five folders up; `DLFS_<NAME>_BINARY` (e.g. `DLFS_COURSE_GRADER_BINARY`) wins.
    public static func path(named name: String) -> String? {
        let fm = FileManager.default
        let variable = "DLFS_" + name.uppercased().replacingOccurrences(of: "-", with: "_") + "_BINARY"
        if let path = ProcessInfo.processInfo.environment[variable] { return path }
        var folders = [URL(fileURLWithPath: ChildProcess.currentExecutable).deletingLastPathComponent()]
        folders += Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }.map { $0.deletingLastPathComponent() }
        for start in folders {
            var folder = start
            for _ in 0..<5 {
                let candidate = folder.appendingPathComponent(name).path
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                   fm.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }
}
