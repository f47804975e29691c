import Synchronization
import Testing

@testable import RaceLab
@testable import RaceLabModel

/// Store buffering as a user writes it: T0 stores x and loads y, T1 stores y and loads x.
private final class StoreBuffering: Sendable {
    let x = Atomic<Int>(0)
    let y = Atomic<Int>(0)
    let r0 = Atomic<Int>(-1)
    let r1 = Atomic<Int>(-1)
}

private struct Pair: Hashable, Sendable, CustomStringConvertible {
    let r0: Int
    let r1: Int
    init(_ r0: Int, _ r1: Int) {
        self.r0 = r0
        self.r1 = r1
    }
    var description: String { "r0=\(r0) r1=\(r1)" }
}

private let interleavings = [Pair(0, 1), Pair(1, 0), Pair(1, 1)]

/// SB with every access at `ordering`; (0, 0) graded `weak`.
private func storeBuffering(
    _ test: OutcomeStress, weak: OutcomeGrade, sequentiallyConsistent: Bool
) throws -> OutcomeReport<Pair> {
    try test.run(expecting: [
        .acceptable(interleavings, "an interleaving"),
        OutcomeExpectation([Pair(0, 0)], weak, "both loads before either store was visible"),
    ]) {
        StoreBuffering()
    } worker: { s in
        if sequentiallyConsistent {
            s.x.store(1, ordering: .sequentiallyConsistent)
            s.r0.store(s.y.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
        } else {
            s.x.store(1, ordering: .relaxed)
            s.r0.store(s.y.load(ordering: .relaxed), ordering: .relaxed)
        }
    } worker: { s in
        if sequentiallyConsistent {
            s.y.store(1, ordering: .sequentiallyConsistent)
            s.r1.store(s.x.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
        } else {
            s.y.store(1, ordering: .relaxed)
            s.r1.store(s.x.load(ordering: .relaxed), ordering: .relaxed)
        }
    } arbiter: { s in
        Pair(s.r0.load(ordering: .relaxed), s.r1.load(ordering: .relaxed))
    }
}

@Suite("Graded outcomes", .serialized, .timeLimit(.minutes(1)))
struct OutcomeStressTests {
    @Test("every sample is counted once, under a declared row or an undeclared one")
    func histogramCounts() throws {
        let report = try storeBuffering(
            OutcomeStress(samples: 10_000, stride: 100), weak: .interesting, sequentiallyConsistent: false)
        #expect(report.samples == 10_000)
        #expect(report.rows.reduce(0) { $0 + $1.count } == 10_000)
        let declaredFirst = Array(report.rows.map(\.outcome).prefix(4))
        #expect(declaredFirst == interleavings + [Pair(0, 0)], "declared rows first, in order")
        #expect(abs(report.rows.reduce(0) { $0 + $1.share } - 1) < 1e-9)
        #expect(report.strides == 100)
        #expect(report.forbiddenSeen.isEmpty, "\(report)")
    }

    @Test(
        "relaxed store buffering shows its interesting outcome on two CPUs",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: the actors must run at once"))
    func storeBufferingShows() throws {
        // A loaded machine (the whole suite in parallel) can starve a try; three of them.
        var reports: [OutcomeReport<Pair>] = []
        for _ in 0..<3 {
            let report = try storeBuffering(
                OutcomeStress(samples: 200_000), weak: .interesting, sequentiallyConsistent: false)
            reports.append(report)
            if report.count(.interesting) > 0 { break }
        }
        #expect(reports.contains { $0.count(.interesting) > 0 }, "\(reports.map(\.description))")
        #expect(reports.allSatisfy { $0.verdict != .broken })
    }

    @Test("seq_cst store buffering never shows (0, 0): graded forbidden, the test holds")
    func sequentiallyConsistentHolds() throws {
        let report = try storeBuffering(
            OutcomeStress(samples: 200_000), weak: .forbidden, sequentiallyConsistent: true)
        #expect(report.count(.forbidden) == 0, "\(report)")
        #expect(report.verdict != .broken)
    }

    @Test("a forbidden outcome that shows breaks the test; an undeclared one is forbidden too")
    func forbiddenBreaks() throws {
        // The weak outcome declared forbidden for relaxed accesses: a real break on two CPUs.
        // Deterministic as well: an arbiter that reports an outcome nobody declared.
        let report = try OutcomeStress(samples: 1_000, stride: 10).run(expecting: [
            .acceptable([0], "zero")
        ]) {
            StoreBuffering()
        } worker: { _ in
        } worker: { _ in
        } arbiter: { _ in
            7
        }
        #expect(report.verdict == .broken)
        #expect(report.forbiddenSeen.map(\.outcome) == [7])
        #expect(report.rows.last?.meaning == "not declared")
        #expect(report.rows.first?.count == 0, "a declared outcome that never showed is listed at 0")
        #expect(report.description.contains("broken: a forbidden outcome showed in 1,000 of 1,000 samples"))
    }

    @Test("actors pinned to one CPU never overlap: could not show, not held")
    func oneCPU() throws {
        let oneCPU = CPUSet(ids: [CPUSet.current().ids[0]])
        let report = try storeBuffering(
            OutcomeStress(samples: 20_000, cpus: oneCPU), weak: .forbidden, sequentiallyConsistent: true)
        #expect(report.verdict == .heldWeak, "\(report)")
        #expect(report.description.contains("could not show"))
    }

    @Test("the time limit stops a test early and the report counts what ran")
    func timeLimit() throws {
        let oneCPU = CPUSet(ids: [CPUSet.current().ids[0]])
        let report = try storeBuffering(
            OutcomeStress(samples: 50_000_000, stride: 16, cpus: oneCPU, timeLimit: .milliseconds(200)),
            weak: .forbidden, sequentiallyConsistent: true)
        #expect(report.samples < 50_000_000)
        #expect(report.samples == report.strides * 16)
    }
}
