import RaceLab
import RaceLabModel

/// What `--check` and `--expect-race` decided about a run, as facts and as the one
/// line racelab prints on stderr at the end, for passing and failing runs alike.
package struct CheckResult: Codable, Sendable, Equatable {
    /// The rules applied: `safe-strategies-held` (`--check`), and `race-exposed`
    /// (`--expect-race`, which implies the first).
    package var rules: [String]
    package var passed: Bool
    /// Safe strategies that held (with strong or weak evidence), and that broke.
    package var held: [String]
    package var broken: [String]
    /// Unsafe strategies that showed their race, and that did not (for any reason).
    package var exposed: [String]
    package var notExposed: [String]
    /// The final line on stderr: "check passed: ..." or "check FAILED: ...".
    package var summary: String

    package init(_ result: LabResult, expectRace: Bool) {
        let safe = result.strategies.filter(\.isExpectedSafe)
        let unsafe = result.strategies.filter { !$0.isExpectedSafe }
        rules = ["safe-strategies-held"] + (expectRace ? ["race-exposed"] : [])
        held = safe.filter { $0.verdict.isHeld }.map(\.name)
        broken = safe.filter { $0.verdict == .broken }.map(\.name)
        exposed = unsafe.filter { $0.verdict == .exposed }.map(\.name)
        notExposed = unsafe.filter { $0.verdict != .exposed }.map(\.name)
        let raceMissing = expectRace && !unsafe.isEmpty && exposed.isEmpty
        // A witness log that cannot account for its run is a bug in the recording.
        let incomplete = result.strategies.flatMap { outcome in
            outcome.runs.compactMap(\.witness).filter { !$0.isComplete }.map { (outcome.name, $0) }
        }
        passed = broken.isEmpty && !raceMissing && incomplete.isEmpty

        var failures: [String] = []
        for outcome in safe where outcome.verdict == .broken {
            failures.append(
                "\(outcome.name) BROKEN, \(StrategySummary.anomalyKinds(outcome.runs).first?.name ?? "anomalies")"
                    + " in \(Self.ofRuns(outcome.runsWithAnomaly, outcome.runs.count))")
        }
        if raceMissing { failures += unsafe.map { Self.unsafeFact($0, result) } }
        failures += incomplete.map { name, witness in
            "\(name)'s witness log is incomplete: " + witness.problems.joined(separator: "; ")
        }
        if passed {
            let weak = safe.filter { $0.verdict == .heldWeak }.count
            var parts = [
                safe.isEmpty
                    ? "no safe strategy ran"
                    : "\(safe.count) safe \(safe.count == 1 ? "strategy" : "strategies") held"
                        + (weak > 0 ? " (\(weak) with weak evidence: their workers never truly ran in parallel)" : "")
            ]
            parts += unsafe.map { Self.unsafeFact($0, result) }
            summary = "check passed: " + parts.joined(separator: ", ")
        } else {
            summary = "check FAILED: " + failures.joined(separator: "; ")
        }
    }

    /// "unsafe exposed its race in 1 of 1 runs" / "unsafe could not show its race: ...".
    static func unsafeFact(_ outcome: StrategyOutcome, _ result: LabResult) -> String {
        switch outcome.verdict {
        case .exposed:
            return "\(outcome.name) exposed its race in \(ofRuns(outcome.runsWithAnomaly, outcome.runs.count))"
        case .couldNotShow:
            let why = outcome.evidenceGap.map { Self.gapFact($0, result) } ?? "never ran at the same time"
            return "\(outcome.name) could not show its race: its workers \(why)"
        default:
            return "\(outcome.name) did not show its race in \(ofRuns(0, outcome.runs.count)) although its workers"
                + " ran together"
        }
    }

    /// "never ran at the same time (only 1 worker)" / "took turns, 0.99 on a CPU at once".
    static func gapFact(_ gap: EvidenceGap, _ result: LabResult) -> String {
        switch gap {
        case .tookTurns(let parallelism):
            return "took turns, \(Format.fixed(parallelism, 2)) on a CPU at once"
        case .noOverlap(let overlap):
            let cause =
                result.request.threads < 2
                ? "only 1 worker"
                : result.machine.cpusAvailable < 2 ? "1 CPU" : "overlap \(Format.fixed(100 * overlap, 1))%"
            return "never ran at the same time (\(cause))"
        }
    }

    private static func ofRuns(_ count: Int, _ runs: Int) -> String {
        runs == 1 && count == 0 ? "its 1 run" : "\(Format.grouped(count)) of \(Format.grouped(runs)) runs"
    }
}
