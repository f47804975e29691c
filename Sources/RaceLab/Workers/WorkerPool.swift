import CRaceLabShims
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a pool could not run its workers.
public enum WorkerPoolError: Error, Equatable, Sendable {
    /// `pthread_create` refused worker `worker` with error number `code`.
    case threadCreationFailed(worker: Int, code: Int32)
}

/// Runs one body on N workers that start together behind a start gate, and times
/// them. Knows nothing about scenarios: a body gets its worker index and does its
/// whole loop, so the hot loop is the caller's own, specialised code.
public struct WorkerPool: Sendable {
    public var backend: Backend
    /// Pin worker i to `cpus.cpu(forWorker: i)`. Honoured by the pthread backend only:
    /// Dispatch's threads are not ours to pin.
    public var isPinned: Bool
    public var cpus: CPUSet
    /// Test hook: behave as if `pthread_create` failed (EAGAIN) for every worker at or
    /// beyond this index, the way a process at its thread limit would.
    public var threadLimit: Int?

    public init(backend: Backend, isPinned: Bool, cpus: CPUSet = .current(), threadLimit: Int? = nil) {
        self.backend = backend
        self.isPinned = isPinned
        self.cpus = cpus
        self.threadLimit = threadLimit
    }

    /// Runs `body(i)` for i in 0..<workers, all released together; returns when all finished.
    public func run(workers: Int, _ body: @escaping @Sendable (Int) -> Void) throws(WorkerPoolError) -> Timing {
        precondition(workers >= 1, "a pool needs at least one worker")
        let log = WorkerLog(workers: workers)
        let gate: StartGate
        switch backend {
        case .pthread:
            gate = StartGate(expected: workers)
            try runOnPthreads(workers: workers, gate: gate, log: log, body)
        case .dispatch:
            // concurrentPerform runs about one worker per CPU this process may use (it
            // counts them with pthread_getaffinity_np, as `cpus` does): wait for that
            // many, and let a gate stalled for 250 ms open itself rather than deadlock
            // (generous: a loaded machine can be slow to start a pool thread).
            let width = max(1, min(workers, cpus.count))
            gate = StartGate(expected: width, stallNanoseconds: 250_000_000)
            DispatchQueue.concurrentPerform(iterations: workers) { i in
                Self.work(i, gate: gate, log: log, body)
            }
        }
        return Timing(releasedAt: gate.releaseTime, intervals: log.intervals(), workers: workers)
    }

    private static func work(_ i: Int, gate: StartGate, log: WorkerLog, _ body: (Int) -> Void) {
        guard gate.arriveAndWait() else { return }
        log.recordStart(i)
        body(i)
        log.recordFinish(i)
    }

    private func runOnPthreads(
        workers: Int, gate: StartGate, log: WorkerLog, _ body: @escaping @Sendable (Int) -> Void
    ) throws(WorkerPoolError) {
        var threads: [PThread] = []
        threads.reserveCapacity(workers)
        defer { threads.forEach { $0.join() } }
        let pinCPUs: CPUSet? = isPinned ? cpus : nil
        for i in 0..<workers {
            if let threadLimit, i >= threadLimit {
                gate.abandon()
                throw .threadCreationFailed(worker: i, code: EAGAIN)
            }
            let started = PThread.spawn {
                if let pinCPUs { _ = racelab_pin_current_thread(pinCPUs.cpu(forWorker: i)) }
                Self.work(i, gate: gate, log: log, body)
            }
            switch started {
            case .success(let thread): threads.append(thread)
            case .failure(let error):
                gate.abandon()
                throw .threadCreationFailed(worker: i, code: error.code)
            }
        }
    }
}

extension Timing {
    /// Derives wall time, per-worker times, peak concurrency and overlap from when
    /// the gate opened and when each worker started and finished.
    init(releasedAt: UInt64, intervals: [(start: UInt64, finish: UInt64)], workers: Int) {
        let lastFinish = intervals.map(\.finish).max() ?? releasedAt
        let wall = lastFinish &- min(releasedAt, lastFinish)
        // Sweep the start/finish events in time order.
        var events: [(time: UInt64, delta: Int)] = []
        events.reserveCapacity(intervals.count * 2)
        for interval in intervals {
            events.append((interval.start, +1))
            events.append((interval.finish, -1))
        }
        events.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
        var running = 0
        var peak = 0
        var overlapped: UInt64 = 0
        var previous = releasedAt
        for event in events {
            if running >= 2, event.time > previous { overlapped += event.time - previous }
            previous = max(previous, event.time)
            running += event.delta
            peak = max(peak, running)
        }
        self.init(
            wallNanoseconds: wall,
            workerNanoseconds: intervals.map { $0.finish &- $0.start },
            peakConcurrentWorkers: peak,
            overlapFraction: wall == 0 ? 0 : min(1, Double(overlapped) / Double(wall)))
    }
}
