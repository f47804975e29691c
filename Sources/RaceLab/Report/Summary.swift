/// Min, median and max of one figure over repeated runs. Quote the median.
public struct Spread: Codable, Sendable, Equatable {
    public var min: Double
    public var median: Double
    public var max: Double

    public init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        min = sorted[0]
        max = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// What all runs of one strategy add up to: every figure as a spread.
public struct StrategySummary: Codable, Sendable, Equatable {
    public var runs: Int
    public var runsWithAnomaly: Int
    public var expected: Int
    public var observed: Spread?
    /// One spread per anomaly name, in the scenario's order.
    public var anomalies: [NamedSpread]
    public var wallNanoseconds: Spread?
    public var nsPerOp: Spread?
    public var opsPerSecond: Spread?
    public var peakConcurrentWorkers: Spread?
    public var overlapFraction: Spread?

    public struct NamedSpread: Codable, Sendable, Equatable {
        public var name: String
        public var spread: Spread
    }

    public init(_ outcome: StrategyOutcome) {
        let runs = outcome.runs
        let timings = runs.compactMap(\.timing)
        self.runs = runs.count
        runsWithAnomaly = outcome.runsWithAnomaly
        expected = runs.first?.expected ?? 0
        observed = Spread(runs.map { Double($0.observed) })
        // By name, over the runs that counted it: a child that crashed reports no counts,
        // so runs can disagree on which anomalies they have.
        anomalies = Self.anomalyNames(runs).compactMap { name in
            Spread(runs.compactMap { run in run.anomalies.first { $0.name == name }.map { Double($0.count) } })
                .map { NamedSpread(name: name, spread: $0) }
        }
        wallNanoseconds = Spread(timings.map { Double($0.wallNanoseconds) })
        nsPerOp = Spread(runs.compactMap(\.nsPerOp))
        opsPerSecond = Spread(runs.compactMap(\.opsPerSecond))
        peakConcurrentWorkers = Spread(timings.map { Double($0.peakConcurrentWorkers) })
        overlapFraction = Spread(timings.map(\.overlapFraction))
    }

    /// Every anomaly name the runs counted, in first-seen order (headline first).
    static func anomalyNames(_ runs: [Observation]) -> [String] {
        var names: [String] = []
        for name in runs.flatMap({ $0.anomalies.map(\.name) }) where !names.contains(name) { names.append(name) }
        return names
    }

    /// The headline anomaly's spread (lost updates, vanished after check, ...).
    public var primaryAnomaly: Spread? { anomalies.first?.spread }
}
