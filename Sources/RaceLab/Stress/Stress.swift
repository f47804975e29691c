import Synchronization

/// Stress your own code: your shared state, a body every worker runs on it, and a
/// check afterwards, on racelab's workers (pinned pthreads started together, or
/// Dispatch, or tasks) for a window or a count, over several runs. The report is
/// racelab's own: each run's check and timing, k of N runs failed, the rule-of-three
/// bound when none did, and "could not show" when the workers never ran together.
///
///     let report = try Stress(workers: 4, runs: .exactly(20)).run(hits)   // hits: a RaceTest
///     print(report)   // held: 0 of 20 runs failed; chance per run < 15% at 95% confidence; ...
///
/// or with the closures in place, the same shapes as `RaceTest`'s:
///
///     try Stress(workers: 4).run { HitCounter() } body: { counter, worker, iteration in
///         counter.hit()
///     } check: { counter, run in
///         try RaceFailure.unless(counter.total == run.operations, "lost \(run.operations - counter.total) hits")
///     }
///
/// A fresh state per run (`make`), so runs are independent. The body is your code's
/// hot path, called once per operation inside the window; keep what it needs in the
/// state. Call `run` from a thread of your own, not from a task on Swift's cooperative
/// pool (the async variant waits for its tasks).
public struct Stress: Sendable {
    /// Workers per run, started together; at least 2 for a race to be possible.
    public var workers: Int
    /// A window per run (`.timed(.milliseconds(100))`, the default) or a fixed count of
    /// operations per worker (`.fixed(iterations:)`).
    public var length: RunLength
    /// How many runs: exactly N, or until the check fails within a time budget.
    public var runs: StressRuns
    /// The workers: pthreads pinned to the CPUs this process may use, by default.
    public var pool: WorkerPool

    /// A stress test of `workers` workers (default: one per CPU, at least 2). Values out
    /// of range are not refused here but by `run`, which throws a sentence naming them
    /// (`RaceLabError.invalidArgument`).
    public init(
        workers: Int = max(2, CPUSet.current().count), length: RunLength = .standard,
        runs: StressRuns = .exactly(10), pool: WorkerPool = WorkerPool()
    ) {
        self.workers = workers
        self.length = length
        self.runs = runs
        self.pool = pool
    }

    /// Runs `test` on the workers: its `body` once per operation, on a fresh `make()` per
    /// run, its `check` after each run. A body that throws ends its worker's run and fails
    /// the run ("worker 1, iteration 37: ..."). Throws when an argument is out of range,
    /// the system refuses a thread, or `make` throws.
    public func run<State>(_ test: RaceTest<State>) throws -> StressReport {
        let body = test.body
        let thrown = FirstThrown()
        return try repeatRuns(
            {
                thrown.reset()
                return try test.make()
            },
            check: { state, run in
                if let failure = thrown.take() { throw RaceFailure(failure) }
                try test.check(state, run)
            }
        ) { state in
            try pool.run(workers: workers, length: length) { worker, budget in
                var iteration = 0
                do {
                    try budget.forEachThrowingOperation {
                        try body(state, worker, iteration)
                        iteration &+= 1
                    }
                } catch {
                    thrown.keep("worker \(worker), iteration \(iteration): \(error)")
                }
            }
        }
    }

    /// Runs `body(state, worker, iteration)` on every worker for each run, on a fresh
    /// `make()`, and `check(state, run)` after the workers finished: a check that
    /// throws failed that run, and what it threw is the failure's message. Throws only
    /// when the system refuses a thread (`RaceLabError`) or `make` throws.
    ///
    /// Inlinable, so that in your module the loop around `body` is specialised for your
    /// state and your body is inlined into it: a call per operation would cost a
    /// contended atomic a cache-line transfer more often (measured: 2.3x its ns/op at
    /// 2 workers).
    @inlinable
    public func run<State: Sendable>(
        _ make: () throws -> State,
        body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) -> Void,
        check: (_ state: State, _ run: RaceRun) throws -> Void
    ) throws -> StressReport {
        try repeatRuns(make, check: check) { state in
            try pool.run(workers: workers, length: length, Self.everyIteration(of: body, on: state))
        }
    }

    /// `run` where each worker runs a loop of its own, `budget.forEachOperation { ... }`,
    /// instead of one body call per operation: for a hot loop that keeps per-worker
    /// state in registers, or is specialised in the module of its types. racelab's own
    /// counter scenario runs this way.
    ///
    ///     try Stress(workers: 2).run { Tally() } loop: { tally, worker, budget in
    ///         budget.forEachOperation { tally.add(worker) }
    ///     } check: { tally, run in try RaceFailure.unless(tally.sum == run.operations, "lost") }
    public func run<State: Sendable>(
        _ make: () throws -> State,
        loop: @escaping @Sendable (_ state: State, _ worker: Int, _ budget: inout OperationBudget) -> Void,
        check: (_ state: State, _ run: RaceRun) throws -> Void
    ) throws -> StressReport {
        try repeatRuns(make, check: check) { state in
            try pool.run(workers: workers, length: length) { worker, budget in loop(state, worker, &budget) }
        }
    }

    /// `run` for a body that awaits (an actor's method): the workers are child tasks
    /// on Swift's cooperative pool, whatever the pool's backend, released together.
    /// The calling thread waits for them, so it must not be one of the pool's.
    public func run<State: Sendable>(
        _ make: () throws -> State,
        body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async -> Void,
        check: (_ state: State, _ run: RaceRun) throws -> Void
    ) throws -> StressReport {
        try repeatRuns(make, check: check) { state in
            try pool.runAsync(workers: workers, length: length) { worker, budget in
                var iteration = 0
                await budget.forEachOperation {
                    await body(state, worker, iteration)
                    iteration &+= 1
                }
            }
        }
    }

    /// `run` with every worker a child task of the calling task, on a pinned thread of
    /// its own (`WorkerPool.runAsChildTasks`): the workers carry the caller's
    /// task-locals, which is how a Swift Testing `#expect` inside the body is recorded
    /// against its test. `work(state, run, worker, &budget)` is a worker's whole loop in
    /// run `run` (1 for the first); `readsThread`: whether it never suspends, so its
    /// thread's CPU time is its own. `starting(run)` is called before each run's `make`;
    /// what it throws ends the test.
    /// For RaceLabTesting's `stress`.
    package func runAsChildTasks<State: Sendable>(
        _ make: () async throws -> State, readsThread: Bool,
        work:
            @escaping @Sendable (_ state: State, _ run: Int, _ worker: Int, _ budget: inout OperationBudget) async
            -> Void,
        check: (_ state: State, _ run: RaceRun) async throws -> Void,
        starting: (_ run: Int) throws -> Void
    ) async throws -> StressReport {
        try validate()
        var results: [StressRun] = []
        let started = MonotonicClock.now()
        repeat {
            let index = results.count + 1
            try starting(index)
            let state = try await make()
            let timing = try await pool.runAsChildTasks(workers: workers, length: length, readsThread: readsThread) {
                worker, budget in
                await work(state, index, worker, &budget)
            }
            var run = StressRun(index: index, timing: timing, failure: nil)
            do { try await check(state, run.race) } catch { run.failure = String(describing: error) }
            results.append(run)
        } while !isDone(results, since: started)
        return StressReport(runs: results)
    }

    /// A worker's loop: `body(state, worker, iteration)` once per operation the budget grants.
    @inlinable
    static func everyIteration<State: Sendable>(
        of body: @escaping @Sendable (State, Int, Int) -> Void, on state: State
    ) -> @Sendable (Int, inout OperationBudget) -> Void {
        { worker, budget in
            var iteration = 0
            budget.forEachOperation {
                body(state, worker, iteration)
                iteration &+= 1
            }
        }
    }

    @usableFromInline
    func repeatRuns<State>(
        _ make: () throws -> State, check: (State, RaceRun) throws -> Void,
        measure: (State) throws -> Timing
    ) throws -> StressReport {
        try validate()
        var results: [StressRun] = []
        let started = MonotonicClock.now()
        repeat {
            let state = try make()
            results.append(Self.checked(state, try measure(state), index: results.count + 1, check))
        } while !isDone(results, since: started)
        return StressReport(runs: results)
    }

    /// A run's result: what `check` threw, or nothing.
    private static func checked<State>(
        _ state: State, _ timing: Timing, index: Int, _ check: (State, RaceRun) throws -> Void
    ) -> StressRun {
        var run = StressRun(index: index, timing: timing, failure: nil)
        do { try check(state, run.race) } catch { run.failure = String(describing: error) }
        return run
    }

    /// Refuses what cannot run, in a sentence naming the argument (never a trap).
    package func validate() throws(RaceLabError) {
        try WorkerPool.validate(workers: workers, length: length, cpus: pool.cpus, in: "Stress")
        switch runs {
        case .exactly(let count):
            try RaceLabError.require(
                count >= 1 && count <= Limits.maxRuns, "Stress(runs: .exactly(\(count)))",
                accepted: "1 to \(Limits.maxRuns.grouped) runs")
        case .untilFailure(let budget):
            try RaceLabError.require(
                budget > .zero, "Stress(runs: .untilFailure(within: \(budget)))", accepted: "a budget above zero")
        }
    }

    /// Whether `runs` asks for no more after these.
    private func isDone(_ results: [StressRun], since started: UInt64) -> Bool {
        switch runs {
        case .exactly(let count): return results.count >= count
        case .untilFailure(let budget):
            return results.last?.failure != nil || Double(MonotonicClock.now() - started) / 1e9 >= budget.seconds
        }
    }
}

/// How many runs a stress test makes.
public enum StressRuns: Sendable, Equatable {
    /// Exactly this many runs, whatever they show.
    case exactly(Int)
    /// Runs until the check fails once, or until `within` has passed (at least one
    /// run): the shortest way to an answer for a racy type, a bounded one for a fix.
    case untilFailure(within: Duration)
}

/// One run of a stress test: when and how its workers ran, and what the check said.
public struct StressRun: Sendable {
    /// 1 for the first run.
    public let index: Int
    /// The run's window and every worker's figures (operations, skew, overlap, ...).
    public let timing: Timing
    /// What the check threw, or nil when it passed.
    public fileprivate(set) var failure: String?

    init(index: Int, timing: Timing, failure: String?) {
        self.index = index
        self.timing = timing
        self.failure = failure
    }

    /// Operations of all workers together: what a lossless shared state holds.
    public var operations: Int { timing.operations }
    /// Each worker's operations, by worker index.
    public var operationsPerWorker: [Int] { timing.workers.map(\.operations) }

    /// What the check is shown of this run.
    public var race: RaceRun { RaceRun(index: index, operationsPerWorker: operationsPerWorker) }
}

/// The first error any worker of a run threw, kept for the run's check.
final class FirstThrown: Sendable {
    private let first = Mutex<String?>(nil)
    func reset() { first.withLock { $0 = nil } }
    func keep(_ failure: String) { first.withLock { if $0 == nil { $0 = failure } } }
    func take() -> String? { first.withLock { $0 } }
}

/// What a stress test's runs amount to, by racelab's rules.
public struct StressReport: Sendable, CustomStringConvertible {
    /// Every run, in order.
    public let runs: [StressRun]

    init(runs: [StressRun]) { self.runs = runs }

    /// The runs whose check failed.
    public var failedRuns: [StressRun] { runs.filter { $0.failure != nil } }

    /// `.broken` when a check failed; `.held` when none did and the workers ran
    /// together; `.heldWeak` when none did but they never really overlapped (one CPU,
    /// `taskset -c 0`, a run too short), which shows nothing about the code.
    public var verdict: Verdict { outcome.verdict }

    /// Why the runs are weak evidence, in words, or nil when the workers ran together.
    public var weakEvidence: String? {
        switch outcome.evidenceGap {
        case .noOverlap(let overlap)?:
            "the workers never ran at the same time (overlap \(Int((overlap * 100).rounded()))% of the window)"
        case .tookTurns(let parallelism)?:
            "the workers took turns on the CPUs (\((parallelism * 100).rounded() / 100) on a CPU at once)"
        case nil: nil
        }
    }

    /// After N runs with no failure and real overlap, the 95% upper bound on the
    /// chance per run of a failure (3 / N, the rule of three); nil otherwise.
    public var failureBound: Double? {
        verdict == .held ? Verdict.failureBound(cleanRuns: runs.count) : nil
    }

    /// The median share of the window in which 2 or more workers ran (0...1).
    public var medianOverlap: Double { Spread(runs.map(\.timing.overlapFraction))?.median ?? 0 }

    /// "broken: 3 of 20 runs failed, first in run 1: lost 1204 hits; workers overlapped
    /// 99% of the window (median)", and the like for held and could-not-show.
    public var description: String {
        let overlap = "workers overlapped \(Int((medianOverlap * 100).rounded()))% of the window (median)"
        switch verdict {
        case .broken:
            let first = failedRuns[0]
            // A failure is a failure however the workers ran; when they took turns, say
            // so: the race needed no parallel workers (a worker preempted mid-update).
            let turns = weakEvidence.map { "; \($0): a preempted worker is enough for this one" } ?? ""
            return "broken: \(failedRuns.count) of \(runs.count) runs failed, first in run \(first.index):"
                + " \(first.failure ?? ""); \(overlap)\(turns)"
        case .heldWeak:
            return "could not show: no run failed, but \(weakEvidence ?? "the workers did not run together");"
                + " run with 2 or more workers on 2 or more CPUs"
        default:
            let bound = failureBound.map { "; chance per run < \(Self.percent($0)) at 95% confidence" } ?? ""
            return "held: 0 of \(runs.count) runs failed\(bound); \(overlap)"
        }
    }

    private static func percent(_ share: Double) -> String {
        let value = share * 100
        return value >= 10 ? "\(Int(value.rounded()))%" : "\((value * 10).rounded() / 10)%"
    }

    /// The verdict by racelab's one rule (`Verdict`, `EvidenceGap`), as its scenarios get theirs.
    private var outcome: (verdict: Verdict, evidenceGap: EvidenceGap?) {
        let gap = EvidenceGap(runs.map(\.timing))
        return (Verdict(isExpectedSafe: true, anyAnomaly: !failedRuns.isEmpty, lacksOverlap: gap != nil), gap)
    }
}
