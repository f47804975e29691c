import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Queue scenario", .serialized)
struct QueueTests {
    func queueRequest(
        _ strategy: String, threads: Int, producers: Int, iterations: Int = 5_000, capacity: Int = 64, work: Int = 0
    ) -> Request {
        var r = request("queue", strategy, threads: threads, iterations: iterations)
        r.settings = ["producers": .integer(producers), "capacity": .integer(capacity), "work": .integer(work)]
        return r
    }

    static let clean = [
        QueueScenario.Anomalies.lostItems.count(0), QueueScenario.Anomalies.duplicates.count(0),
        QueueScenario.Anomalies.outOfOrder.count(0),
        QueueScenario.Anomalies.stuckConsumers.count(0), QueueScenario.Anomalies.emptyTakes.count(0),
    ]

    @Test(
        "safe queues deliver every item once, in each producer's order, and stop every consumer",
        arguments: QueueScenario.scenario.safeInProcessStrategyNames, [1, 64])
    func safeHolds(strategy: String, capacity: Int) throws {
        for (threads, producers) in [(2, 1), (3, 1), (3, 2), (4, 2), (8, 3), (4 * cpuCount + 1, 2 * cpuCount)] {
            let o = try runOnce(
                queueRequest(strategy, threads: threads, producers: producers, iterations: 2_000, capacity: capacity))
            #expect(o.expected == producers * 2_000, "\(strategy) \(threads) workers, \(producers) producers")
            #expect(o.observed == o.expected)
            #expect(o.anomalies == Self.clean, "\(strategy) \(threads) workers, \(producers) producers")
            // Every put and every take is an operation.
            #expect(o.operations == 2 * o.expected)
        }
    }

    @Test("a timed run stops its producers at the window and still drains and stops every consumer")
    func timedRunDrains() throws {
        for strategy in QueueScenario.scenario.safeInProcessStrategyNames {
            var r = request("queue", strategy, threads: 4, milliseconds: 20)
            r.settings = ["producers": .integer(2)]
            let o = try runOnce(r)
            #expect(o.expected > 0)
            #expect(o.anomalies == Self.clean, "\(strategy)")
        }
    }

    @Test(
        "a window too short for every worker to start still ends: late producers and consumers run their exit paths",
        .timeLimit(.minutes(1)))
    func lateWorkersDoNotHang() throws {
        for strategy in QueueScenario.scenario.strategies where !strategy.runsInChildProcess {
            for _ in 0..<10 {
                var r = request("queue", strategy.name, threads: 8 * cpuCount, milliseconds: 1)
                r.settings = ["producers": .integer(4 * cpuCount)]
                let o = try runOnce(r)
                #expect(o.anomalies[3] == QueueScenario.Anomalies.stuckConsumers.count(0), "\(strategy.name)")
                if strategy.isExpectedSafe { #expect(o.anomalies == Self.clean, "\(strategy.name)") }
            }
        }
    }

    @Test("a run is bounded, since every item is kept to be checked")
    func runLimit() {
        #expect(runCLI(["queue", "--duration", "2001"]).err.contains("queue accepts at most 2,000"))
        #expect(runCLI(["queue", "--threads", "4", "--iterations", "12500001"]).code == 64)
    }

    @Test("one sentinel too few leaves exactly one consumer stuck, counted, and released")
    func shortSentinels() throws {
        for (threads, producers) in [(2, 1), (4, 1), (6, 3)] {
            let o = try runOnce(queueRequest("short-sentinels", threads: threads, producers: producers))
            #expect(o.anomalies[3] == QueueScenario.Anomalies.stuckConsumers.count(1), "\(threads) workers")
            #expect(o.observed == o.expected)
        }
    }

    @Test("short-sentinels runs in a child process, which reports its stuck consumer and ends")
    func shortSentinelsInAChild() throws {
        let strategy = try #require(QueueScenario.scenario.strategy(named: "short-sentinels"))
        #expect(strategy.runsInChildProcess)
        let o = ChildRunner.run(
            queueRequest("short-sentinels", threads: 4, producers: 2), strategy: strategy,
            executable: ChildRunner.racelabExecutable)
        #expect(o.childEnd == .finished)
        #expect(o.anomalies[3] == QueueScenario.Anomalies.stuckConsumers.count(1))
    }

    @Test(
        "unsafe delivers items twice and loses others when two consumers race",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: two consumers must run at once"),
        .timeLimit(.minutes(1)))
    func unsafeDuplicates() throws {
        var last = Observation(expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil)
        let lost = try firstAnomaly {
            last = try runOnce(queueRequest("unsafe", threads: 4, producers: 2, iterations: 20_000, work: 20))
            return last.primaryAnomalyCount
        }
        #expect(lost > 0)
        // An item is lost when a consumer removes it having looked at the one before,
        // which that consumer and another both deliver: no loss without a duplicate.
        #expect(last.anomalies[1].count > 0)
    }

    @Test("the checks count duplicates, losses and out-of-order deliveries exactly")
    func observeCounts() {
        let a = { (p: Int, s: Int) in QueueItem.make(producer: p, sequence: s) }
        let o = QueueScenario.observe(
            produced: [3, 2], received: [[a(0, 0), a(0, 2), a(1, 0)], [a(0, 2), a(1, 1), a(0, 1)]], emptyTakes: 4,
            stranded: 1, timing: timing())
        #expect(o.expected == 5)
        #expect(o.observed == 5)
        #expect(
            o.anomalies == [
                QueueScenario.Anomalies.lostItems.count(0), QueueScenario.Anomalies.duplicates.count(1),
                QueueScenario.Anomalies.outOfOrder.count(1),
                QueueScenario.Anomalies.stuckConsumers.count(1), QueueScenario.Anomalies.emptyTakes.count(4),
            ])
        let lossy = QueueScenario.observe(
            produced: [4], received: [[a(0, 0)], [a(0, 3)]], emptyTakes: 0, stranded: 0, timing: timing())
        #expect(lossy.anomalies[0] == QueueScenario.Anomalies.lostItems.count(2))
    }

    @Test("bad input: the dispatch backend, a producer count that leaves no consumer, a zero capacity")
    func badInput() {
        let dispatch = runCLI(["queue", "--backend", "dispatch"])
        #expect(dispatch.code == 64)
        #expect(dispatch.err.contains("thread-pool starvation deadlock"))
        #expect(runCLI(["sweep", "queue", "--backend", "pthread,dispatch"]).code == 64)
        let producers = runCLI(["queue", "--threads", "3", "--producers", "3"])
        #expect(producers.code == 64)
        #expect(producers.err.contains("'3' for '--producers <n>': expected an integer from 1 to 2"))
        #expect(runCLI(["queue", "--capacity", "0"]).err.contains("'0' for '--capacity <n>'"))
        #expect(runCLI(["queue", "--threads", "1"]).code == 64)
    }
}
