/// One named kind of wrong outcome and how often it happened in a run,
/// e.g. "lost updates" or "vanished after check".
package struct Anomaly: Codable, Sendable, Equatable {
    /// Stable identifier for scripts: the display name, lower-case, hyphenated
    /// ("lost-updates"). It does not change when the wording around it does.
    package var id: String
    /// What a person reads: "lost updates".
    package var name: String
    package var count: Int

    package init(_ name: String, _ count: Int) {
        id = Self.identifier(name)
        self.name = name
        self.count = count
    }

    /// "vanished after check" -> "vanished-after-check".
    package static func identifier(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}

/// One worker's share of a run, measured outside its hot loop.
package struct WorkerTiming: Codable, Sendable, Equatable {
    /// How long after the shared start this worker began its first operation; nil if
    /// it never began inside the window (Dispatch ran it after the window closed).
    package var startSkewNanoseconds: UInt64?
    /// From this worker's first operation to its stop: the time its operations took.
    /// Start skew is not in it.
    package var busyNanoseconds: UInt64
    /// Operations this worker completed (counted in a register, published at the end).
    package var operations: Int
    /// CPU time the kernel gave this worker's thread while it was busy.
    package var cpuNanoseconds: UInt64
    /// Times the thread blocked while busy (waiting for a lock, sleeping).
    package var voluntarySwitches: Int
    /// Times the kernel took the CPU away from it while busy (preempted).
    package var involuntarySwitches: Int

    package init(
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
    package var ranInWindow: Bool { startSkewNanoseconds != nil && operations > 0 }
}

/// The measurement window of one run: workers start together at a shared start
/// time, and everything here is measured from it.
package struct Timing: Codable, Sendable, Equatable {
    /// From the shared start to the last worker's stop.
    package var windowNanoseconds: UInt64
    /// The window a timed run asked for; nil for a fixed-count run.
    package var requestedWindowNanoseconds: UInt64?
    /// One entry per worker, by worker index.
    package var workers: [WorkerTiming]
    /// Most workers that were between their start and their stop at one moment.
    package var maxActiveWorkers: Int
    /// Share of the window during which 2 or more workers were between start and stop (0...1).
    package var overlapFraction: Double

    package init(
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
    package var operations: Int { workers.reduce(0) { $0 + $1.operations } }

    /// Workers that did at least one operation inside the window.
    package var workersInWindow: Int { workers.filter(\.ranInWindow).count }

    /// The latest start among the workers that started: the start skew of this run.
    package var maxStartSkewNanoseconds: UInt64 { workers.compactMap(\.startSkewNanoseconds).max() ?? 0 }

    /// Sum of every worker's busy time: what the operations cost, skew excluded.
    package var busyNanoseconds: UInt64 { workers.reduce(0) { $0 &+ $1.busyNanoseconds } }

    /// Workers on a CPU at once, on average over the window: the CPU time the
    /// workers got divided by the window. 2.0 on two CPUs means truly parallel;
    /// 1.0 means they took turns, however many were "active".
    package var cpuParallelism: Double? {
        let cpu = workers.reduce(UInt64(0)) { $0 &+ $1.cpuNanoseconds }
        guard cpu > 0, windowNanoseconds > 0 else { return nil }
        return Double(cpu) / Double(windowNanoseconds)
    }

    /// Times the workers blocked (lock waits, sleeps) during the window, all together.
    package var voluntarySwitches: Int { workers.reduce(0) { $0 + $1.voluntarySwitches } }

    /// Workers that went to sleep in the kernel for at least every other operation:
    /// in a lock convoy, every worker but the one holding the lock.
    package var sleepingWorkers: Int {
        workers.filter { $0.operations > 0 && 2 * $0.voluntarySwitches >= $0.operations }.count
    }

    /// Workers that went to sleep in the kernel at least 10 times in the window:
    /// they waited for one another (a lock, a condition variable), which is contention
    /// even when little CPU was used.
    package var waitingWorkers: Int { workers.filter { $0.voluntarySwitches >= 10 }.count }

    /// The share of all operations done by the busiest worker (1/workers when fair).
    package var busiestWorkerShare: Double? {
        guard operations > 0 else { return nil }
        return Double(workers.map(\.operations).max() ?? 0) / Double(operations)
    }
}

/// How a strategy that ran in a child process ended.
package enum ChildEnd: Codable, Sendable, Equatable {
    /// The child finished and reported its observation.
    case finished
    /// The child exited with a non-zero status without reporting.
    case exited(code: Int32)
    /// The child was killed by a signal it raised itself (a crash).
    case crashed(signal: Int32)
    /// The child outlived its timeout and racelab killed it.
    case hung(timeoutSeconds: Double)
    /// The child exited 0 but what it printed was not an observation racelab can read.
    case unreadableReport
}

/// What one run of one strategy did: what should have happened, what did, and
/// how long it took.
package struct Observation: Codable, Sendable, Equatable {
    /// What a correct implementation would end with (e.g. total increments).
    package var expected: Int
    /// What the shared state held at the end.
    package var observed: Int
    /// Operations performed by all workers together (timed work).
    package var operations: Int
    /// Named anomaly counts; the first is the scenario's headline anomaly.
    package var anomalies: [Anomaly]
    /// Absent only when a child process died before it could report.
    package var timing: Timing?
    /// Set for strategies that ran in a child process.
    package var childEnd: ChildEnd?
    /// Milliseconds from the child's start to its end, for child-process strategies.
    package var childMilliseconds: Double?
    /// What the child's runtime said as it died ("Fatal error: ..."), if anything.
    package var childMessage: String?
    /// What the scenario saw beyond the counts, in words: which workers deadlocked on
    /// which lock, how often a sequence lock's readers retried. The report prints it.
    package var detail: String?
    /// `--witness`: every read of the run, accounted for (the unsafe counter).
    package var witness: Witness?

    package init(
        expected: Int, observed: Int, operations: Int, anomalies: [Anomaly],
        timing: Timing?, detail: String? = nil, childEnd: ChildEnd? = nil, childMilliseconds: Double? = nil,
        childMessage: String? = nil
    ) {
        self.detail = detail
        self.expected = expected
        self.observed = observed
        self.operations = operations
        self.anomalies = anomalies
        self.timing = timing
        self.childEnd = childEnd
        self.childMilliseconds = childMilliseconds
        self.childMessage = childMessage
    }

    /// The headline anomaly count (lost updates, vanished reads, ...).
    package var primaryAnomalyCount: Int { anomalies.first?.count ?? 0 }

    /// Whether anything went wrong in this run, including a child that crashed or hung.
    package var hasAnomaly: Bool {
        if anomalies.contains(where: { $0.count != 0 }) { return true }
        switch childEnd {
        case .none, .finished?: return false
        default: return true
        }
    }

    /// Cost of one operation as one worker sees it: the workers' busy time (each from
    /// its own start to its stop, summed) over all operations. With every worker
    /// starting on time this is window x workers / operations; a late start (skew)
    /// is never charged to the operation.
    package var nsPerOp: Double? {
        guard let timing, operations > 0 else { return nil }
        return Double(timing.busyNanoseconds) / Double(operations)
    }

    /// Operations completed per second by all workers together, over the window.
    package var opsPerSecond: Double? {
        guard let timing, timing.windowNanoseconds > 0 else { return nil }
        return Double(operations) / (Double(timing.windowNanoseconds) / 1e9)
    }

    /// Whether this run counted anything: false for a child process that died before
    /// it could report (it has no timing, and its counts mean nothing).
    package var didCount: Bool { timing != nil || childEnd == .finished }

    /// The headline anomaly as a share of what was expected (0...1), for this run.
    package var primaryAnomalyShare: Double? {
        guard expected > 0, didCount else { return nil }
        return Double(primaryAnomalyCount) / Double(expected)
    }

    /// Times the workers blocked in the kernel per operation, all together.
    package var sleepsPerOperation: Double? {
        guard let timing, operations > 0 else { return nil }
        return Double(timing.voluntarySwitches) / Double(operations)
    }
}
