import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// Through the real binary, as TasksTests: a test must not block the cooperative pool.
@Suite("Actor cache scenario", .serialized)
struct ActorCacheTests {
    @Test("a cache actor that awaits its fetch fetches keys twice; in-flight fetches each key once")
    func actorCache() throws {
        var duplicates = 0
        for _ in 0..<5 where duplicates == 0 {
            let report = try racelabJSON(["actor-cache", "--threads", "4", "--duration", "30"])
            #expect(report.strategies.map(\.name) == ActorCacheScenario.scenario.defaultStrategyNames)
            func firstRun(_ name: String) throws -> Observation {
                try #require(report.strategies.first { $0.name == name }?.runs.first, "\(name) ran")
            }
            let inFlight = try firstRun("in-flight")
            #expect(inFlight.anomalies.map(\.count) == [0, 0])
            #expect(inFlight.expected > 0 && inFlight.observed == inFlight.expected)
            #expect(try firstRun("recheck").anomalies[1].count == 0, "a recheck never overwrites")
            duplicates = try firstRun("unsafe").anomalies[0].count
        }
        #expect(duplicates > 0)
        #expect(runCLI(["actor-cache", "--backend", "dispatch"]).code == 64)
    }
}
