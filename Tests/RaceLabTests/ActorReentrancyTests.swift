import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// Through the real binary, as TasksTests: a test must not block the cooperative pool.
@Suite("Actor reentrancy scenario", .serialized)
struct ActorReentrancyTests {
    @Test("an actor that awaits between its check and its act is overdrawn; recheck and no-suspension are not")
    func actorReentrancy() throws {
        var overdrawn = 0
        for _ in 0..<5 where overdrawn == 0 {
            let report = try racelabJSON(["actor-reentrancy", "--threads", "4", "--duration", "50"])
            #expect(report.request.backend == .tasks)
            for strategy in report.strategies where strategy.isExpectedSafe {
                #expect(strategy.runs[0].anomalies[0].count == 0, "\(strategy.name)")
            }
            overdrawn = report.strategies.first { $0.name == "unsafe" }?.runs[0].anomalies[0].count ?? 0
        }
        #expect(overdrawn > 0)
    }
}
