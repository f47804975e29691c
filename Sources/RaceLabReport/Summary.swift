import RaceLab
import RaceLabModel

/// What all runs of one strategy add up to: every figure as a spread.
package struct StrategySummary: Codable, Sendable, Equatable {
    package var runs: Int
    package var runsWithAnomaly: Int
    /// Median of what the runs should have ended with (time-boxed runs each expect
    /// what their own workers did, so this varies from run to run).
    package var expected: Int
    package var observed: Spread?
    /// One spread per anomaly name, in the scenario's order.
    package var anomalies: [NamedSpread]
    /// The headline anomaly as a share of what each run expected (0...1).
    package var primaryAnomalyShare: Spread?
    package var windowNanoseconds: Spread?
    package var nsPerOp: Spread?
    package var opsPerSecond: Spread?
    /// Most workers between their start and their stop at one moment.
    package var maxActiveWorkers: Spread?
    /// Workers that did at least one operation inside the window.
    package var workersInWindow: Spread?
    package var overlapFraction: Spread?
    /// Workers on a CPU at once, on average over the window (their CPU time / window).
    package var cpuParallelism: Spread?
    /// The latest worker's start after the shared start.
    package var maxStartSkewNanoseconds: Spread?
    /// Times workers blocked in the kernel per operation.
    package var sleepsPerOperation: Spread?
    /// Workers that slept for at least every other operation (a lock convoy).
    package var sleepingWorkers: Spread?
    /// Share of all operations done by the busiest worker.
    package var busiestWorkerShare: Spread?

    package struct NamedSpread: Codable, Sendable, Equatable {
        /// The anomaly's stable identifier ("lost-updates").
        package var id: String
        package var name: String
        package var spread: Spread

        init(_ kind: AnomalyKind, spread: Spread) {
            id = kind.id
            name = kind.name
            self.spread = spread
        }
    }

    package init(_ outcome: StrategyOutcome) {
        let runs = outcome.runs
        let timings = runs.compactMap(\.timing)
        self.runs = runs.count
        runsWithAnomaly = outcome.runsWithAnomaly
        let counted = runs.filter(\.didCount)
        expected =
            Spread(counted.map { Double($0.expected) }).map { Int($0.median.rounded()) } ?? 0
        observed = Spread(counted.map { Double($0.observed) })
        primaryAnomalyShare = Spread(runs.compactMap(\.primaryAnomalyShare))
        // By id, over the runs that counted it: a child that crashed reports no counts,
        // so runs can disagree on which anomalies they have.
        anomalies = Self.anomalyKinds(runs).compactMap { kind in
            Spread(runs.compactMap { run in run.anomalies.first { $0.id == kind.id }.map { Double($0.count) } })
                .map { NamedSpread(kind, spread: $0) }
        }
        windowNanoseconds = Spread(timings.map { Double($0.windowNanoseconds) })
        nsPerOp = Spread(runs.compactMap(\.nsPerOp))
        opsPerSecond = Spread(runs.compactMap(\.opsPerSecond))
        maxActiveWorkers = Spread(timings.map { Double($0.maxActiveWorkers) })
        workersInWindow = Spread(timings.map { Double($0.workersInWindow) })
        overlapFraction = Spread(timings.map(\.overlapFraction))
        cpuParallelism = Spread(timings.compactMap(\.cpuParallelism))
        maxStartSkewNanoseconds = Spread(timings.map { Double($0.maxStartSkewNanoseconds) })
        sleepsPerOperation = Spread(runs.compactMap(\.sleepsPerOperation))
        sleepingWorkers = Spread(timings.map { Double($0.sleepingWorkers) })
        busiestWorkerShare = Spread(timings.compactMap(\.busiestWorkerShare))
    }

    /// Every anomaly kind the runs counted, in first-seen order (headline first).
    static func anomalyKinds(_ runs: [Observation]) -> [AnomalyKind] {
        var kinds: [AnomalyKind] = []
        for kind in runs.flatMap({ $0.anomalies.map(\.kind) }) where !kinds.contains(where: { $0.id == kind.id }) {
            kinds.append(kind)
        }
        return kinds
    }

    /// The headline anomaly's spread (lost updates, vanished after check, ...).
    package var primaryAnomaly: Spread? { anomalies.first?.spread }
}
