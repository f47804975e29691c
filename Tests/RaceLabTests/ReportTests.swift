import Testing

@testable import RaceLab

@Suite("Report", .serialized)
struct ReportTests {
    @Test("numbers are grouped in thousands, locale-free")
    func grouping() {
        #expect(Format.grouped(0) == "0")
        #expect(Format.grouped(999) == "999")
        #expect(Format.grouped(1000) == "1,000")
        #expect(Format.grouped(-1234567) == "-1,234,567")
        #expect(Format.fixed(12345.678, 2) == "12,345.68")
        #expect(Format.percent(1, of: 3) == "33.3%")
    }

    @Test("spread gives min, median and max")
    func spread() throws {
        let odd = try #require(Spread([5, 1, 3]))
        #expect(odd.min == 1 && odd.median == 3 && odd.max == 5)
        let even = try #require(Spread([4, 1, 3, 2]))
        #expect(even.median == 2.5)
        #expect(Spread([]) == nil)
    }

    @Test("the JSON decodes and agrees with the table's numbers")
    func jsonAgreesWithTable() throws {
        let json = runCLI(["counter", "--threads", "2", "--iterations", "5000", "--runs", "3", "--json"])
        #expect(json.code == 0)
        let report = try JSONReport.decode(json.out)
        #expect(report.schemaVersion == JSONReport.schemaVersion)
        #expect(report.strategies.map(\.name) == ["unsafe", "mutex", "pthread-mutex", "atomic", "sharded"])
        // Render the table from the very same result and compare cell by cell.
        let result = LabResult(
            request: report.request, machine: report.machine,
            strategies: report.strategies.map {
                StrategyOutcome(
                    name: $0.name, summary: $0.summary, isExpectedSafe: $0.isExpectedSafe,
                    runsInChildProcess: $0.runsInChildProcess, runs: $0.runs)
            })
        let table = TableReport.render(result, scenario: CounterScenario.scenario)
        for entry in report.strategies {
            #expect(entry.runs.count == 3)
            #expect(entry.summarised == StrategySummary(result.strategies.first { $0.name == entry.name }!))
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix(entry.name + " ") })
            let lost = Int(try #require(entry.summarised.primaryAnomaly).median)
            #expect(row.contains(" \(Format.grouped(lost)) "))
            let nsPerOp = try #require(entry.summarised.nsPerOp).median
            #expect(row.contains(" \(Format.significant(nsPerOp)) "))
            #expect(table.contains(entry.verdictText))
            if entry.isExpectedSafe { #expect(entry.verdict == .held) }
        }
    }

    @Test("verdicts follow expectation and observation")
    func verdicts() {
        #expect(Verdict(isExpectedSafe: true, anyAnomaly: false) == .held)
        #expect(Verdict(isExpectedSafe: true, anyAnomaly: true) == .broken)
        #expect(Verdict(isExpectedSafe: false, anyAnomaly: true) == .exposed)
        #expect(Verdict(isExpectedSafe: false, anyAnomaly: false) == .notExposed)
        #expect(Verdict.broken.failsCheck && !Verdict.notExposed.failsCheck)
    }

    @Test("a broken safe strategy fails --check")
    func brokenFailsCheck() {
        let bad = Observation(expected: 10, observed: 9, operations: 10, anomalies: [Anomaly("lost updates", 1)], timing: nil)
        let outcome = StrategyOutcome(name: "mutex", summary: "", isExpectedSafe: true, runsInChildProcess: false, runs: [bad])
        let result = LabResult(
            request: Request(scenario: "counter", strategies: ["mutex"], threads: 2, iterations: 5),
            machine: .current(), strategies: [outcome])
        #expect(result.anySafeStrategyBroke)
        let text = TableReport.render(result, scenario: CounterScenario.scenario)
        #expect(text.contains("mutex: BROKEN — lost updates: 1 of 10"))
    }
}
