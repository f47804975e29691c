import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Report", .serialized)
struct ReportTests {
    @Test("numbers are grouped in thousands, locale-free")
    func grouping() {
        #expect(Format.grouped(0) == "0")
        #expect(Format.grouped(999) == "999")
        #expect(Format.grouped(1000) == "1,000")
        #expect(Format.grouped(-1234567) == "-1,234,567")
        #expect(Format.fixed(12345.678, 2) == "12,345.68")
        #expect(Format.share(1.0 / 3) == "33.3%")
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
        #expect(report.strategies.map(\.name) == CounterScenario.scenario.defaultStrategyNames)
        // Render the table from the very same result and compare cell by cell.
        let result = LabResult(
            request: report.request, scenario: report.labels, machine: report.machine,
            strategies: report.strategies.map {
                StrategyOutcome(
                    name: $0.name, summary: $0.summary, isExpectedSafe: $0.isExpectedSafe,
                    runsInChildProcess: $0.runsInChildProcess, runs: $0.runs, firstAnomaly: $0.firstAnomaly)
            })
        let table = TableReport.render(result)
        for entry in report.strategies {
            #expect(entry.runs.count == 3)
            #expect(entry.summarised == StrategySummary(result.strategies.first { $0.name == entry.name }!))
            let row = try #require(table.split(separator: "\n").first { $0.hasPrefix(entry.name + " ") })
            let lost = Int(try #require(entry.summarised.primaryAnomaly).median)
            #expect(row.contains(" \(Format.grouped(lost)) "))
            let nsPerOp = try #require(entry.summarised.nsPerOp).median
            #expect(row.contains(" \(Format.significant(nsPerOp)) "))
            #expect(table.contains(entry.verdictText))
            if entry.isExpectedSafe { #expect(entry.verdict.isHeld) }
        }
    }

    @Test("verdicts follow expectation and observation")
    func verdicts() {
        #expect(Verdict(isExpectedSafe: true, anyAnomaly: false) == .held)
        #expect(Verdict(isExpectedSafe: true, anyAnomaly: true) == .broken)
        #expect(Verdict(isExpectedSafe: false, anyAnomaly: true) == .exposed)
        #expect(Verdict(isExpectedSafe: false, anyAnomaly: false) == .notExposed)
        #expect(Verdict(isExpectedSafe: false, anyAnomaly: false, lacksOverlap: true) == .couldNotShow)
        #expect(Verdict(isExpectedSafe: true, anyAnomaly: false, lacksOverlap: true) == .heldWeak)
        #expect(Verdict.broken.failsCheck && !Verdict.notExposed.failsCheck)
    }

    @Test("a broken safe strategy fails --check")
    func brokenFailsCheck() {
        let bad = Observation(
            expected: 10, observed: 9, operations: 10, anomalies: [CounterScenario.Anomalies.lostUpdates.count(1)],
            timing: timing(operations: 10))  // an in-process run always has its timing
        let outcome = StrategyOutcome(
            name: "mutex", summary: "", isExpectedSafe: true, runsInChildProcess: false, runs: [bad])
        let result = LabResult(
            request: Request(scenario: "counter", strategies: ["mutex"], threads: 2, length: .fixed(iterations: 5)),
            scenario: CounterScenario.scenario.labels(for: counterRequest), machine: .current(), strategies: [outcome])
        #expect(result.anySafeStrategyBroke)
        let text = TableReport.render(result)
        #expect(text.contains("mutex: BROKEN — lost updates: 1 of 10"))
    }
}

@Suite("Verdict wording")
struct VerdictWordingTests {
    func outcome(safe: Bool, lost: [Int], overlap: Double, peak: Int = 2) -> StrategyOutcome {
        let runs = lost.map { count in
            Observation(
                expected: 100, observed: 100 - count, operations: 100,
                anomalies: [CounterScenario.Anomalies.lostUpdates.count(count)],
                timing: timing(maxActive: peak, overlap: overlap))
        }
        return StrategyOutcome(name: "s", summary: "", isExpectedSafe: safe, runsInChildProcess: false, runs: runs)
    }

    func sentence(_ o: StrategyOutcome) -> String {
        VerdictText.sentence(
            o, StrategySummary(o), scenario: CounterScenario.scenario.labels(for: counterRequest),
            overlapRemedy: "REMEDY")
    }

    @Test("held over N runs gives the rule-of-three bound")
    func ruleOfThree() {
        let text = sentence(outcome(safe: true, lost: Array(repeating: 0, count: 200), overlap: 0.9))
        #expect(
            text
                == "s: integrity held in 200 of 200 runs — counted 100 of 100; failure chance per run < 1.50% at 95% confidence"
        )
    }

    @Test("exposure is counted per run")
    func exposureCount() {
        let text = sentence(outcome(safe: false, lost: [0, 5, 7, 0, 9], overlap: 0.9))
        #expect(text.hasPrefix("s: RACE EXPOSED in 3 of 5 runs — lost updates: 5 of 100"))
    }

    @Test("without overlap, an unsafe strategy that lost nothing is not called fine, and held is weak")
    func noOverlap() {
        let unsafe = sentence(outcome(safe: false, lost: [0, 0, 0], overlap: 0.0, peak: 1))
        #expect(unsafe.contains("COULD NOT SHOW the race"))
        #expect(unsafe.hasSuffix("; REMEDY"))
        #expect(!unsafe.contains("not shown this time"))
        let safe = sentence(outcome(safe: true, lost: [0], overlap: 0.01))
        #expect(safe.contains("held (weak evidence: the workers never ran at the same time, overlap 1.0%)"))
    }

    @Test("the exposure sentence quotes one real run, so its count, total and share agree")
    func medianRunAgrees() {
        let runs = [(10, 100), (90, 300), (30, 200)].map { lost, expected in
            Observation(
                expected: expected, observed: expected - lost, operations: expected,
                anomalies: [CounterScenario.Anomalies.lostUpdates.count(lost)], timing: timing())
        }
        let outcome = StrategyOutcome(
            name: "s", summary: "", isExpectedSafe: false, runsInChildProcess: false, runs: runs)
        #expect(
            sentence(outcome).hasPrefix("s: RACE EXPOSED in 3 of 3 runs — lost updates: 30 of 200 (15.0%) (median run)")
        )
        #expect(Format.share(0.0001) == "<0.1%")
        #expect(Format.share(0) == "0.0%")
    }

    @Test("runs that disagree on their anomalies (a child that crashed counts none) summarise without trapping")
    func mixedChildRuns() {
        let finished = Observation(
            expected: 100, observed: 90, operations: 100, anomalies: [CounterScenario.Anomalies.lostUpdates.count(10)],
            timing: timing(workers: 1, overlap: 0),
            childEnd: .finished)
        let crashed = Observation(
            expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil, childEnd: .crashed(signal: 11))
        for runs in [[finished, crashed], [crashed, finished]] {
            let outcome = StrategyOutcome(
                name: "raw", summary: "", isExpectedSafe: false, runsInChildProcess: true, runs: runs)
            let summary = StrategySummary(outcome)
            #expect(summary.primaryAnomaly?.median == 10)
            #expect(summary.runsWithAnomaly == 2)
        }
    }

    @Test("a lock convoy is named, with how many workers slept and the busiest worker's share")
    func convoyNote() {
        var sleepy = timing(windowNanoseconds: 1_000_000, workers: 4, operations: 400)
        for i in 1..<4 { sleepy.workers[i].voluntarySwitches = sleepy.workers[i].operations }
        sleepy.workers[0].operations = 700
        let run = Observation(
            expected: 1_000, observed: 1_000, operations: 1_000,
            anomalies: [CounterScenario.Anomalies.lostUpdates.count(0)], timing: sleepy
        )
        let outcome = StrategyOutcome(
            name: "mutex", summary: "", isExpectedSafe: true, runsInChildProcess: false, runs: [run])
        let note = VerdictText.convoyNote(
            outcome, StrategySummary(outcome), scenario: CounterScenario.scenario.labels(for: counterRequest))
        #expect(note?.hasPrefix("mutex: lock convoy — 3 of 4 workers went to sleep") == true)
        #expect(note?.contains("the busiest worker did 70.0% of all increments") == true)
        let calm = StrategyOutcome(
            name: "atomic", summary: "", isExpectedSafe: true, runsInChildProcess: false,
            runs: [Observation(expected: 100, observed: 100, operations: 100, anomalies: [], timing: timing())])
        #expect(
            VerdictText.convoyNote(
                calm, StrategySummary(calm), scenario: CounterScenario.scenario.labels(for: counterRequest)) == nil)
    }

    @Test("workers that took turns on one CPU are weak evidence, however much their windows overlapped")
    func tookTurns() {
        let turns = timing(windowNanoseconds: 1_000, workers: 2, overlap: 1, cpuNanoseconds: 500)
        let runs = [Observation(expected: 100, observed: 100, operations: 100, anomalies: [], timing: turns)]
        let outcome = StrategyOutcome(
            name: "s", summary: "", isExpectedSafe: false, runsInChildProcess: false, runs: runs)
        #expect(outcome.lacksOverlap)
        #expect(
            VerdictText.sentence(
                outcome, StrategySummary(outcome), scenario: CounterScenario.scenario.labels(for: counterRequest),
                overlapRemedy: "R"
            )
            .contains("1.00 on a CPU at once"))
        // Asleep on a contended lock is not taking turns: that run is evidence.
        var convoy = turns
        for i in convoy.workers.indices { convoy.workers[i].voluntarySwitches = convoy.workers[i].operations }
        let asleep = StrategyOutcome(
            name: "s", summary: "", isExpectedSafe: true, runsInChildProcess: false,
            runs: [Observation(expected: 100, observed: 100, operations: 100, anomalies: [], timing: convoy)])
        #expect(!asleep.lacksOverlap)
    }

    @Test("a child that died expected nothing: its row shows '-', not 0")
    func deadChildRow() {
        let crashed = Observation(
            expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil, childEnd: .crashed(signal: 11),
            childMilliseconds: 4)
        let outcome = StrategyOutcome(
            name: "raw", summary: "", isExpectedSafe: false, runsInChildProcess: true, runs: [crashed])
        let result = LabResult(
            request: Request(scenario: "cache", strategies: ["raw"], threads: 2),
            scenario: CacheScenario.scenario.labels(for: counterRequest), machine: .current(), strategies: [outcome])
        let row = TableReport.render(result).split(separator: "\n")
            .first { $0.hasPrefix("raw ") }
        #expect(
            row?.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["raw", "no", "-", "crashed:"])
    }

    @Test("the advice for workers that never overlapped fits the request")
    func overlapRemedy() {
        func remedy(threads: Int = 2, backend: Backend = .pthread, pinned: Bool = true, cpus: Int = 2) -> String {
            let request = Request(
                scenario: "counter", strategies: [], threads: threads, backend: backend, isPinned: pinned)
            return VerdictText.overlapRemedy(request, cpusAvailable: cpus)
        }
        #expect(remedy(threads: 1).contains("--threads 2"))
        #expect(remedy(cpus: 1).contains("only 1 is available"))
        #expect(remedy(backend: .dispatch).contains("--backend pthread"))
        #expect(remedy(backend: .dispatch).contains("--duration 1000"))
        #expect(remedy(pinned: false).contains("drop --no-pin"))
        #expect(remedy().contains("--until-exposed"))
        let tiny = Request(scenario: "counter", strategies: [], threads: 2, length: .fixed(iterations: 1))
        #expect(
            VerdictText.overlapRemedy(tiny, cpusAvailable: 2).contains(
                "drop --iterations for the default 100 ms window"))
        let fixed = Request(scenario: "counter", strategies: [], threads: 2, length: .fixed(iterations: 3_000_000))
        #expect(VerdictText.overlapRemedy(fixed, cpusAvailable: 2).contains("--iterations 30000000"))
        let huge = Request(scenario: "counter", strategies: [], threads: 2, length: .fixed(iterations: Int.max / 2))
        #expect(VerdictText.overlapRemedy(huge, cpusAvailable: 2).contains("more --iterations"))
    }
}
