import RaceLab
@_exported import RaceLabExplore
@_exported import RaceLabSync
import Testing

/// Explores a `RaceTest`'s schedules inside the current Swift Testing test: a failing
/// schedule is an issue of this test whose message carries the failure, the schedule
/// string to replay and the timeline, so a CI log is enough to reproduce it. `with` is
/// the explorer, configured as in code (`Explore(.exhaustive(), workers: 2,
/// iterations: 2)`); the same test runs on real workers with `stress(hits, with: ...)`.
/// Returns the report.
///
///     @Test func counterEverySchedule() throws {
///         try explore(hits, with: Explore(workers: 2, iterations: 2))
///     }
///
/// Replay the schedule from the issue with `replay("0101", hits, with: ...)`.
/// Exploration runs on the calling thread (its virtual threads are coroutines), so an
/// `#expect` inside a body is recorded against this test too. An argument out of range
/// throws a `RaceLabError` whose text names it: this test fails, the others run on.
@discardableResult
public func explore<State>(
    _ test: RaceTest<State>, with explorer: Explore = Explore(), sourceLocation: SourceLocation = #_sourceLocation
) throws -> ExploreReport {
    recorded(try explorer.run(test), sourceLocation)
}

/// `explore(_:with:)` with the test's closures in place, in `RaceTest`'s shapes.
///
///     try explore(with: Explore(workers: 2)) {
///         HitCounter()
///     } body: { counter, worker, iteration in
///         counter.hit()
///     } check: { counter, run in
///         try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
///     }
@discardableResult
public func explore<State: Sendable>(
    with explorer: Explore = Explore(), sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) throws -> Void,
    check: @escaping @Sendable (_ state: State, _ run: RaceRun) throws -> Void = { _, _ in }
) throws -> ExploreReport {
    recorded(try explorer.run(RaceTest(make, body: body, check: check)), sourceLocation)
}

/// The explicit form (`Shared`, `ExploreMutex`, `VirtualThread`) inside a test.
@discardableResult
public func explore<State>(
    with explorer: Explore = Explore(), sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping () -> State,
    body: @escaping @Sendable (_ state: State, _ thread: VirtualThread) throws -> Void,
    check: @escaping (_ state: State) throws -> Void = { _ in }
) throws -> ExploreReport {
    recorded(try explorer.run(make, body: body, check: check), sourceLocation)
}

/// Explores an async test inside the current test, job by job: the workers are tasks,
/// and every start, resumption, actor hop, `Task.yield()` and sleep (on a virtual
/// clock) is a job whose order the explorer chooses. The same closures run on real
/// workers with `stress(with:) { } body: { } check: { }`. A failing schedule is an
/// issue carrying its failure, its schedule string and its timeline of tasks.
///
///     @Test func ticketOfficeEverySchedule() async throws {
///         try await explore(with: Explore(workers: 2)) {
///             TicketOffice(seats: 1)
///         } body: { office, _, _ in
///             _ = await office.sell()
///         } check: { office, _ in
///             let sold = await office.sold
///             try RaceFailure.unless(sold <= 1, "sold \(sold) of 1 seat")
///         }
///     }
///
/// The tasks run on the explorer's thread, outside this test's task: fail from a body
/// or a check by throwing (`RaceFailure.unless`), as an `#expect` there is not
/// recorded against this test.
@discardableResult
public func explore<State: Sendable>(
    with explorer: Explore = Explore(), sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () async throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void,
    check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
) async throws -> ExploreReport {
    recorded(try await explorer.run(AsyncProgram(make: make, body: body, check: check)), sourceLocation)
}

/// Replays one schedule of an async test inside the current test, as `replay(_:_:with:)`.
@discardableResult
public func replay<State: Sendable>(
    _ schedule: String, with explorer: Explore = Explore(), sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () async throws -> State,
    body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void,
    check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
) async throws -> ExploreSchedule {
    recordedReplay(
        try await explorer.replay(schedule, AsyncProgram(make: make, body: body, check: check)), schedule,
        sourceLocation)
}

/// Replays one schedule of `test` inside the current test: a schedule that fails is an
/// issue carrying its timeline (the failure, reproduced); one that does not match this
/// program (another test's, other workers or iterations) is an issue saying where it
/// stopped matching. Returns the schedule.
@discardableResult
public func replay<State>(
    _ schedule: String, _ test: RaceTest<State>, with explorer: Explore = Explore(),
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ExploreSchedule {
    recordedReplay(try explorer.replay(schedule, test), schedule, sourceLocation)
}

private func recordedReplay(_ replayed: ExploreSchedule, _ schedule: String, _ sourceLocation: SourceLocation)
    -> ExploreSchedule
{
    if let mismatch = replayed.mismatch {
        Issue.record(
            Comment(rawValue: "schedule \"\(schedule)\" does not match this test: \(mismatch)"),
            sourceLocation: sourceLocation)
    } else if replayed.failure != nil {
        Issue.record(Comment(rawValue: "\(replayed)"), sourceLocation: sourceLocation)
    }
    return replayed
}

private func recorded(_ report: ExploreReport, _ sourceLocation: SourceLocation) -> ExploreReport {
    if let failure = report.firstFailure {
        Issue.record(
            Comment(rawValue: "\(report.description.split(separator: "\n")[0])\n\(failure)"),
            sourceLocation: sourceLocation)
    }
    return report
}
