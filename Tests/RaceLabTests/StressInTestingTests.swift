import Dispatch
import RaceLabTesting
import Synchronization
import Testing

@testable import RaceLab
@testable import RaceLabModel

/// RaceLabTesting's `stress` inside real tests: what a worker or a check finds is
/// recorded against the test that ran it. Each racy case is wrapped in
/// `withKnownIssue`, which itself fails the test when the issue does not arrive, so a
/// failure recorded against no test (as an `#expect` on a bare pthread is) fails here.
@Suite("Stress in Swift Testing", .serialized, .timeLimit(.minutes(1)))
struct StressInTestingTests {
    @Test("an #expect that fails inside a worker is recorded against this test, then the run and worker named")
    func expectInWorker() async throws {
        let seen = Seen()
        // Only the worker's issues are the known ones: the short run's "could not show"
        // warning stays a warning of this test.
        try await withKnownIssue("the worker's own #expect, and where it happened") {
            try await stress(with: Stress(workers: 2, length: .fixed(iterations: 10), runs: .exactly(1))) {
                HitCounter(isFixed: true)
            } body: { counter, worker, iteration in
                counter.hit()
                #expect(!(worker == 1 && iteration == 5), "worker \(worker) at iteration \(iteration)")
            }
        } matching: { issue in
            seen.add(issue)
            return issue.comments.contains {
                $0.rawValue == "worker 1 at iteration 5" || $0.rawValue.hasPrefix("run 1 of 1, worker 1")
            }
        }
        let texts = seen.comments
        #expect(texts.contains("worker 1 at iteration 5"), "\(texts)")
        #expect(
            texts.contains {
                $0.hasPrefix("run 1 of 1, worker 1, iteration 5: where the issue at StressInTestingTests.swift:")
            },
            "\(texts)")
    }

    @Test("an error thrown or a #require failing in a worker stops the run and names run, worker, iteration")
    func throwInWorker() async throws {
        struct Refused: Error {}
        final class Run: Sendable {
            let index: Int
            init(_ index: Int) { self.index = index }
        }
        let made = Atomic<Int>(0)
        let seen = Seen()
        try await withKnownIssue("the body's error in run 1, its #require in run 2") {
            try await stress(with: Stress(workers: 2, length: .fixed(iterations: 100_000), runs: .exactly(2))) {
                Run(made.add(1, ordering: .relaxed).newValue)
            } body: { run, worker, iteration in
                if run.index == 1 && worker == 0 && iteration == 3 { throw Refused() }
                if run.index == 2 && worker == 1 && iteration == 7 { try #require(iteration != 7) }
            } check: { _, run in
                // The first failure stopped every worker: nowhere near 2 x 100,000 operations.
                try RaceFailure.unless(run.operations < 200_000, "ran \(run.operationsPerWorker)")
            }
        } matching: { issue in
            seen.add(issue)
            return !issue.comments.contains { $0.rawValue.hasPrefix("could not show") }
        }
        let texts = seen.comments
        #expect(texts.contains("run 1 of 2, worker 0, iteration 3: thrown by the body; this worker's loop ended"))
        #expect(
            texts.contains {
                $0.hasPrefix("run 2 of 2, worker 1, iteration 7: where the issue")
                    && $0.hasSuffix("#require ended this worker's loop")
            },
            "\(texts)")
        #expect(!texts.contains { $0.contains(": ran [") }, "the first failure stopped the run")
    }

    @Test("a body that hangs is stopped by the watchdog, naming the stuck worker and where it is")
    func watchdog() async throws {
        let release = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        let error = await #expect(throws: StressWatchdogError.self) {
            try await stress(
                with: Stress(workers: 2, length: .fixed(iterations: 10), runs: .exactly(1)),
                watchdog: .milliseconds(300)
            ) {
                HitCounter(isFixed: true)
            } body: { _, worker, iteration in
                if worker == 1 && iteration == 2 { release.wait() }  // a lost wake-up, until the test ends
            }
        }
        release.signal()
        let waited = ContinuousClock.now - started
        #expect(
            error?.description
                == "run 1 of 1 made no progress for 0.3 s: worker 1 (in iteration 2) never finished;"
                + " left running (a deadlock, a lost wake-up?)")
        #expect(waited < .seconds(30), "bounded by the watchdog, not by the test's time limit")
    }

    @Test("a worker's failure fails its run: .untilFailure stops there, the report is broken")
    func workerFailureFailsRun() async throws {
        let checks = Atomic<Int>(0)
        try await withKnownIssue("the worker's #expect and where it was") {
            let report = try await stress(
                with: Stress(workers: 2, length: .fixed(iterations: 1_000), runs: .untilFailure(within: .seconds(5)))
            ) {
                HitCounter(isFixed: true)
            } body: { _, worker, iteration in
                #expect(!(worker == 0 && iteration == 3))
            } check: { _, _ in
                checks.add(1, ordering: .relaxed)
            }
            #expect(report.runs.count == 1)
            #expect(report.verdict == .broken)
        } matching: { issue in
            !issue.comments.contains { $0.rawValue.hasPrefix("could not show") }
        }
        #expect(checks.load(ordering: .relaxed) == 1, "the user's check still ran once")
    }

    @Test("a warning a body records stays a warning: the test passes, nothing else is recorded")
    func warningInBody() async throws {
        let report = try await stress(with: Stress(workers: 2, length: .fixed(iterations: 100), runs: .exactly(2))) {
            HitCounter(isFixed: true)
        } body: { _, worker, iteration in
            if worker == 0 && iteration == 0 { Issue.record("just so you know", severity: .warning) }
        }
        #expect(report.failedRuns.isEmpty)
        #expect(report.runs.allSatisfy { $0.operations == 200 }, "no run was stopped by the warning")
    }

    @Test("a check slower than the watchdog's limit is not a hang: only the workers are watched")
    func slowCheck() async throws {
        let report = try await stress(
            with: Stress(workers: 2, length: .fixed(iterations: 10), runs: .exactly(1)), watchdog: .milliseconds(100)
        ) {
            HitCounter(isFixed: true)
        } body: { counter, _, _ in
            counter.hit()
        } check: { _, _ in
            try await Task.sleep(for: .milliseconds(400))
        }
        #expect(report.failedRuns.isEmpty)
    }

    @Test("an outcome test whose actor blocks is stopped by the watchdog")
    func outcomeWatchdog() async throws {
        final class Box: Sendable { let value = Atomic<Int>(0) }
        let release = DispatchSemaphore(value: 0)
        let blocked = Atomic<Bool>(false)
        let error = await #expect(throws: StressWatchdogError.self) {
            try await stress(
                with: OutcomeStress(samples: 1_000, stride: 10), watchdog: .milliseconds(300),
                expecting: [.acceptable([0], "")]
            ) {
                Box()
            } worker: { _ in
                if !blocked.exchange(true, ordering: .relaxed) { release.wait() }
            } worker: { _ in
            } arbiter: { box in
                box.value.load(ordering: .relaxed)
            }
        }
        release.signal()
        #expect(
            error?.description.hasPrefix("no stride of the outcome test finished for 0.3 s after 0 strides") == true)
    }

    @Test("a forbidden outcome of a graded test is an issue of this test")
    func forbiddenOutcome() async throws {
        final class Box: Sendable { let value = Atomic<Int>(0) }
        try await withKnownIssue("the arbiter's undeclared outcome") {
            let report = try await stress(
                with: OutcomeStress(samples: 1_000, stride: 10), expecting: [.acceptable([0], "untouched")]
            ) {
                Box()
            } worker: { box in
                box.value.store(1, ordering: .relaxed)
            } worker: { _ in
            } arbiter: { box in
                box.value.load(ordering: .relaxed)
            }
            #expect(report.count(.forbidden) == 1_000)
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "forbidden outcome 1 in 1000 of 1000 samples: not declared" }
        }
    }

    @Test("an async body awaits an actor on every worker; the check awaits it too")
    func asyncBody() async throws {
        actor Tally {
            var count = 0
            func add() { count += 1 }
        }
        let report = try await stress(with: Stress(workers: 2, length: .fixed(iterations: 500), runs: .exactly(2))) {
            Tally()
        } body: { tally, _, _ in
            await tally.add()
        } check: { tally, run in
            let count = await tally.count
            try RaceFailure.unless(count == run.operations, "counted \(count) of \(run.operations)")
        }
        #expect(report.failedRuns.isEmpty, "\(report)")
        #expect(report.runs.map(\.operations) == [1_000, 1_000])
    }

    @Test(
        "a racy type's failed check is an issue of this test, naming the run",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: two workers must run at once"))
    func racyCheck() async throws {
        try await withKnownIssue("the racy counter loses hits") {
            try await stress(
                with: Stress(workers: 2, length: .timed(milliseconds: 20), runs: .untilFailure(within: .seconds(20)))
            ) {
                HitCounter(isFixed: false)
            } body: { counter, _, _ in
                counter.hit()
            } check: { counter, run in
                try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
            }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("run 1 of 1: lost ") || $0.rawValue.contains(": lost ") }
        }
    }

    @Test("a fixed type passes: no run fails, whatever the machine's load")
    func fixedPasses() async throws {
        let report = try await stress(with: Stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(3))) {
            HitCounter(isFixed: true)
        } body: { counter, _, _ in
            counter.hit()
        } check: { counter, run in
            try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
        }
        #expect(report.failedRuns.isEmpty)
        #expect(report.verdict.isHeld, "\(report)")
    }

    @Test("workers on one CPU are said to show nothing: a warning, not a silent pass")
    func oneCPUWarns() async throws {
        let oneCPU = WorkerPool(cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        try await withKnownIssue("could not show") {
            try await stress(
                with: Stress(workers: 2, length: .timed(milliseconds: 20), runs: .exactly(2), pool: oneCPU)
            ) {
                HitCounter(isFixed: true)
            } body: { counter, _, _ in
                counter.hit()
            }
        } matching: { issue in
            issue.severity == .warning && issue.comments.contains { $0.rawValue.hasPrefix("could not show") }
        }
    }
}

/// The issues a `withKnownIssue` matcher saw, for asserting on all of them after.
private final class Seen: Sendable {
    private let issues = Mutex<[String]>([])
    func add(_ issue: Issue) { issues.withLock { $0 += issue.comments.map(\.rawValue) } }
    var comments: [String] { issues.withLock { $0 } }
}
