import RaceLab
import RaceLabModel

/// `racelab deadlock`: an operation that needs two locks. Half the workers take A
/// then B, the other half B then A.
package enum DeadlockScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let deadlockedWorkers = AnomalyKind(id: "deadlocked-workers", name: "deadlocked workers")
    }

    package static let scenario = Scenario(
        name: "deadlock",
        summary: "Two locks taken in opposite orders vs one global order, try-lock and back off, one lock",
        operationName: "transfers",
        expectedLabel: "workers",
        observedLabel: "finished",
        countsLegend: "workers that started / workers that finished their transfers",
        anomalies: [Anomalies.deadlockedWorkers],
        options: [],
        strategies: [
            Strategy(
                name: "opposite-order",
                summary: "half the workers take A then B, half B then A: they can wait for each other forever",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in try run(request, pool, watchForStall: true, transfer: Transfers.oppositeOrder) },
            Strategy(
                name: "ordered", summary: "one global order: every worker takes A, then B", isExpectedSafe: true
            ) { request, pool in try run(request, pool, transfer: Transfers.ordered) },
            Strategy(
                name: "try-lock",
                summary: "opposite orders, but try the second lock; if taken, let go of the first and retry",
                isExpectedSafe: true
            ) { request, pool in try run(request, pool, transfer: Transfers.tryLock) },
            Strategy(
                name: "single-lock", summary: "one coarse lock for every transfer", isExpectedSafe: true
            ) { request, pool in try run(request, pool, transfer: Transfers.singleLock) },
        ],
        explanation: deadlockExplanation,
        leastDefaultWorkers: LeastWorkers(2, why: "one worker per lock order"), exposedWord: "DEADLOCK",
        childDiedWord: "DEADLOCK")

    /// Each strategy's transfer, written once: `racelab deadlock` runs it on real
    /// workers, `racelab explore deadlock` on virtual ones. Returns the attempts that had
    /// to let go (try-lock's back-offs).
    enum Transfers {
        typealias Transfer = @Sendable (TwoLocks, _ worker: Int, _ done: inout Int) -> Int

        static let oppositeOrder: Transfer = { locks, worker, done in
            worker % 2 == 0
                ? locks.inOrder(TwoLocks.a, TwoLocks.b, worker: worker, done: &done)
                : locks.inOrder(TwoLocks.b, TwoLocks.a, worker: worker, done: &done)
            return 0
        }
        static let ordered: Transfer = { locks, worker, done in
            locks.inOrder(TwoLocks.a, TwoLocks.b, worker: worker, done: &done)
            return 0
        }
        static let tryLock: Transfer = { locks, worker, done in
            worker % 2 == 0
                ? locks.backingOff(TwoLocks.a, TwoLocks.b, worker: worker, done: &done)
                : locks.backingOff(TwoLocks.b, TwoLocks.a, worker: worker, done: &done)
        }
        static let singleLock: Transfer = { locks, worker, done in
            locks.coarse(worker: worker, done: &done)
            return 0
        }
    }

    /// One run: every worker transfers as long as its budget lasts. With
    /// `watchForStall` (a strategy that can deadlock, run in a child process), a
    /// watch thread samples their progress; if nobody moves for 200 ms the workers
    /// are stuck for good, and the watch reports who holds which lock and ends the
    /// child.
    static func run(
        _ request: Request, _ pool: WorkerPool, watchForStall: Bool = false,
        transfer: @escaping @Sendable (TwoLocks, Int, inout Int) -> Int
    ) throws -> Observation {
        let locks = TwoLocks(workers: request.threads)
        let retries = PerWorker(count: request.threads, 0)
        let watch = StuckRunWatch(
            isOn: watchForStall, progress: { locks.totalProgress() },
            report: { stuck(locks, workers: request.threads) })
        defer { watch.stop() }
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            watch.workerStarted()
            var done = 0
            var retried = 0
            budget.forEachOperation { retried &+= transfer(locks, worker, &done) }
            retries[worker] = retried
        }
        let retried = (0..<request.threads).reduce(0) { $0 + retries[$1] }
        let workers = (0..<request.threads).filter { timing.workers[$0].startSkewNanoseconds != nil }.count
        return Observation(
            expected: workers, observed: workers, operations: timing.operations,
            anomalies: [Anomalies.deadlockedWorkers.count(0)], timing: timing,
            detail: retried > 0
                ? "let go and retried \(retried.grouped) times (\(ratio(retried, timing.operations)) per transfer)"
                : nil)
    }

    /// The report of a run whose workers stopped moving: who waits for what.
    static func stuck(_ locks: TwoLocks, workers: Int) -> Observation {
        let name = [TwoLocks.a: "A", TwoLocks.b: "B"]
        var stuck: [String] = []
        for worker in 0..<workers {
            let waits = locks.waitingFor[worker].pointee.load(ordering: .relaxed)
            guard waits != 0 else { continue }
            let held = locks.holding[worker].pointee.load(ordering: .relaxed)
            let holds = [TwoLocks.a, TwoLocks.b].filter { held & $0 != 0 }.compactMap { name[$0] }
            stuck.append(
                "worker \(worker) "
                    + (holds.isEmpty ? "" : "holds \(holds.joined(separator: " and ")) and ")
                    + "waits for \(name[waits] ?? "?")")
        }
        let shown =
            stuck.count > 4
            ? stuck.prefix(4).joined(separator: "; ") + "; \(stuck.count - 4) more" : stuck.joined(separator: "; ")
        let done = locks.totalProgress()
        return Observation(
            expected: workers, observed: workers - stuck.count, operations: done,
            anomalies: [Anomalies.deadlockedWorkers.count(stuck.count)], timing: nil,
            detail: "deadlocked after \(done.counted("transfer")): \(shown); nothing moved for"
                + " \(StuckRunWatch.stallMilliseconds) ms, so racelab ended the child")
    }

    private static func ratio(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "-" }
        let hundredths = (part * 100 + whole / 2) / whole
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

private let deadlockExplanation = """
    THE RACE
      A transfer needs two locks: the source account's and the target's. Worker 0
      moves money from account 1 to 2 and locks 1, then 2; worker 1 moves money
      from 2 to 1 and locks 2, then 1:

        worker 0                      worker 1
        --------------------------    --------------------------
        lock account 1    -> got it
                                      lock account 2    -> got it
        lock account 2    -> wait...
                                      lock account 1    -> wait...

      Each holds what the other needs, and neither lets go: a deadlock. No data
      is corrupted; the program just stops, forever. It runs in a child process:
      racelab watches the workers' progress, and when nothing has moved for
      200 ms it says who holds which lock, then ends the child (the watchdog,
      --timeout, is the backstop).

    THE FIXES
      ordered       One global order: every worker takes lock A before lock B
                    (say, the lower account number first). A cycle of waits
                    needs two orders, so there is none.
      try-lock      Keep the opposite orders, but try the second lock; if it is
                    taken, let go of the first, yield, and start over. No
                    deadlock, but work is thrown away: racelab counts the retries.
      single-lock   One lock for every transfer: nothing to order, and every
                    transfer waits for every other.
    """
