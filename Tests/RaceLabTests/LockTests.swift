import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabReport
@testable import RaceLabScenarios
@testable import RaceLabSync

@Suite("Snapshot, deadlock and reentrancy scenarios", .serialized)
struct LockTests {
    func snapshotRequest(_ strategy: String, threads: Int, writers: Int, iterations: Int = 20_000) -> Request {
        var r = request("snapshot", strategy, threads: threads, iterations: iterations)
        r.settings = ["writers": .integer(writers), "work": .integer(0)]
        return r
    }

    @Test(
        "snapshot: safe forms never show a torn record nor a version going backwards",
        arguments: SnapshotScenario.scenario.safeInProcessStrategyNames)
    func snapshotHolds(strategy: String) throws {
        for (threads, writers) in [(2, 1), (4, 1), (4, 2), (4 * cpuCount, cpuCount)] {
            let o = try runOnce(snapshotRequest(strategy, threads: threads, writers: writers))
            #expect(o.expected == (threads - writers) * 20_000)
            #expect(
                o.anomalies == [
                    SnapshotScenario.Anomalies.tornReads.count(0), SnapshotScenario.Anomalies.wentBackwards.count(0),
                ], "\(strategy) \(threads)")
        }
    }

    @Test(
        "snapshot: field by field tears",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: a reader and a writer must run at once"),
        .timeLimit(.minutes(1)))
    func snapshotTears() throws {
        let torn = try firstAnomaly {
            try runOnce(snapshotRequest("unsafe", threads: 2, writers: 1, iterations: 200_000)).primaryAnomalyCount
        }
        #expect(torn > 0)
    }

    @Test("snapshot: a sequence lock says how often its readers retried")
    func seqlockRetries() throws {
        let o = try runOnce(snapshotRequest("seqlock", threads: 4, writers: 2))
        #expect(o.detail?.contains("retried") == true)
        #expect(o.detail?.hasPrefix("a read cost the readers ") == true)
    }

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

    @Test("cache: thread-local counts exactly, and the counter's sharded says it is the same idea")
    func threadLocal() throws {
        var r = request("cache", "thread-local", threads: 4, iterations: 5_000)
        r.settings = ["keys": .integer(64), "read-ratio": .integer(25)]
        let o = try runOnce(r)
        #expect(
            o.anomalies == [CacheScenario.Anomalies.lostUpdates.count(0), CacheScenario.Anomalies.wrongKeys.count(0)])
        #expect(runCLI(["explain", "counter"]).out.contains("thread-local"))
    }
}
