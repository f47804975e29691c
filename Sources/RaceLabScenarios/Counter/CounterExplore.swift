import RaceLab
import RaceLabExplore
import RaceLabModel

/// `racelab explore counter`: the strategies' own counters (Counters.swift), on the
/// drop-ins; actor's workers are tasks, explored job by job. serial-queue (a
/// DispatchQueue) runs on threads the explorer does not control: not explored.
extension CounterScenario {
    static let exploreModel = ExploreModel(
        scenario: "counter",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "UnsafeCounter: load, then store load + 1") { _, _ in
                counting { _ in UnsafeCounter(work: 0) }
            },
            ExploreStrategyModel("mutex", safe: true, "MutexCounter: the increment inside Mutex.withLock") { _, _ in
                counting { _ in MutexCounter() }
            },
            ExploreStrategyModel(
                "pthread-mutex", safe: true, "PthreadMutexCounter: lock, load, store load + 1, unlock"
            ) { _, _ in
                counting { _ in PthreadMutexCounter() }
            },
            ExploreStrategyModel("atomic", safe: true, "AtomicCounter: one wrappingAdd") { _, _ in
                counting { _ in AtomicCounter() }
            },
            ExploreStrategyModel("sharded", safe: true, "ShardedCounter: each worker its own slot, summed after") {
                threads, _ in
                counting { _ in ShardedCounter(workers: threads) }
            },
            ExploreStrategyModel("actor", safe: true, "CounterActor: each worker awaits increment(), a hop each") {
                _, _ in
                AsyncProgram {
                    CounterActor()
                } body: { counter, _, _ in
                    await counter.increment()
                } check: { counter, run in
                    let total = await counter.total
                    try RaceFailure.unless(
                        total == run.operations,
                        "counter is \(total), not \(run.operations): \((run.operations - total).counted("update")) lost"
                    )
                }
            },
        ],
        notExplored: [
            ("serial-queue", "a DispatchQueue's blocks run on its own threads, which the explorer does not control")
        ])

    /// Every worker increments once per operation; nothing may be lost.
    private static func counting<Counter: SharedCounter>(_ make: @escaping @Sendable (Int) -> Counter) -> RaceTest<
        Counter
    > {
        RaceTest {
            make(0)
        } body: { counter, worker, _ in
            counter.increment(worker: worker)
        } check: { counter, run in
            let lost = run.operations - counter.total()
            try RaceFailure.unless(
                lost == 0, "counter is \(counter.total()), not \(run.operations): \(lost.counted("update")) lost")
        }
    }
}
