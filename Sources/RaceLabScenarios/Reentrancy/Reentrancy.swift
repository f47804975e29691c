import RaceLab
import RaceLabModel

/// `racelab reentrancy`: a method that holds a lock calls another method that takes
/// the same lock. Python's `Lock` deadlocks there and its `RLock` does not; what do
/// Swift's and the C library's locks do?
package enum ReentrancyScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let failedCalls = AnomalyKind(id: "failed-calls", name: "failed calls")
        package static let stuckWorkers = AnomalyKind(id: "stuck-workers", name: "stuck workers")
    }

    package static let scenario = Scenario(
        name: "reentrancy",
        summary: "A method holding a lock calls one that takes it again: Mutex, pthread kinds, split",
        operationName: "calls",
        expectedLabel: "calls",
        observedLabel: "audited",
        countsLegend: "calls made (and, stuck, calls begun) / calls whose nested audit ran",
        anomalies: [Anomalies.failedCalls, Anomalies.stuckWorkers],
        options: [],
        strategies: [
            Strategy(
                name: "mutex", summary: "Synchronization.Mutex locked again inside withLock: it traps",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in try run(MutexAccount(workers: request.threads), request, pool) },
            Strategy(
                name: "pthread-default",
                summary: "a default pthread mutex locked again by its owner: it waits for itself forever",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in
                try run(PthreadAccount(workers: request.threads, kind: .normal), request, pool, watchForStall: true)
            },
            Strategy(
                name: "pthread-errorcheck",
                summary: "an error-checking pthread mutex: the second lock returns EDEADLK, the nested call fails",
                isExpectedSafe: false
            ) { request, pool in try run(PthreadAccount(workers: request.threads, kind: .errorCheck), request, pool) },
            Strategy(
                name: "pthread-recursive",
                summary: "a recursive pthread mutex (Python's RLock): the owner may lock again",
                isExpectedSafe: true
            ) { request, pool in try run(PthreadAccount(workers: request.threads, kind: .recursive), request, pool) },
            Strategy(
                name: "split",
                summary: "the public method locks and calls a private helper that assumes the lock",
                isExpectedSafe: true
            ) { request, pool in try run(SplitAccount(workers: request.threads), request, pool) },
        ],
        explanation: reentrancyExplanation, exposedWord: "BUG EXPOSED", childDiedWord: "BUG EXPOSED")

    /// One run: every worker calls the account's public method as long as its budget
    /// lasts. A call that locks twice either works, fails (EDEADLK), traps (the child
    /// dies), or never returns: then, with `watchForStall`, the watch reports who is
    /// stuck and ends the child.
    static func run(
        _ account: ReentrantAccount, _ request: Request, _ pool: WorkerPool, watchForStall: Bool = false
    ) throws -> Observation {
        let failed = PerWorker(count: request.threads, 0)
        let watch = StuckRunWatch(
            isOn: watchForStall, progress: { account.totalProgress() },
            report: { stuck(account, workers: request.threads) })
        defer { watch.stop() }
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            watch.workerStarted()
            var calls = 0
            var failures = 0
            budget.forEachOperation {
                if !account.depositAndAudit(worker: worker) { failures += 1 }
                calls += 1
                account.finished(worker, calls: calls)
            }
            failed[worker] = failures
        }
        let calls = timing.operations
        let audited = account.audits.load(ordering: .relaxed)
        return Observation(
            expected: calls, observed: audited, operations: calls,
            anomalies: [
                Anomalies.failedCalls.count((0..<request.threads).reduce(0) { $0 + failed[$1] }),
                Anomalies.stuckWorkers.count(0),
            ],
            timing: timing)
    }

    /// The report of a run that stopped moving: who holds the lock and waits for it.
    static func stuck(_ account: ReentrantAccount, workers: Int) -> Observation {
        var selfDeadlocked: [Int] = []
        var queued = 0
        for worker in 0..<workers where account.waiting[worker].pointee.load(ordering: .relaxed) == 1 {
            if account.holding[worker].pointee.load(ordering: .relaxed) == 1 {
                selfDeadlocked.append(worker)
            } else {
                queued += 1
            }
        }
        let calls = account.totalProgress()
        let who = selfDeadlocked.map { "worker \($0)" }.joined(separator: ", ")
        let others = queued > 0 ? "; \(queued) other worker\(queued == 1 ? " waits" : "s wait") behind it" : ""
        return Observation(
            expected: calls + selfDeadlocked.count + queued, observed: account.audits.load(ordering: .relaxed),
            operations: calls,
            anomalies: [Anomalies.failedCalls.count(0), Anomalies.stuckWorkers.count(selfDeadlocked.count + queued)],
            timing: nil,
            detail:
                "self-deadlock after \(calls.counted("call")): \(who.isEmpty ? "a worker" : who) holds the lock and"
                + " waits for it again\(others); nothing moved for \(StuckRunWatch.stallMilliseconds) ms, so racelab ended the child"
        )
    }
}

private let reentrancyExplanation = """
    THE RACE
      Not a race between workers this time: one worker against itself. A
      public method takes the account's lock and, while holding it, calls
      another public method that takes the same lock:

        worker 0                      the lock
        --------------------------    --------------------------
        deposit(): lock               held by 0
          balance += 1
          audit(): lock               held by 0: wait for 0...
                                      ...which waits for itself

      Python's threading.Lock waits forever there; threading.RLock lets its
      owner in again. Each of Swift's and the C library's locks answers
      differently, and racelab runs each (the ones that trap or hang in a child
      process, with a watch that says who is stuck).

    THE FIXES
      pthread-recursive  A recursive mutex (RLock): it knows its owner and
                         counts how deep it is locked. It works, and it hides
                         the question of which code needs the lock.
      split              The usual answer: the public method takes the lock and
                         calls a private helper that assumes it is held
                         (auditLocked). Nothing locks twice; it is the cheapest.
      Not fixes, but worth knowing: Synchronization.Mutex checks and traps
      (mutex); an error-checking pthread mutex refuses with EDEADLK, and the
      nested call fails (pthread-errorcheck); a default one deadlocks
      (pthread-default).
    """
