import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// The tasks backend and the actor strategies, through the real binary: a test is a
/// task itself and must not block the cooperative pool it shares.
@Suite("Tasks backend and actors", .serialized)
struct TasksTests {
    @Test("every counter strategy holds on tasks, and the actor and the serial queue lose nothing")
    func counterOnTasks() throws {
        let report = try racelabJSON(["counter", "--backend", "tasks", "--threads", "4", "--iterations", "20000"])
        #expect(report.request.backend == .tasks)
        for strategy in report.strategies where strategy.isExpectedSafe {
            #expect(strategy.runs[0].anomalies[0].count == 0, "\(strategy.name)")
            #expect(strategy.runs[0].expected == 4 * 20_000, "\(strategy.name)")
        }
        #expect(report.strategies.map(\.name).contains("actor"))
        #expect(report.strategies.map(\.name).contains("serial-queue"))
    }

    @Test("the cache's actor counts every hit on the right key, beside the locked cache, on both backends")
    func cacheActor() throws {
        for backend in ["pthread", "tasks"] {
            let report = try racelabJSON([
                "cache", "--backend", backend, "--strategy", "locked,actor", "--keys", "64", "--read-ratio", "20",
                "--threads", "4", "--iterations", "5000",
            ])
            #expect(report.strategies.map(\.name) == ["locked", "actor"])
            for strategy in report.strategies {
                let run = strategy.runs[0]
                #expect(run.anomalies.map(\.count) == [0, 0], "\(backend) \(strategy.name)")
                // 20% lookups: about 16,000 of the 20,000 operations are increments.
                #expect(run.expected > 14_000 && run.expected < 18_000, "\(backend) \(strategy.name)")
                #expect(run.observed == run.expected, "\(backend) \(strategy.name)")
            }
        }
    }

    @Test("every scenario that accepts tasks runs its safe strategies on them without an anomaly")
    func everyScenarioOnTasks() throws {
        for scenario in Catalog.scenarios where !scenario.unsupportedBackends.keys.contains(.tasks) {
            let report = try racelabJSON([scenario.name, "--backend", "tasks", "--threads", "4", "--duration", "20"])
            #expect(report.request.backend == .tasks, "\(scenario.name)")
            for strategy in report.strategies where strategy.isExpectedSafe {
                #expect(strategy.runs[0].anomalies.allSatisfy { $0.count == 0 }, "\(scenario.name) \(strategy.name)")
            }
        }
    }

    @Test("the actor strategy runs as tasks even on the pthread backend, and says so")
    func actorSaysWhereItRan() throws {
        let report = try racelabJSON(["counter", "--strategy", "actor", "--threads", "4", "--iterations", "5000"])
        let run = try #require(report.strategies.first?.runs.first)
        #expect(run.expected == 20_000 && run.observed == 20_000)
        #expect(run.detail?.contains("ran as tasks") == true)
    }

    @Test("actor-reentrancy refuses the pthread backend and says why; queue refuses tasks")
    func refusals() {
        let pthread = runCLI(["actor-reentrancy", "--backend", "pthread"])
        #expect(pthread.code == 64)
        #expect(pthread.err.contains("needs tasks"))
        #expect(runCLI(["queue", "--backend", "tasks"]).err.contains("never block a cooperative thread"))
    }
}
