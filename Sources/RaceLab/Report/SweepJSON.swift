#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `racelab sweep --json` and `sweep.json`: every run's raw observation and each
/// configuration's summary, with where, when and by what build they were measured.
/// It is also what `--baseline` reads back.
public struct SweepJSON: Codable, Sendable, Equatable {
    public static let kind = "sweep"

    public var schemaVersion: Int
    public var racelabVersion: String
    /// Always "sweep": tells this document from a single run's.
    public var kind: String
    /// When the sweep finished, ISO 8601 UTC.
    public var generatedAt: String
    public var build: BuildInfo
    public var scenario: String
    /// The scenario's column labels, anomaly names and settings in words.
    public var labels: ScenarioLabels
    public var machine: MachineInfo
    public var request: SweepRequest
    /// One per (strategy, backend, worker count), in the scenario's strategy order.
    public var cells: [Cell]

    /// One configuration: its runs in the order they ran (run i is round i) and their summary.
    public struct Cell: Codable, Sendable, Equatable {
        public var strategy: String
        public var isExpectedSafe: Bool
        public var backend: Backend
        public var threads: Int
        public var summarised: StrategySummary
        public var runs: [Observation]
    }

    public init(_ result: SweepResult, generatedAt: String, build: BuildInfo = .current) {
        schemaVersion = JSONReport.schemaVersion
        racelabVersion = RaceLabVersion.current
        kind = Self.kind
        self.generatedAt = generatedAt
        self.build = build
        scenario = result.request.base.scenario
        labels = result.scenario
        machine = result.machine
        request = result.request
        cells = result.cells.map {
            Cell(
                strategy: $0.strategy, isExpectedSafe: $0.isExpectedSafe, backend: $0.backend, threads: $0.threads,
                summarised: $0.summary, runs: $0.runs)
        }
    }

    /// The sweep this document describes, as racelab holds it in memory.
    public var result: SweepResult {
        SweepResult(
            request: request, scenario: labels, machine: machine,
            cells: cells.map {
                SweepCell(
                    strategy: $0.strategy, isExpectedSafe: $0.isExpectedSafe, backend: $0.backend,
                    threads: $0.threads, runs: $0.runs)
            })
    }

    public func encoded() -> String { JSONText.pretty(self) }

    public static func decode(_ text: String) throws -> SweepJSON {
        try JSONDecoder().decode(SweepJSON.self, from: Data(text.utf8))
    }
}
