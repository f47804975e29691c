import RaceLab
import RaceLabModel

/// The buffers of a witnessed run: for every read a worker makes, the key (for a
/// keyed workload), the value read, when it was read (just before the read) and when
/// its write was done (just after). Allocated, and every page touched, before the run;
/// each worker writes only its own rows, up to `capacity` reads.
///
/// `@unchecked Sendable`: shared memory, sound because each worker writes only its
/// own rows and its own count, and the log is read only after the workers have joined.
package final class WitnessBuffers: @unchecked Sendable {
    package let capacity: Int
    private let workers: Int
    private let keys: UnsafeMutablePointer<Int>
    private let values: UnsafeMutablePointer<Int>
    private let readTimes: UnsafeMutablePointer<UInt64>
    private let writeTimes: UnsafeMutablePointer<UInt64>
    private let recorded: PerWorker<Int>

    init(workers: Int, readsPerWorker: Int) {
        self.workers = workers
        capacity = readsPerWorker
        let slots = workers * readsPerWorker
        keys = .allocate(capacity: slots)
        values = .allocate(capacity: slots)
        readTimes = .allocate(capacity: slots)
        writeTimes = .allocate(capacity: slots)
        keys.initialize(repeating: 0, count: slots)
        values.initialize(repeating: -1, count: slots)
        readTimes.initialize(repeating: 0, count: slots)
        writeTimes.initialize(repeating: 0, count: slots)
        recorded = PerWorker(count: workers, 0)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
        readTimes.deallocate()
        writeTimes.deallocate()
    }

    /// Writes down one read and its write. The caller keeps within `capacity` (its
    /// budget is capped at it); a read beyond it would be a racelab bug, and traps.
    @inline(__always)
    func record(worker: Int, key: Int = 0, value: Int, readAt: UInt64, writtenAt: UInt64) {
        let index = recorded[worker]
        precondition(index < capacity, "a witnessed worker outgrew its buffer")
        let slot = worker * capacity + index
        keys[slot] = key
        values[slot] = value
        readTimes[slot] = readAt
        writeTimes[slot] = writtenAt
        recorded[worker] = index &+ 1
    }

    /// The buffers as a log, once the workers are done. `finals`: each key's final
    /// value (one entry for a single counter, whose keys are all 0).
    func log(operations: Int, finals: [Int], isKeyed: Bool) -> WitnessLog {
        func rows<T>(_ buffer: UnsafeMutablePointer<T>) -> [[T]] {
            (0..<workers).map { Array(UnsafeBufferPointer(start: buffer + $0 * capacity, count: recorded[$0])) }
        }
        return WitnessLog(
            values: rows(values), readTimes: rows(readTimes), writeTimes: rows(writeTimes),
            keys: isKeyed ? rows(keys) : nil, operations: operations, finals: finals)
    }
}
