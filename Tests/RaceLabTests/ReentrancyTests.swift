import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Reentrancy scenario", .serialized)
struct ReentrancyTests {
    @Test("reentrancy: a recursive mutex and the split method work; error-checking fails every nested call")
    func reentrancyInProcess() throws {
        for strategy in ReentrancyScenario.scenario.safeInProcessStrategyNames {
            let o = try runOnce(request("reentrancy", strategy, threads: 2, iterations: 1_000))
            #expect(o.observed == 2_000 && o.expected == 2_000, "\(strategy)")
            #expect(
                o.anomalies == [
                    ReentrancyScenario.Anomalies.failedCalls.count(0),
                    ReentrancyScenario.Anomalies.stuckWorkers.count(0),
                ])
        }
        let refused = try runOnce(request("reentrancy", "pthread-errorcheck", threads: 2, iterations: 1_000))
        #expect(refused.anomalies[0] == ReentrancyScenario.Anomalies.failedCalls.count(2_000))
        #expect(refused.observed == 0)
    }

    @Test("reentrancy: Mutex traps with its message; a default pthread mutex waits for itself, and racelab says so")
    func reentrancyInAChild() throws {
        let scenario = ReentrancyScenario.scenario
        let mutex = ChildRunner.run(
            request("reentrancy", "mutex", threads: 1, milliseconds: 50),
            strategy: try #require(scenario.strategy(named: "mutex")), executable: ChildRunner.racelabExecutable)
        if case .crashed = mutex.childEnd {
            #expect(mutex.childMessage?.contains("Recursive call to lock Mutex") == true)
        } else {
            Issue.record("Mutex locked twice did not trap: \(String(describing: mutex.childEnd))")
        }
        let stuck = ChildRunner.run(
            request("reentrancy", "pthread-default", threads: 2, milliseconds: 50),
            strategy: try #require(scenario.strategy(named: "pthread-default")),
            executable: ChildRunner.racelabExecutable)
        #expect(stuck.childEnd == .finished)
        #expect(stuck.anomalies[1] == ReentrancyScenario.Anomalies.stuckWorkers.count(2))
        #expect(stuck.detail?.contains("holds the lock and waits for it again") == true)
    }
}
