import RaceLab
import RaceLabModel

/// `racelab lazy-init`: every worker asks, again and again, for one shared instance
/// whose initialiser is costly. It must be built once, and every worker must get
/// that one instance, fully built.
package enum LazyInitScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let splitWorkers = AnomalyKind(id: "split-workers", name: "split workers")
        package static let extraInits = AnomalyKind(id: "extra-inits", name: "extra inits")
        package static let halfBuiltReads = AnomalyKind(id: "half-built-reads", name: "half-built reads")
    }

    package static let scenario = Scenario(
        name: "lazy-init",
        summary: "A shared instance built on first use: unchecked, double-checked, locked, static let, pthread_once",
        operationName: "accesses",
        expectedLabel: "workers",
        observedLabel: "one instance",
        countsLegend: "workers that made their first access / workers that saw only the one published instance",
        anomalies: [Anomalies.splitWorkers, Anomalies.extraInits, Anomalies.halfBuiltReads],
        options: [work],
        strategies: [
            Strategy(
                name: "unsafe", summary: "check, then create, no lock: the initialiser can run more than once",
                isExpectedSafe: false
            ) { request, pool in try run(request, pool) { UncheckedLazy(table: $0) } },
            Strategy(
                name: "relaxed-publication",
                summary: "double-checked, but published and read with relaxed ordering",
                isExpectedSafe: false, note: relaxedNote
            ) { request, pool in try run(request, pool) { DoubleCheckedLazy(table: $0, relaxed: true) } },
            Strategy(
                name: "double-checked",
                summary: "check, lock, check again; publish with release, read with acquire",
                isExpectedSafe: true
            ) { request, pool in try run(request, pool) { DoubleCheckedLazy(table: $0, relaxed: false) } },
            Strategy(
                name: "locked-always", summary: "take the lock on every access", isExpectedSafe: true
            ) { request, pool in try run(request, pool) { AlwaysLockedLazy(table: $0) } },
            Strategy(
                name: "static-let",
                summary: "a static let: the Swift runtime builds it once per process (each run in a child)",
                isExpectedSafe: true, runsInChildProcess: true
            ) { request, pool in
                try run(request, pool) { table in
                    guard let lazy = StaticLetLazy.make(table: table) else {
                        preconditionFailure("static-let runs once per process; racelab runs it in a child")
                    }
                    return lazy
                }
            },
            Strategy(
                name: "pthread-once", summary: "pthread_once: the C library runs the initialiser once",
                isExpectedSafe: true
            ) { request, pool in try run(request, pool) { PthreadOnceLazy(table: $0) } },
        ],
        explanation: lazyInitExplanation)

    static let defaultWork = 20_000_000
    static let maxWork = 100_000_000

    /// `--work N`: the initialiser's cost. The default, about 13 ms on a 3 GHz x86
    /// core, is a costly initialiser (a big table, a connection): long beside the
    /// workers' start skew (a few ms when another program or the hypervisor holds a
    /// CPU at the start). The first access, which builds, is not charged to ns/op.
    static let work = ScenarioOption(
        name: "work", short: "w", values: .integer(0...maxWork), default: .integer(defaultWork),
        help:
            "Spin steps inside the initialiser (its cost; 1,000,000 is about 0.7 ms on a 3 GHz x86 core), 0 to \(maxWork.grouped).",
        headerLine: { work in "  initialiser \(work.integer.grouped) spin steps (--work)" },
        brief: { work in work.integer != defaultWork ? "initialiser --work \(work.integer)" : nil })

    static let relaxedNote: String = {
        #if arch(x86_64) || arch(i386)
            return
                "The Swift and C++ memory models allow a relaxed reader to see the instance before its fields;"
                + " x86-64 hardware (TSO) does not reorder those stores or loads, so this CPU is not expected"
                + " to show it. It is still a bug: ARM and the compiler may reorder."
        #else
            return
                "The memory model allows a relaxed reader to see the instance before its fields; this CPU may"
                + " reorder them, but the window is short: try more workers and runs."
        #endif
    }()

    /// One run: a fresh instance table and holder; every worker asks for the
    /// instance once (the first access, which builds or waits: not measured), then as
    /// long as its budget lasts, checks its fields, and remembers which instances it got. Afterwards: how many were built, and which workers got one
    /// other than the instance that stayed published.
    static func run<Lazy: LazyInstance>(
        _ request: Request, _ pool: WorkerPool, makeLazy: (InstanceTable) -> Lazy
    ) throws -> Observation {
        let table = InstanceTable(capacity: request.threads + 1, work: request.integer(work))
        let lazy = makeLazy(table)
        let seen = PerWorker(count: request.threads, [Int]())
        let halfBuilt = PerWorker(count: request.threads, 0)
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            // The first access is where the race is, and it may run the costly
            // initialiser (or wait for it): outside the measurement, so that ns/op is
            // the fast path's price. Later accesses are the operations.
            var last = lazy.instance()
            var ids = [last]
            var incomplete = table.isComplete(last) ? 0 : 1
            budget.startMeasuringHere()
            budget.forEachOperation {
                let id = lazy.instance()
                if id != last {
                    if !ids.contains(id) { ids.append(id) }
                    last = id
                }
                if !table.isComplete(id) { incomplete += 1 }
            }
            seen[worker] = ids
            halfBuilt[worker] = incomplete
        }
        let published = lazy.published
        // Every worker that made its first access holds an instance, even one whose
        // window closed while it was still building.
        let workers = (0..<request.threads).filter { !seen[$0].isEmpty }
        let split = workers.filter { seen[$0].contains { $0 != published } }.count
        return Observation(
            expected: workers.count, observed: workers.count - split, operations: timing.operations,
            anomalies: [
                Anomalies.splitWorkers.count(split), Anomalies.extraInits.count(max(0, table.builds - 1)),
                Anomalies.halfBuiltReads.count(workers.reduce(0) { $0 + halfBuilt[$1] }),
            ],
            timing: timing)
    }
}

private let lazyInitExplanation = """
    THE RACE
      A singleton built on first use: "if there is no instance yet, create it".
      The check and the create are two steps, and the initialiser is slow, so
      the gap between them is wide:

        worker 0                      worker 1
        --------------------------    --------------------------
        instance == nil?  -> yes
                                      instance == nil?  -> yes
        build one (slow)  -> #1
                                      build one (slow)  -> #2
        instance = #1
                                      instance = #2
        use #1                        use #2

      The initialiser ran twice, and worker 0 goes on with an instance nobody else
      has ("split workers"): two caches, two connection pools, two counters
      that should have been one. racelab's `unsafe` strategy does exactly this
      with a relaxed atomic for the instance; `--work N` is the initialiser's cost.

      Double-checked locking fixes that with a lock around the create, and a
      second check inside it, so the fast path needs no lock. But publishing
      the instance needs ordering: a reader that sees the instance must also
      see its fields. `relaxed-publication` publishes with a relaxed store and
      reads with a relaxed load: the memory model lets a reader see a
      half-built instance. x86-64 keeps stores and loads in order (TSO), so on
      this kind of CPU racelab counts zero half-built reads: allowed by the
      model, not observed here. ARM CPUs and the compiler may reorder.

    THE FIXES
      double-checked  Check (acquire load); if empty, lock, check again, build,
                      publish with a release store. After the first access the
                      fast path is one load: on x86 a plain mov.
      locked-always   Lock on every access: simple and correct, and every
                      access pays for the lock (and waits under contention).
      static-let      Swift's own answer: a `static let` (or a global `let`) is
                      initialised lazily, once, thread-safely, by the runtime
                      (swift_once). Once per process: racelab runs each run in a
                      fresh child process.
      pthread-once    The C library's: pthread_once runs the initialiser once;
                      callers that arrive meanwhile wait for it to finish.
    """
