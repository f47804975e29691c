import RaceLab
import Testing

/// Runs a stress test inside the current Swift Testing test and records what it found
/// against that test: each failed run as an issue ("run 3 of 10: lost 12 hits"), and
/// workers that never really ran together as a warning (a clean result then shows
/// nothing; the test does not pass silently).
///
///     @Test func counterKeepsEveryHit() async throws {
///         try await stress(workers: 4, runs: .exactly(20)) {
///             HitCounter()
///         } body: { counter, worker, iteration in
///             counter.hit()
///             #expect(counter.total > 0)   // recorded against this test, from any worker
///         } check: { counter, run in
///             try StressFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
///         }
///     }
///
/// Every worker is a child task of the test's task, each on a thread of its own pinned
/// to a CPU: the workers start together and really run in parallel, and an `#expect`
/// or `#require` inside the body is recorded against this test (on a bare pthread it
/// would be recorded against no test while this one passed). Returns the report for
/// anything more the test wants to assert.
@discardableResult
public func stress<State: Sendable>(
    workers: Int = max(2, CPUSet.current().count), length: RunLength = .standard,
    runs: StressRuns = .exactly(10), pool: WorkerPool = WorkerPool(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: () throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) -> Void,
    check: (_ state: State, _ run: StressRun) throws -> Void
) async throws -> StressReport {
    let stress = Stress(workers: workers, length: length, runs: runs, pool: pool)
    let report = try await stress.runAsChildTasks(make, body: body, check: check)
    for run in report.failedRuns {
        Issue.record("run \(run.index) of \(report.runs.count): \(run.failure ?? "")", sourceLocation: sourceLocation)
    }
    if report.verdict == .heldWeak {
        Issue.record(Comment(rawValue: report.description), severity: .warning, sourceLocation: sourceLocation)
    }
    return report
}
