import RaceLab
import RaceLabExplore
import RaceLabModel

/// A scenario as `racelab explore` runs it: its strategies' real types (on RaceLabSync's
/// drop-ins and racelab's explorer-aware pthread locks) as small programs of `threads`
/// workers doing `operations` operations each.
package struct ExploreModel: Sendable {
    package let scenario: String
    package let strategies: [ExploreStrategyModel]
    /// The scenario's other strategies and why the explorer cannot run them, for
    /// `racelab explore --help` ("serial-queue, actor: ...").
    package let notExplored: [(strategies: String, why: String)]

    init(scenario: String, strategies: [ExploreStrategyModel], notExplored: [(strategies: String, why: String)] = []) {
        self.scenario = scenario
        self.strategies = strategies
        self.notExplored = notExplored
    }

    /// The strategies named, in the model's order; nil names: all of them.
    package func strategies(named names: [String]?) -> [ExploreStrategyModel]? {
        guard let names else { return strategies }
        let found = strategies.filter { names.contains($0.name) }
        return found.count == Set(names).count ? found : nil
    }
}

/// One strategy as a program the explorer runs: `explore` explores it (or replays one
/// schedule of it) with `threads` workers of `operations` operations each.
package struct ExploreStrategyModel: Sendable {
    package let name: String
    package let isExpectedSafe: Bool
    /// What the program does, one line, for the report.
    package let summary: String
    /// The preemption bound exhaustive search uses unless told: set for a program some
    /// of whose schedules never end (a back-off loop in lockstep), which has no last
    /// schedule to reach; nil: every schedule.
    package let preemptionBound: Int?
    /// The program has a producer, worker 0, besides its `threads` workers.
    package let hasProducer: Bool
    /// Its workers are tasks, explored job by job (an actor strategy).
    package let isAsync: Bool
    let explore: @Sendable (Explore, _ threads: Int, _ operations: Int) throws(RaceLabError) -> ExploreReport
    let replay: @Sendable (Explore, String, _ threads: Int, _ operations: Int) throws(RaceLabError) -> ExploreSchedule

    /// A strategy explored through its real types: `test(threads, operations)` is the
    /// `RaceTest` the explorer runs, with `threads` workers (one more, worker 0, when
    /// `withProducer`) each running its body `operations` times, on the same types
    /// `racelab <scenario>` runs on real workers (their drop-in primitives are the
    /// explorer's scheduling points).
    init<State>(
        _ name: String, safe: Bool, preemptionBound: Int? = nil, withProducer: Bool = false, _ summary: String,
        test: @escaping @Sendable (_ threads: Int, _ operations: Int) -> RaceTest<State>
    ) {
        // `threads` workers (and the producer), `operations` each.
        let producer = withProducer ? 1 : 0
        self.init(
            name, safe: safe, preemptionBound: preemptionBound, hasProducer: withProducer, isAsync: false, summary,
            explore: { explorer, threads, operations throws(RaceLabError) in
                try explorer.shaped(threads + producer, operations).run(test(threads, operations))
            },
            replay: { explorer, schedule, threads, operations throws(RaceLabError) in
                try explorer.shaped(threads + producer, operations).replay(schedule, test(threads, operations))
            })
    }

    /// A strategy whose workers are tasks (an actor's methods): `test(threads,
    /// operations)` is the async program the explorer runs job by job, on the same
    /// actors `racelab <scenario>` runs on real workers, not rewritten. Its search is
    /// bounded to 2 preemptions unless told: every hop and resumption is a job, and at
    /// 2 workers x 2 operations the unbounded schedules run past a million.
    init<State: Sendable>(
        _ name: String, safe: Bool, preemptionBound: Int? = 2, _ summary: String,
        async test: @escaping @Sendable (_ threads: Int, _ operations: Int) -> AsyncProgram<State>
    ) {
        self.init(
            name, safe: safe, preemptionBound: preemptionBound, hasProducer: false, isAsync: true, summary,
            explore: { explorer, threads, operations throws(RaceLabError) in
                try explorer.shaped(threads, operations).exploreBlocking(test(threads, operations))
            },
            replay: { explorer, schedule, threads, operations throws(RaceLabError) in
                try explorer.shaped(threads, operations).replayBlocking(schedule, test(threads, operations))
            })
    }

    private init(
        _ name: String, safe: Bool, preemptionBound: Int?, hasProducer: Bool, isAsync: Bool, _ summary: String,
        explore: @escaping @Sendable (Explore, Int, Int) throws(RaceLabError) -> ExploreReport,
        replay: @escaping @Sendable (Explore, String, Int, Int) throws(RaceLabError) -> ExploreSchedule
    ) {
        self.name = name
        isExpectedSafe = safe
        self.summary = summary
        self.preemptionBound = preemptionBound
        self.hasProducer = hasProducer
        self.isAsync = isAsync
        self.explore = explore
        self.replay = replay
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
        CounterScenario.exploreModel, CacheScenario.exploreModel, CheckThenActScenario.exploreModel,
        LazyInitScenario.exploreModel,
        SnapshotScenario.exploreModel, DeadlockScenario.exploreModel, QueueScenario.exploreModel,
        ActorReentrancyScenario.exploreModel, ActorCacheScenario.exploreModel,
    ]

    /// Scenarios with nothing the explorer can run, and why.
    package static let notExplored: [(scenario: String, why: String)] = [
        (
            "reentrancy",
            "a lock taken again by its owner: what happens is the C library's or Swift's (recursive, refused, a trap), not modelled"
        ),
        ("litmus", "weak memory: its outcomes are reorderings, and the explorer is sequentially consistent"),
    ]

    package static var names: [String] { models.map(\.scenario) }

    package static func model(named name: String) -> ExploreModel? { models.first { $0.scenario == name } }
}

extension Explore {
    /// This explorer at a program's shape: `workers` workers of `iterations` each.
    fileprivate func shaped(_ workers: Int, _ iterations: Int) -> Explore {
        var explorer = self
        explorer.workers = workers
        explorer.iterations = iterations
        return explorer
    }
}
