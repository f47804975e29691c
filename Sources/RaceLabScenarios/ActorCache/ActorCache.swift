import RaceLab
import RaceLabModel

/// `racelab actor-cache`: actor reentrancy's second shape. A cache actor fetches a
/// missing value with an await; callers that arrive while the fetch is in flight
/// miss too and fetch again, and the slower fetch overwrites the faster one's value.
/// Every worker asks for keys 0, 1, 2, ... in turn, like clients all loading the
/// newest item: the leader misses, the others catch up with it.
package enum ActorCacheScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let duplicateFetches = AnomalyKind(id: "duplicate-fetches", name: "duplicate fetches")
        package static let overwritten = AnomalyKind(id: "overwritten", name: "overwritten")
    }

    package static let scenario = Scenario(
        name: "actor-cache",
        summary: "A cache actor awaits its fetch: callers pile in at the await; share one in-flight Task",
        operationName: "lookups",
        expectedLabel: "fetches",
        observedLabel: "keys fetched",
        countsLegend: "fetches started / distinct keys they fetched (a correct cache fetches each key once)",
        anomalies: [Anomalies.duplicateFetches, Anomalies.overwritten],
        options: [.work],
        strategies: [
            Strategy(
                name: "unsafe", summary: "check, await the fetch, store: a miss during the await fetches again",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in try run(request, pool) { FetchOnMissCache(source: $0, afterFetch: .overwrite) } },
            Strategy(
                name: "recheck",
                summary: "check, await the fetch, keep a value stored meanwhile: one value, still fetched twice",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in try run(request, pool) { FetchOnMissCache(source: $0, afterFetch: .keepFirst) } },
            Strategy(
                name: "in-flight",
                summary: "store the fetch's Task before awaiting it; later callers await the same Task",
                isExpectedSafe: true, runsInChildProcess: true
            ) { request, pool in try run(request, pool, InFlightCache.init) },
        ],
        explanation: actorCacheExplanation,
        unsupportedBackends: [
            .pthread: "its workers await an actor, which needs tasks; it runs on --backend tasks",
            .dispatch: "its workers await an actor, which needs tasks; it runs on --backend tasks",
        ],
        runLimit: RunLimit(
            milliseconds: 2_000, operations: 20_000_000,
            why: "the cache keeps every key it was asked for (about 50 bytes a key), so a run is bounded"))

    /// One run: every worker is a child task asking for keys 0, 1, 2, ... as long as
    /// its budget lasts. Every strategy runs in a child process, whose main thread
    /// waits for the task group. A correct cache fetches each key asked for once: the
    /// share of duplicate fetches is of all fetches.
    static func run<Cache: FetchingCache>(
        _ request: Request, _ pool: WorkerPool, _ makeCache: (SlowSource) -> Cache
    ) throws -> Observation {
        let source = SlowSource(workSteps: Int64(request.integer(.work)))
        let cache = makeCache(source)
        let timing = try pool.runAsync(workers: request.threads, length: request.length) { _, budget in
            var key = 0
            var sum = 0
            await budget.forEachOperation {
                sum &+= await cache.value(for: key)
                key += 1
            }
            blackHole(sum)
        }
        let overwritten = Blocking.wait { await cache.overwritten }
        // Counted by the source, not by the cache: what it was really asked for.
        let served = source.tally
        // Every worker asked for keys 0 up to its operation count: the busiest one
        // asked for every key anybody did.
        let keysAsked = timing.workers.map(\.operations).max() ?? 0
        return Observation(
            expected: served.fetches, observed: served.keys, operations: timing.operations,
            anomalies: [
                Anomalies.duplicateFetches.count(served.fetches - served.keys),
                Anomalies.overwritten.count(overwritten),
            ],
            timing: timing,
            detail: served.keys == keysAsked
                ? nil
                : "fetched \(served.keys.grouped) distinct keys of \(keysAsked.grouped) asked for: a racelab bug"
        )
    }
}

private let actorCacheExplanation = """
    THE RACE
      A cache actor looks a key up; on a miss it fetches the value, which takes
      an await (the network), and stores it. The await gives the actor up, and
      the next caller for the same key runs in the middle:

        task 0                          task 1
        ----------------------------    ----------------------------
        value(for: 7)
          values[7]?      -> nil, miss
          await fetch(7)  ~~~ suspended, actor free ~~~
                                        value(for: 7)
                                          values[7]?      -> nil, miss
                                          await fetch(7)  ~~~
          values[7] = v1, return v1
                                          values[7] = v2, return v2

      The key was fetched twice (a duplicate fetch: twice the load on the
      source), and task 1's slower fetch overwrote the v1 that task 0 already handed out
      (an overwrite: two callers, two different values for one key). No data
      race, no compiler warning: actor reentrancy. In racelab every worker asks
      for keys 0, 1, 2, ... in turn, like clients all loading the newest item;
      a fetch spins --work steps, then awaits a Task.yield().

    THE FIXES
      recheck     After the await, look again and keep a value stored
                  meanwhile. Every caller now sees one value per key, but the
                  duplicate fetch has already happened: a recheck comes after
                  the cost. Half a fix, so racelab counts it as unsafe.
      in-flight   On a miss, store the fetch's Task in the cache before
                  awaiting it; a caller that finds a Task awaits that same
                  Task. One fetch per key, one value, and the actor is free
                  while the fetch runs.
    """
