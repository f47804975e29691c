import RaceLabSync

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `pthread_mutex_t` at a stable heap address (a pthread mutex must never move).
/// racelab's explorer sees it as RaceLabSync's `Mutex` is seen: inside an exploration
/// locking and unlocking are scheduling points (and the pthread mutex is not taken:
/// one OS thread runs every virtual thread); outside, one relaxed load and a branch
/// more than `pthread_mutex_lock`.
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
    /// What the explorer knows it by.
    let explored: ExploredLock

    init(_ kind: Kind = .normal, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        explored = ExploredLock(name: name, file: file, line: line)
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
    func lock() -> Int32 {
        if let control = Exploration.running {
            explored.lock(control)
            return 0
        }
        return pthread_mutex_lock(mutex)
    }

    /// Locks if free; returns whether it did.
    @inline(__always)
    func tryLock() -> Bool {
        if let control = Exploration.running { return explored.tryLock(control) }
        return pthread_mutex_trylock(mutex) == 0
    }

    @inline(__always)
    func unlock() {
        if let control = Exploration.running { return explored.unlock(control) }
        pthread_mutex_unlock(mutex)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        // `body` is called in one place: called on two paths, it was no longer inlined,
        // and building its closure context cost a retain and a release per lock
        // (lazy-init's locked-always ran 1.6x slower).
        let control = Exploration.running
        if let control { lockExplored(control) } else { pthread_mutex_lock(mutex) }
        defer {
            if let control { unlockExplored(control) } else { pthread_mutex_unlock(mutex) }
        }
        return try body()
    }

    @inline(never)
    private func lockExplored(_ control: any ExplorationControl) { explored.lock(control) }

    @inline(never)
    private func unlockExplored(_ control: any ExplorationControl) { explored.unlock(control) }

    /// The pthread mutex, for a condition variable's wait.
    var raw: UnsafeMutablePointer<pthread_mutex_t> { mutex }
}

/// A `pthread_cond_t` at a stable heap address, used with a `PthreadMutex`; the
/// explorer sees it as it sees the mutex: a wait unlocks and sleeps in one step and
/// relocks in another, a signal wakes the longest waiter, and a wait nobody signals is
/// a deadlock, named.
///
/// `@unchecked Sendable`: the condition is shared across threads, which is what it is
/// for; all access goes through the pthread calls, under the mutex.
final class PthreadCondition: @unchecked Sendable {
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private let explored: ExploredCondition

    init(name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        explored = ExploredCondition(name: name, file: file, line: line)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Unlocks `mutex` (held by the caller), sleeps until signalled, relocks it.
    func wait(_ mutex: PthreadMutex) {
        if let control = Exploration.running { return explored.wait(releasing: mutex.explored, control) }
        pthread_cond_wait(condition, mutex.raw)
    }

    /// Wakes one waiter.
    func signal() {
        if let control = Exploration.running { return explored.signal(all: false, control) }
        pthread_cond_signal(condition)
    }

    /// Wakes every waiter.
    func broadcast() {
        if let control = Exploration.running { return explored.signal(all: true, control) }
        pthread_cond_broadcast(condition)
    }
}
