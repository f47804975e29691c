import RaceLab
import RaceLabCommandLine
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `sweep --baseline FILE`: the earlier sweep.json a sweep is compared with, read and
/// checked before the sweep runs, so a wrong file fails in milliseconds. It lives
/// here, above both the command line (which only names the file) and the reports
/// (whose document it decodes).
enum Baseline {
    /// The baseline document, or the usage error that says what is wrong with it;
    /// with `--max-regression`, also whether a gate against it would be fair.
    static func load(
        _ path: String, for request: SweepRequest, scenario: Scenario, gated: Bool
    ) throws(UsageError) -> SweepJSON {
        let document = try read(path, scenario: scenario)
        if gated {
            try checkGate(
                document, path: path, base: request.base, counts: request.threadCounts, backends: request.backends)
        }
        return document
    }

    /// A regression gate needs a baseline it can be fair to: the same scenario settings
    /// (a ratio across different --iterations is not a regression) and at least one
    /// configuration in common. Checked before the sweep runs.
    private static func checkGate(
        _ baseline: SweepJSON, path: String, base: Request, counts: [Int], backends: [Backend]
    ) throws(UsageError) {
        let settings = SweepComparison.settingDifferences(now: base, then: baseline.request.base)
        if !settings.isEmpty {
            throw UsageError(
                "Invalid value '\(path)' for '--baseline <file>' with '--max-regression': it was made with other"
                    + " settings (\(settings.joined(separator: "; "))); expected a baseline made with the same"
                    + " settings, or leave out --max-regression to compare anyway.",
                subcommand: SweepArguments.subcommand)
        }
        let shared = baseline.cells.contains { cell in
            base.strategies.contains(cell.strategy) && counts.contains(cell.threads) && backends.contains(cell.backend)
        }
        if !shared {
            throw UsageError(
                "Invalid value '\(path)' for '--baseline <file>' with '--max-regression': it has no strategy,"
                    + " worker count and backend in common with this sweep; expected a baseline of the same"
                    + " configurations (it has workers \(baseline.request.threadCounts.map(String.init).joined(separator: ","))"
                    + " on \(baseline.request.backends.map(\.rawValue).joined(separator: ","))).",
                subcommand: SweepArguments.subcommand)
        }
    }

    private static func read(_ path: String, scenario: Scenario) throws(UsageError) -> SweepJSON {
        func invalid(_ why: String) -> UsageError {
            UsageError(
                "Invalid value '\(path)' for '--baseline <file>': \(why); expected \(SweepArguments.baselineAccepted).",
                subcommand: SweepArguments.subcommand)
        }
        let text: String
        switch FileIO.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure): throw invalid("cannot read it (\(failure.reason))")
        }
        // Kind and version first: an older document may not decode as this racelab's.
        struct Header: Decodable {
            var kind: String?
            var schemaVersion: Int?
        }
        if let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)), header.kind == SweepJSON.kind,
            let version = header.schemaVersion, version != JSONReport.schemaVersion
        {
            throw invalid(
                "its schema version is \(version), this racelab reads \(JSONReport.schemaVersion);"
                    + " make a new baseline with this racelab")
        }
        guard let document = try? SweepJSON.decode(text) else {
            if (try? JSONReport.decode(text)) != nil {
                throw invalid("it is the JSON of a single run ('racelab <scenario> --json'), not of a sweep")
            }
            throw invalid("it is not a racelab sweep document")
        }
        guard document.kind == SweepJSON.kind else {
            throw invalid("its kind is '\(document.kind)', not '\(SweepJSON.kind)'")
        }
        guard document.schemaVersion == JSONReport.schemaVersion else {
            throw invalid(
                "its schema version is \(document.schemaVersion), this racelab reads \(JSONReport.schemaVersion)")
        }
        guard document.scenario == scenario.name else {
            throw invalid("it is a sweep of '\(document.scenario)', not of '\(scenario.name)'")
        }
        return document
    }
}
