import CRaceLabShims

/// What each worker measured about itself, one record per worker, each alone on
/// its own 128-byte block so that one worker publishing never disturbs another's
/// cache line.
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

    private static let stride = 128
    let count: Int
    private let base: UnsafeMutableRawPointer

    init(workers: Int) {
        precondition(MemoryLayout<Record>.size <= Self.stride)
        count = workers
        base = .allocate(byteCount: workers * Self.stride, alignment: Self.stride)
        for i in 0..<workers { record(i).initialize(to: Record()) }
    }

    deinit { base.deallocate() }

    private func record(_ worker: Int) -> UnsafeMutablePointer<Record> {
        (base + worker * Self.stride).bindMemory(to: Record.self, capacity: 1)
    }

    /// Called by worker `worker` right before its first operation.
    func recordStart(_ worker: Int) {
        let slot = record(worker)
        racelab_thread_usage(&slot.pointee.usageAtStart)
        slot.pointee.start = MonotonicClock.now()
    }

    /// Called by worker `worker` right after its last operation.
    func recordStop(_ worker: Int, operations: Int) {
        let slot = record(worker)
        slot.pointee.stop = MonotonicClock.now()
        racelab_thread_usage(&slot.pointee.usageAtStop)
        slot.pointee.operations = operations
    }

    /// Every worker's record. Call only after all workers have finished.
    func records() -> [Record] { (0..<count).map { record($0).pointee } }
}
