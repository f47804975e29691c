import CRaceLabShims

/// What each worker measured about itself, one record per worker on `PaddedSlots`,
/// so that one worker publishing never disturbs another's cache line.
///
/// `@unchecked Sendable` because the buffer is shared across threads, which is
/// sound here: worker i writes only record i, and the pool reads the records only
/// after every worker has finished (join, or concurrentPerform's return, orders
/// the writes before the reads).
final class WorkerLog: @unchecked Sendable {
    struct Record {
        /// MonotonicClock time of the first operation; 0: never started.
        var start: UInt64 = 0
        var stop: UInt64 = 0
        var operations = 0
        var usageAtStart = racelab_thread_usage_t()
        var usageAtStop = racelab_thread_usage_t()
    }

    private let slots: PaddedSlots<Record>

    init(workers: Int) { slots = PaddedSlots(count: workers) { Record() } }

    /// Called by worker `worker` right before its first operation. `readsThread`:
    /// whether the calling thread's CPU time and switches are the worker's (not for a
    /// task, which may resume on another thread after each await: those stay 0).
    func recordStart(_ worker: Int, readsThread: Bool = true) {
        let slot = slots[worker]
        if readsThread { racelab_thread_usage(&slot.pointee.usageAtStart) }
        slot.pointee.start = MonotonicClock.now()
    }

    /// Called by worker `worker` right after its last operation.
    func recordStop(_ worker: Int, operations: Int, readsThread: Bool = true) {
        let slot = slots[worker]
        slot.pointee.stop = MonotonicClock.now()
        if readsThread { racelab_thread_usage(&slot.pointee.usageAtStop) }
        slot.pointee.operations = operations
    }

    /// Clears worker `worker`'s record: it found the window closed and did nothing.
    func forget(_ worker: Int) { slots[worker].pointee = Record() }

    /// Every worker's record. Call only after all workers have finished.
    func records() -> [Record] { (0..<slots.count).map { slots[$0].pointee } }
}
