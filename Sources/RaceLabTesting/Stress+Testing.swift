@_exported import RaceLab
import Testing

/// Runs a `RaceTest` on real parallel workers inside the current Swift Testing test and
/// records what it found against that test: each failed run as an issue ("run 3 of 10:
/// lost 12 hits"), and workers that never really ran together as a warning (a clean
/// result then shows nothing; the test does not pass silently). `with` is the engine,
/// configured as in code (`Stress(workers:length:runs:pool:)`); the same test runs
/// under the explorer with `explore(hits, with: Explore(...))`.
///
///     @Test func counterKeepsEveryHit() async throws {
///         try await stress(hits, with: Stress(workers: 4, runs: .exactly(20)))
///     }
///
/// Every worker is a child task of the test's task, each on a thread of its own pinned
/// to a CPU: the workers start together and really run in parallel, and an `#expect`
/// or `#require` inside the body is recorded against this test, followed by an issue
/// naming the run, the worker and the iteration it failed in. An error the body throws
/// is recorded the same way. The first issue or error stops its run (every worker at
/// its next operation): one failing `#expect` in a hot loop is one issue, not thousands.
///
/// The watchdog: when no worker, `make` or `check` makes progress for `watchdog` (a
/// deadlock, a lost wake-up), `stress` throws `StressWatchdogError` naming the workers
/// still running and where they are. They are left running (a thread cannot be
/// stopped from outside); the test fails and `swift test` goes on to the next.
///
/// An argument out of range (0 workers, 0 runs, a watchdog of zero) throws a
/// `RaceLabError` whose text names it: this test fails, the others run on.
/// Returns the report for anything more the test wants to assert.
@discardableResult
public func stress<State>(
    _ test: RaceTest<State>, with engine: Stress = Stress(), watchdog: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> StressReport {
    try await stress(with: engine, watchdog: watchdog, sourceLocation: sourceLocation) {
        try test.make()
    } body: { state, worker, iteration in
        try test.body(state, worker, iteration)
    } check: { state, run in
        try test.check(state, run)
    }
}

/// `stress(_:with:watchdog:)` with the test's closures in place, in `RaceTest`'s shapes
/// (the check may await here).
///
///     try await stress(with: Stress(workers: 4)) {
///         HitCounter()
///     } body: { counter, worker, iteration in
///         counter.hit()
///         #expect(counter.total > 0)   // recorded against this test, from any worker
///     } check: { counter, run in
///         try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
///     }
@discardableResult
public func stress<State: Sendable>(
    with engine: Stress = Stress(), watchdog: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () async throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) throws -> Void,
    check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
) async throws -> StressReport {
    try await StressSession(engine, watchdog: watchdog, sourceLocation: sourceLocation).run(
        make, readsThread: true, check: check
    ) { state, worker, iteration in
        try body(state, worker, iteration)
    }
}

/// `stress` for a body that awaits: an actor's methods, the case Swift 6's compiler
/// cannot check (reentrancy across an `await`). Each worker is still a child task on a
/// pinned thread of its own, and comes back to it after every await.
///
///     try await stress(with: Stress(workers: 4, runs: .exactly(20))) {
///         TicketOffice(seats: 100)
///     } body: { office, _, _ in
///         _ = await office.sell()
///     } check: { office, _ in
///         try RaceFailure.unless(await office.sold <= 100, "sold \(await office.sold) of 100 seats")
///     }
@discardableResult
public func stress<State: Sendable>(
    with engine: Stress = Stress(), watchdog: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () async throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void,
    check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
) async throws -> StressReport {
    // Each worker's task prefers its pinned thread and comes back to it after every
    // await, so its start and stop are read on that thread: the CPU time it ran (which
    // may include an actor's jobs for another worker) is that thread's, and their sum
    // over the window tells parallel workers from workers taking turns on one CPU.
    try await StressSession(engine, watchdog: watchdog, sourceLocation: sourceLocation).run(
        make, readsThread: true, check: check, body: body)
}

/// Refuses a watchdog that cannot fire sensibly, as every engine refuses its arguments.
func validate(watchdog: Duration, in call: String) throws(RaceLabError) {
    guard watchdog > .zero else {
        throw .invalidArgument(call: "\(call)(watchdog: \(watchdog))", accepted: "a watchdog above zero")
    }
}

/// What `stress` throws when its watchdog fired: a run made no progress for the
/// watchdog's limit. Its description names the run and the workers still running.
public struct StressWatchdogError: Error, CustomStringConvertible, Sendable {
    /// "run 1 of 1 made no progress for 5.0 s: worker 0 (in iteration 3) and worker 1 (in
    /// iteration 0) never finished; left running (a deadlock, a lost wake-up?)"
    public let description: String
}

/// One call of `stress`: the run loop in a task of its own, watched.
private struct StressSession {
    let stress: Stress
    let watchdog: Duration
    let sourceLocation: SourceLocation
    let watch: WorkerWatch
    let notes: WorkerNotes

    init(_ stress: Stress, watchdog: Duration, sourceLocation: SourceLocation) {
        self.stress = stress
        self.watchdog = watchdog
        self.sourceLocation = sourceLocation
        watch = WorkerWatch(workers: stress.workers)
        notes = WorkerNotes(runs: stress.runs)
    }

    func run<State: Sendable>(
        _ make: @escaping @Sendable () async throws -> State, readsThread: Bool,
        check: @escaping @Sendable (State, RaceRun) async throws -> Void,
        body: @escaping @Sendable (State, Int, Int) async throws -> Void
    ) async throws -> StressReport {
        try validate(watchdog: watchdog, in: "stress")
        try stress.validate()
        let (stress, watch, notes, sourceLocation) = (stress, watch, notes, sourceLocation)
        let work: @Sendable (State, Int, Int, inout OperationBudget) async -> Void = { state, run, worker, budget in
            watch.working()
            var thrown: (any Error)?
            await withKnownIssue(isIntermittent: true) {
                var iteration = 0
                do {
                    try await budget.forEachThrowingOperation {
                        watch.enter(worker, iteration: iteration)
                        try await body(state, worker, iteration)
                        iteration &+= 1
                        if notes.isStopping { throw RunStopped() }
                    }
                } catch is RunStopped {
                } catch {
                    thrown = error
                }
            } matching: { issue in
                // Seen, not claimed: the issue is recorded as it is, and noted here.
                notes.noteIssue(run: run, worker: worker, iteration: watch.iteration(of: worker), issue)
                return false
            }
            if let thrown { notes.noteThrow(run: run, worker: worker, iteration: watch.iteration(of: worker), thrown) }
            watch.finish(worker)
        }
        // One stress test at a time in this process: Swift Testing runs tests in
        // parallel, and two stress tests sharing the CPUs would each see the other's
        // workers as noise (and could not show their races).
        await StressLane.shared.enter()
        let task = Task {
            defer { watch.end() }
            return try await stress.runAsChildTasks(
                make, readsThread: readsThread, work: work,
                check: { state, run in
                    watch.checking()
                    // Issues as they happen: where each worker's came from, then the check's.
                    notes.record(run: run.index, sourceLocation: sourceLocation)
                    do {
                        try await check(state, run)
                    } catch {
                        notes.recordFailedCheck(run: run.index, error, sourceLocation: sourceLocation)
                        throw error
                    }
                    // A worker's issue or error fails its run too (no further runs of
                    // .untilFailure, no "held" in the report); it is recorded above.
                    if notes.hasFailures(run: run.index) { throw RaceFailure(WorkerNotes.workerFailure) }
                },
                starting: { run in
                    guard !watch.isAbandoned else { throw CancellationError() }
                    notes.startRun()
                    watch.begin(run: run)
                })
        }
        let ended = await watch.waitForEndOrStall(limit: watchdog)
        // A stuck test's threads stay stuck; the next stress test need not wait for them.
        await StressLane.shared.leave()
        guard ended else {
            // No further run starts, no further issue is recorded from the stuck task.
            notes.abandon(sourceLocation: sourceLocation)
            throw StressWatchdogError(description: watch.stallDescription(limit: watchdog, runs: stress.runs))
        }
        let report = try await task.value
        if report.verdict == .heldWeak {
            Issue.record(Comment(rawValue: report.description), severity: .warning, sourceLocation: sourceLocation)
        }
        return report
    }
}

/// Lets one stress test at a time run its workers in this process, in arrival order.
actor StressLane {
    static let shared = StressLane()
    private var isBusy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard isBusy else {
            isBusy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { isBusy = false } else { waiting.removeFirst().resume() }
    }
}

/// How a worker leaves its loop when another worker's issue stopped the run.
private struct RunStopped: Error {}

/// "run 3 of 10" for a fixed number of runs, "run 3" for until-failure.
func runLabel(_ run: Int, of runs: StressRuns) -> String {
    if case .exactly(let count) = runs { return "run \(run) of \(count)" }
    return "run \(run)"
}
