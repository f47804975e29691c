import RaceLab
import RaceLabModel

/// `racelab counter`: every worker increments one shared counter.
///
/// The atomicity fallacy in its smallest form: `counter += 1` is a read, an add
/// and a write, and two workers can both read 41 and both write 42.
package enum CounterScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let lostUpdates = AnomalyKind(id: "lost-updates", name: "lost updates")
    }

    package static let scenario = Scenario(
        name: "counter",
        summary: "Shared counter: unsafe += vs mutex, pthread mutex, atomic, sharded, serial queue, actor",
        operationName: "increments",
        expectedLabel: "expected",
        observedLabel: "counted",
        anomalies: [Anomalies.lostUpdates],
        options: [.work, .witness],
        strategies: [
            Strategy(
                name: Strategy.unsafeName,
                summary: "load, add 1, store: every access atomic, the increment not",
                isExpectedSafe: false
            ) { request, pool in
                request.integer(.witness) == 1
                    ? try runWitnessed(request, pool)
                    : try run(UnsafeCounter(work: request.integer(.work)), request, pool)
            },
            Strategy(
                name: "mutex", summary: "Synchronization.Mutex around the increment",
                isExpectedSafe: true
            ) { request, pool in try run(MutexCounter(), request, pool) },
            Strategy(
                name: "pthread-mutex", summary: "pthread_mutex_t around the increment",
                isExpectedSafe: true
            ) { request, pool in try run(PthreadMutexCounter(), request, pool) },
            Strategy(
                name: "atomic", summary: "Atomic<Int>.wrappingAdd: one locked instruction",
                isExpectedSafe: true
            ) { request, pool in try run(AtomicCounter(), request, pool) },
            Strategy(
                name: "sharded",
                summary: "one padded slot per worker, summed at the end: stop sharing (thread-local state)",
                isExpectedSafe: true
            ) { request, pool in try run(ShardedCounter(workers: request.threads), request, pool) },
            Strategy(
                name: "serial-queue", summary: "a serial DispatchQueue owns the count: queue.sync per increment",
                isExpectedSafe: true
            ) { request, pool in try run(SerialQueueCounter(), request, pool) },
            Strategy(
                name: "actor", summary: "the count in an actor; workers are tasks that await its method",
                isExpectedSafe: true, runsInChildProcess: true
            ) { request, pool in try runActor(request, pool) },
        ],
        explanation: counterExplanation)

    /// The unsafe counter, witnessed: a run without the recording (how often the race
    /// loses when nobody watches), then one that records every read, each worker
    /// stopping when its buffer is full; the report's row is the recorded run, and
    /// its witness accounts for every update it lost.
    static func runWitnessed(_ request: Request, _ pool: WorkerPool) throws -> Observation {
        let work = request.integer(.work)
        let unwatched = try run(UnsafeCounter(work: work), request, pool)
        let counter = WitnessedCounter(
            workers: request.threads, readsPerWorker: ScenarioOption.witnessReads(request), work: work)
        var observation = try run(counter, request, pool)
        var witness = counter.log(operations: observation.operations).account()
        witness.withoutRecording = .init(operations: unwatched.operations, lost: unwatched.primaryAnomalyCount)
        observation.witness = witness
        return observation
    }

    /// The actor strategy: workers are child tasks (whatever the backend: awaiting
    /// needs tasks), each awaiting the actor's `increment` as long as its budget lasts.
    /// It runs in a child process, on that process's main thread: the thread that
    /// waits for the task group must not be one of the cooperative pool's (racelab's
    /// tests run on that pool, and a run inside them would starve it).
    static func runActor(_ request: Request, _ pool: WorkerPool) throws -> Observation {
        let counter = CounterActor()
        let timing = try pool.runAsync(workers: request.threads, length: request.length) { _, budget in
            await budget.forEachOperation { await counter.increment() }
        }
        let expected = timing.operations
        let counted = Blocking.wait { await counter.total }
        return Observation(
            expected: expected, observed: counted, operations: expected,
            anomalies: [Anomalies.lostUpdates.count(expected - counted)], timing: timing,
            detail: pool.ranAsTasksDetail)
    }

    /// One run: every worker increments for as long as its budget lasts and counts
    /// what it did; whatever is missing from the sum at the end was lost. Generic so
    /// each counter's loop is specialised and inlined. It runs on the public stress API
    /// (`Stress`, one run, each worker's own loop): the engine a user's own type gets.
    static func run<Counter: SharedCounter>(
        _ counter: Counter, _ request: Request, _ pool: WorkerPool
    ) throws -> Observation {
        var counted = 0
        let report = try Stress(workers: request.threads, length: request.length, runs: .exactly(1), pool: pool).run {
            counter
        } loop: { counter, worker, budget in
            counter.run(worker: worker, budget: &budget)
        } check: { counter, run in
            counted = counter.total()
            try RaceFailure.unless(counted == run.operations, "lost \(run.operations - counted) updates")
        }
        let timing = report.runs[0].timing
        let expected = timing.operations
        return Observation(
            expected: expected, observed: counted, operations: expected,
            anomalies: [Anomalies.lostUpdates.count(expected - counted)], timing: timing)
    }
}

private let counterExplanation = """
    THE RACE
      `counter += 1` looks like one step. It is three: load the value, add one,
      store it back. Nothing stops another worker from running between the load
      and the store:

        worker 0                      worker 1
        --------------------------    --------------------------
        load counter      -> 41
                                      load counter      -> 41
        add 1             -> 42
                                      add 1             -> 42
        store counter     <- 42
                                      store counter     <- 42

      Two increments ran; the counter moved by one. One update is lost, silently.
      racelab's `unsafe` strategy does exactly this with a relaxed atomic load and
      a relaxed atomic store: each access is atomic, the increment is not. That is
      a race condition, not a data race: no sanitizer flags it, and it never
      crashes. `--work N` spins between the load and the store to widen the gap.
      `racelab counter --witness` shows real collisions from your machine, with
      the time of each load and store, and accounts for every update lost.

    THE FIXES
      mutex, pthread-mutex  Make load-add-store one critical section: while worker
                            0 holds the lock, worker 1 waits, so it loads 42, not
                            41. Costs a lock acquire and release per increment,
                            more under contention.
      atomic                Let the hardware do the read-modify-write as one
                            indivisible instruction (lock xadd on x86). No lock, but
                            the cache line still bounces between cores.
      sharded               Stop sharing: each worker counts in its own cache line
                            (thread-local state, Python's threading.local()) and
                            the slots are summed at the end. Nothing to race on,
                            nothing to wait for; the total is only exact once the
                            workers are done. The cache's `thread-local` is the
                            same idea with a dictionary per worker.
      serial-queue          The pre-actor Swift idiom: a serial DispatchQueue owns
                            the count and every increment is a queue.sync onto it.
      actor                 Swift concurrency's: the count lives in an actor, and
                            the workers are tasks that await its increment(). The
                            compiler proves it free of data races; each call is an
                            actor hop. It runs on Swift's cooperative pool (about
                            one thread per CPU), whatever --backend says.
    """
