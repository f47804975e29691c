import RaceLab
import RaceLabSync

/// Explores the interleavings of a small program written against racelab's
/// instrumented primitives (`Shared`, `ExploreMutex`, `VirtualThread`): its threads run
/// as virtual threads, one at a time, and at every operation the explorer chooses who
/// runs next. A failure is a schedule string and a timeline; `replay` runs the same
/// schedule again, the same way on any machine.
///
///     let report = try Explore(.exhaustive()).run(threads: 2) {
///         Shared("counter", 0)
///     } body: { counter, thread in
///         let value = try thread.load(counter)
///         try thread.store(counter, value + 1)
///     } check: { counter in
///         try ExploreFailure.unless(counter.value == 2, "counter is \(counter.value), not 2")
///     }
///     print(report)   // failed in schedule 2 ...; schedule "0101" (1 preemption), timeline
///
/// Sequentially consistent interleavings only: a load sees the last store of the
/// schedule. Weak memory (a store buffer, a reordered load) is `racelab litmus`'s job.
/// State outside the primitives is invisible to the explorer: an operation on it is
/// not a scheduling point, so a race through it is not explored.
public struct Explore: Sendable {
    /// How schedules are chosen.
    public enum Strategy: Sendable, Equatable {
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
    public var strategy: Strategy
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

    /// An explorer with `strategy`.
    public init(
        _ strategy: Strategy, maxSteps: Int = 10_000, stopsAtFirstFailure: Bool = true, scheduleLimit: Int? = nil,
        prunesEquivalentSchedules: Bool = true
    ) {
        self.strategy = strategy
        self.maxSteps = maxSteps
        self.stopsAtFirstFailure = stopsAtFirstFailure
        self.scheduleLimit = scheduleLimit
        self.prunesEquivalentSchedules = prunesEquivalentSchedules
    }

    /// Explores `threads` threads that all run `body` (each knows its `index`), on a
    /// fresh `make()` per schedule; `check(state)` runs after every thread is done and
    /// throws to fail the schedule. Throws only when the system refuses a thread.
    public func run<State>(
        threads count: Int, _ make: @escaping () -> State,
        body: @escaping @Sendable (State, VirtualThread) throws -> Void,
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(WorkerPoolError) -> ExploreReport {
        try run(make, threads: Array(repeating: body, count: count), check: check)
    }

    /// `replay` for `run(threads:_:body:check:)`'s shape.
    public func replay<State>(
        _ schedule: String, threads count: Int, _ make: @escaping () -> State,
        body: @escaping @Sendable (State, VirtualThread) throws -> Void,
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(WorkerPoolError) -> ExploreSchedule {
        try replay(schedule, make, threads: Array(repeating: body, count: count), check: check)
    }

    /// Explores `threads` run on a fresh `make()` per schedule; `check(state)` runs after
    /// every thread is done and throws to fail the schedule (`ExploreFailure.unless`).
    /// Throws only when the system refuses a thread.
    public func run<State>(
        _ make: @escaping () -> State, threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State) throws -> Void = { _ in }
    ) throws(WorkerPoolError) -> ExploreReport {
        precondition(!threads.isEmpty, "a program has at least one thread")
        var runner = Runner(make: make, threads: threads, check: check, maxSteps: maxSteps)
        switch strategy {
        case .exhaustive(let bound):
            return try exhaustive(&runner, bound: bound)
        case .random(let schedules, let seed):
            var random = SplitMix64(seed: seed)
            return try sample(&runner, schedules: schedules) { _ in RandomChooser(random: random.split()) }
        case .pct(let schedules, let depth, let seed):
            var random = SplitMix64(seed: seed)
            // k, the steps of a schedule: first measured on a run in thread order, then the
            // longest schedule so far; the report's guarantee uses the longest of all.
            var first = FirstRunnable()
            let firstSteps = max(1, try runner.run(&first).choices.count)
            return try sample(&runner, schedules: schedules, pct: (depth, firstSteps)) { steps in
                PCTChooser(threads: threads.count, depth: depth, steps: max(firstSteps, steps), random: random.split())
            }
        }
    }

    /// Runs the schedule `schedule` (a report's `ExploreSchedule.string`) once: the same
    /// failure, every time, on any machine. When the program no longer matches the
    /// schedule, `mismatch` says at which step and what differs.
    public func replay<State>(
        _ schedule: String, _ make: @escaping () -> State,
        threads: [@Sendable (State, VirtualThread) throws -> Void], check: @escaping (State) throws -> Void = { _ in }
    ) throws(WorkerPoolError) -> ExploreSchedule {
        var runner = Runner(make: make, threads: threads, check: check, maxSteps: maxSteps)
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
    private func exhaustive<State>(_ runner: inout Runner<State>, bound: Int?) throws(WorkerPoolError)
        -> ExploreReport
    {
        let highest = bound ?? Int.max
        var preemptions = stopsAtFirstFailure ? 0 : highest
        var total = 0
        while true {
            var search = DepthFirst(bound: preemptions, usesSleepSets: prunesEquivalentSchedules)
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
                if search.lastWasAsleep {
                    pruned += 1
                    continue
                }
                explored += 1
                if result.failure != nil {
                    failed += 1
                    if first == nil || result.preemptions < first!.preemptions {
                        first = ExploreSchedule(result, threads: runner.threads.count, mismatch: nil)
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
                    first = try fewestPreemptions(&runner, below: found.preemptions) ?? found
                }
                return ExploreReport(
                    strategy: strategy, threads: runner.threads.count, explored: explored, failed: failed,
                    firstFailure: first, coverage: coverage, isFinished: !stoppedEarly && !limited,
                    isPruned: search.usesSleepSets, pruned: pruned)
            }
            preemptions += 1
        }
    }

    /// The first failing schedule with fewer than `limit` preemptions, the bound raised
    /// from 0 (no pruning: sleep sets and a bound do not mix), or nil.
    private func fewestPreemptions<State>(_ runner: inout Runner<State>, below limit: Int) throws(WorkerPoolError)
        -> ExploreSchedule?
    {
        for bound in 0..<limit {
            var search = DepthFirst(bound: bound)
            repeat {
                let result = try runner.run(&search)
                if result.failure != nil {
                    return ExploreSchedule(result, threads: runner.threads.count, mismatch: nil)
                }
            } while search.advance(after: runner.last)
            if !search.wasPruned { return nil }
        }
        return nil
    }

    /// `chooser(longest)` makes each schedule's chooser, given the most steps a schedule
    /// has taken so far.
    private func sample<State, C: Chooser>(
        _ runner: inout Runner<State>, schedules: Int, pct: (depth: Int, steps: Int)? = nil,
        chooser: (Int) -> C
    ) throws(WorkerPoolError) -> ExploreReport {
        precondition(schedules >= 1, "explore at least one schedule")
        var explored = 0
        var failed = 0
        var first: ExploreSchedule?
        var longest = pct?.steps ?? 0
        for _ in 0..<schedules {
            var next = chooser(longest)
            let result = try runner.run(&next)
            longest = max(longest, result.choices.count)
            explored += 1
            if result.failure != nil {
                failed += 1
                if first == nil { first = ExploreSchedule(result, threads: runner.threads.count, mismatch: nil) }
                if stopsAtFirstFailure { break }
            }
        }
        return ExploreReport(
            strategy: strategy, threads: runner.threads.count, explored: explored, failed: failed,
            firstFailure: first, coverage: .sampled(pct: pct.map { ($0.depth, longest) }),
            isFinished: first == nil || !stopsAtFirstFailure)
    }
}

extension ExploreFailure {
    /// Throws `.check(message)` unless `condition` holds: for a final check.
    public static func unless(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ExploreFailure.check(message()) }
    }
}

/// Runs schedules of one program: a fresh state each, the final check after, on one
/// pool of threads for the whole exploration.
struct Runner<State> {
    let make: () -> State
    let threads: [@Sendable (State, VirtualThread) throws -> Void]
    let check: (State) throws -> Void
    let maxSteps: Int
    /// The last schedule run, for the depth-first explorer.
    var last = ScheduleResult()
    private var scheduler: Scheduler?

    init(
        make: @escaping () -> State, threads: [@Sendable (State, VirtualThread) throws -> Void],
        check: @escaping (State) throws -> Void, maxSteps: Int
    ) {
        self.make = make
        self.threads = threads
        self.check = check
        self.maxSteps = maxSteps
    }

    mutating func run(_ chooser: inout some Chooser) throws(WorkerPoolError) -> ScheduleResult {
        let scheduler: Scheduler
        if let existing = self.scheduler {
            scheduler = existing
        } else {
            scheduler = try Scheduler(threads: threads.count)
            self.scheduler = scheduler
        }
        // The drop-ins (RaceLabSync) find this schedule through a thread-local while it
        // runs: in make (their ids), the threads (scheduling points) and the check.
        let result = Exploration.withControl(scheduler.run) {
            scheduler.run.beginSchedule()
            let state = make()
            var result = scheduler.schedule(threads, state: state, maxSteps: maxSteps, chooser: &chooser)
            if result.failure == nil && result.mismatch == nil {
                do {
                    try check(state)
                } catch let failure as ExploreFailure {
                    result.failure = failure
                } catch {
                    result.failure = .check("\(error)")
                }
            }
            return result
        }
        last = result
        return result
    }
}
