// Swift 6.3 warns that `malloc` is a name reserved for its runtime and says the
// warning will become an error; newer compilers skip the counter (the bench
// then prints no allocation count) rather than fail the package's build.
#if os(Linux) && compiler(<6.4)
import Glibc

/// Counts heap allocations by standing in for the C library's `malloc` in this
/// executable only (linked with --export-dynamic, so glibc and the Swift runtime
/// find this definition first) and forwarding to glibc's own allocator.
/// Not thread-safe: read it with one thread.
enum MallocCounter {
    nonisolated(unsafe) static var count = 0
}

@_silgen_name("__libc_malloc")
private func libcMalloc(_ size: Int) -> UnsafeMutableRawPointer?

@_cdecl("malloc")
public func countingMalloc(_ size: Int) -> UnsafeMutableRawPointer? {
    MallocCounter.count &+= 1
    return libcMalloc(size)
}
#endif
