import Synchronization

/// A drop-in for `Synchronization.Mutex`: a value only reachable with the lock held.
/// Outside an exploration it *is* a `Synchronization.Mutex` (the same futex, inlined,
/// plus one relaxed load and a branch). Inside one, locking is a scheduling point where
/// a thread waits while another holds the lock, the unlock is one too, and a schedule
/// in which every thread waits is reported as a deadlock naming who holds what.
///
///     import RaceLabSync              // instead of: import Synchronization
///     final class Cache: Sendable {
///         let entries = Mutex<[String: Int]>([:])
///         func put(_ key: String, _ value: Int) { entries.withLock { $0[key] = value } }
///     }
///
/// Make it in your test's `make`, as its state: a mutex a deadlocked schedule left
/// locked stays locked, and one made outside the exploration would carry that into
/// the next schedule (racelab reports it rather than hang).
public struct Mutex<Value: ~Copyable>: ~Copyable {
    @usableFromInline let real: Synchronization.Mutex<Value>
    @usableFromInline let explored: ExploredLock

    /// A mutex holding `initialValue`; `name` is what a timeline calls it.
    public init(
        _ initialValue: consuming sending Value, name: String? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        real = Synchronization.Mutex(initialValue)
        explored = ExploredLock(name: name, file: file, line: line)
    }

    /// Runs `body` with the lock held and the value lent to it; returns what it returns.
    @inlinable @inline(__always)
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        // `body` is called in one place, so it is inlined into your code: called on two
        // paths, its closure context cost a retain and a release per lock. Inside an
        // exploration the real lock is taken too: never contended (one OS thread runs
        // every virtual thread, and the explorer's lock already excludes the others).
        let control = Exploration.running
        if let control { lockExplored(control) }
        defer { if let control { unlockExplored(control) } }
        return try real.withLock(body)
    }

    /// Runs `body` with the lock held if it is free now, else returns nil at once.
    @inlinable @inline(__always)
    public borrowing func withLockIfAvailable<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        let control = Exploration.running
        if let control, !tryLockExplored(control) { return nil }
        defer { if let control { unlockExplored(control) } }
        // Inside an exploration the real lock is free here: whoever holds the
        // explorer's lock is the only one that takes it.
        return try real.withLockIfAvailable(body)
    }

    @usableFromInline
    func lockExplored(_ control: any ExplorationControl) {
        explored.lock(control)
        checkRealLockIsFree(control)
    }

    @usableFromInline
    func tryLockExplored(_ control: any ExplorationControl) -> Bool {
        guard explored.tryLock(control) else { return false }
        checkRealLockIsFree(control)
        return true
    }

    /// The explorer's lock is ours, so the real one is free, unless a thread of an
    /// earlier schedule holds it and will never run again (a deadlock abandoned it; a
    /// mutex made outside `make` outlives its schedule). Taking it would trap
    /// ("Recursive call to lock Mutex"): say so instead.
    private func checkRealLockIsFree(_ control: any ExplorationControl) {
        if real.withLockIfAvailable({ _ in () }) == nil { control.stuck(on: explored.label) }
    }

    @usableFromInline
    func unlockExplored(_ control: any ExplorationControl) { explored.unlock(control) }
}

extension Mutex: @unchecked Sendable where Value: ~Copyable {}
