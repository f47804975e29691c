import RaceLab
import RaceLabSync

/// Explores the interleavings of a test: its workers run as virtual threads, one at a
/// time, and at every operation on a RaceLabSync drop-in (`Atomic`, `Mutex`,
/// `Semaphore`) the explorer chooses who runs next. A failure is a schedule string and a
/// timeline; `replay` runs the same schedule again, the same way on any machine.
///
///     let report = try Explore(.exhaustive(), workers: 2, iterations: 1).run(hits)   // hits: a RaceTest
///     print(report)   // 4 of 6 schedules failed ...; schedule "0101" (1 preemption), timeline
///     try Explore().replay("0101", hits)   // the same failure, step by step
///
/// The same `RaceTest` runs on real workers with `Stress(...).run(hits)`. Sequentially
/// consistent interleavings only: a load sees the last store of the schedule. State
/// outside the drop-ins is invisible to the explorer: an operation on it is not a
/// scheduling point, so a race through it is not explored.
///
/// A program whose threads differ, or that spawns threads, is written on the explicit
/// primitives instead (`Shared`, `ExploreMutex`, `VirtualThread`): `run(_:workers:check:)`.
/// An async test (tasks, actors, sleeps) is explored job by job by the same explorer:
/// `run(_:body:check:)` with async closures (docs/explore.md, "Async code").
public struct Explore: Sendable {
    /// How schedules are chosen.
    public enum Search: Sendable, Equatable {
        /// Every schedule, depth-first, with the preemption bound raised from 0 step by
        /// step (so the first failure found has the fewest preemptions), up to
        /// `preemptionBound`; nil: until no schedule is left out. A program that can
        /// retry forever (a try-lock loop) has no last schedule: give it a bound (2 or 3
        /// finds most bugs), or a `scheduleLimit`. The report says what it covered.
        case exhaustive(preemptionBound: Int? = nil)
        /// `schedules` schedules, each step's thread drawn at random (seeded).
        case random(schedules: Int, seed: UInt64)
        /// PCT (Burckhardt et al., ASPLOS 2010): random priorities, `depth - 1` random
        /// points where the running thread drops to the lowest priority, seeded. Finds
        /// a bug of depth d with probability at least 1 / (n k^(d-1)) per schedule, for
        /// n threads and k steps.
        case pct(schedules: Int, depth: Int, seed: UInt64)
    }

    /// How schedules are chosen.
    public var search: Search
    /// Workers of a `RaceTest`, each a virtual thread (at least 1). Small numbers go far:
    /// schedules grow exponentially with workers and iterations.
    public var workers: Int
    /// Times each worker of a `RaceTest` runs its body (at least 1).
    public var iterations: Int
    /// Steps per schedule at most: a schedule past it fails (a livelock).
    public var maxSteps: Int
    /// Stop at the first failing schedule (the default), or explore all and count.
    public var stopsAtFirstFailure: Bool
    /// Schedules to run at most in an exhaustive search (nil: no limit); a search that
    /// reaches it says what it covered (`Coverage.partial`).
    public var scheduleLimit: Int?
    /// Exhaustive search without a preemption bound skips schedules that only reorder
    /// independent steps (steps of different threads on different objects, or reads of
    /// one) of a schedule already explored: sleep sets. Every class of equivalent
    /// schedules is still explored once, so a failure is still found; `ExploreReport`
    /// counts the schedules cut short (`pruned`). False: every interleaving is run.
    public var prunesEquivalentSchedules: Bool

    /// An explorer. Values out of range are refused by `run` and `replay`, which throw a
    /// sentence naming them (`RaceLabError.invalidArgument`), never trap.
    public init(
        _ search: Search = .exhaustive(), workers: Int = 2, iterations: Int = 1, maxSteps: Int = 10_000,
        stopsAtFirstFailure: Bool = true, scheduleLimit: Int? = nil, prunesEquivalentSchedules: Bool = true
    ) {
        self.search = search
        self.workers = workers
        self.iterations = iterations
        self.maxSteps = maxSteps
        self.stopsAtFirstFailure = stopsAtFirstFailure
        self.scheduleLimit = scheduleLimit
        self.prunesEquivalentSchedules = prunesEquivalentSchedules
    }

    /// Explores `test`: `workers` virtual threads each run its body `iterations` times
    /// on a fresh `make()` per schedule, and its check judges each schedule (told that
    /// every worker did `iterations` operations). A body or check that throws fails the
    /// schedule. Throws only for an argument out of range or a refused thread stack.
    public func run<State>(_ test: RaceTest<State>) throws(RaceLabError) -> ExploreReport {
        try validateWorkers(andIterations: true)
        let (make, threads, check) = program(test)
        return try run(make, workers: threads, check: check)
    }

    /// Runs the schedule `schedule` (a report's `ExploreSchedule.string`) of `test` once:
    /// the same failure, every time, on any machine. A schedule of another program (or
    /// of other `workers` or `iterations`) does not match: `mismatch` says at which step.
    public func replay<State>(_ schedule: String, _ test: RaceTest<State>) throws(RaceLabError) -> ExploreSchedule {
        try validateWorkers(andIterations: true)
        let (make, threads, check) = program(test)
        return try replay(schedule, make, workers: threads, check: check)
    }

    /// `test` as the explicit form's program: one virtual thread per worker.
    private func program<State>(_ test: RaceTest<State>) -> (
        () throws -> State, [@Sendable (State, VirtualThread) throws -> Void], (State, Int) throws -> Void
    ) {
        let iterations = iterations
        let body: @Sendable (State, VirtualThread) throws -> Void = { state, thread in
            for iteration in 0..<iterations { try test.body(state, thread.index, iteration) }
        }
        let perWorker = Array(repeating: iterations, count: workers)
        return (
            test.make, Array(repeating: body, count: workers),
            { state, schedule in try test.check(state, RaceRun(index: schedule, operationsPerWorker: perWorker)) }
        )
    }

    /// The explicit form: `workers` virtual threads (this explorer's `workers`) that all
    /// run `body` on the explicit primitives (each knows its `thread.index`), on a fresh
    /// `make()` per schedule; `check(state)` runs after every thread is done and throws
    /// to fail the schedule.
    ///
    ///     try Explore(workers: 2).run { Shared("counter", 0) } body: { counter, thread in
    ///         let value = try thread.load(counter)
    ///         try thread.store(counter, value + 1)
    ///     } check: { counter in try RaceFailure.unless(counter.value == 2, "lost an update") }
    public func run<State>(
        _ make: @escaping () -> State, body: @escaping @Sendable (State, VirtualThread) throws -> Void,
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(RaceLabError) -> ExploreReport {
        try validateWorkers(andIterations: false)
        return try run(make, workers: Array(repeating: body, count: workers), check: { state, _ in try check(state) })
    }

    /// `replay` for `run(_:body:check:)`'s shape.
    public func replay<State>(
        _ schedule: String, _ make: @escaping () -> State,
        body: @escaping @Sendable (State, VirtualThread) throws -> Void,
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(RaceLabError) -> ExploreSchedule {
        try validateWorkers(andIterations: false)
        return try replay(
            schedule, make, workers: Array(repeating: body, count: workers), check: { state, _ in try check(state) })
    }

    /// The explicit form with one closure per virtual thread (they may differ: a
    /// producer and consumers); this explorer's `workers` is not used.
    public func run<State>(
        _ make: @escaping () -> State, workers threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(RaceLabError) -> ExploreReport {
        try run(make, workers: threads, check: { state, _ in try check(state) })
    }

    /// `replay` for `run(_:workers:check:)`'s shape.
    public func replay<State>(
        _ schedule: String, _ make: @escaping () -> State,
        workers threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(RaceLabError) -> ExploreSchedule {
        try replay(schedule, make, workers: threads, check: { state, _ in try check(state) })
    }

    /// Refuses `workers` (and, for a `RaceTest`, `iterations`) out of range, in a sentence
    /// naming the argument; the search is checked where every form meets, `run`.
    private func validateWorkers(andIterations: Bool) throws(RaceLabError) {
        try RaceLabError.require(
            workers >= 1 && workers <= Limits.maxWorkers, "Explore(workers: \(workers))",
            accepted: "1 to \(Limits.maxWorkers.grouped) workers")
        guard andIterations else { return }
        try RaceLabError.require(
            iterations >= 1, "Explore(iterations: \(iterations))", accepted: "1 or more iterations per worker")
    }

    func validateSearch() throws(RaceLabError) {
        try RaceLabError.require(maxSteps >= 1, "Explore(maxSteps: \(maxSteps))", accepted: "1 or more steps")
        if let scheduleLimit {
            try RaceLabError.require(
                scheduleLimit >= 1, "Explore(scheduleLimit: \(scheduleLimit))", accepted: "1 or more schedules, or nil")
        }
        switch search {
        case .exhaustive(let bound?):
            try RaceLabError.require(
                bound >= 0, "Explore(.exhaustive(preemptionBound: \(bound)))", accepted: "0 or more preemptions, or nil"
            )
        case .exhaustive(nil): break
        case .random(let schedules, _):
            try RaceLabError.require(
                schedules >= 1, "Explore(.random(schedules: \(schedules)))", accepted: "1 or more schedules")
        case .pct(let schedules, let depth, _):
            try RaceLabError.require(
                schedules >= 1, "Explore(.pct(schedules: \(schedules)))", accepted: "1 or more schedules")
            try RaceLabError.require(depth >= 1, "Explore(.pct(depth: \(depth)))", accepted: "a depth of 1 or more")
        }
    }

    /// Explores `threads` run on a fresh `make()` per schedule; `check(state, schedule)`
    /// runs after every thread is done and throws to fail the schedule.
    private func run<State>(
        _ make: @escaping () throws -> State, workers threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State, Int) throws -> Void
    ) throws(RaceLabError) -> ExploreReport {
        try RaceLabError.require(
            !threads.isEmpty && threads.count <= Limits.maxWorkers, "Explore.run(workers: \(threads.count) closures)",
            accepted: "1 to \(Limits.maxWorkers.grouped) closures")
        try validateSearch()
        let runner = Runner(make: make, threads: threads, check: check, maxSteps: maxSteps)
        return try search(runner, threads: threads.count)
    }

    /// Runs this explorer's search on `runner`'s program of `threads` workers.
    func search(_ runner: some ScheduleRunner, threads: Int) throws(RaceLabError) -> ExploreReport {
        switch search {
        case .exhaustive(let bound):
            return try exhaustive(runner, bound: bound)
        case .random(let schedules, let seed):
            var random = SplitMix64(seed: seed)
            return try sample(runner, schedules: schedules) { _ in RandomChooser(random: random.split()) }
        case .pct(let schedules, let depth, let seed):
            var random = SplitMix64(seed: seed)
            // k, the steps of a schedule: first measured on a run in thread order, then the
            // longest schedule so far; the report's guarantee uses the longest of all.
            var first = FirstRunnable()
            let firstSteps = max(1, try runner.run(&first).choices.count)
            return try sample(runner, schedules: schedules, pct: (depth, firstSteps)) { steps in
                PCTChooser(threads: threads, depth: depth, steps: max(firstSteps, steps), random: random.split())
            }
        }
    }

    /// Runs the schedule `schedule` once; when the program no longer matches it,
    /// `mismatch` says at which step and what differs.
    private func replay<State>(
        _ schedule: String, _ make: @escaping () throws -> State,
        workers threads: [@Sendable (State, VirtualThread) throws -> Void], check: @escaping (State, Int) throws -> Void
    ) throws(RaceLabError) -> ExploreSchedule {
        try RaceLabError.require(
            !threads.isEmpty && threads.count <= Limits.maxWorkers,
            "Explore.replay(workers: \(threads.count) closures)",
            accepted: "1 to \(Limits.maxWorkers.grouped) closures")
        try RaceLabError.require(maxSteps >= 1, "Explore(maxSteps: \(maxSteps))", accepted: "1 or more steps")
        let runner = Runner(make: make, threads: threads, check: check, maxSteps: maxSteps)
        guard let choices = ExploreSchedule.parse(schedule) else {
            return ExploreSchedule(
                choices: [], events: [], failure: nil, preemptions: 0, threads: threads.count,
                mismatch: "'\(schedule)' is not a schedule string (expected digits like \"0101\", or v1:0,1,0,1)")
        }
        var chooser = ReplayChooser(choices: choices)
        let result = try runner.run(&chooser)
        var mismatch = result.mismatch.flatMap { _ in chooser.mismatch }
        if mismatch == nil && result.choices.count < choices.count && result.failure == nil {
            mismatch = "the program ended after \(result.choices.count) steps; the schedule has \(choices.count)"
        }
        return ExploreSchedule(result, threads: threads.count, mismatch: mismatch)
    }

    /// Stopping at the first failure: the bound raised from 0, so the failure found has
    /// the fewest preemptions. Counting every failure: one pass at `bound` (nil: none),
    /// keeping the failure with the fewest preemptions (the first of them in depth-first
    /// order), which is the same one.
    func exhaustive(_ runner: some ScheduleRunner, bound: Int?) throws(RaceLabError)
        -> ExploreReport
    {
        let highest = bound ?? Int.max
        var preemptions = stopsAtFirstFailure ? 0 : highest
        var total = 0
        var steps = 0
        while true {
            var search = DepthFirst(bound: preemptions, usesSleepSets: prunesEquivalentSchedules && runner.prunes)
            var explored = 0
            var pruned = 0
            var failed = 0
            var first: ExploreSchedule?
            var limited = false
            repeat {
                if let limit = scheduleLimit, total >= limit {
                    limited = true
                    break
                }
                let result = try runner.run(&search)
                total += 1
                steps += result.choices.count
                if search.lastWasAsleep {
                    pruned += 1
                    continue
                }
                explored += 1
                if result.failure != nil {
                    failed += 1
                    if first == nil || result.preemptions < first!.preemptions {
                        first = ExploreSchedule(result, threads: runner.workerCount, mismatch: nil)
                    }
                    if stopsAtFirstFailure { break }
                }
            } while search.advance(after: runner.last)
            let stoppedEarly = first != nil && stopsAtFirstFailure
            let isComplete = !search.wasPruned && !stoppedEarly && !limited
            if limited || stoppedEarly || isComplete || preemptions == highest {
                let coverage: ExploreReport.Coverage
                if limited {
                    let covered = stopsAtFirstFailure && preemptions > 0 ? preemptions - 1 : nil
                    coverage = .partial(preemptionsCovered: covered, limit: scheduleLimit ?? total)
                } else {
                    coverage = isComplete ? .every : .preemptions(atMost: preemptions)
                }
                // Pruning keeps one schedule of each class, not always the one with the
                // fewest preemptions: look for a failure with fewer, bound by bound.
                if search.usesSleepSets, let found = first, found.preemptions > 0 {
                    first = try fewestPreemptions(runner, below: found.preemptions) ?? found
                }
                return ExploreReport(
                    search: self.search, workers: runner.workerCount, explored: explored, failed: failed,
                    firstFailure: first, coverage: coverage, isFinished: !stoppedEarly && !limited,
                    isPruned: search.usesSleepSets, pruned: pruned, steps: steps)
            }
            preemptions += 1
        }
    }

    /// The first failing schedule with fewer than `limit` preemptions, the bound raised
    /// from 0 (no pruning: sleep sets and a bound do not mix), or nil.
    private func fewestPreemptions(_ runner: some ScheduleRunner, below limit: Int) throws(RaceLabError)
        -> ExploreSchedule?
    {
        for bound in 0..<limit {
            var search = DepthFirst(bound: bound)
            repeat {
                let result = try runner.run(&search)
                if result.failure != nil {
                    return ExploreSchedule(result, threads: runner.workerCount, mismatch: nil)
                }
            } while search.advance(after: runner.last)
            if !search.wasPruned { return nil }
        }
        return nil
    }

    /// `chooser(longest)` makes each schedule's chooser, given the most steps a schedule
    /// has taken so far.
    func sample<C: Chooser>(
        _ runner: some ScheduleRunner, schedules: Int, pct: (depth: Int, steps: Int)? = nil,
        chooser: (Int) -> C
    ) throws(RaceLabError) -> ExploreReport {
        var explored = 0
        var failed = 0
        var first: ExploreSchedule?
        var longest = pct?.steps ?? 0
        var steps = 0
        for _ in 0..<schedules {
            var next = chooser(longest)
            let result = try runner.run(&next)
            steps += result.choices.count
            longest = max(longest, result.choices.count)
            explored += 1
            if result.failure != nil {
                failed += 1
                if first == nil { first = ExploreSchedule(result, threads: runner.workerCount, mismatch: nil) }
                if stopsAtFirstFailure { break }
            }
        }
        return ExploreReport(
            search: search, workers: runner.workerCount, explored: explored, failed: failed,
            firstFailure: first, coverage: .sampled(pct: pct.map { ($0.depth, longest) }),
            isFinished: first == nil || !stopsAtFirstFailure, steps: steps)
    }
}

/// What the explorers (depth-first, random, PCT) drive: one program, run schedule by
/// schedule, each choice asked of a `Chooser`.
protocol ScheduleRunner: AnyObject {
    /// Runs one schedule from the start.
    func run(_ chooser: inout some Chooser) throws(RaceLabError) -> ScheduleResult
    /// The last schedule run.
    var last: ScheduleResult { get }
    /// The program's workers (the report's count).
    var workerCount: Int { get }
    /// Whether its schedules say what each step touches, for sleep sets.
    var prunes: Bool { get }
}

/// Runs schedules of one program: a fresh state each, the final check after, on one
/// pool of threads for the whole exploration. A class so that its end ends the
/// exploration the drop-ins see (`Exploration.begin` at the first schedule, `end` in
/// `deinit`): once per exploration, not per schedule, the flag every drop-in reads is
/// written.
final class Runner<State>: ScheduleRunner {
    var workerCount: Int { threads.count }
    var prunes: Bool { true }

    let make: () throws -> State
    let threads: [@Sendable (State, VirtualThread) throws -> Void]
    /// The final check, told the schedule's number (1 for the first).
    let check: (State, Int) throws -> Void
    let maxSteps: Int
    /// Schedules run so far.
    private var schedules = 0
    /// The last schedule run, for the depth-first explorer.
    var last = ScheduleResult()
    private var scheduler: Scheduler?
    private var installed: Exploration.Installed?

    deinit {
        if let installed { Exploration.end(installed) }
    }

    init(
        make: @escaping () throws -> State, threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State, Int) throws -> Void, maxSteps: Int
    ) {
        self.make = make
        self.threads = threads
        self.check = check
        self.maxSteps = maxSteps
    }

    func run(_ chooser: inout some Chooser) throws(RaceLabError) -> ScheduleResult {
        let scheduler: Scheduler
        if let existing = self.scheduler {
            scheduler = existing
        } else {
            scheduler = try Scheduler(threads: threads.count)
            self.scheduler = scheduler
            // The drop-ins (RaceLabSync) find the exploration through a thread-local from
            // here to the runner's end: in make (their ids), the threads (scheduling
            // points) and the check.
            installed = Exploration.begin(scheduler.run)
        }
        schedules += 1
        let number = schedules
        let result: ScheduleResult = {
            scheduler.run.beginSchedule()
            let state: State
            do {
                state = try make()
            } catch {
                var failed = ScheduleResult()
                failed.failure = .makeThrew("\(error)")
                return failed
            }
            var result = scheduler.schedule(threads, state: state, maxSteps: maxSteps, chooser: &chooser)
            if result.failure == nil && result.mismatch == nil {
                do {
                    try check(state, number)
                } catch let failure as ExploreFailure {
                    result.failure = failure
                } catch {
                    result.failure = .check("\(error)")
                }
            }
            return result
        }()
        last = result
        return result
    }
}
