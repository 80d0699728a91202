import Foundation

/// Seeds for grading: fresh on every run, replayable with `DLFS_SEED`.
public enum Seed {
    /// The environment variable that replays a run: `DLFS_SEED=123 swift test`.
    public static let environmentVariable = "DLFS_SEED"

    /// `DLFS_SEED` when set, otherwise a new seed from the clock and process id.
    public static func forThisRun() -> UInt64 {
        if let text = ProcessInfo.processInfo.environment[environmentVariable], let seed = UInt64(text) {
            return seed
        }
        let micros = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        // Kept below 2^53 so that the seed survives a trip through JSON numbers.
        return (micros ^ (UInt64(ProcessInfo.processInfo.processIdentifier) << 20)) & ((1 << 53) - 1)
    }

    /// A generator for one exercise, derived from the run's seed and the
    /// exercise id (FNV-1a, the same on every platform), so one seed replays
    /// every exercise of a run.
    public static func generator(runSeed: UInt64, exerciseID: String) -> SeededGenerator {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in exerciseID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return SeededGenerator(seed: runSeed ^ hash)
    }
}

import CourseKit
