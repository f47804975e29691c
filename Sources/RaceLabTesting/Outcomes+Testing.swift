import RaceLab
import Testing

/// Runs a graded-outcome test (`OutcomeStress`) inside the current Swift Testing test:
/// every forbidden outcome that showed (declared or not) is an issue of this test, and
/// actors that never ran together are a warning. Returns the histogram.
///
///     @Test func storeBuffering() async throws {
///         let report = try await stress(samples: 1_000_000, expecting: [
///             .acceptable([Pair(0, 1), Pair(1, 0), Pair(1, 1)], "an interleaving"),
///             .interesting([Pair(0, 0)], "both loads before either store was visible"),
///         ]) {
///             StoreBuffering()
///         } actor: { $0.storeXLoadY() } actor: { $0.storeYLoadX() } arbiter: { $0.outcome }
///         #expect(report.count(.interesting) > 0)
///     }
///
/// The actors run on pinned pthreads (a task would hop threads between samples), so an
/// `#expect` inside an actor is not recorded against the test: an actor leaves what it
/// saw in the state, and the arbiter's outcome is what gets graded. The calling task
/// waits without holding a thread of Swift's cooperative pool.
@discardableResult
public func stress<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
    samples: Int = 1_000_000, stride: Int = 128, cpus: CPUSet = .current(),
    expecting expectations: [OutcomeExpectation<Outcome>], sourceLocation: SourceLocation = #_sourceLocation,
    _ make: @escaping @Sendable () -> State,
    actor first: @escaping @Sendable (State) -> Void,
    actor second: @escaping @Sendable (State) -> Void,
    arbiter: @escaping @Sendable (State) -> Outcome
) async throws -> OutcomeReport<Outcome> {
    try await stress(
        samples: samples, stride: stride, cpus: cpus, expecting: expectations, sourceLocation: sourceLocation,
        make: make, actors: [first, second], arbiter: arbiter)
}

/// `stress(samples:expecting:_:actor:actor:arbiter:)` for any number of actors (three
/// or four for IRIW-like tests).
@discardableResult
public func stress<State: AnyObject & Sendable, Outcome: Hashable & Sendable>(
    samples: Int = 1_000_000, stride: Int = 128, cpus: CPUSet = .current(),
    expecting expectations: [OutcomeExpectation<Outcome>], sourceLocation: SourceLocation = #_sourceLocation,
    make: @escaping @Sendable () -> State,
    actors: [@Sendable (State) -> Void],
    arbiter: @escaping @Sendable (State) -> Outcome
) async throws -> OutcomeReport<Outcome> {
    let test = OutcomeStress(samples: samples, stride: stride, cpus: cpus)
    await StressLane.shared.enter()
    let result = await OutcomeStress.offCooperativePool { () throws(WorkerPoolError) in
        try test.run(expecting: expectations, make: make, actors: actors, arbiter: arbiter)
    }
    await StressLane.shared.leave()
    let report = try result.get()
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
