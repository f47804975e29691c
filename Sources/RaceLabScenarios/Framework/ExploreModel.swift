import RaceLab
import RaceLabExplore

/// A scenario modelled on the explorer's primitives, for `racelab explore`: its
/// strategies as small programs of `threads` threads doing `operations` operations each.
package struct ExploreModel: Sendable {
    package let scenario: String
    package let strategies: [ExploreStrategyModel]

    /// The strategies named, in the model's order; nil names: all of them.
    package func strategies(named names: [String]?) -> [ExploreStrategyModel]? {
        guard let names else { return strategies }
        let found = strategies.filter { names.contains($0.name) }
        return found.count == Set(names).count ? found : nil
    }
}

/// One strategy as a program the explorer runs: `explore` explores it (or replays one
/// schedule of it) with `threads` threads of `operations` operations each.
package struct ExploreStrategyModel: Sendable {
    package let name: String
    package let isExpectedSafe: Bool
    /// What the program does, one line, for the report.
    package let summary: String
    /// The preemption bound exhaustive search uses unless told: set for a program some
    /// of whose schedules never end (a back-off loop in lockstep), which has no last
    /// schedule to reach; nil: every schedule.
    package let preemptionBound: Int?
    /// The program has a producer, thread 0, besides its `threads` workers.
    package let hasProducer: Bool
    let explore: @Sendable (Explore, _ threads: Int, _ operations: Int) throws(RaceLabError) -> ExploreReport
    let replay: @Sendable (Explore, String, _ threads: Int, _ operations: Int) throws(RaceLabError) -> ExploreSchedule

    /// A strategy whose every thread runs `body(state, thread, operations)` on a fresh
    /// `make(threads)`, then `check(state, threads, operations)`. `withProducer`: the
    /// program has a thread 0 more than `threads` (the queue's producer; the workers
    /// are threads 1...threads).
    init<State>(
        _ name: String, safe: Bool, preemptionBound: Int? = nil, withProducer: Bool = false, _ summary: String,
        make: @escaping @Sendable (_ threads: Int) -> State,
        body: @escaping @Sendable (State, VirtualThread, _ operations: Int) throws -> Void,
        check: @escaping @Sendable (State, _ threads: Int, _ operations: Int) throws -> Void
    ) {
        self.init(
            name, safe: safe, preemptionBound: preemptionBound, withProducer: withProducer, summary,
            makeFor: { threads, _ in make(threads) }, body: body, check: check)
    }

    /// The same, with a state made for both `threads` and `operations`.
    init<State>(
        _ name: String, safe: Bool, preemptionBound: Int? = nil, withProducer: Bool = false, _ summary: String,
        makeFor make: @escaping @Sendable (_ threads: Int, _ operations: Int) -> State,
        body: @escaping @Sendable (State, VirtualThread, _ operations: Int) throws -> Void,
        check: @escaping @Sendable (State, _ threads: Int, _ operations: Int) throws -> Void
    ) {
        self.name = name
        isExpectedSafe = safe
        self.summary = summary
        self.preemptionBound = preemptionBound
        hasProducer = withProducer
        let extra = withProducer ? 1 : 0
        explore = { explorer, threads, operations throws(RaceLabError) in
            var explorer = explorer
            explorer.workers = threads + extra
            return try explorer.run(
                { make(threads, operations) }, body: { try body($0, $1, operations) },
                check: { try check($0, threads, operations) })
        }
        replay = { explorer, schedule, threads, operations throws(RaceLabError) in
            var explorer = explorer
            explorer.workers = threads + extra
            return try explorer.replay(
                schedule, { make(threads, operations) }, body: { try body($0, $1, operations) },
                check: { try check($0, threads, operations) })
        }
    }

    /// Explores the program; an exhaustive search without a bound gets the model's own.
    package func run(_ explorer: Explore, threads: Int, operations: Int) throws(RaceLabError) -> ExploreReport {
        var explorer = explorer
        if explorer.search == .exhaustive(preemptionBound: nil), let preemptionBound {
            explorer.search = .exhaustive(preemptionBound: preemptionBound)
        }
        return try explore(explorer, threads, operations)
    }

    package func replay(_ explorer: Explore, _ schedule: String, threads: Int, operations: Int) throws(RaceLabError)
        -> ExploreSchedule
    {
        try replay(explorer, schedule, threads, operations)
    }
}

/// The scenarios `racelab explore` knows, each declared in its own folder.
package enum ExploreCatalog {
    package static let models: [ExploreModel] = [
        CounterScenario.exploreModel, CheckThenActScenario.exploreModel, LazyInitScenario.exploreModel,
        SnapshotScenario.exploreModel, DeadlockScenario.exploreModel, QueueScenario.exploreModel,
    ]

    package static var names: [String] { models.map(\.scenario) }

    package static func model(named name: String) -> ExploreModel? { models.first { $0.scenario == name } }
}
