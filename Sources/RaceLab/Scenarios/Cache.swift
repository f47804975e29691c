/// `racelab cache`: a shared hit-counter cache (a dictionary of counts). Workers call
/// `increment(key)` on one shared dictionary (and, with `--read-ratio`, also look
/// keys up); every increment must be counted, on the right key.
public enum CacheScenario {
    public static let scenario = Scenario(
        name: "cache",
        summary: "Shared hit-counter dictionary: get-then-set vs locked, striped, rwlock",
        operationName: "cache operations",
        expectedLabel: "expected",
        observedLabel: "counted",
        anomalyNames: ["lost updates", "wrong keys"],
        options: [.work, keys, .distribution, .seed, stripes, readRatio],
        strategies: [
            Strategy(
                name: "unsafe",
                summary: "each get and set locked on its own, increment = get then set (Python dict)",
                isExpectedSafe: false
            ) { request, pool in try run(PerOperationLockedCache(work: request.integer(.work)), request, pool) },
            Strategy(
                name: "raw",
                summary: "plain Swift Dictionary, no synchronisation: a data race, usually a crash",
                isExpectedSafe: false, isInDefaultSet: false, runsInChildProcess: true
            ) { request, pool in try run(UnsynchronisedCache(), request, pool) },
            Strategy(
                name: "locked", summary: "one lock around the whole get-then-set: a thread-safe cache",
                isExpectedSafe: true
            ) { request, pool in try run(LockedCache(), request, pool) },
            Strategy(
                name: "striped", summary: "--stripes locked dictionaries; the key's hash picks one",
                isExpectedSafe: true
            ) { request, pool in try run(StripedCache(stripes: request.integer(stripes)), request, pool) },
            Strategy(
                name: "rwlock", summary: "pthread_rwlock_t: lookups share it, increments take it alone",
                isExpectedSafe: true
            ) { request, pool in try run(ReadWriteLockedCache(), request, pool) },
            Strategy(
                name: "thread-local",
                summary: "each worker counts in its own dictionary, merged once at the end: no lock, total only after",
                isExpectedSafe: true
            ) { request, pool in try run(ThreadLocalCache(workers: request.threads), request, pool) },
        ],
        explanation: cacheExplanation)

    static let keys = ScenarioOption.keys(default: 1)
    static let maxStripes = 4096

    /// `--stripes N`: the striped cache's lock count.
    static let stripes = ScenarioOption(
        name: "stripes", values: .integer(1...maxStripes), default: .integer(16),
        help: "Lock stripes of the striped cache, 1 to \(maxStripes).",
        headerLine: { request in
            request.strategies.contains("striped") ? "  stripes     \(request.integer("stripes", default: 16))" : nil
        },
        brief: { request in
            request.strategies.contains("striped") ? "\(request.integer("stripes", default: 16)) stripes" : nil
        })

    /// `--read-ratio P`: the share of operations that only look a key up.
    static let readRatio = ScenarioOption(
        name: "read-ratio", valueName: "<percent>", values: .integer(0...100), default: .integer(0),
        help: "Percent of operations that are lookups, 0 to 100.",
        headerLine: { request in
            let reads = request.integer("read-ratio", default: 0)
            return "  reads       \(reads)% lookups, \(100 - reads)% increments"
        },
        brief: { request in
            let reads = request.integer("read-ratio", default: 0)
            return reads > 0 ? "\(reads)% lookups" : nil
        })

    /// One run: each worker follows its own seeded key stream for as long as its
    /// budget lasts; afterwards each stream is replayed for as many operations as its
    /// worker did, to know what every key's count should be.
    static func run<Cache: HitCounterCache>(
        _ cache: Cache, _ request: Request, _ pool: WorkerPool
    ) throws -> Observation {
        let keyCount = request.integer(keys)
        let isZipf = request.choice(.distribution) == KeyDistribution.zipf.rawValue
        let zipf = isZipf && keyCount > 1 ? ZipfTable(keys: keyCount) : nil
        let seed = UInt64(request.integer(.seed))
        let readPercent = request.integer(readRatio)
        @Sendable func stream(_ worker: Int) -> KeyStream {
            KeyStream(seed: seed, worker: worker, keys: keyCount, readPercent: readPercent, zipf: zipf)
        }
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            var keys = stream(worker)
            var seen = 0
            budget.forEachOperation {
                let (key, isRead) = keys.next()
                if isRead {
                    seen &+= cache.lookup(key, worker: worker) ?? 0
                } else {
                    cache.increment(key, worker: worker)
                }
            }
            blackHole(seen)
        }
        var expectedCounts = [Int](repeating: 0, count: keyCount)
        for (worker, done) in timing.workers.enumerated() {
            var keys = stream(worker)
            for _ in 0..<done.operations {
                let (key, isRead) = keys.next()
                if !isRead { expectedCounts[key] += 1 }
            }
        }
        let counted = cache.snapshot()
        let expected = expectedCounts.reduce(0, +)
        let observed = counted.values.reduce(0, &+)
        let wrongKeys =
            expectedCounts.indices.filter { counted[$0, default: 0] != expectedCounts[$0] }.count
            + counted.keys.filter { !expectedCounts.indices.contains($0) }.count
        return Observation(
            expected: expected, observed: observed, operations: timing.operations,
            anomalies: [Anomaly("lost updates", expected - observed), Anomaly("wrong keys", wrongKeys)],
            timing: timing)
    }
}

private let cacheExplanation = """
    THE RACE
      increment(key) reads the key's count, adds one and stores it back. Each of
      those dictionary operations is thread-safe on its own (in free-threaded
      Python, and in racelab's `unsafe` cache, each takes the dictionary's lock),
      but the increment as a whole is not:

        worker A                          worker B
        ------------------------------    ------------------------------
        current = cache.get(k)  -> 7
                                          current = cache.get(k)  -> 7
        cache.set(k, 7 + 1)     <- 8
                                          cache.set(k, 7 + 1)     <- 8

      Two hits, one counted. With one hot key (the default, like a single
      "hits" counter) almost every increment collides; with --keys 1000 they
      collide less, and the "wrong keys" column shows how many keys ended wrong.

      `raw` goes further: a plain Swift Dictionary with no lock at all. Two
      workers resizing it at once corrupt its memory; Swift usually crashes. That
      is a data race (undefined behaviour), so racelab runs it in a child process
      and reports how the child ended. ThreadSanitizer flags `raw`; it cannot flag
      `unsafe`, whose every access is locked: a race condition, not a data race.

    THE FIXES
      locked    One lock around get-then-set, so the read and the write are one
                step: a thread-safe cache class. Every operation on
                every key waits for the same lock.
      striped   --stripes independent locks; a key's hash picks its stripe. Two
                workers only wait for each other when their keys share a stripe,
                so with many keys most operations run in parallel. With one hot
                key it is no better than `locked`.
      rwlock    A read-write lock: lookups (--read-ratio) share it, increments
                take it alone. It pays off only when reads dominate and are
                long enough to outweigh the rwlock's own bookkeeping.
      thread-local
                Stop sharing (Python's threading.local()): each worker counts
                in its own dictionary, and the dictionaries are added up once,
                after the run. No lock, nothing shared, an exact total; but the
                total exists only after the merge: a lookup during the run sees
                its own worker's counts. The counter's `sharded` is the same idea.
    """
