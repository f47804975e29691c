import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Snapshot scenario", .serialized)
struct SnapshotTests {
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
}
