#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `pthread_mutex_t` at a stable heap address (a pthread mutex must never move).
///
/// `@unchecked Sendable`: the pointer is shared across threads, which is what a
/// mutex is for; all access goes through `pthread_mutex_lock`/`unlock`.
package final class PthreadMutex: @unchecked Sendable {
    /// glibc's mutex kinds: what a second lock by the thread that holds it does.
    package enum Kind {
        /// The default: it waits for itself, forever (a self-deadlock).
        case normal
        /// It refuses: `pthread_mutex_lock` returns EDEADLK.
        case errorCheck
        /// It counts: the owner may lock again, and unlocks as many times.
        case recursive
    }

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ kind: Kind = .normal) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        switch kind {
        case .normal: pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_NORMAL))
        case .errorCheck: pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ERRORCHECK))
        case .recursive: pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        }
        pthread_mutex_init(mutex, &attributes)
    }

    /// Locks, and returns 0 or the error number (EDEADLK: an error-checking mutex
    /// locked again by its owner).
    @inline(__always)
    func lock() -> Int32 { pthread_mutex_lock(mutex) }

    /// Locks if free; returns whether it did.
    @inline(__always)
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

    @inline(__always)
    func unlock() { pthread_mutex_unlock(mutex) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
