import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// A log from (value, read time, write time) per read, per worker.
private func log(_ workers: [[(Int, UInt64, UInt64)]], operations: Int? = nil, final: Int) -> WitnessLog {
    WitnessLog(
        values: workers.map { $0.map(\.0) }, readTimes: workers.map { $0.map(\.1) },
        writeTimes: workers.map { $0.map(\.2) },
        operations: operations ?? workers.reduce(0) { $0 + $1.count }, final: final)
}

@Suite("Witness: every lost update accounted for")
struct WitnessTests {
    @Test("two workers read 1 at once: one update lost, a shared read, and who overwrote whom")
    func collision() {
        // w0 reads 0 (writes 1); w0 and w1 both read 1 and write 2, w1's write last;
        // w1 reads 2 (writes 3); w0 reads 3 (writes 4). Final 4 after 5 increments.
        let witness = log(
            [[(0, 0, 1), (1, 2, 5), (3, 9, 10)], [(1, 3, 6), (2, 7, 8)]], final: 4
        ).account()
        #expect(witness.lost == 1)
        #expect(witness.sharedReads == 1 && witness.movedBack == 0)
        #expect(witness.isComplete)
        #expect(witness.overwrites == [.init(worker: 0, by: 1, count: 1)])
        #expect(witness.collisions.map(\.value) == [1])
        #expect(witness.collisions[0].reads.map(\.worker) == [0, 1])
        #expect(witness.collisions[0].reads.map(\.readNanoseconds) == [2, 3])
    }

    @Test("a stale write moves the counter back: the values above the final count are the second part")
    func staleWrite() {
        // w1 reads 0 first and writes 1 last; meanwhile w0 counts 0 -> 4. Final 1.
        let witness = log([[(0, 1, 2), (1, 3, 4), (2, 5, 6), (3, 7, 8)], [(0, 0, 9)]], final: 1).account()
        #expect(witness.lost == 4)
        #expect(witness.sharedReads == 1, "0 was read twice")
        #expect(witness.movedBack == 3, "1, 2 and 3 were read and are at or above the final 1")
        #expect(witness.sharedReads + witness.movedBack == witness.lost)
        #expect(witness.isComplete)
        #expect(
            witness.overwrites == [.init(worker: 0, by: 1, count: 1)], "w0's write of 1 came first; w1 wrote 1 again")
    }

    @Test("the identity holds on every complete log: lost = (reads - distinct) + (distinct - final)")
    func identity() {
        // A deterministic pseudo-random interleaving of 3 workers on a real counter.
        var counter = 0
        var pending: [Int?] = [nil, nil, nil]
        var workers: [[(Int, UInt64, UInt64)]] = [[], [], []]
        var seed: UInt64 = 42
        var time: UInt64 = 0
        for _ in 0..<3_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let worker = Int(seed >> 33) % 3
            time += 1
            if let read = pending[worker] {
                counter = read + 1
                workers[worker][workers[worker].count - 1].2 = time
                pending[worker] = nil
            } else {
                pending[worker] = counter
                workers[worker].append((counter, time, 0))
            }
        }
        for worker in 0..<3 where pending[worker] != nil {
            time += 1
            counter = pending[worker]! + 1
            workers[worker][workers[worker].count - 1].2 = time
        }
        let witness = log(workers, final: counter).account()
        #expect(witness.isComplete, "\(witness.problems)")
        #expect(witness.lost > 0)
        #expect(witness.sharedReads + witness.movedBack == witness.lost)
        #expect(witness.overwrites.map(\.count).reduce(0, +) == witness.sharedReads)
    }

    @Test("each key of the cache is a counter of its own: the identity holds per key and summed")
    func keyed() {
        // Key 0: both workers read 0 (a collision), final 1. Key 1: w0 reads 0 then 1, final 2.
        let witness = WitnessLog(
            values: [[0, 0, 1], [0]], readTimes: [[0, 2, 4], [1]], writeTimes: [[1, 3, 5], [2]],
            keys: [[0, 1, 1], [0]], operations: 4, finals: [1, 2]
        ).account()
        #expect(witness.keys == 2)
        #expect(witness.lost == 1 && witness.final == 3 && witness.distinct == 3)
        #expect(witness.sharedReads == 1 && witness.movedBack == 0)
        #expect(witness.isComplete, "\(witness.problems)")
        #expect(witness.collisions.map(\.key) == [0])
        #expect(witness.overwrites == [.init(worker: 0, by: 1, count: 1)])
        let stray = WitnessLog(
            values: [[0, 0, 1], [0]], readTimes: [[0, 2, 4], [1]], writeTimes: [[1, 3, 5], [2]],
            keys: [[0, 5, 1], [0]], operations: 4, finals: [1, 2]
        ).account()
        #expect(stray.problems.contains("1 read of a key outside 0 to 1"))
    }

    @Test("a log with reads missing, or a value below the final count never read, is flagged and fails --check")
    func brokenLogs() throws {
        let short = log([[(0, 0, 1), (1, 2, 3)]], operations: 3, final: 2).account()
        #expect(!short.isComplete)
        #expect(short.problems == ["2 reads recorded for 3 operations"])
        let gap = log([[(0, 0, 1), (2, 2, 3)]], final: 3).account()
        #expect(gap.problems == ["value 1 below the final 3 never read (a write of v + 1 needs a read of v)"])

        var observation = Observation(
            expected: 2, observed: 3, operations: 2, anomalies: [CounterScenario.Anomalies.lostUpdates.count(0)],
            timing: timing())
        observation.witness = gap
        let result = LabResult(
            request: counterRequest, scenario: CounterScenario.scenario.labels(for: counterRequest),
            machine: MachineInfo(cpusAvailable: 2, cpuIDs: [0, 1], cpusOnline: 2, architecture: "x86_64", kernel: ""),
            strategies: [
                StrategyOutcome(
                    name: "unsafe", summary: "", isExpectedSafe: false, runsInChildProcess: false, runs: [observation])
            ])
        let check = CheckResult(result, expectRace: false)
        #expect(!check.passed)
        #expect(check.summary.contains("unsafe's witness log is incomplete: value 1 below the final 3 never read"))
        #expect(TableReport.render(result).contains("as far as an INCOMPLETE log can tell"))
        #expect(!TableReport.render(result).contains("Every lost update accounted for"))
    }

    @Test("the text: a worker that read a value twice is not two workers; many workers get the top pairs, one none")
    func text() {
        // w0 reads 0 twice (after w1's stale write of 1... moved it back), w1 reads 0 once.
        let witness = log([[(0, 0, 1), (1, 2, 3), (0, 6, 7)], [(0, 4, 5)]], final: 1).account()
        let lines = WitnessText.timeline(witness.collisions[0])
        #expect(lines[0] == "  value 0 was read 3 times; each read wrote 1: 2 updates lost")
        var many = witness
        many.overwrites = (0..<12).map { .init(worker: $0, by: $0 + 1, count: 20 - $0) }
        let text = WitnessText.render("unsafe", many, workers: 300)
        #expect(text.contains("(the 10 pairs that did it most)"))
        #expect(text.contains("and 2 more pairs (all of them in --json)"))
        #expect(!WitnessText.render("unsafe", witness, workers: 1).contains("Who overwrote whom"))
        #expect(WitnessText.render("unsafe", witness, workers: 2).contains("by w1"))
    }

    @Test("a real witnessed run records every read and accounts for every update it lost")
    func realRun() throws {
        var request = request("counter", "unsafe", threads: 2, iterations: 20_000)
        request.settings["witness"] = .integer(1)
        let observation = try runOnce(request)
        let witness = try #require(observation.witness)
        #expect(witness.reads == 40_000 && witness.operations == 40_000)
        #expect(witness.isComplete, "\(witness.problems)")
        #expect(witness.lost == observation.anomalies[0].count)
        #expect(witness.sharedReads + witness.movedBack == witness.lost)
        #expect(witness.withoutRecording?.operations == 40_000)
    }

    @Test("a real witnessed cache run accounts, key by key, for every update it lost")
    func realCacheRun() throws {
        var request = request("cache", "unsafe", threads: 2, iterations: 20_000)
        request.settings["witness"] = .integer(1)
        request.settings["keys"] = .integer(8)
        request.settings["read-ratio"] = .integer(25)
        let observation = try runOnce(request)
        let witness = try #require(observation.witness)
        #expect(witness.keys == 8)
        #expect(witness.reads == observation.expected, "lookups are not recorded, every increment is")
        #expect(witness.reads > 25_000 && witness.reads < 35_000)
        #expect(witness.isComplete, "\(witness.problems)")
        #expect(witness.lost == observation.anomalies[0].count)
        #expect(witness.sharedReads + witness.movedBack == witness.lost)
    }

    @Test("--witness is a flag: parsed, in the header, refused with a value")
    func flag() {
        let run = runCLI(["counter", "--strategy", "unsafe", "--witness", "--threads", "2", "--iterations", "1000"])
        #expect(run.code == 0)
        #expect(run.out.contains("witness     unsafe records every read, up to 1,000 per worker"))
        #expect(run.out.contains("Every lost update accounted for"))
        #expect(runCLI(["counter", "--witness=yes"]).code == 64)
    }
}
