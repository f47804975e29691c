import RaceLab
import RaceLabExplore

/// `racelab explore cache`: the strategies' own caches (Caches.swift), their pthread
/// locks seen by the explorer. Every worker counts a hit on key `iteration % 2` once per
/// operation; no hit may be lost. raw is a plain Dictionary with no lock (a data race:
/// no operation on it is a scheduling point), rwlock's pthread_rwlock_t is not seen by
/// the explorer, and thread-local shares nothing: not explored. actor's workers are
/// tasks, explored job by job.
extension CacheScenario {
    static let exploreModel = ExploreModel(
        scenario: "cache",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "PerOperationLockedCache: get, then set, each locked") {
                _, _ in
                counting { PerOperationLockedCache(work: 0) }
            },
            ExploreStrategyModel("locked", safe: true, "LockedCache: one lock around the get-then-set") { _, _ in
                counting { LockedCache() }
            },
            ExploreStrategyModel("striped", safe: true, "StripedCache: 2 stripes, the key's hash picks one") {
                _, _ in
                counting { StripedCache(stripes: 2) }
            },
            ExploreStrategyModel("actor", safe: true, "CacheActor: each worker awaits increment(key), a hop each") {
                _, _ in
                AsyncProgram {
                    CacheActor()
                } body: { cache, _, iteration in
                    await cache.increment(iteration % 2)
                } check: { cache, run in
                    let counted = await cache.snapshot().values.reduce(0, +)
                    try RaceFailure.unless(
                        counted == run.operations,
                        "counted \(counted) hits of \(run.operations): \((run.operations - counted).counted("hit")) lost"
                    )
                }
            },
        ],
        notExplored: [
            ("raw", "a plain Dictionary with no lock: a data race, no operation on it is a scheduling point"),
            ("rwlock", "pthread_rwlock_t is not seen by the explorer"),
            ("thread-local", "nothing shared: each worker its own dictionary"),
        ])

    private static func counting<Cache: HitCounterCache>(_ make: @escaping @Sendable () -> Cache) -> RaceTest<Cache> {
        RaceTest {
            make()
        } body: { cache, worker, iteration in
            cache.increment(iteration % 2, worker: worker)
        } check: { cache, run in
            let counted = cache.snapshot().values.reduce(0, +)
            try RaceFailure.unless(
                counted == run.operations,
                "counted \(counted) hits of \(run.operations): \((run.operations - counted).counted("hit")) lost")
        }
    }
}
