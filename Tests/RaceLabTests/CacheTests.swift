import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Cache scenario", .serialized)
struct CacheTests {
    static let safe = CacheScenario.scenario.safeInProcessStrategyNames

    func cacheRequest(
        _ strategy: String, threads: Int, keys: Int, backend: Backend = .pthread,
        distribution: KeyDistribution = .uniform, readRatio: Int = 0
    ) -> Request {
        var r = request("cache", strategy, threads: threads, iterations: 5_000, backend: backend)
        r.settings["keys"] = .integer(keys)
        r.settings["distribution"] = .text(distribution.rawValue)
        r.settings["read-ratio"] = .integer(readRatio)
        r.settings["stripes"] = .integer(8)
        return r
    }

    @Test("safe caches count every increment on the right key", arguments: safe, inProcessBackends)
    func safeLosesNothing(strategy: String, backend: Backend) throws {
        for threads in workerCounts {
            for keys in [1, 64, 5_000] {
                let o = try runOnce(cacheRequest(strategy, threads: threads, keys: keys, backend: backend))
                #expect(o.expected == threads * 5_000)
                #expect(
                    o.anomalies == [
                        CacheScenario.Anomalies.lostUpdates.count(0), CacheScenario.Anomalies.wrongKeys.count(0),
                    ],
                    "\(strategy) x\(threads) K=\(keys)")
            }
        }
    }

    @Test("timed runs: replaying each worker's stream for what it did gives every key's count", arguments: safe)
    func timedSafeCountsEveryKey(strategy: String) throws {
        for keys in [1, 64] {
            var r = cacheRequest(strategy, threads: 4, keys: keys, readRatio: 25)
            r.length = .timed(milliseconds: 20)
            let o = try runOnce(r)
            #expect(o.expected > 0 && o.expected < o.operations)
            #expect(
                o.anomalies == [
                    CacheScenario.Anomalies.lostUpdates.count(0), CacheScenario.Anomalies.wrongKeys.count(0),
                ], "\(strategy) K=\(keys)")
        }
    }

    @Test("with lookups mixed in, only increments are expected", arguments: safe)
    func readRatio(strategy: String) throws {
        let o = try runOnce(cacheRequest(strategy, threads: 4, keys: 16, distribution: .zipf, readRatio: 75))
        #expect(o.expected < 4 * 5_000 / 2)  // about a quarter are increments
        #expect(o.expected > 0)
        #expect(o.operations == 4 * 5_000)
        #expect(o.primaryAnomalyCount == 0)
    }

    @Test(
        "the unsafe cache can lose updates with 2 workers on one hot key",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: one CPU cannot run two workers at once"),
        .timeLimit(.minutes(1)))
    func unsafeCanLose() throws {
        let lost = try firstAnomaly { try runOnce(cacheRequest("unsafe", threads: 2, keys: 1)).primaryAnomalyCount }
        #expect(lost > 0)
    }

    @Test("key streams are repeatable and zipf favours low keys")
    func keyStreams() {
        let zipf = ZipfTable(keys: 100)
        var a = KeyStream(seed: 7, worker: 0, keys: 100, readPercent: 0, zipf: zipf)
        var b = KeyStream(seed: 7, worker: 0, keys: 100, readPercent: 0, zipf: zipf)
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<10_000 {
            let key = a.next().key
            #expect(key == b.next().key)
            counts[key] += 1
        }
        #expect(counts[0] > counts[50] * 10)
        var uniform = KeyStream(seed: 7, worker: 1, keys: 10, readPercent: 30, zipf: nil)
        let draws = (0..<10_000).map { _ in uniform.next() }
        #expect(Set(draws.map(\.key)) == Set(0..<10))
        let reads = draws.filter(\.isRead).count
        #expect((2_500...3_500).contains(reads))
    }

    @Test("raw runs in a child process: racelab reports how it ended and carries on", .timeLimit(.minutes(1)))
    func rawIsContained() throws {
        let run = runCLI(["cache", "--strategy", "raw,locked", "--threads", "4", "--iterations", "20000", "--json"])
        #expect(run.code == 0)
        let report = try JSONReport.decode(run.out)
        let raw = try #require(report.strategies.first { $0.name == "raw" })
        #expect(raw.runsInChildProcess)
        // The child either crashed (the usual end of a data race in a Dictionary) or
        // survived and reported its counts; it must not have failed to start at all.
        switch raw.runs[0].childEnd {
        case .crashed?:
            #expect(raw.verdict == .exposed)
            #expect(raw.verdictText.contains("the child process crashed"))
        case .finished?:
            #expect(raw.runs[0].timing != nil)
        case let other:
            Issue.record("raw child ended unexpectedly: \(String(describing: other))")
        }
        let locked = try #require(report.strategies.first { $0.name == "locked" })
        #expect(locked.verdict.isHeld)
    }

    @Test(
        "bad values of the cache's options exit 64 naming the option",
        arguments: [
            (["--keys", "0"], "--keys <n>"), (["--keys", "1000001"], "--keys <n>"),
            (["--distribution", "normal"], "--distribution <dist>"), (["--seed", "-1"], "--seed <n>"),
            (["--stripes", "0"], "--stripes <n>"), (["--read-ratio", "101"], "--read-ratio <percent>"),
            (["--read-ratio", "50%"], "--read-ratio <percent>"), (["--timeout", "0"], "--timeout <seconds>"),
            (["--writers", "1"], "--writers"), (["--strategy", "lockd"], "Did you mean 'locked'?"),
        ])
    func badValues(arguments: [String], fragment: String) {
        let run = runCLI(["cache"] + arguments)
        #expect(run.code == 64)
        #expect(run.err.contains(fragment), "\(run.err)")
        #expect(run.out.isEmpty)
    }
}

@Suite("Cache: thread-local", .serialized)
struct ThreadLocalCacheTests {
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
