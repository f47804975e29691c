import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Lazy-init scenario", .serialized)
struct LazyInitTests {
    func lazyRequest(_ strategy: String, threads: Int, iterations: Int = 20_000, work: Int = 20_000) -> Request {
        var r = request("lazy-init", strategy, threads: threads, iterations: iterations)
        r.settings = ["work": .integer(work)]
        return r
    }

    static func clean(workers: Int) -> [Anomaly] {
        [
            LazyInitScenario.Anomalies.splitWorkers.count(0), LazyInitScenario.Anomalies.extraInits.count(0),
            LazyInitScenario.Anomalies.halfBuiltReads.count(0),
        ]
    }

    @Test(
        "safe forms build one instance, and every worker gets it, fully built",
        arguments: LazyInitScenario.scenario.safeInProcessStrategyNames)
    func safeHolds(strategy: String) throws {
        for threads in workerCounts + [16] {
            let o = try runOnce(lazyRequest(strategy, threads: threads))
            #expect(o.expected == threads)
            #expect(o.observed == threads, "\(strategy) at \(threads) workers")
            #expect(o.anomalies == Self.clean(workers: threads), "\(strategy) at \(threads) workers")
            #expect(o.operations == threads * 20_000)
        }
    }

    @Test("static let runs in a fresh child process each run, and holds there")
    func staticLetInAChild() throws {
        let strategy = try #require(LazyInitScenario.scenario.strategy(named: "static-let"))
        #expect(strategy.runsInChildProcess)
        for threads in [2, 8] {
            let o = ChildRunner.run(
                lazyRequest("static-let", threads: threads), strategy: strategy,
                executable: ChildRunner.racelabExecutable)
            #expect(o.childEnd == .finished)
            #expect(o.observed == threads)
            #expect(o.anomalies == Self.clean(workers: threads))
        }
    }

    @Test("unsafe runs the initialiser more than once and splits the workers", .timeLimit(.minutes(1)))
    func unsafeSplits() throws {
        var last = Observation(expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil)
        let split = try firstAnomaly {
            // The default initialiser (13 ms): a short one loses to the tests running beside this one.
            last = try runOnce(
                lazyRequest("unsafe", threads: max(2, cpuCount), iterations: 1_000, work: LazyInitScenario.defaultWork))
            return last.primaryAnomalyCount
        }
        #expect(split > 0)
        // Every builder but the one whose instance stayed published is on another
        // instance; a reader can be too (it read an instance later replaced).
        #expect(last.anomalies[1].count >= 1)
        #expect(split >= last.anomalies[1].count)
    }

    @Test("relaxed publication says why it shows nothing here, instead of 'add workers'")
    func relaxedNote() throws {
        let run = runCLI(["lazy-init", "--strategy", "relaxed-publication", "--threads", "2", "--duration", "5"])
        #expect(run.code == 0)
        let line = try #require(run.out.split(separator: "\n").first { $0.hasPrefix("relaxed-publication:") })
        if line.contains("race not shown") {
            #expect(line.contains("memory model"))
            #expect(!line.contains("--threads"))
        }
    }

    @Test("bad input names --work and its range")
    func badInput() {
        let run = runCLI(["lazy-init", "--work", "-3"])
        #expect(run.code == 64)
        #expect(run.err.contains("Invalid value '-3' for '--work <n>': expected an integer from 0 to 100000000"))
    }
}
