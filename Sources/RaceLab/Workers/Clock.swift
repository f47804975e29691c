#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The monotonic clock, read in nanoseconds. Cheap enough (a vDSO call) to read
/// at a worker's start and finish, never inside a hot loop.
package enum MonotonicClock {
    /// Nanoseconds on CLOCK_MONOTONIC: only differences mean anything.
    @inline(__always)
    package static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
