import Synchronization
import Testing

@testable import RaceLab
@testable import RaceLabModel

/// A user's racy hit counter: `hit` is a load and a store (the bug) or one add.
final class HitCounter: Sendable {
    private let hits = Atomic<Int>(0)
    let isFixed: Bool

    init(isFixed: Bool) { self.isFixed = isFixed }

    func hit() {
        if isFixed {
            hits.add(1, ordering: .relaxed)
        } else {
            hits.store(hits.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        }
    }

    var total: Int { hits.load(ordering: .relaxed) }
}

/// The public stress API on a user's own type, as another package calls it.
@Suite("Stress your own code", .serialized, .timeLimit(.minutes(1)))
struct StressTests {
    static func counting(_ stress: Stress, isFixed: Bool) throws -> StressReport {
        try stress.run {
            HitCounter(isFixed: isFixed)
        } body: { counter, _, _ in
            counter.hit()
        } check: { counter, run in
            try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
        }
    }

    @Test(
        "a racy counter fails its check, and the report says in which run and why",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: two workers must run at once"))
    func racyCounterFails() throws {
        let stress = Stress(workers: 2, length: .timed(milliseconds: 20), runs: .untilFailure(within: .seconds(20)))
        let report = try Self.counting(stress, isFixed: false)
        #expect(report.verdict == .broken)
        let first = try #require(report.failedRuns.first)
        #expect(first.index == report.runs.count, "untilFailure stops at the first failing run")
        #expect(first.failure?.hasPrefix("lost ") == true)
        #expect(report.description.hasPrefix("broken: 1 of \(report.runs.count) runs failed, first in run"))
    }

    @Test("a fixed counter fails no run, on any machine")
    func fixedCounterHolds() throws {
        let stress = Stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(5))
        let report = try Self.counting(stress, isFixed: true)
        #expect(report.runs.count == 5)
        #expect(report.failedRuns.isEmpty)
        #expect(report.verdict.isHeld, "\(report)")
    }

    /// Runs as the pool would report them: 2 workers on 2 CPUs the whole window, or
    /// taking turns on one (half the CPU time each), with or without a failure.
    static func runs(_ count: Int, parallel: Bool, failing: Set<Int> = []) -> [StressRun] {
        (1...count).map { index in
            StressRun(
                index: index, timing: timing(cpuNanoseconds: parallel ? 1_000 : 500),
                failure: failing.contains(index) ? "lost 1 hit" : nil)
        }
    }

    @Test("the verdict: held with the rule-of-three bound, could not show, broken naming the first failure")
    func verdicts() {
        let held = StressReport(runs: Self.runs(5, parallel: true))
        #expect(held.verdict == .held)
        #expect(held.failureBound == 3.0 / 5)
        #expect(held.description.hasPrefix("held: 0 of 5 runs failed; chance per run < 60% at 95% confidence"))
        let weak = StressReport(runs: Self.runs(5, parallel: false))
        #expect(weak.verdict == .heldWeak)
        #expect(weak.failureBound == nil)
        #expect(weak.description.hasPrefix("could not show: no run failed, but the workers took turns on the CPUs"))
        let broken = StressReport(runs: Self.runs(5, parallel: true, failing: [2, 4]))
        #expect(broken.verdict == .broken)
        #expect(broken.description.hasPrefix("broken: 2 of 5 runs failed, first in run 2: lost 1 hit"))
        #expect(!broken.description.contains("took turns"))
        // Failed while taking turns on one CPU: still broken, and it says how it ran.
        let preempted = StressReport(runs: Self.runs(3, parallel: false, failing: [1]))
        #expect(preempted.verdict == .broken)
        #expect(
            preempted.description.hasSuffix(
                "the workers took turns on the CPUs (1.0 on a CPU at once): a preempted worker is enough for this one"))
    }

    @Test("the racy counter on one CPU is never a pass: broken (preempted mid-update) or could not show")
    func racyCounterOnOneCPU() throws {
        let oneCPU = WorkerPool(backend: .pthread, isPinned: true, cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        let stress = Stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(3), pool: oneCPU)
        let report = try Self.counting(stress, isFixed: false)
        #expect(report.verdict != .held, "\(report)")
        #expect(report.weakEvidence != nil, "the workers took turns, and the report says so: \(report)")
    }

    @Test("workers on one CPU cannot show a race: the report says so, it does not pass")
    func oneCPUCouldNotShow() throws {
        let oneCPU = WorkerPool(backend: .pthread, isPinned: true, cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        let stress = Stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(3), pool: oneCPU)
        let report = try Self.counting(stress, isFixed: true)
        #expect(report.verdict == .heldWeak)
        #expect(report.failureBound == nil)
        #expect(report.description.hasPrefix("could not show: no run failed, but the workers"))
    }

    @Test("each worker's iterations count from 0, one per operation, on every backend", arguments: inProcessBackends)
    func iterations(backend: Backend) throws {
        final class Seen: Sendable {
            let last = Mutex([Int](repeating: -1, count: 3))
        }
        let stress = Stress(
            workers: 3, length: .fixed(iterations: 100), runs: .exactly(1),
            pool: WorkerPool(backend: backend, isPinned: false))
        let report = try stress.run {
            Seen()
        } body: { seen, worker, iteration in
            seen.last.withLock { $0[worker] = max($0[worker], iteration) }
        } check: { seen, run in
            #expect(seen.last.withLock { $0 } == [99, 99, 99])
            #expect(run.operationsPerWorker == [100, 100, 100])
        }
        #expect(report.failedRuns.isEmpty)
    }

    @Test("what a check throws is that run's failure; runs stay independent (a fresh state each)")
    func checkFailures() throws {
        let made = Mutex(0)
        let report = try Stress(workers: 1, length: .fixed(iterations: 10), runs: .exactly(4)).run {
            made.withLock { $0 += 1 }
            return HitCounter(isFixed: true)
        } body: { counter, _, _ in
            counter.hit()
        } check: { counter, run in
            try RaceFailure.unless(counter.total == 10, "a state was shared: \(counter.total)")
            try RaceFailure.unless(run.index % 2 == 1, "even run \(run.index)")
        }
        #expect(made.withLock { $0 } == 4)
        #expect(report.failedRuns.map(\.index) == [2, 4])
        #expect(report.failedRuns.map(\.failure) == ["even run 2", "even run 4"])
        #expect(report.verdict == .broken)
    }
}
