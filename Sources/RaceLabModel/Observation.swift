import RaceLab

/// A kind of wrong outcome, declared once by whoever checks for it: a stable id for
/// scripts and a display name for people. Observations count kinds; reports match
/// them by `id`, so rewording `name` never renames a JSON key or a CSV column.
///
///     static let lostUpdates = AnomalyKind(id: "lost-updates", name: "lost updates")
///     observation.anomalies = [lostUpdates.count(expected - counted)]
package struct AnomalyKind: Codable, Sendable, Hashable {
    /// Lower-case words joined by hyphens ("lost-updates"), fixed for good.
    package let id: String
    /// What a person reads: "lost updates".
    package let name: String

    /// Declares a kind; `id` must be lower-case letters, digits and hyphens (it traps
    /// otherwise: racelab's own declarations, a programmer's error caught by any test).
    package init(id: String, name: String) {
        precondition(Self.isValid(id: id), "an anomaly id is lower-case letters, digits and hyphens: '\(id)'")
        self.init(read: id, name: name)
    }

    /// A kind as a result file or a child's report carries it: not checked, since what
    /// a file says is data, never a reason to trap.
    fileprivate init(read id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// Reads a kind from JSON, refusing an id `init(id:name:)` would not accept (a
    /// document is input: it gets an error, never a trap).
    package init(from decoder: any Decoder) throws {
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
    package func count(_ count: Int) -> Anomaly { Anomaly(self, count: count) }
}

/// One kind of wrong outcome and how often it happened in a run, e.g. 1,204 "lost
/// updates". Encoded as `{"id", "name", "count"}`.
package struct Anomaly: Codable, Sendable, Equatable {
    /// The kind's stable identifier ("lost-updates").
    package var id: String
    /// The kind's display name ("lost updates").
    package var name: String
    /// How many times it happened in the run.
    package var count: Int

    /// `kind`, counted `count` times (`kind.count(n)` says the same).
    package init(_ kind: AnomalyKind, count: Int) {
        id = kind.id
        name = kind.name
        self.count = count
    }

    /// What was counted.
    package var kind: AnomalyKind { AnomalyKind(read: id, name: name) }
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

    /// What a run did. `anomalies` lists every kind the check declares, in its order,
    /// zero counts included, so reports can line them up by id.
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
