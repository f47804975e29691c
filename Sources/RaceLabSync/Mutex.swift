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
    @usableFromInline let id: Int
    @usableFromInline let label: SyncLabel

    /// A mutex holding `initialValue`; `name` is what a timeline calls it.
    public init(
        _ initialValue: consuming sending Value, name: String? = nil, file: StaticString = #fileID, line: UInt = #line
    ) {
        real = Synchronization.Mutex(initialValue)
        id = Exploration.newObjectID()
        label = SyncLabel(name: name, file: file, line: line)
    }

    /// Runs `body` with the lock held and the value lent to it; returns what it returns.
    @inlinable @inline(__always)
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        if let control = Exploration.running {
            lockExplored(control)
            defer { unlockExplored(control) }
            return try real.withLock(body)
        }
        return try real.withLock(body)
    }

    /// Runs `body` with the lock held if it is free now, else returns nil at once.
    @inlinable @inline(__always)
    public borrowing func withLockIfAvailable<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        if let control = Exploration.running {
            guard tryLockExplored(control) else { return nil }
            defer { unlockExplored(control) }
            return try real.withLock(body)
        }
        return try real.withLockIfAvailable(body)
    }

    @usableFromInline
    func lockExplored(_ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true, waitsFor: .mutex(id)))
        control.acquire(mutex: id)
        control.record(.lock(label))
    }

    @usableFromInline
    func tryLockExplored(_ control: any ExplorationControl) -> Bool {
        control.point(PendingStep(object: id, label: label, writes: true))
        let isFree = control.isFree(mutex: id)
        if isFree { control.acquire(mutex: id) }
        control.record(.tryLock(label, didLock: isFree))
        return isFree
    }

    @usableFromInline
    func unlockExplored(_ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true))
        control.release(mutex: id)
        control.record(.unlock(label))
    }
}

extension Mutex: @unchecked Sendable where Value: ~Copyable {}
