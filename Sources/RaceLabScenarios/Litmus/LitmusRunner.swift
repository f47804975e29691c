import CRaceLabShims
import RaceLab
import RaceLabModel
import Synchronization

/// What one run of a litmus test counted: how many iterations ended in each state.
package struct LitmusCounts: Equatable, Sendable {
    /// Iterations per state key (`LitmusStateKey`).
    var byKey: [Int]
    var elapsedNanoseconds: UInt64
    var threadsSharedCPUs: Bool

    /// Iterations that ran: fewer than asked when a run with more threads than CPUs
    /// reached its time budget.
    var completedIterations: Int { byKey.reduce(0, +) }
}

/// A final state as one small integer: each observable value is a base-4 digit, a value
/// outside 0...2 counting as 3 (shown as "?", and forbidden).
enum LitmusStateKey {
    static func key(_ values: [Int]) -> Int {
        values.reversed().reduce(0) { $0 * 4 + digit($1) }
    }

    @inline(__always)
    static func digit(_ value: Int) -> Int { value >= 0 && value <= 2 ? value : 3 }

    static func values(of key: Int, count: Int) -> [Int] {
        (0..<count).map { key >> (2 * $0) & 3 }
    }

    static func capacity(observables: Int) -> Int { 1 << (2 * observables) }
}

/// Runs a litmus test on racelab's public graded-outcome API, `OutcomeStress`, as a
/// user's own outcome test runs: a fresh `LitmusCell` per iteration (sample), one actor
/// per thread running the test's program with the run's ordering, an arbiter turning
/// the cell's registers (or final values) into a state key, every state graded by the
/// memory model. The actors walk strides of fresh cells side by side after a barrier
/// with a shared start time (see `OutcomeStress`).
package struct LitmusRunner {
    package init(
        cpus: CPUSet = .current(), isPinned: Bool = true, sharedCPUBudgetNanoseconds: UInt64 = 20_000_000_000
    ) {
        self.cpus = cpus
        self.isPinned = isPinned
        self.sharedCPUBudgetNanoseconds = sharedCPUBudgetNanoseconds
    }

    var cpus: CPUSet = .current()
    var isPinned = true
    /// Iterations per stride: OutcomeStress's default.
    var stride = OutcomeStress().stride
    /// A shared start time before every iteration: the most weak outcomes per iteration
    /// (docs/litmus.md has the figures beside `.perStride`).
    var start = OutcomeStress.Start.perSample
    /// With more threads than CPUs every barrier yields the CPU, and another busy
    /// program can take it for a whole time slice per stride: such a run stops at the
    /// end of the first stride past this budget, and says how many iterations it ran.
    var sharedCPUBudgetNanoseconds: UInt64 = 20_000_000_000

    /// How the threads run, in words, for the report's header.
    package var synchronisation: String {
        let placement =
            isPinned
            ? "pinned: thread i on allowed CPU (i mod \(cpus.count))"
            : "not pinned (--no-pin): the scheduler places them"
        let clock: String
        #if arch(x86_64)
            clock = "the TSC"
        #elseif arch(arm64)
            clock = "the generic timer"
        #else
            clock = "the monotonic clock"
        #endif
        let lead = Int(OutcomeStress.leadNanoseconds)
        let released =
            start == .perSample
            ? "each iteration a spinning barrier (pause hint), then a start time \(lead) ns ahead on \(clock)"
                + " that every thread spins for"
            : "each stride a spinning barrier and a start time \(lead) ns ahead on \(clock), then the threads"
                + " walk its iterations side by side"
        return placement + "; fresh cells in strides of \(stride) (racelab's graded-outcome API): " + released
            + " (with more threads than CPUs: yield instead, no start time)"
    }

    package func run(_ test: LitmusTest, ordering: LitmusOrdering, iterations: Int) throws(RaceLabError)
        -> LitmusCounts
    {
        switch test.id {
        case .sb: try run(StoreBufferingProgram.self, test, ordering, iterations)
        case .mp: try run(MessagePassingProgram.self, test, ordering, iterations)
        case .lb: try run(LoadBufferingProgram.self, test, ordering, iterations)
        case .iriw: try run(IRIWProgram.self, test, ordering, iterations)
        case .twoPlusTwoW: try run(TwoPlusTwoWritesProgram.self, test, ordering, iterations)
        case .corr: try run(CoherenceReadReadProgram.self, test, ordering, iterations)
        }
    }

    private func run<P: LitmusProgram>(
        _ program: P.Type, _ test: LitmusTest, _ ordering: LitmusOrdering, _ iterations: Int
    ) throws(RaceLabError) -> LitmusCounts {
        switch ordering {
        case .relaxed: try run(program, RelaxedAccesses.self, test, ordering, iterations)
        case .acquireRelease: try run(program, AcquireReleaseAccesses.self, test, ordering, iterations)
        case .sequentiallyConsistent:
            try run(program, SequentiallyConsistentAccesses.self, test, ordering, iterations)
        }
    }

    private func run<P: LitmusProgram, A: LitmusAccesses>(
        _ program: P.Type, _ accesses: A.Type, _ test: LitmusTest, _ ordering: LitmusOrdering, _ iterations: Int
    ) throws(RaceLabError) -> LitmusCounts {
        let isSharing = test.threads > cpus.count
        let harness = OutcomeStress(
            samples: iterations, stride: stride, start: start, cpus: cpus, isPinned: isPinned,
            timeLimit: isSharing ? .nanoseconds(sharedCPUBudgetNanoseconds) : OutcomeStress.noTimeLimit)
        let actors: [@Sendable (LitmusCell) -> Void] = (0..<test.threads).map { thread in
            { cell in P.run(thread: thread, on: cell, A.self) }
        }
        let observables = test.observables
        let report = try harness.run(
            expecting: Self.expectations(test, ordering), make: { LitmusCell() }, workers: actors,
            arbiter: { cell in Self.key(of: cell, observables) })
        var byKey = [Int](repeating: 0, count: LitmusStateKey.capacity(observables: observables.count))
        for row in report.rows { byKey[row.outcome] += row.count }
        return LitmusCounts(
            byKey: byKey, elapsedNanoseconds: report.elapsedNanoseconds, threadsSharedCPUs: isSharing)
    }

    /// Every state key graded as the memory model grades its state under `ordering`.
    private static func expectations(_ test: LitmusTest, _ ordering: LitmusOrdering) -> [OutcomeExpectation<Int>] {
        let count = test.observables.count
        let states = (0..<LitmusStateKey.capacity(observables: count)).map {
            LitmusStateKey.values(of: $0, count: count)
        }
        func keys(_ status: LitmusStatus) -> [Int] {
            states.filter { test.status(of: $0, under: ordering) == status }.map(LitmusStateKey.key)
        }
        return [
            .acceptable(keys(.allowed), "an interleaving"),
            .interesting(keys(.interesting), "the weak outcome, allowed under this ordering"),
            .forbidden(keys(.forbidden), "forbidden under this ordering"),
        ]
    }

    /// The cell's final state as a state key: its observables' values, base-4 digits.
    private static func key(of cell: LitmusCell, _ observables: [LitmusObservable]) -> Int {
        var key = 0
        for (i, observable) in observables.enumerated() {
            let value: Int
            switch observable {
            case .register(let thread, let index): value = cell.register(thread: thread, index: index)
            case .finalValue(let location):
                value = location == 0 ? cell.x.load(ordering: .relaxed) : cell.y.load(ordering: .relaxed)
            }
            key |= LitmusStateKey.digit(value) << (2 * i)
        }
        return key
    }
}
