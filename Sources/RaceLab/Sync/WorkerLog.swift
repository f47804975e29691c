/// Start and finish times of each worker, one slot per worker.
///
/// `@unchecked Sendable` because the buffer is shared across threads, which is
/// sound here: worker i writes only slots i, and the pool reads them only after
/// joining every worker (the join orders the writes before the reads).
final class WorkerLog: @unchecked Sendable {
    private let starts: UnsafeMutableBufferPointer<UInt64>
    private let finishes: UnsafeMutableBufferPointer<UInt64>

    init(workers: Int) {
        starts = .allocate(capacity: workers)
        starts.initialize(repeating: 0)
        finishes = .allocate(capacity: workers)
        finishes.initialize(repeating: 0)
    }

    deinit {
        starts.deallocate()
        finishes.deallocate()
    }

    func recordStart(_ worker: Int) { starts[worker] = MonotonicClock.now() }
    func recordFinish(_ worker: Int) { finishes[worker] = MonotonicClock.now() }

    /// The (start, finish) pair of every worker that ran. Call only after all joined.
    func intervals() -> [(start: UInt64, finish: UInt64)] {
        (0..<starts.count).compactMap { i in
            starts[i] == 0 ? nil : (starts[i], finishes[i])
        }
    }
}
