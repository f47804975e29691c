import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Check-then-act scenario", .serialized)
struct CheckThenActTests {
    func ctaRequest(_ strategy: String, threads: Int, writers: Int, backend: Backend = .pthread) -> Request {
        var r = request("check-then-act", strategy, threads: threads, iterations: 10_000, backend: backend)
        r.settings["writers"] = .integer(writers)
        r.settings["keys"] = .integer(4)
        return r
    }

    @Test(
        "safe forms never lose a key between check and use, nor overwrite an insert",
        arguments: CheckThenActScenario.scenario.safeInProcessStrategyNames, inProcessBackends)
    func safeHolds(strategy: String, backend: Backend) throws {
        for threads in Set([2, 4, 4 * cpuCount]).sorted() {
            let o = try runOnce(ctaRequest(strategy, threads: threads, writers: threads / 2, backend: backend))
            #expect(o.expected == (threads - threads / 2) * 10_000)
            #expect(
                o.anomalies == [
                    CheckThenActScenario.Anomalies.vanishedAfterCheck.count(0),
                    CheckThenActScenario.Anomalies.overwrittenInserts.count(0),
                ])
        }
    }

    @Test(
        "unsafe shows keys vanishing after the check",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: a reader and a writer must run at once"),
        .timeLimit(.minutes(1)))
    func unsafeVanishes() throws {
        let vanished = try firstAnomaly {
            try runOnce(ctaRequest("unsafe", threads: 2, writers: 1)).primaryAnomalyCount
        }
        #expect(vanished > 0)
    }

    @Test(
        "unsafe put-if-absent overwrites inserts with two or more writers",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: two writers must run at once"),
        .timeLimit(.minutes(1)))
    func unsafeOverwrites() throws {
        let overwritten = try firstAnomaly {
            try runOnce(ctaRequest("unsafe", threads: 4, writers: 3)).anomalies[1].count
        }
        #expect(overwritten > 0)
    }

    @Test("writers must leave at least one reader; one worker cannot run this scenario")
    func writerBounds() {
        #expect(runCLI(["check-then-act", "--threads", "4", "--writers", "4"]).err.contains("'4' for '--writers <n>'"))
        #expect(runCLI(["check-then-act", "--threads", "1"]).code == 64)
        #expect(runCLI(["check-then-act", "--threads", "4", "--writers", "0"]).code == 64)
        #expect(runCLI(["check-then-act", "--stripes", "4"]).err.contains("does not apply"))
    }

    @Test("explain shows a two-column timeline for every scenario", arguments: Catalog.scenarios.map(\.name))
    func explain(name: String) {
        let run = runCLI(["explain", name])
        #expect(run.code == 0)
        #expect(run.out.contains("THE RACE") && run.out.contains("THE FIXES"))
        #expect(["worker 0", "reader 0", "consumer 0", "writer 0", "task 0"].contains(where: run.out.contains))
        for strategy in Catalog.scenario(named: name)!.strategies where strategy.isExpectedSafe {
            #expect(run.out.contains(strategy.name), "explain \(name) covers \(strategy.name)")
        }
    }
}
