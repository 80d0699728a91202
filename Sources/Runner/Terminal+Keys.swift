import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The terminal's settings before raw mode, restored on exit and on Ctrl-C.
nonisolated(unsafe) private var savedTerminal = termios()
nonisolated(unsafe) private var rawModeActive = false

/// Single key presses from standard input, without Enter and without echo.
///
/// Only when standard input is a terminal; Ctrl-C still interrupts (and the
/// terminal is restored first).
public final class KeyReader: @unchecked Sendable {
    private var keys: [UInt8] = []
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    public let enabled: Bool

    public init() {
        enabled = isatty(0) == 1
        guard enabled else { return }
        KeyReader.enterRawMode()
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(0, &byte, 1)
                if count == 1 {
                    lock.lock()
                    keys.append(byte)
                    lock.unlock()
                    signal.signal()
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    break
                }
            }
        }
        thread.start()
    }

    /// Waits up to `seconds` for a key; returns the keys pressed so far.
    public func wait(_ seconds: Double) -> [UInt8] {
        if enabled { _ = signal.wait(timeout: .now() + seconds) } else { usleep(UInt32(seconds * 1_000_000)) }
        lock.lock()
        defer { lock.unlock() }
        let pressed = keys
        keys.removeAll()
        return pressed
    }

    static func enterRawMode() {
        guard tcgetattr(0, &savedTerminal) == 0 else { return }
        var raw = savedTerminal
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return }
        rawModeActive = true
        atexit { KeyReader.restore() }
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            installRestoringHandler(signalNumber)
        }
    }

    /// Puts the terminal back as it was.
    public static func restore() {
        if rawModeActive {
            tcsetattr(0, TCSANOW, &savedTerminal)
            rawModeActive = false
        }
    }
}

/// Restores the terminal, then exits with the usual status for the signal.
private func installRestoringHandler(_ number: Int32) {
    signal(number) { received in
        if rawModeActive { tcsetattr(0, TCSANOW, &savedTerminal) }
        let newline: [UInt8] = [10]
        _ = write(1, newline, 1)
        _exit(128 + received)
    }
}
