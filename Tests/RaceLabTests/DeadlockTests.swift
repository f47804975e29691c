import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Deadlock scenario", .serialized)
struct DeadlockTests {
    @Test(
        "deadlock: every fix (ordered, try-lock, single-lock) always finishes",
        arguments: DeadlockScenario.scenario.safeInProcessStrategyNames)
    func deadlockFixes(strategy: String) throws {
        for threads in workerCounts + [8] {
            let o = try runOnce(request("deadlock", strategy, threads: threads, iterations: 5_000))
            #expect(o.operations == threads * 5_000)
            #expect(o.anomalies == [DeadlockScenario.Anomalies.deadlockedWorkers.count(0)])
        }
    }

    @Test("deadlock: opposite orders deadlock in the child, which says who holds which lock")
    func oppositeOrder() throws {
        let strategy = try #require(DeadlockScenario.scenario.strategy(named: "opposite-order"))
        #expect(strategy.runsInChildProcess)
        var deadlocked = Observation(expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil)
        for _ in 0..<5 {
            deadlocked = ChildRunner.run(
                request("deadlock", "opposite-order", threads: 2, milliseconds: 2_000), strategy: strategy,
                executable: ChildRunner.racelabExecutable)
            if deadlocked.primaryAnomalyCount > 0 { break }
        }
        #expect(deadlocked.childEnd == .finished)
        #expect(deadlocked.primaryAnomalyCount == 2)
        let detail = try #require(deadlocked.detail)
        #expect(detail.contains("holds A and waits for B") && detail.contains("holds B and waits for A"))
    }
}
