import RaceLab
import RaceLabModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An account whose public method holds the account's lock and calls another
/// method that takes the same lock (deposit, then audit the deposit). Workers
/// publish their progress and whether they hold or wait for the lock, so a stuck
/// run can say who is stuck on what.
///
/// `@unchecked Sendable` (here and in each subclass): shared across threads, sound
/// because every stored property is an atomic, a padded atomic slot or a lock, and
/// none is ever replaced after init.
package class ReentrantAccount: @unchecked Sendable {
    /// Per worker: calls finished, lock held (0/1), lock waited for (0/1).
    let progress: PaddedAtomicSlots
    package let holding: PaddedAtomicSlots
    package let waiting: PaddedAtomicSlots
    /// Only touched under the account's lock.
    let balance = Atomic<Int>(0)
    package let audits = Atomic<Int>(0)

    package init(workers: Int) {
        progress = PaddedAtomicSlots(count: workers)
        holding = PaddedAtomicSlots(count: workers)
        waiting = PaddedAtomicSlots(count: workers)
    }

    /// Deposits one and audits it: returns false if the nested audit could not run.
    package func depositAndAudit(worker: Int) -> Bool { fatalError("a subclass implements it") }

    @inline(__always)
    final func deposit() { balance.store(balance.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }

    @inline(__always)
    final func audit() { audits.store(audits.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }

    @inline(__always)
    final func willWait(_ worker: Int) { waiting[worker].pointee.store(1, ordering: .relaxed) }

    @inline(__always)
    final func got(_ worker: Int) {
        waiting[worker].pointee.store(0, ordering: .relaxed)
        holding[worker].pointee.store(1, ordering: .relaxed)
    }

    @inline(__always)
    package final func finished(_ worker: Int, calls: Int) {
        holding[worker].pointee.store(0, ordering: .relaxed)
        progress[worker].pointee.store(calls, ordering: .relaxed)
    }

    package func totalProgress() -> Int {
        (0..<progress.count).reduce(0) { $0 + progress[$1].pointee.load(ordering: .relaxed) }
    }
}

/// Synchronization.Mutex, locked again inside its own `withLock`. Swift's Mutex is
/// not reentrant and, on Linux, checks: the second lock traps ("Recursive call to
/// lock Mutex"). Runs in a child process.
package final class MutexAccount: ReentrantAccount, @unchecked Sendable {
    private let lock = Mutex(0)

    package override func depositAndAudit(worker: Int) -> Bool {
        willWait(worker)
        lock.withLock { _ in
            got(worker)
            deposit()
            willWait(worker)
            lock.withLock { _ in audit() }
        }
        return true
    }
}

/// A pthread mutex of the given kind, locked again by the thread that holds it:
/// the default kind waits for itself forever, the error-checking kind refuses
/// (EDEADLK: the audit does not run), the recursive kind counts and lets it in.
package final class PthreadAccount: ReentrantAccount, @unchecked Sendable {
    private let lock: PthreadMutex

    package init(workers: Int, kind: PthreadMutex.Kind) {
        lock = PthreadMutex(kind)
        super.init(workers: workers)
    }

    package override func depositAndAudit(worker: Int) -> Bool {
        willWait(worker)
        _ = lock.lock()
        got(worker)
        deposit()
        willWait(worker)
        let nested = lock.lock()
        waiting[worker].pointee.store(0, ordering: .relaxed)
        if nested == 0 {
            audit()
            lock.unlock()
        }
        lock.unlock()
        return nested == 0
    }
}

/// The usual fix: the public method takes the lock and calls a private helper that
/// assumes it is held (`auditLocked`); nothing locks twice.
package final class SplitAccount: ReentrantAccount, @unchecked Sendable {
    private let lock = PthreadMutex()

    package override func depositAndAudit(worker: Int) -> Bool {
        willWait(worker)
        _ = lock.lock()
        got(worker)
        deposit()
        auditLocked()
        lock.unlock()
        return true
    }

    /// Call only while holding `lock`.
    private func auditLocked() { audit() }
}
