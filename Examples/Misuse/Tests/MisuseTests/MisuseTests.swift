import RaceLabTesting
import Testing

/// A counter on the drop-ins, and a test body that counts with it.
final class Hits: Sendable {
    let count = Atomic(0, name: "count")
}

let hits = RaceTest {
    Hits()
} body: { hits, _, _ in
    hits.count.wrappingAdd(1, ordering: .relaxed)
} check: { hits, run in
    try RaceFailure.unless(hits.count.load(ordering: .relaxed) == run.operations, "lost hits")
}

/// Each of these fails its own test with a sentence; none ends the run.
@Suite("a user's mistakes", .serialized)
struct Mistakes {
    @Test("0 workers") func zeroWorkers() async throws {
        try await stress(hits, with: Stress(workers: 0))
    }

    @Test("0 runs") func zeroRuns() async throws {
        try await stress(hits, with: Stress(workers: 2, runs: .exactly(0)))
    }

    @Test("0 threads for the explorer") func zeroThreads() throws {
        try explore(hits, with: Explore(workers: 0))
    }

    @Test("0 samples") func zeroSamples() async throws {
        try await stress(with: OutcomeStress(samples: 0), expecting: [.acceptable([0, 1, 2], "any count")]) {
            Hits()
        } worker: {
            $0.count.wrappingAdd(1, ordering: .relaxed)
        } worker: {
            $0.count.wrappingAdd(1, ordering: .relaxed)
        } arbiter: {
            $0.count.load(ordering: .relaxed)
        }
    }

    @Test("a schedule string of another program") func foreignSchedule() throws {
        try replay("0000000011111111", hits, with: Explore(workers: 2))
    }

    @Test("a negative duration") func negativeDuration() async throws {
        try await stress(hits, with: Stress(workers: 2, runs: .untilFailure(within: .seconds(-1))))
    }

    @Test("a good test in the same run still passes") func stillPasses() async throws {
        try await stress(hits, with: Stress(workers: 2, length: .fixed(iterations: 1_000), runs: .exactly(3)))
        try explore(hits, with: Explore(workers: 2, iterations: 2))
    }
}
