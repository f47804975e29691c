import CRaceLabShims
import Synchronization

/// The unsafe counter with a witness: the same load, spin and store as
/// `UnsafeCounter`, and each worker writes down, in its own preallocated buffer, the
/// value it read, when it read it (just before the load) and when its write was done
/// (just after the store). The buffers hold every read of a run: a worker stops
/// when its buffer is full, even if the window is still open.
///
/// `@unchecked Sendable`: the buffers are shared memory, sound because each worker
/// writes only its own rows, and they are read only after the workers have joined.
final class WitnessedCounter: SharedCounter, @unchecked Sendable {
    private let value = Atomic<Int>(0)
    private let workSteps: Int64
    private let capacity: Int
    private let values: UnsafeMutablePointer<Int>
    private let readTimes: UnsafeMutablePointer<UInt64>
    private let writeTimes: UnsafeMutablePointer<UInt64>
    private let recorded: PerWorker<Int>

    init(workers: Int, readsPerWorker: Int, work: Int) {
        capacity = readsPerWorker
        workSteps = Int64(work)
        values = .allocate(capacity: workers * readsPerWorker)
        readTimes = .allocate(capacity: workers * readsPerWorker)
        writeTimes = .allocate(capacity: workers * readsPerWorker)
        recorded = PerWorker(count: workers, 0)
        // Touch every page now, so that the run does not take page faults instead.
        values.initialize(repeating: -1, count: workers * readsPerWorker)
        readTimes.initialize(repeating: 0, count: workers * readsPerWorker)
        writeTimes.initialize(repeating: 0, count: workers * readsPerWorker)
    }

    deinit {
        values.deallocate()
        readTimes.deallocate()
        writeTimes.deallocate()
    }

    func increment(worker: Int) { preconditionFailure("a witnessed counter records in run(worker:budget:)") }

    func run(worker: Int, budget: inout OperationBudget) {
        let base = worker * capacity
        let values = values + base
        let readTimes = readTimes + base
        let writeTimes = writeTimes + base
        budget.cap(at: capacity)
        var index = 0
        budget.forEachOperation {
            let readAt = MonotonicClock.now()
            let seen = value.load(ordering: .relaxed)
            if workSteps > 0 { racelab_spin(workSteps) }
            value.store(seen &+ 1, ordering: .relaxed)
            writeTimes[index] = MonotonicClock.now()
            readTimes[index] = readAt
            values[index] = seen
            index &+= 1
        }
        recorded[worker] = index
    }

    func total() -> Int { value.load(ordering: .relaxed) }

    /// The buffers as a log, once the workers are done.
    func log(operations: Int) -> WitnessLog {
        let workers = recorded.count
        func rows<T>(_ buffer: UnsafeMutablePointer<T>) -> [[T]] {
            (0..<workers).map { Array(UnsafeBufferPointer(start: buffer + $0 * capacity, count: recorded[$0])) }
        }
        return WitnessLog(
            values: rows(values), readTimes: rows(readTimes), writeTimes: rows(writeTimes), operations: operations,
            final: total())
    }
}
