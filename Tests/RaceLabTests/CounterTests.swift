import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Counter scenario", .serialized)
struct CounterTests {
    static let safe = CounterScenario.scenario.safeInProcessStrategyNames

    @Test("safe counters lose nothing", arguments: safe, inProcessBackends)
    func safeLosesNothing(strategy: String, backend: Backend) throws {
        for threads in workerCounts {
            let observation = try runOnce(
                request("counter", strategy, threads: threads, iterations: 20_000, backend: backend))
            #expect(observation.expected == threads * 20_000)
            #expect(observation.observed == observation.expected, "\(strategy) \(backend) x\(threads)")
            #expect(observation.primaryAnomalyCount == 0)
        }
    }

    @Test("timed runs: safe counters count every increment their workers' budgets granted", arguments: safe)
    func timedSafeLosesNothing(strategy: String) throws {
        for threads in workerCounts {
            let observation = try runOnce(request("counter", strategy, threads: threads, milliseconds: 20))
            // expected is the budgets' count, observed the counter's own total.
            #expect(observation.expected > 0)
            #expect(observation.observed == observation.expected, "\(strategy) x\(threads)")
        }
    }

    @Test(
        "a default-length timed run exposes the unsafe counter's race with 2 workers",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: one CPU cannot run two workers at once"),
        .timeLimit(.minutes(1)))
    func timedUnsafeLoses() throws {
        let lost = try firstAnomaly(tries: 3) {
            try runOnce(request("counter", "unsafe", threads: 2, milliseconds: 100)).primaryAnomalyCount
        }
        #expect(lost > 0)
    }

    @Test(
        "the unsafe counter can lose updates with 2 workers",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: one CPU cannot run two workers at once"),
        .timeLimit(.minutes(1)))
    func unsafeCanLose() throws {
        let lost = try firstAnomaly {
            try runOnce(request("counter", "unsafe", threads: 2, iterations: 100_000)).primaryAnomalyCount
        }
        #expect(lost > 0)
    }

    @Test("the unsafe counter never counts more than it was asked to")
    func unsafeNeverOvercounts() throws {
        let observation = try runOnce(request("counter", "unsafe", threads: 4, iterations: 50_000))
        #expect(observation.observed <= observation.expected)
    }

    @Test("a single unsafe worker loses nothing: the race needs two")
    func unsafeAloneIsExact() throws {
        let observation = try runOnce(request("counter", "unsafe", threads: 1, iterations: 100_000))
        #expect(observation.primaryAnomalyCount == 0)
    }
}
