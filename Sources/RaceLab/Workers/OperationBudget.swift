import Synchronization

/// A worker's allowance of operations for one run. The worker hands its loop body
/// to `forEachOperation` and counts nothing itself:
///
///     budget.forEachOperation { counter.increment() }
///
/// A timed run ends when the pool's timer raises the stop flag: each worker sees it
/// within one operation, however slow that operation is (a convoying lock included),
/// so no run outlives its window by more than one operation per worker. A fixed
/// run ends after `limit` operations. The count lives in a register and is published
/// once, at the end, by the pool.
public struct OperationBudget {
    // @usableFromInline: `forEachOperation` is inlined into the caller's loop, in
    // whatever module the caller is (a per-operation call would be measured too).
    @usableFromInline let stop: UnsafeMutablePointer<Atomic<Bool>>
    @usableFromInline var limit: Int
    @usableFromInline var remaining: Int
    /// Where this worker's start is recorded, for `startMeasuringHere`.
    private let log: WorkerLog
    private let worker: Int

    init(stop: StopFlag, limit: Int, log: WorkerLog, worker: Int) {
        self.stop = stop.pointer
        self.limit = limit
        remaining = limit
        self.log = log
        self.worker = worker
    }

    /// Moves this worker's recorded start to now: what it did before (a first access
    /// that may run a costly initialiser) is neither an operation nor charged to the
    /// operations' time; it shows as a late start (skew). Call before the first
    /// operation.
    public mutating func startMeasuringHere() { log.recordStart(worker) }

    /// Runs `operation` once per operation the budget grants: until the stop flag is
    /// raised (timed) or the count is spent (fixed). Per operation it costs a compare,
    /// a decrement and one relaxed load of a line nobody writes until the window closes.
    ///
    /// The loop works on local copies: the budget itself lives in the caller's memory,
    /// and the atomics in a loop body make the compiler reload and store any memory it
    /// cannot prove private on every operation (measured: the count went through
    /// memory on each increment of the sharded counter).
    @inlinable @inline(__always)
    public mutating func forEachOperation(_ operation: () -> Void) {
        let stop = self.stop
        var remaining = self.remaining
        while remaining != 0, !stop.pointee.load(ordering: .relaxed) {
            remaining &-= 1
            operation()
        }
        self.remaining = remaining
    }

    /// `forEachOperation` for an operation that awaits (an actor's method).
    @inlinable
    public mutating func forEachOperation(_ operation: () async -> Void) async {
        let stop = self.stop
        var remaining = self.remaining
        while remaining != 0, !stop.pointee.load(ordering: .relaxed) {
            remaining &-= 1
            await operation()
        }
        self.remaining = remaining
    }

    /// `forEachOperation` for an operation that may throw: the first error ends this
    /// worker's loop (the operation that threw counts) and is rethrown.
    package mutating func forEachThrowingOperation(_ operation: () async throws -> Void) async rethrows {
        let stop = self.stop
        var remaining = self.remaining
        defer { self.remaining = remaining }
        while remaining != 0, !stop.pointee.load(ordering: .relaxed) {
            remaining &-= 1
            try await operation()
        }
    }

    /// `forEachThrowingOperation` for an operation that does not await.
    package mutating func forEachThrowingOperation(_ operation: () throws -> Void) rethrows {
        let stop = self.stop
        var remaining = self.remaining
        defer { self.remaining = remaining }
        while remaining != 0, !stop.pointee.load(ordering: .relaxed) {
            remaining &-= 1
            try operation()
        }
    }

    /// Counts `operations` done outside `forEachOperation`: by a worker whose work is
    /// not bounded by the window (a consumer that drains a queue after the
    /// producers stopped).
    package mutating func record(operations: Int) { remaining &-= operations }

    /// Lowers this worker's allowance to at most `most` operations in all, for a
    /// worker that keeps a record of every operation in a buffer of that size: it
    /// stops there even if the window is still open.
    package mutating func cap(at most: Int) {
        let done = operations
        let left = max(0, most - done)
        if remaining > left {
            limit = done + left
            remaining = left
        }
    }

    /// Operations granted so far: the worker's count.
    public var operations: Int { limit &- remaining }
}

/// The flag that closes a timed window, alone on a padded slot so that workers
/// reading it on every operation never share its line with anything written.
///
/// `@unchecked Sendable`: the slot is shared across threads, which is sound because
/// the flag is only ever accessed through atomic operations.
final class StopFlag: @unchecked Sendable {
    private let slot = PaddedSlots(count: 1) { Atomic<Bool>(false) }

    /// Where the flag lives, for `OperationBudget`'s loop (valid while this object is).
    fileprivate var pointer: UnsafeMutablePointer<Atomic<Bool>> { slot[0] }

    func raise() { pointer.pointee.store(true, ordering: .releasing) }

    var isRaised: Bool { pointer.pointee.load(ordering: .acquiring) }
}
