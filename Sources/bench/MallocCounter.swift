#if os(Linux)
import Glibc

/// Counts heap allocations by standing in for the C library's `malloc` in this
/// executable only (glibc looks the symbol up in the executable first) and
/// forwarding to glibc's own allocator. Not thread-safe: read it with one thread.
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
