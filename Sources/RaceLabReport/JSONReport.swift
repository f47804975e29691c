import RaceLab
import RaceLabModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The report for machines: one JSON document with the same facts as the table.
/// `schemaVersion` changes whenever a field changes meaning or disappears.
package struct JSONReport: Codable, Sendable, Equatable {
    /// 2: time-boxed runs (`request.length`), the measurement window per run
    /// (`timing.windowNanoseconds`, per-worker operations, skew, CPU time, sleeps).
    /// 3: a scenario's own options travel in `request.settings` (by option name) instead
    /// of one field each; `labels` carries the scenario's column labels and settings lines.
    package static let schemaVersion = 3

    package var schemaVersion: Int
    package var racelabVersion: String
    /// When the run finished, ISO 8601 UTC.
    package var generatedAt: String
    package var build: BuildInfo
    package var scenario: String
    /// The scenario's column labels, anomaly names and settings in words.
    package var labels: ScenarioLabels
    package var machine: MachineInfo
    package var request: Request
    /// What `--check` / `--expect-race` decided; absent when neither was given.
    package var check: CheckResult?
    package var strategies: [StrategyEntry]

    /// One strategy: what it promises, every run, the summary and the verdict.
    package struct StrategyEntry: Codable, Sendable, Equatable {
        package var name: String
        package var summary: String
        package var isExpectedSafe: Bool
        package var runsInChildProcess: Bool
        package var verdict: Verdict
        package var verdictText: String
        /// Set when the workers spent the window convoying on a lock: what that means.
        package var convoyNote: String?
        package var runs: [Observation]
        /// The first run that showed an anomaly (run number and seconds into the lab).
        package var firstAnomaly: FirstAnomaly?
        package var summarised: StrategySummary
    }

    package init(
        _ result: LabResult, check: CheckResult? = nil, generatedAt: String, build: BuildInfo = .current
    ) {
        schemaVersion = Self.schemaVersion
        racelabVersion = RaceLabVersion.current
        self.generatedAt = generatedAt
        self.build = build
        self.check = check
        let scenario = result.scenario
        self.scenario = scenario.name
        labels = scenario
        machine = result.machine
        request = result.request
        let remedy = VerdictText.overlapRemedy(result.request, cpusAvailable: result.machine.cpusAvailable)
        strategies = result.strategies.map { outcome in
            let summary = StrategySummary(outcome)
            return StrategyEntry(
                name: outcome.name, summary: outcome.summary, isExpectedSafe: outcome.isExpectedSafe,
                runsInChildProcess: outcome.runsInChildProcess, verdict: outcome.verdict,
                verdictText: VerdictText.sentence(outcome, summary, scenario: scenario, overlapRemedy: remedy),
                convoyNote: VerdictText.convoyNote(outcome, summary, scenario: scenario),
                runs: outcome.runs, firstAnomaly: outcome.firstAnomaly, summarised: summary)
        }
    }

    package func encoded() -> String { JSONText.pretty(self) }

    package static func decode(_ text: String) throws -> JSONReport {
        try JSONDecoder().decode(JSONReport.self, from: Data(text.utf8))
    }
}

/// How racelab writes JSON: pretty, keys sorted (stable diffs) except that a
/// top-level `schemaVersion` comes first, where a reader looks for it; one trailing newline.
package enum JSONText {
    package static func pretty(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain value types cannot fail; an empty object would be a bug.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return schemaVersionFirst(String(decoding: data, as: UTF8.self)) + "\n"
    }

    /// One line, keys sorted: for handing a value to a child process.
    package static func compact(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Moves the top-level `"schemaVersion" : n` line (two-space indent) to the top of
    /// the object, fixing the commas around where it was.
    static func schemaVersionFirst(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(where: { $0.hasPrefix("  \"schemaVersion\" : ") }), index > 1 else {
            return text
        }
        var line = lines.remove(at: index)
        if line.hasSuffix(",") {
            line.removeLast()
        } else if lines[index - 1].hasSuffix(",") {
            lines[index - 1].removeLast()  // it was the last member: the one before now is
        }
        lines.insert(line + ",", at: 1)
        return lines.joined(separator: "\n")
    }
}
