import Testing

@testable import RaceLabExplore
@testable import RaceLabScenarios

/// `racelab explore`'s models: every unsafe strategy has a failing schedule, every safe
/// one passes every schedule, at 2 threads x 2 operations (and a few other shapes).
@Suite("Explore models of the scenarios", .serialized, .timeLimit(.minutes(1)))
struct ExploreModelTests {
    static let cases: [(String, String)] = ExploreCatalog.models.flatMap { model in
        model.strategies.map { (model.scenario, $0.name) }
    }

    /// The queue has a producer besides the consumers and many more steps: in a debug
    /// build its larger shapes take minutes, so it is tested at 2 consumers x 1 item here
    /// (and at 2 x 2 and 3 x 1 by `.ci/run`'s release `racelab explore all --check`).
    static func shapes(_ scenario: String, _ shapes: [(Int, Int)]) -> [(Int, Int)] {
        scenario == "queue" ? [(2, 1)] : shapes
    }

    @Test("unsafe fails, safe passes every schedule", arguments: cases)
    func model(scenario: String, strategy: String) throws {
        let model = try #require(ExploreCatalog.model(named: scenario)?.strategies(named: [strategy])?.first)
        for (threads, operations) in Self.shapes(scenario, [(2, 2), (3, 1)]) {
            let report = try model.run(Explore(.exhaustive()), threads: threads, operations: operations)

            if model.isExpectedSafe {
                #expect(report.passed, "\(scenario) \(strategy) \(threads)x\(operations): \(report)")
                let covers: ExploreReport.Coverage =
                    model.preemptionBound.map { .preemptions(atMost: $0) } ?? .every
                #expect(report.coverage == covers, "\(report)")
            } else {
                #expect(!report.passed, "\(scenario) \(strategy) \(threads)x\(operations): \(report)")
                let replay = try model.replay(
                    Explore(.exhaustive()), try #require(report.firstFailure).string, threads: threads,
                    operations: operations)
                #expect(replay.failure == report.firstFailure?.failure)
                #expect(replay.mismatch == nil)
            }
        }
    }

    @Test("pruning equivalent schedules never changes a verdict: every interleaving, run, agrees", arguments: cases)
    func pruningAgrees(scenario: String, strategy: String) throws {
        let model = try #require(ExploreCatalog.model(named: scenario)?.strategies(named: [strategy])?.first)
        for (threads, operations) in Self.shapes(scenario, [(2, 1), (3, 1), (2, 2)]) {
            let pruned = try model.run(Explore(.exhaustive()), threads: threads, operations: operations)
            let full = try model.run(
                Explore(.exhaustive(), scheduleLimit: 20_000, prunesEquivalentSchedules: false), threads: threads,
                operations: operations)
            // Every interleaving of the larger queue shapes is past the limit: those are not compared.
            if case .partial = full.coverage { continue }
            #expect(full.passed == pruned.passed, "\(scenario) \(strategy) \(threads)x\(operations): \(full)")
            #expect(full.explored >= pruned.explored)
        }
    }

    @Test("the deadlock's story names the cycle; the counter's timeline shows two loads of one value")
    func stories() throws {
        let deadlock = try #require(
            ExploreCatalog.model(named: "deadlock")?.strategies(named: ["opposite-order"])?.first)
        let report = try deadlock.run(Explore(.exhaustive()), threads: 2, operations: 1)
        #expect(
            report.firstFailure?.failure
                == .deadlock("worker 0 waits for B, held by worker 1; worker 1 waits for A, held by worker 0"))
        let counter = try #require(ExploreCatalog.model(named: "counter")?.strategies(named: ["unsafe"])?.first)
        let lost = try #require(try counter.run(Explore(.exhaustive()), threads: 2, operations: 1).firstFailure)
        #expect(lost.events.filter { $0.text == "load counter → 0 (relaxed)" }.count == 2)
    }
}
