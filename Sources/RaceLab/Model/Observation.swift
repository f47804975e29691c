/// One named kind of wrong outcome and how often it happened in a run,
/// e.g. "lost updates" or "vanished after check".
public struct Anomaly: Codable, Sendable, Equatable {
    public var name: String
    public var count: Int

    public init(_ name: String, _ count: Int) {
        self.name = name
        self.count = count
    }
}

/// When each worker ran, measured on the monotonic clock outside the hot loop.
public struct Timing: Codable, Sendable, Equatable {
    /// From the start gate's release to the last worker's finish.
    public var wallNanoseconds: UInt64
    /// Each worker's own time from passing the gate to finishing its loop.
    public var workerNanoseconds: [UInt64]
    /// Most workers that were between start and finish at the same moment.
    public var peakConcurrentWorkers: Int
    /// Share of the wall time during which two or more workers were running (0...1).
    public var overlapFraction: Double

    public init(
        wallNanoseconds: UInt64, workerNanoseconds: [UInt64],
        peakConcurrentWorkers: Int, overlapFraction: Double
    ) {
        self.wallNanoseconds = wallNanoseconds
        self.workerNanoseconds = workerNanoseconds
        self.peakConcurrentWorkers = peakConcurrentWorkers
        self.overlapFraction = overlapFraction
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

    public init(
        expected: Int, observed: Int, operations: Int, anomalies: [Anomaly],
        timing: Timing?, childEnd: ChildEnd? = nil, childMilliseconds: Double? = nil,
        childMessage: String? = nil
    ) {
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

    /// Cost of one operation as one worker sees it: wall x workers / operations.
    public var nsPerOp: Double? {
        guard let timing, operations > 0 else { return nil }
        return Double(timing.wallNanoseconds) * Double(timing.workerNanoseconds.count)
            / Double(operations)
    }

    /// Operations completed per second by all workers together.
    public var opsPerSecond: Double? {
        guard let timing, timing.wallNanoseconds > 0 else { return nil }
        return Double(operations) / (Double(timing.wallNanoseconds) / 1e9)
    }
}
