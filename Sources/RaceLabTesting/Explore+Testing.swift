import RaceLab
@_exported import RaceLabExplore
import Testing

/// Explores a small program's schedules inside the current Swift Testing test: a
/// failing schedule is an issue of this test whose message carries the failure, the
/// schedule string to replay and the timeline, so a CI log is enough to reproduce it.
/// Returns the report.
///
///     @Test func counterNeverLosesAnUpdate() throws {
///         try explore(threads: 2) {
///             Shared("counter", 0)
///         } body: { counter, thread in
///             let value = try thread.load(counter)
///             try thread.store(counter, value + 1)
///         } check: { counter in
///             try ExploreFailure.unless(counter.value == 2, "counter is \(counter.value), not 2")
///         }
///     }
///
/// Replay the schedule from the issue with `Explore(...).replay("0101", threads: 2, ...)`.
/// Exploration runs on the calling thread (its virtual threads are coroutines), so an
/// `#expect` inside a body is recorded against this test too.
@discardableResult
public func explore<State>(
    _ strategy: Explore.Strategy = .exhaustive(), threads: Int, maxSteps: Int = 10_000,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping () -> State,
    body: @escaping @Sendable (_ state: State, _ thread: VirtualThread) throws -> Void,
    check: @escaping (_ state: State) throws -> Void = { _ in }
) throws -> ExploreReport {
    let report = try Explore(strategy, maxSteps: maxSteps).run(threads: threads, make, body: body, check: check)
    if let failure = report.firstFailure {
        Issue.record(
            Comment(rawValue: "\(report.description.split(separator: "\n")[0])\n\(failure)"),
            sourceLocation: sourceLocation)
    }
    return report
}
