/// One test body for both engines: the state (`make`), what every worker does to it
/// (`body`, once per iteration), and what must hold after (`check`). `Stress` runs it on
/// real parallel workers; `Explore` (RaceLabExplore) runs it on virtual threads, one
/// interleaving at a time. The code under test is the same: written on RaceLabSync's
/// drop-in `Atomic` and `Mutex`, it is the real thing under stress and a scheduling
/// point under the explorer.
///
///     let hits = RaceTest {
///         HitCounter()
///     } body: { counter, worker, iteration in
///         counter.hit()
///     } check: { counter, run in
///         try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
///     }
///     try Stress(workers: 4).run(hits)                               // real workers, 10 runs
///     try Explore(.exhaustive(), workers: 2, iterations: 2).run(hits)   // every schedule
///
/// In Swift Testing (RaceLabTesting): `try await stress(hits)` and `try explore(hits)`.
public struct RaceTest<State: Sendable>: Sendable {
    /// A fresh state for each run (each schedule, under the explorer).
    public let make: @Sendable () throws -> State
    /// One operation of worker `worker` (0 for the first), its `iteration`-th (from 0).
    public let body: @Sendable (_ state: State, _ worker: Int, _ iteration: Int) throws -> Void
    /// Runs after every worker finished; throws (`RaceFailure.unless`) to fail the run.
    public let check: @Sendable (_ state: State, _ run: RaceRun) throws -> Void

    /// A test of `body` on a fresh `make()` per run, judged by `check`.
    public init(
        _ make: @escaping @Sendable () throws -> State,
        body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) throws -> Void,
        check: @escaping @Sendable (_ state: State, _ run: RaceRun) throws -> Void = { _, _ in }
    ) {
        self.make = make
        self.body = body
        self.check = check
    }
}

/// What a check knows of the run it judges, the same under both engines: which run (or
/// schedule) it was and how many operations the workers did, so a lossless state can be
/// told from a lossy one.
public struct RaceRun: Sendable {
    /// 1 for the first run (under the explorer: the schedule's number).
    public let index: Int
    /// Each worker's operations, by worker index.
    public let operationsPerWorker: [Int]

    /// A run `index` in which worker i did `operationsPerWorker[i]` operations.
    public init(index: Int, operationsPerWorker: [Int]) {
        self.index = index
        self.operationsPerWorker = operationsPerWorker
    }

    /// Operations of all workers together: what a lossless shared state counts.
    public var operations: Int { operationsPerWorker.reduce(0, +) }
    /// How many workers ran.
    public var workers: Int { operationsPerWorker.count }
}

/// A check's failure, in words: `throw RaceFailure("lost 3 hits")`, or
/// `try RaceFailure.unless(total == expected, "lost \(expected - total) hits")`. The same
/// helper for both engines; its message is the failure's text in every report.
public struct RaceFailure: Error, CustomStringConvertible, Sendable {
    /// What the check found ("lost 3 hits").
    public let description: String

    /// A failure saying `description`.
    public init(_ description: String) { self.description = description }

    /// Throws `RaceFailure(message)` unless `condition` holds.
    public static func unless(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw RaceFailure(message()) }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up (1 µs is 1 ms; 0 is 0; -5 ms is -5).
    package var wholeMilliseconds: Int {
        let milliseconds = (seconds * 1000).rounded(.up)
        guard milliseconds.magnitude < 9e15 else { return milliseconds < 0 ? Int.min : Int.max }
        return Int(milliseconds)
    }

    /// Seconds as a `Double`.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
