import RaceLab
import RaceLabModel

/// `--junit FILE`: the run as JUnit XML, the format CI systems (GitHub Actions, GitLab,
/// Jenkins) show as test results. One test suite per scenario, one test case per
/// strategy: a safe strategy that broke is a failure; an unsafe strategy that could not
/// show its race is a failure under `--expect-race` and skipped otherwise. The figures
/// travel as properties.
package enum JUnitReport {
    package static func render(
        _ result: LabResult, expectRace: Bool, generatedAt: String
    ) -> String {
        let scenario = result.scenario
        let suite = "racelab.\(scenario.name)"
        var cases: [String] = []
        var failures = 0
        var skipped = 0
        var totalSeconds = 0.0
        let remedy = VerdictText.overlapRemedy(result.request, cpusAvailable: result.machine.cpusAvailable)
        for outcome in result.strategies {
            let summary = StrategySummary(outcome)
            let seconds =
                outcome.runs.reduce(0.0) { sum, run in
                    sum + (run.timing.map { Double($0.windowNanoseconds) / 1e9 } ?? (run.childMilliseconds ?? 0) / 1e3)
                }
            totalSeconds += seconds
            let sentence = VerdictText.sentence(outcome, summary, scenario: scenario, overlapRemedy: remedy)
            var body = ["      <properties>"]
            body += properties(outcome, summary).map {
                "        <property name=\"\($0.0)\" value=\"\(XMLText.escaped($0.1))\"/>"
            }
            body.append("      </properties>")
            switch outcome.verdict {
            case .broken:
                failures += 1
                body.append("      <failure type=\"broken\" message=\"\(XMLText.escaped(sentence))\"/>")
            case .notExposed, .couldNotShow:
                if expectRace {
                    failures += 1
                    body.append("      <failure type=\"race-not-shown\" message=\"\(XMLText.escaped(sentence))\"/>")
                } else {
                    skipped += 1
                    body.append("      <skipped message=\"\(XMLText.escaped(sentence))\"/>")
                }
            case .held, .heldWeak, .exposed:
                break
            }
            body.append("      <system-out>\(XMLText.escaped(sentence))</system-out>")
            cases.append(
                "    <testcase name=\"\(XMLText.escaped(outcome.name))\" classname=\"\(suite)\" time=\"\(fixed(seconds))\">\n"
                    + body.joined(separator: "\n") + "\n    </testcase>")
        }
        let counts =
            "tests=\"\(result.strategies.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
            + " time=\"\(fixed(totalSeconds))\""
        let settings: [(String, String)] = [
            ("threads", "\(result.request.threads)"), ("backend", result.request.backend.rawValue),
            ("pinned", "\(result.request.isPinningEffective)"), ("length", RunLengthText.short(result.request.length)),
            ("runs", "\(result.request.runs)"), ("cpus-available", "\(result.machine.cpusAvailable)"),
            ("cpu-model", result.machine.cpuModel ?? result.machine.architecture),
            ("racelab-version", RaceLabVersion.current),
        ]
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="racelab" \(counts)>
              <testsuite name="\(suite)" \(counts) timestamp="\(generatedAt.filter { $0 != "Z" })">
                <properties>
            \(settings.map { "      <property name=\"\($0.0)\" value=\"\(XMLText.escaped($0.1))\"/>" }.joined(separator: "\n"))
                </properties>
            \(cases.joined(separator: "\n"))
              </testsuite>
            </testsuites>

            """
    }

    /// A strategy's figures (medians over its runs) as name/value pairs.
    static func properties(_ outcome: StrategyOutcome, _ summary: StrategySummary) -> [(String, String)] {
        var list: [(String, String)] = [
            ("verdict", outcome.verdict.rawValue), ("expected-safe", "\(outcome.isExpectedSafe)"),
            ("runs", "\(summary.runs)"), ("runs-with-anomaly", "\(summary.runsWithAnomaly)"),
        ]
        // A child that died counted nothing: no expected total to report.
        if outcome.runs.contains(where: \.didCount) { list.append(("expected", "\(summary.expected)")) }
        for anomaly in summary.anomalies { list.append((anomaly.id, "\(Int(anomaly.spread.median))")) }
        if let value = summary.nsPerOp?.median { list.append(("ns-per-op", "\(value)")) }
        if let value = summary.opsPerSecond?.median { list.append(("ops-per-second", "\(value)")) }
        if let value = summary.cpuParallelism?.median { list.append(("cpu-parallelism", "\(value)")) }
        if let end = outcome.runs.last?.childEnd, end != .finished {
            list.append(("child-end", ChildEndText.describe(end, milliseconds: outcome.runs.last?.childMilliseconds)))
        }
        return list
    }

    private static func fixed(_ seconds: Double) -> String { String(Format.fixed(seconds, 3).filter { $0 != "," }) }
}
