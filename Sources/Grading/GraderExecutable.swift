import Foundation

/// The built `course-grader` executable, run as a child process: how the
/// tests grade on toolchains whose exit tests cannot capture values (Swift
/// 6.2; ST-0012 arrived in 6.3).
public enum GraderExecutable {
    /// `course-grader` next to the running test bundle or executable, or `DLFS_GRADER_BINARY`.
    public static let path: String? = {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["DLFS_GRADER_BINARY"] { return path }
        var folders = [URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()]
        folders += Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }.map { $0.deletingLastPathComponent() }
        for start in folders {
            var folder = start
            for _ in 0..<5 {
                let candidate = folder.appendingPathComponent("course-grader").path
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue, fm.isExecutableFile(atPath: candidate) {
                    return candidate
                }
                folder.deleteLastPathComponent()
            }
        }
        return nil
    }()

    /// What a run printed, and how it ended.
    public struct Run: Sendable {
        public var standardOutput: String
        public var standardError: String
        public var status: Int32
        public var exitedNormally: Bool
    }

    /// Runs `course-grader` with `arguments` and waits for it (its own
    /// watchdog ends a hang); `nil` when the executable is not there.
    public static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Run? {
        guard let path else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while the child runs, so a full pipe never blocks it.
        nonisolated(unsafe) var errorData = Data()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        reading.wait()
        return Run(standardOutput: String(decoding: outputData, as: UTF8.self), standardError: String(decoding: errorData, as: UTF8.self),
                   status: process.terminationStatus, exitedNormally: process.terminationReason == .exit)
    }
}
