/// One worker's share of a run, measured outside its hot loop.
public struct WorkerTiming: Codable, Sendable, Equatable {
    /// How long after the shared start this worker began its first operation; nil if
    /// it never began inside the window (Dispatch ran it after the window closed).
    public var startSkewNanoseconds: UInt64?
    /// From this worker's first operation to its stop: the time its operations took.
    /// Start skew is not in it.
    public var busyNanoseconds: UInt64
    /// Operations this worker completed (counted in a register, published at the end).
    public var operations: Int
    /// CPU time the kernel gave this worker's thread while it was busy.
    public var cpuNanoseconds: UInt64
    /// Times the thread blocked while busy (waiting for a lock, sleeping).
    public var voluntarySwitches: Int
    /// Times the kernel took the CPU away from it while busy (preempted).
    public var involuntarySwitches: Int

    /// A worker's figures, as the pool measured them.
    public init(
        startSkewNanoseconds: UInt64?, busyNanoseconds: UInt64, operations: Int, cpuNanoseconds: UInt64 = 0,
        voluntarySwitches: Int = 0, involuntarySwitches: Int = 0
    ) {
        self.startSkewNanoseconds = startSkewNanoseconds
        self.busyNanoseconds = busyNanoseconds
        self.operations = operations
        self.cpuNanoseconds = cpuNanoseconds
        self.voluntarySwitches = voluntarySwitches
        self.involuntarySwitches = involuntarySwitches
    }

    /// Whether this worker did any work inside the window.
    public var ranInWindow: Bool { startSkewNanoseconds != nil && operations > 0 }
}

/// The measurement window of one run: workers start together at a shared start
/// time, and everything here is measured from it.
public struct Timing: Codable, Sendable, Equatable {
    /// From the shared start to the last worker's stop.
    public var windowNanoseconds: UInt64
    /// The window a timed run asked for; nil for a fixed-count run.
    public var requestedWindowNanoseconds: UInt64?
    /// One entry per worker, by worker index.
    public var workers: [WorkerTiming]
    /// Most workers that were between their start and their stop at one moment.
    public var maxActiveWorkers: Int
    /// Share of the window during which 2 or more workers were between start and stop (0...1).
    public var overlapFraction: Double

    /// A run's window and its workers' figures; `overlapFraction` is 0...1.
    public init(
        windowNanoseconds: UInt64, requestedWindowNanoseconds: UInt64? = nil, workers: [WorkerTiming],
        maxActiveWorkers: Int, overlapFraction: Double
    ) {
        self.windowNanoseconds = windowNanoseconds
        self.requestedWindowNanoseconds = requestedWindowNanoseconds
        self.workers = workers
        self.maxActiveWorkers = maxActiveWorkers
        self.overlapFraction = overlapFraction
    }

    /// Operations of all workers together.
    public var operations: Int { workers.reduce(0) { $0 + $1.operations } }

    /// Workers that did at least one operation inside the window.
    public var workersInWindow: Int { workers.filter(\.ranInWindow).count }

    /// The latest start among the workers that started: the start skew of this run.
    public var maxStartSkewNanoseconds: UInt64 { workers.compactMap(\.startSkewNanoseconds).max() ?? 0 }

    /// Sum of every worker's busy time: what the operations cost, skew excluded.
    public var busyNanoseconds: UInt64 { workers.reduce(0) { $0 &+ $1.busyNanoseconds } }

    /// Workers on a CPU at once, on average over the window: the CPU time the
    /// workers got divided by the window. 2.0 on two CPUs means truly parallel;
    /// 1.0 means they took turns, however many were "active".
    public var cpuParallelism: Double? {
        let cpu = workers.reduce(UInt64(0)) { $0 &+ $1.cpuNanoseconds }
        guard cpu > 0, windowNanoseconds > 0 else { return nil }
        return Double(cpu) / Double(windowNanoseconds)
    }

    /// Times the workers blocked (lock waits, sleeps) during the window, all together.
    public var voluntarySwitches: Int { workers.reduce(0) { $0 + $1.voluntarySwitches } }

    /// Workers that went to sleep in the kernel for at least every other operation:
    /// in a lock convoy, every worker but the one holding the lock.
    public var sleepingWorkers: Int {
        workers.filter { $0.operations > 0 && 2 * $0.voluntarySwitches >= $0.operations }.count
    }

    /// Workers that went to sleep in the kernel at least 10 times in the window:
    /// they waited for one another (a lock, a condition variable), which is contention
    /// even when little CPU was used.
    public var waitingWorkers: Int { workers.filter { $0.voluntarySwitches >= 10 }.count }

    /// The share of all operations done by the busiest worker (1/workers when fair).
    public var busiestWorkerShare: Double? {
        guard operations > 0 else { return nil }
        return Double(workers.map(\.operations).max() ?? 0) / Double(operations)
    }
}
