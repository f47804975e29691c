import RaceLab
import RaceLabModel

/// `racelab cache`: a shared hit-counter cache (a dictionary of counts). Workers call
/// `increment(key)` on one shared dictionary (and, with `--read-ratio`, also look
/// keys up); every increment must be counted, on the right key.
package enum CacheScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let lostUpdates = AnomalyKind(id: "lost-updates", name: "lost updates")
        package static let wrongKeys = AnomalyKind(id: "wrong-keys", name: "wrong keys")
    }

    package static let scenario = Scenario(
        name: "cache",
        summary: "Shared hit-counter dictionary: get-then-set vs locked, striped, rwlock, thread-local, actor",
        operationName: "cache operations",
        expectedLabel: "expected",
        observedLabel: "counted",
        anomalies: [Anomalies.lostUpdates, Anomalies.wrongKeys],
        options: [.work, keys, .distribution, .seed, stripes, readRatio, .witness],
        strategies: [
            Strategy(
                name: Strategy.unsafeName,
                summary: "each get and set locked on its own, increment = get then set (Python dict)",
                isExpectedSafe: false
            ) { request, pool in
                request.integer(.witness) == 1
                    ? try runWitnessed(request, pool)
                    : try run(PerOperationLockedCache(work: request.integer(.work)), request, pool)
            },
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
                name: stripedName, summary: "--stripes locked dictionaries; the key's hash picks one",
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
            Strategy(
                name: "actor", summary: "the dictionary in an actor; workers are tasks that await its methods",
                isExpectedSafe: true, runsInChildProcess: true
            ) { request, pool in try runActor(request, pool) },
        ],
        explanation: cacheExplanation)

    static let keys = ScenarioOption.keys(default: 1)
    static let maxStripes = 4096
    /// The strategy `--stripes` configures.
    static let stripedName = "striped"

    /// `--stripes N`: the striped cache's lock count.
    static let stripes = ScenarioOption(
        name: "stripes", values: .integer(1...maxStripes), default: .integer(16),
        help: "Lock stripes of the striped cache, 1 to \(maxStripes).",
        headerLine: { stripes in
            stripes.request.strategies.contains(stripedName) ? "  stripes     \(stripes.integer)" : nil
        },
        brief: { stripes in stripes.request.strategies.contains(stripedName) ? "\(stripes.integer) stripes" : nil })

    /// `--read-ratio P`: the share of operations that only look a key up.
    static let readRatio = ScenarioOption(
        name: "read-ratio", valueName: "<percent>", values: .integer(0...100), default: .integer(0),
        help: "Percent of operations that are lookups, 0 to 100.",
        headerLine: { reads in "  reads       \(reads.integer)% lookups, \(100 - reads.integer)% increments" },
        brief: { reads in reads.integer > 0 ? "\(reads.integer)% lookups" : nil })

    /// What every worker of a run does, and how to check the result: each worker
    /// follows its own seeded key stream for as long as its budget lasts; afterwards
    /// each stream is replayed for as many operations as its worker did, to know what
    /// every key's count should be.
    struct Plan: Sendable {
        let keyCount: Int
        let zipf: ZipfTable?
        let seed: UInt64
        let readPercent: Int

        init(_ request: Request) {
            keyCount = request.integer(keys)
            let isZipf = request.choice(.distribution) == KeyDistribution.zipf.rawValue
            zipf = isZipf && keyCount > 1 ? ZipfTable(keys: keyCount) : nil
            seed = UInt64(request.integer(.seed))
            readPercent = request.integer(readRatio)
        }

        func stream(_ worker: Int) -> KeyStream {
            KeyStream(seed: seed, worker: worker, keys: keyCount, readPercent: readPercent, zipf: zipf)
        }

        /// Compares the cache's final counts with the replayed streams.
        func observation(_ timing: Timing, counted: [Int: Int], detail: String? = nil) -> Observation {
            var expectedCounts = [Int](repeating: 0, count: keyCount)
            for (worker, done) in timing.workers.enumerated() {
                var keys = stream(worker)
                for _ in 0..<done.operations {
                    let (key, isRead) = keys.next()
                    if !isRead { expectedCounts[key] += 1 }
                }
            }
            let expected = expectedCounts.reduce(0, +)
            let observed = counted.values.reduce(0, &+)
            let wrongKeys =
                expectedCounts.indices.filter { counted[$0, default: 0] != expectedCounts[$0] }.count
                + counted.keys.filter { !expectedCounts.indices.contains($0) }.count
            return Observation(
                expected: expected, observed: observed, operations: timing.operations,
                anomalies: [Anomalies.lostUpdates.count(expected - observed), Anomalies.wrongKeys.count(wrongKeys)],
                timing: timing, detail: detail)
        }
    }

    /// One run on a cache shared by threads; each worker runs the cache's own loop
    /// (`HitCounterCache.run`, in RaceLabSync, where its calls are specialised). `cap`: the most operations a worker makes (a witness
    /// buffer's size), even if the window is still open.
    static func run<Cache: HitCounterCache>(
        _ cache: Cache, _ request: Request, _ pool: WorkerPool, cap: Int? = nil
    ) throws -> Observation {
        let plan = Plan(request)
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            if let cap { budget.cap(at: cap) }
            var keys = plan.stream(worker)
            blackHole(cache.run(worker: worker, keys: &keys, budget: &budget))
        }
        return plan.observation(timing, counted: cache.snapshot())
    }

    /// The unsafe cache, witnessed: a run without the recording, then one that
    /// records every increment's read (each worker stopping when its buffer is full);
    /// the report's row is the recorded run, and its witness accounts, key by key,
    /// for every update it lost.
    static func runWitnessed(_ request: Request, _ pool: WorkerPool) throws -> Observation {
        let work = request.integer(.work)
        let unwatched = try run(PerOperationLockedCache(work: work), request, pool)
        let cache = WitnessedCache(
            workers: request.threads, readsPerWorker: ScenarioOption.witnessReads(request), work: work)
        var observation = try run(cache, request, pool, cap: cache.buffers.capacity)
        var witness = cache.log(operations: observation.expected, keys: request.integer(keys)).account()
        witness.withoutRecording = .init(operations: unwatched.expected, lost: unwatched.primaryAnomalyCount)
        observation.witness = witness
        return observation
    }

    /// The actor strategy: the dictionary lives in an actor; workers are child tasks
    /// (whatever the backend: awaiting needs tasks) that await its methods. It runs in
    /// a child process, whose main thread waits for the task group.
    static func runActor(_ request: Request, _ pool: WorkerPool) throws -> Observation {
        let plan = Plan(request)
        let cache = CacheActor()
        let timing = try pool.runAsync(workers: request.threads, length: request.length) { worker, budget in
            var keys = plan.stream(worker)
            var seen = 0
            await budget.forEachOperation {
                let (key, isRead) = keys.next()
                if isRead {
                    seen &+= await cache.lookup(key) ?? 0
                } else {
                    await cache.increment(key)
                }
            }
            blackHole(seen)
        }
        let counted = Blocking.wait { await cache.snapshot() }
        return plan.observation(timing, counted: counted, detail: pool.ranAsTasksDetail)
    }
}

private let cacheExplanation = """
    THE RACE
      increment(key) reads the key's count, adds one and stores it back. Each of
      those dictionary operations is thread-safe on its own (in free-threaded
      Python, and in racelab's `unsafe` cache, each takes the dictionary's lock),
      but the increment as a whole is not:

        worker 0                          worker 1
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
      actor     The dictionary lives in an actor; the workers are tasks that
                await its increment() and lookup(). One call at a time, like
                `locked`, but each call is an actor hop instead of a lock. It
                runs on Swift's cooperative pool, whatever --backend says.
    """
