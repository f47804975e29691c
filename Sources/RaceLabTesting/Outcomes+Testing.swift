import RaceLab
import Synchronization
import Testing

/// Runs a graded-outcome test (`OutcomeStress`) inside the current Swift Testing test:
/// every forbidden outcome that showed (declared or not) is an issue of this test, and
/// workers that never ran together are a warning. Returns the histogram. `with` is the
/// engine, configured as in code (`OutcomeStress(samples:stride:start:...)`).
///
///     @Test func storeBuffering() async throws {
///         let report = try await stress(with: OutcomeStress(samples: 1_000_000), expecting: [
///             .acceptable([Pair(0, 1), Pair(1, 0), Pair(1, 1)], "an interleaving"),
///             .interesting([Pair(0, 0)], "both loads before either store was visible"),
///         ]) {
///             StoreBuffering()
///         } worker: { $0.storeXLoadY() } worker: { $0.storeYLoadX() } arbiter: { $0.outcome }
///         #expect(report.count(.interesting) > 0)
///     }
///
/// The workers, `make` and the arbiter run on pinned pthreads (a task would hop threads
/// between samples), so an `#expect` inside any of them is not recorded against the
/// test: a worker leaves what it saw in the state, and the arbiter's outcome is what
/// gets graded. The calling task waits without holding a thread of Swift's
/// cooperative pool. The watchdog: when no stride finishes for `watchdog` (a worker
/// that blocks), `stress` throws `StressWatchdogError`; the threads are left running.
@discardableResult
public func stress<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
    with engine: OutcomeStress = OutcomeStress(), watchdog: Duration = .seconds(5),
    expecting expectations: [OutcomeExpectation<Outcome>], sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () -> State,
    worker first: @escaping @Sendable (State) -> Void,
    worker second: @escaping @Sendable (State) -> Void,
    arbiter: @escaping @Sendable (State) -> Outcome
) async throws -> OutcomeReport<Outcome> {
    try await stress(
        with: engine, watchdog: watchdog, expecting: expectations, sourceLocation: sourceLocation, make: make,
        workers: [first, second], arbiter: arbiter)
}

/// `stress(with:watchdog:expecting:_:worker:worker:arbiter:)` for any number of
/// workers (three or four for IRIW-like tests).
@discardableResult
public func stress<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
    with test: OutcomeStress = OutcomeStress(), watchdog: Duration = .seconds(5),
    expecting expectations: [OutcomeExpectation<Outcome>], sourceLocation: SourceLocation = #_sourceLocation,
    make: @escaping @Sendable () -> State,
    workers: [@Sendable (State) -> Void],
    arbiter: @escaping @Sendable (State) -> Outcome
) async throws -> OutcomeReport<Outcome> {
    try validate(watchdog: watchdog, in: "stress")
    try test.validate(workers: workers.count)
    var test = test
    let progress = OutcomeProgress()
    test.progress = progress
    let wakeup = Wakeup()
    let result = ResultSlot<Result<OutcomeReport<Outcome>, RaceLabError>>()
    await StressLane.shared.enter()
    Task.detached { [test] in
        let outcome = await OutcomeStress.offCooperativePool { () throws(RaceLabError) in
            try test.run(expecting: expectations, make: make, workers: workers, arbiter: arbiter)
        }
        result.value.withLock { $0 = outcome }
        wakeup.fire()
    }
    let ended = await Stall.wait(
        limit: watchdog, wakeup: wakeup, progress: { progress.strides.load(ordering: .relaxed) },
        isWatched: { true }, isEnded: { result.value.withLock { $0 != nil } })
    await StressLane.shared.leave()
    guard ended, let outcome = result.value.withLock({ $0 }) else {
        throw StressWatchdogError(
            description: "no stride of the outcome test finished for \(Stall.seconds(watchdog)) after"
                + " \(progress.strides.load(ordering: .relaxed)) strides: a worker, make or the arbiter is stuck;"
                + " left running (a deadlock?)")
    }
    let report = try outcome.get()
    for row in report.forbiddenSeen {
        Issue.record(
            "forbidden outcome \(row.outcome) in \(row.count) of \(report.samples) samples: \(row.meaning)",
            sourceLocation: sourceLocation)
    }
    if report.verdict == .heldWeak {
        let summary = report.description.split(separator: "\n").last.map(String.init) ?? ""
        Issue.record(Comment(rawValue: summary), severity: .warning, sourceLocation: sourceLocation)
    }
    return report
}

/// Where the thread running an outcome test leaves its result for the waiting task.
private final class ResultSlot<Value: Sendable>: Sendable {
    let value = Mutex<Value?>(nil)
}
