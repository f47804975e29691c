import RaceLabTesting
import Synchronization
import Testing

@testable import RaceLab

/// RaceLabTesting's `stress` inside real tests: what a worker or a check finds is
/// recorded against the test that ran it. Each racy case is wrapped in
/// `withKnownIssue`, which itself fails the test when the issue does not arrive, so a
/// failure recorded against no test (as an `#expect` on a bare pthread is) fails here.
@Suite("Stress in Swift Testing", .serialized, .timeLimit(.minutes(1)))
struct StressInTestingTests {
    @Test("an #expect that fails inside a worker is recorded against this test")
    func expectInWorker() async throws {
        // Only the worker's issue is the known one: the short run's "could not show"
        // warning stays a warning of this test.
        try await withKnownIssue("the worker's own #expect") {
            try await stress(workers: 2, length: .fixed(iterations: 10), runs: .exactly(1)) {
                HitCounter(isFixed: true)
            } body: { counter, worker, iteration in
                counter.hit()
                #expect(!(worker == 1 && iteration == 5), "worker \(worker) at iteration \(iteration)")
            } check: { _, _ in
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "worker 1 at iteration 5" }
        }
    }

    @Test(
        "a racy type's failed check is an issue of this test, naming the run",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: two workers must run at once"))
    func racyCheck() async throws {
        try await withKnownIssue("the racy counter loses hits") {
            try await stress(workers: 2, length: .timed(milliseconds: 20), runs: .untilFailure(withinSeconds: 20)) {
                HitCounter(isFixed: false)
            } body: { counter, _, _ in
                counter.hit()
            } check: { counter, run in
                try StressFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("run 1 of 1: lost ") || $0.rawValue.contains(": lost ") }
        }
    }

    @Test("a fixed type passes: no run fails, whatever the machine's load")
    func fixedPasses() async throws {
        let report = try await stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(3)) {
            HitCounter(isFixed: true)
        } body: { counter, _, _ in
            counter.hit()
        } check: { counter, run in
            try StressFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
        }
        #expect(report.failedRuns.isEmpty)
        #expect(report.verdict.isHeld, "\(report)")
    }

    @Test("workers on one CPU are said to show nothing: a warning, not a silent pass")
    func oneCPUWarns() async throws {
        let oneCPU = WorkerPool(cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        try await withKnownIssue("could not show") {
            try await stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(2), pool: oneCPU) {
                HitCounter(isFixed: true)
            } body: { counter, _, _ in
                counter.hit()
            } check: { _, _ in
            }
        } matching: { issue in
            issue.severity == .warning && issue.comments.contains { $0.rawValue.hasPrefix("could not show") }
        }
    }
}
