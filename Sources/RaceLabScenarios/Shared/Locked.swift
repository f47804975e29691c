/// A value guarded by a `pthread_mutex_t` (glibc's normal mutex).
///
/// The cache and check-then-act strategies use this rather than
/// `Synchronization.Mutex`: on Linux, Mutex is a priority-inheritance futex that
/// hands the lock straight to a sleeping waiter, and with more workers than CPUs
/// that convoys (measured here: 100x to 1000x slower, see the README). The counter
/// scenario keeps `mutex` so that cost stays visible side by side.
///
/// `@unchecked Sendable`: the value is shared across threads, which is sound
/// because every access goes through `withLock`.
final class Locked<Value>: @unchecked Sendable {
    private let mutex: PthreadMutex
    // Behind a pointer, not a stored `var`: a class's stored var pays a dynamic
    // exclusivity check on every access, which the lock already makes redundant.
    private let value: UnsafeMutablePointer<Value>

    /// `name` is what racelab's explorer calls the lock (nil: the file and line).
    init(_ value: Value, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        mutex = PthreadMutex(name: name, file: file, line: line)
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&value.pointee) }
    }
}
