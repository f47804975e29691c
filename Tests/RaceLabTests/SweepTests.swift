import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Sweep", .serialized)
struct SweepTests {
    @Test("the plan visits every configuration once per round, rounds repeated")
    func plan() {
        let request = SweepRequest(
            base: Request(
                scenario: "counter", strategies: ["unsafe"], threads: 1, length: .fixed(iterations: 10), runs: 2),
            threadCounts: [1, 4], backends: [.pthread, .dispatch])
        let steps = SweepPlan(request).steps.map { "\($0.round)/\($0.backend.rawValue)/\($0.threads)" }
        #expect(
            steps == [
                "1/pthread/1", "1/pthread/4", "1/dispatch/1", "1/dispatch/4",
                "2/pthread/1", "2/pthread/4", "2/dispatch/1", "2/dispatch/4",
            ])
    }

    @Test("default worker counts double up to 4x the CPUs")
    func defaultCounts() {
        #expect(SweepRequest.defaultThreadCounts(cpus: 2) == [1, 2, 4, 8])
        #expect(SweepRequest.defaultThreadCounts(cpus: 3) == [1, 2, 4, 8, 12])
        #expect(SweepRequest.defaultThreadCounts(cpus: 1) == [1, 2, 4])
    }

    @Test("thread lists and ranges parse; runs default to 5")
    func parsing() throws {
        let command = try Arguments.parse(
            ["sweep", "cache", "--threads", "1...3,8", "-b", "pthread,dispatch", "--keys", "9"],
            cpus: CPUSet(ids: [0, 1]))
        guard case .sweep(let request, _, _) = command else {
            Issue.record("not a sweep: \(command)")
            return
        }
        #expect(request.threadCounts == [1, 2, 3, 8])
        #expect(request.backends == [.pthread, .dispatch])
        #expect(request.base.runs == 5)
        #expect(request.base.settings["keys"] == .integer(9))
    }

    @Test("check-then-act sweeps start at 2 workers and keep half of each count as writers")
    func checkThenActSweep() throws {
        let command = try Arguments.parse(["sweep", "check-then-act"], cpus: CPUSet(ids: [0, 1]))
        guard case .sweep(let request, _, _) = command else {
            Issue.record("not a sweep: \(command)")
            return
        }
        #expect(request.threadCounts == [2, 4, 8])
        #expect(request.base.settings["writers"] == nil)
        var eight = request.base
        eight.threads = 8
        #expect(CheckThenActScenario.writerCount(eight) == 4)
        #expect(runCLI(["sweep", "check-then-act", "--threads", "1,2"]).code == 64)
        #expect(
            runCLI(["sweep", "check-then-act", "--threads", "2,4", "--writers", "2"]).err.contains(
                "'2' for '--writers <n>'"))
    }

    @Test(
        "bad lists exit 64 naming the option",
        arguments: [
            ["--threads", "0,2"], ["--threads", "8...2"], ["--threads", "a,b"], ["--threads", "2,,4"],
            ["--threads", "1...2000"], ["--threads", "-1,2"], ["--backend", "pthread,fibers"], ["--until-exposed"],
        ])
    func badLists(arguments: [String]) {
        let run = runCLI(["sweep", "counter"] + arguments)
        #expect(run.code == 64)
        #expect(run.err.hasPrefix("Error: "))
        #expect(run.err.contains(arguments[0]), "\(run.err)")
        #expect(run.out.isEmpty)
    }

    @Test("a scenario option mistyped in a sweep is the sweep's error: its name, its options, its usage")
    func sweepUnknownOption() {
        let run = runCLI(["sweep", "counter", "--basline", "x.json"])
        #expect(run.code == 64)
        #expect(
            run.err.hasPrefix(
                "Error: Unknown option '--basline' for 'racelab sweep counter'. Did you mean '--baseline'?"))
        #expect(run.err.contains("Usage: racelab sweep <scenario>"))
        #expect(run.err.contains("See 'racelab sweep --help'"))
    }

    @Test("a small sweep prints a row per strategy, the price of safety and a chart; safe cells lose nothing")
    func smallSweep() throws {
        let run = runCLI(["sweep", "counter", "--threads", "1,2", "--runs", "2", "--iterations", "2000", "--json"])
        #expect(run.code == 0)
        let doc = try JSONDecoderForTests.decode(SweepJSON.self, run.out)
        let strategies = CounterScenario.scenario.defaultStrategyNames
        #expect(doc.result.cells.count == strategies.count * 2)
        for cell in doc.result.cells {
            #expect(cell.runs.count == 2)
            if cell.isExpectedSafe {
                let anomalous = cell.runs.filter(\.hasAnomaly).count
                #expect(anomalous == 0, "\(cell.strategy) x\(cell.threads)")
            }
        }
        let text = SweepReport.render(doc.result)
        for name in strategies {
            #expect(text.contains("\n\(name) "), "row for \(name)")
        }
        #expect(text.contains("Price of safety"))
        #expect(text.contains("Cheapest correct fix at 2 workers"))
        #expect(text.contains("log scale"))
        let ascii = SweepReport.chart(
            SweepResult(
                request: SweepRequest(
                    base: doc.result.request.base, threadCounts: [1, 2], backends: [.pthread], isASCII: true),
                scenario: doc.result.scenario, machine: doc.result.machine, cells: doc.result.cells),
            rows: SweepReport.rowKeys(doc.result))
        let nonASCII = ascii.unicodeScalars.filter { !$0.isASCII }.count
        #expect(nonASCII == 0)
    }
}

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

enum JSONDecoderForTests {
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
