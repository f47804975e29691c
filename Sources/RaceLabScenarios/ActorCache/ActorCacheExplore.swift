import RaceLab
import RaceLabExplore

/// `racelab explore actor-cache`: the strategies' own caches (FetchingCaches.swift),
/// every worker asking for keys 0, 1, ... (one per operation), explored job by job. A
/// correct cache fetches each key once and never overwrites a value it handed out:
/// the source counts the fetches, so the cache's own bookkeeping cannot hide one.
extension ActorCacheScenario {
    static let exploreModel = ExploreModel(
        scenario: "actor-cache",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "FetchOnMissCache(.overwrite): check, await the fetch, store") {
                _, _ in fetching { FetchOnMissCache(source: $0, afterFetch: .overwrite) }
            },
            ExploreStrategyModel(
                "recheck", safe: false, "FetchOnMissCache(.keepFirst): check, await the fetch, keep the first"
            ) { _, _ in fetching { FetchOnMissCache(source: $0, afterFetch: .keepFirst) } },
            ExploreStrategyModel("in-flight", safe: true, "InFlightCache: later callers await the first fetch's Task") {
                _, _ in fetching(InFlightCache.init)
            },
        ])

    private static func fetching<Cache: FetchingCache>(_ make: @escaping @Sendable (SlowSource) -> Cache)
        -> AsyncProgram<(cache: Cache, source: SlowSource)>
    {
        AsyncProgram {
            let source = SlowSource(workSteps: 0)
            return (make(source), source)
        } body: { state, _, iteration in
            _ = await state.cache.value(for: iteration)
        } check: { state, _ in
            let served = state.source.tally
            let overwritten = await state.cache.overwritten
            try RaceFailure.unless(
                served.fetches == served.keys,
                "\(served.fetches) fetches for \(served.keys.counted("key")), \(served.fetches - served.keys) of them duplicates"
            )
            try RaceFailure.unless(
                overwritten == 0, "\(overwritten.counted("value")) overwritten after being handed out")
        }
    }
}
