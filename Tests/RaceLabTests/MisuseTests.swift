import RaceLab
import RaceLabExplore
import RaceLabModel
import RaceLabSync
import RaceLabTesting
import Testing

/// A caller's mistake is a thrown sentence naming the argument, never a trap: each of
/// these would have ended the whole `swift test` run with "Illegal instruction".
@Suite("misuse is an answer, not a trap")
struct MisuseTests {
    final class Counter: Sendable { let value = Atomic(0) }

    static let counting = RaceTest {
        Counter()
    } body: { counter, _, _ in
        counter.value.wrappingAdd(1, ordering: .relaxed)
    }

    /// The sentence `body` threw, or a note that it threw nothing.
    func sentence(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "(nothing thrown)"
        } catch {
            return "\(error)"
        }
    }

    @Test(
        "Stress refuses what cannot run, naming the argument",
        arguments: [
            (Stress(workers: 0), "Stress(workers: 0): expected 1 to 1,024 workers"),
            (Stress(workers: 100_000), "Stress(workers: 100000): expected 1 to 1,024 workers"),
            (Stress(runs: .exactly(0)), "Stress(runs: .exactly(0)): expected 1 to 10,000 runs"),
            (
                Stress(runs: .untilFailure(within: .seconds(-1))),
                "Stress(runs: .untilFailure(within: -1.0 seconds)): expected a budget above zero"
            ),
            (
                Stress(length: .timed(.milliseconds(-5))),
                "Stress(length: .timed(.milliseconds(-5))): expected a window of 1 ms to 10 minutes"
            ),
            (
                Stress(length: .fixed(iterations: 0)),
                "Stress(length: .fixed(iterations: 0)): expected 1 or more iterations per worker"
            ),
            (
                Stress(pool: WorkerPool(cpus: CPUSet(ids: []))),
                "Stress(cpus: CPUSet(ids: [])): expected one or more CPU ids, each 0 or more"
            ),
        ])
    func stress(engine: Stress, expected: String) {
        #expect(sentence { _ = try engine.run(Self.counting) } == expected)
    }

    @Test(
        "Explore refuses what cannot run, naming the argument",
        arguments: [
            (Explore(workers: 0), "Explore(workers: 0): expected 1 to 1,024 workers"),
            (Explore(iterations: 0), "Explore(iterations: 0): expected 1 or more iterations per worker"),
            (Explore(.random(schedules: 0, seed: 1)), "Explore(.random(schedules: 0)): expected 1 or more schedules"),
            (Explore(.pct(schedules: 10, depth: 0, seed: 1)), "Explore(.pct(depth: 0)): expected a depth of 1 or more"),
            (Explore(maxSteps: 0), "Explore(maxSteps: 0): expected 1 or more steps"),
            (
                Explore(.exhaustive(preemptionBound: -1)),
                "Explore(.exhaustive(preemptionBound: -1)): expected 0 or more preemptions, or nil"
            ),
        ])
    func explore(explorer: Explore, expected: String) {
        #expect(sentence { _ = try explorer.run(Self.counting) } == expected)
    }

    @Test("an empty list of closures is refused by the explicit explorer and by graded outcomes")
    func emptyLists() {
        #expect(
            sentence { _ = try Explore().run({ 0 }, workers: []) }
                == "Explore.run(workers: 0 closures): expected 1 to 1,024 closures")
        #expect(
            sentence {
                _ = try OutcomeStress(samples: 10).run(
                    expecting: [OutcomeExpectation<Int>.acceptable([0], "zero")], make: { Counter() }, workers: [],
                    arbiter: { $0.value.load(ordering: .relaxed) })
            } == "OutcomeStress.run(workers: 0 closures): expected 1 to 1,024 workers")
    }

    @Test(
        "OutcomeStress refuses what cannot run, naming the argument",
        arguments: [
            (OutcomeStress(samples: 0), "OutcomeStress(samples: 0): expected 1 or more samples"),
            (OutcomeStress(stride: 0), "OutcomeStress(stride: 0): expected 1 or more states per stride"),
            (
                OutcomeStress(timeLimit: .seconds(-2)),
                "OutcomeStress(timeLimit: -2.0 seconds): expected a time limit above zero"
            ),
        ])
    func outcomes(engine: OutcomeStress, expected: String) {
        #expect(
            sentence {
                _ = try engine.run(
                    expecting: [OutcomeExpectation<Int>.acceptable([0, 1], "0 or 1")], { Counter() },
                    worker: { $0.value.store(1, ordering: .relaxed) },
                    worker: { _ = $0.value.load(ordering: .relaxed) },
                    arbiter: { $0.value.load(ordering: .relaxed) })
            } == expected)
    }

    @Test("an outcome declared twice is refused, naming it")
    func declaredTwice() {
        #expect(
            sentence {
                _ = try OutcomeStress(samples: 10).run(
                    expecting: [.acceptable([0], "zero"), .forbidden([0], "zero again")], { Counter() },
                    worker: { _ in }, worker: { _ in }, arbiter: { $0.value.load(ordering: .relaxed) })
            }
                == "OutcomeStress.run(expecting: outcome 0 declared twice): expected each outcome declared once, with one grade"
        )
    }

    @Test("a refused thread is a sentence, not an enum dump")
    func refusedThread() {
        #expect(
            "\(RaceLabError.threadCreationFailed(worker: 32_439, code: 11))"
                == "the system refused to start worker 32,439 (EAGAIN: too many threads):"
                + " run fewer workers, or raise the limit on threads (ulimit -u)")
    }

    @Test("a schedule of another program does not match, and says where")
    func foreignSchedule() throws {
        let replayed = try Explore(workers: 2).replay("0000000000", Self.counting)
        #expect(replayed.mismatch != nil)
        #expect(replayed.failure == nil)
        let garbage = try Explore(workers: 2).replay("zero", Self.counting)
        #expect(garbage.mismatch?.contains("is not a schedule string") == true)
    }

    @Test("in Swift Testing: a zero watchdog and 0 workers throw a sentence; the test fails, the run goes on")
    func inTesting() async throws {
        await #expect {
            try await RaceLabTesting.stress(Self.counting, with: Stress(workers: 2), watchdog: .zero)
        } throws: { error in
            "\(error)" == "stress(watchdog: 0.0 seconds): expected a watchdog above zero"
        }
        await #expect {
            try await RaceLabTesting.stress(Self.counting, with: Stress(workers: 0))
        } throws: { error in
            "\(error)" == "Stress(workers: 0): expected 1 to 1,024 workers"
        }
        #expect {
            try RaceLabTesting.explore(Self.counting, with: Explore(workers: 0))
        } throws: { error in
            "\(error)" == "Explore(workers: 0): expected 1 to 1,024 workers"
        }
        try withKnownIssue("a replay of a foreign schedule is an issue of the test") {
            _ = try RaceLabTesting.replay("1111", Self.counting, with: Explore(workers: 2))
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("does not match this test") }
        }
    }
}
