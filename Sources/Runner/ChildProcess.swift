import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Bytes kept from a stream that may be huge: the first `headLimit` bytes and
/// the last `tailLimit`, and a count of everything.
public struct CappedBuffer: Sendable {
    public let headLimit: Int
    public let tailLimit: Int
    public private(set) var head: [UInt8] = []
    /// A ring of the most recent bytes once the head is full.
    private var tail: [UInt8] = []
    private var tailStart = 0
    public private(set) var totalBytes = 0
    /// Newlines seen, kept or not: the true number of lines written.
    public private(set) var totalNewlines = 0

    public init(headLimit: Int, tailLimit: Int) {
        self.headLimit = headLimit
        self.tailLimit = tailLimit
    }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        totalBytes += bytes.count
        for byte in bytes where byte == 10 { totalNewlines += 1 }
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard tailLimit > 0 else { return }
        for byte in rest {
            if tail.count < tailLimit {
                tail.append(byte)
            } else {
                tail[tailStart] = byte
                tailStart = (tailStart + 1) % tailLimit
            }
        }
    }

    /// Bytes that were dropped from the middle.
    public var omittedBytes: Int { totalBytes - head.count - tail.count }

    /// The kept text, with a note where bytes were dropped.
    public var text: String {
        var bytes = head
        if omittedBytes > 0 {
            bytes += Array("\n… [\(omittedBytes) bytes of output omitted] …\n".utf8)
        }
        bytes += tail[tailStart...] + tail[..<tailStart]
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How a child process ended.
public enum Termination: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "signal \(signal)" + (Termination.signalNames[signal].map { ", \($0)" } ?? "")
        }
    }

    static let signalNames: [Int32: String] = [
        SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
        SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGPIPE: "SIGPIPE",
    ]
}

/// What a child process left behind.
public struct ChildResult: Sendable {
    public var standardOutput: CappedBuffer
    public var standardError: CappedBuffer
    public var termination: Termination
    /// `true` when the parent killed the child at its deadline.
    public var killedAtDeadline: Bool
    /// `true` when the parent killed the child because `cancel` said so.
    public var cancelled: Bool = false
    public var seconds: Double
}

public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
}

/// Starts child processes with `posix_spawn`: standard input from /dev/null,
/// standard output and error captured through pipes (capped, and always
/// drained so the child never blocks), and an optional deadline after which
/// the child is killed.
public enum ChildProcess {
    /// Pipes are created close-on-exec and the child spawned under this lock,
    /// so no child inherits another child's pipe.
    private static let spawnLock = NSLock()

    /// - Parameters:
    ///   - executable: a path, or a name looked up in `PATH`.
    ///   - captureOutput: `false` lets the child write to this process's
    ///     standard output and error (a demo, with its progress bars).
    ///   - headLimit, tailLimit: bytes kept from each stream.
    ///   - cancel: asked about every 50 ms; `true` kills the child (a newer save
    ///     makes the grade in progress stale).
    ///   - onOutput: hears every chunk of output as it arrives (a build that
    ///     waits for another build's lock says so).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           captureOutput: Bool = true, headLimit: Int = 32 * 1024, tailLimit: Int = 32 * 1024,
                           timeLimit: Double? = nil, cancel: (() -> Bool)? = nil,
                           onOutput: (String) -> Void = { _ in }) throws -> ChildResult {
        let start = Date()
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        var pid = pid_t()

        spawnLock.lock()
        var spawnStatus: Int32 = 0
        do {
            defer { spawnLock.unlock() }
            if captureOutput {
                guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
                    throw SpawnError(description: "cannot create a pipe (errno \(errno))")
                }
                for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            }
            #if canImport(Darwin)
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
            #else
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
            #endif
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            if captureOutput {
                posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
                posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
            }
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            // The child starts with no blocked signals and default handlers,
            // whatever this thread had (a test runner may block SIGTERM).
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { env.forEach { free($0) } }
            spawnStatus = posix_spawnp(&pid, executable, &actions, &attributes, argv, env)
            if captureOutput {
                close(outPipe[1])
                close(errPipe[1])
            }
        }
        guard spawnStatus == 0 else {
            if captureOutput { close(outPipe[0]); close(errPipe[0]) }
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(spawnStatus)))")
        }

        var output = CappedBuffer(headLimit: headLimit, tailLimit: tailLimit)
        var errors = CappedBuffer(headLimit: headLimit, tailLimit: tailLimit)
        var open = captureOutput ? [outPipe[0], errPipe[0]] : []
        let deadline = timeLimit.map { start.addingTimeInterval($0) }
        var killed = false
        var cancelled = false
        var status: Int32 = 0
        var exitedAt: Date?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while true {
            if !killed, exitedAt == nil, let deadline, Date() >= deadline {
                kill(pid, SIGKILL)
                killed = true
            }
            if !killed, !cancelled, exitedAt == nil, let cancel, cancel() {
                kill(pid, SIGKILL)
                cancelled = true
            }
            if exitedAt == nil {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid || (waited < 0 && errno != EINTR) { exitedAt = Date() }
            }
            if open.isEmpty {
                if exitedAt != nil { break }
                usleep(10_000)
                continue
            }
            // After the child exits, read what is left; stop waiting for an
            // end of file that a grandchild holding the pipe could delay.
            if let exitedAt, Date().timeIntervalSince(exitedAt) > 1 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready <= 0 { continue }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    let chunk = buffer[0..<count]
                    if entry.fd == outPipe[0] { output.append(chunk) } else { errors.append(chunk) }
                    onOutput(String(decoding: chunk, as: UTF8.self))
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for fd in open { close(fd) }
        let signal = status & 0x7F
        let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        return ChildResult(standardOutput: output, standardError: errors, termination: termination,
                           killedAtDeadline: killed, cancelled: cancelled, seconds: Date().timeIntervalSince(start))
    }

    /// The path of the running executable.
    public static var currentExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
