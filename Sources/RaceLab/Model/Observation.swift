/// A kind of wrong outcome, declared once by whoever checks for it: a stable id for
/// scripts and a display name for people. Observations count kinds; reports match
/// them by `id`, so rewording `name` never renames a JSON key or a CSV column.
///
///     static let lostUpdates = AnomalyKind(id: "lost-updates", name: "lost updates")
///     observation.anomalies = [lostUpdates.count(expected - counted)]
public struct AnomalyKind: Codable, Sendable, Hashable {
    /// Lower-case words joined by hyphens ("lost-updates"), fixed for good.
    public let id: String
    /// What a person reads: "lost updates".
    public let name: String

    /// Declares a kind; `id` must be lower-case letters, digits and hyphens (it traps otherwise).
    public init(id: String, name: String) {
        precondition(Self.isValid(id: id), "an anomaly id is lower-case letters, digits and hyphens: '\(id)'")
        self.id = id
        self.name = name
    }

    /// Reads a kind from JSON, refusing an id `init(id:name:)` would not accept (a
    /// document is input: it gets an error, never a trap).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        guard Self.isValid(id: id) else {
            throw DecodingError.dataCorruptedError(
                forKey: .id, in: container, debugDescription: "'\(id)' is not lower-case letters, digits and hyphens")
        }
        self.init(id: id, name: try container.decode(String.self, forKey: .name))
    }

    /// The id racelab derived from a display name before kinds were declared ("lost
    /// updates" -> "lost-updates"), for documents written then; ASCII only, never empty.
    package static func legacyID(_ name: String) -> String {
        let id = String(name.lowercased().map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? $0 : "-" })
        return id.isEmpty ? "anomaly" : id
    }

    private static func isValid(id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// This kind, counted `count` times in one run.
    public func count(_ count: Int) -> Anomaly { Anomaly(self, count: count) }
}

/// One kind of wrong outcome and how often it happened in a run, e.g. 1,204 "lost
/// updates". Encoded as `{"id", "name", "count"}`.
public struct Anomaly: Codable, Sendable, Equatable {
    /// The kind's stable identifier ("lost-updates").
    public var id: String
    /// The kind's display name ("lost updates").
    public var name: String
    /// How many times it happened in the run.
    public var count: Int

    /// `kind`, counted `count` times (`kind.count(n)` says the same).
    public init(_ kind: AnomalyKind, count: Int) {
        id = kind.id
        name = kind.name
        self.count = count
    }

    /// What was counted.
    public var kind: AnomalyKind { AnomalyKind(id: id, name: name) }
}

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

/// How a strategy that ran in a child process ended.
public enum ChildEnd: Codable, Sendable, Equatable {
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
public struct Observation: Codable, Sendable, Equatable {
    /// What a correct implementation would end with (e.g. total increments).
    public var expected: Int
    /// What the shared state held at the end.
    public var observed: Int
    /// Operations performed by all workers together (timed work).
    public var operations: Int
    /// Named anomaly counts; the first is the scenario's headline anomaly.
    public var anomalies: [Anomaly]
    /// Absent only when a child process died before it could report.
    public var timing: Timing?
    /// Set for strategies that ran in a child process.
    public var childEnd: ChildEnd?
    /// Milliseconds from the child's start to its end, for child-process strategies.
    public var childMilliseconds: Double?
    /// What the child's runtime said as it died ("Fatal error: ..."), if anything.
    public var childMessage: String?
    /// What the scenario saw beyond the counts, in words: which workers deadlocked on
    /// which lock, how often a sequence lock's readers retried. The report prints it.
    public var detail: String?
    /// `--witness`: every read of the run, accounted for (the unsafe counter).
    package var witness: Witness?

    /// What a run did. `anomalies` lists every kind the check declares, in its order,
    /// zero counts included, so reports can line them up by id.
    public init(
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
    public var primaryAnomalyCount: Int { anomalies.first?.count ?? 0 }

    /// Whether anything went wrong in this run, including a child that crashed or hung.
    public var hasAnomaly: Bool {
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
    public var nsPerOp: Double? {
        guard let timing, operations > 0 else { return nil }
        return Double(timing.busyNanoseconds) / Double(operations)
    }

    /// Operations completed per second by all workers together, over the window.
    public var opsPerSecond: Double? {
        guard let timing, timing.windowNanoseconds > 0 else { return nil }
        return Double(operations) / (Double(timing.windowNanoseconds) / 1e9)
    }

    /// Whether this run counted anything: false for a child process that died before
    /// it could report (it has no timing, and its counts mean nothing).
    public var didCount: Bool { timing != nil || childEnd == .finished }

    /// The headline anomaly as a share of what was expected (0...1), for this run.
    public var primaryAnomalyShare: Double? {
        guard expected > 0, didCount else { return nil }
        return Double(primaryAnomalyCount) / Double(expected)
    }

    /// Times the workers blocked in the kernel per operation, all together.
    public var sleepsPerOperation: Double? {
        guard let timing, operations > 0 else { return nil }
        return Double(timing.voluntarySwitches) / Double(operations)
    }
}
