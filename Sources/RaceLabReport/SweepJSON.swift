import RaceLab
import RaceLabModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `racelab sweep --json` and `sweep.json`: every run's raw observation and each
/// configuration's summary, with where, when and by what build they were measured.
/// It is also what `--baseline` reads back.
package struct SweepJSON: Codable, Sendable, Equatable {
    package static let kind = "sweep"

    package var schemaVersion: Int
    package var racelabVersion: String
    /// Always "sweep": tells this document from a single run's.
    package var kind: String
    /// When the sweep finished, ISO 8601 UTC.
    package var generatedAt: String
    package var build: BuildInfo
    package var scenario: String
    /// The scenario's column labels, anomaly names and settings in words.
    package var labels: ScenarioLabels
    package var machine: MachineInfo
    package var request: SweepRequest
    /// One per (strategy, backend, worker count), in the scenario's strategy order.
    package var cells: [Cell]

    /// One configuration: its runs in the order they ran (run i is round i) and their summary.
    package struct Cell: Codable, Sendable, Equatable {
        package var strategy: String
        package var isExpectedSafe: Bool
        package var backend: Backend
        package var threads: Int
        package var summarised: StrategySummary
        package var runs: [Observation]
    }

    package init(_ result: SweepResult, generatedAt: String, build: BuildInfo = .current) {
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
    package var result: SweepResult {
        SweepResult(
            request: request, scenario: labels, machine: machine,
            cells: cells.map {
                SweepCell(
                    strategy: $0.strategy, isExpectedSafe: $0.isExpectedSafe, backend: $0.backend,
                    threads: $0.threads, runs: $0.runs)
            })
    }

    package func encoded() -> String { JSONText.pretty(self) }

    package static func decode(_ text: String) throws -> SweepJSON {
        try JSONDecoder().decode(SweepJSON.self, from: Data(text.utf8))
    }
}
