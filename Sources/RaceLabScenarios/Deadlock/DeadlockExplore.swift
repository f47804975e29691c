import RaceLab
import RaceLabExplore
import RaceLabModel

/// `racelab explore deadlock`: the strategies' own transfers (`Transfers`, the same
/// closures `racelab deadlock` runs) on `TwoLocks`, whose pthread mutexes A and B the
/// explorer sees. try-lock backs off with `yieldThread()`, whose fairness rule lets the
/// holder run: its schedules end but for the ones where the workers back off in
/// lockstep, each round a preemption (a livelock a real scheduler breaks by chance), so
/// it is explored up to 3 preemptions, not completely.
extension DeadlockScenario {
    static let exploreModel = ExploreModel(
        scenario: "deadlock",
        strategies: [
            ExploreStrategyModel(
                "opposite-order", safe: false, "even workers lock A then B, odd ones B then A"
            ) { threads, _ in transferring(threads, Transfers.oppositeOrder) },
            ExploreStrategyModel("ordered", safe: true, "every worker locks A, then B") { threads, _ in
                transferring(threads, Transfers.ordered)
            },
            ExploreStrategyModel(
                "try-lock", safe: true, preemptionBound: 3,
                "opposite orders; the second lock tried, on failure let go and yield"
            ) { threads, _ in transferring(threads, Transfers.tryLock) },
            ExploreStrategyModel("single-lock", safe: true, "one lock for both accounts") { threads, _ in
                transferring(threads, Transfers.singleLock)
            },
        ])

    private static func transferring(_ threads: Int, _ transfer: @escaping Transfers.Transfer) -> RaceTest<TwoLocks> {
        RaceTest {
            TwoLocks(workers: threads)
        } body: { locks, worker, _ in
            var done = 0
            _ = transfer(locks, worker, &done)
        } check: { locks, run in
            try RaceFailure.unless(
                locks.transfers == run.operations, "\(locks.transfers) of \(run.operations) transfers done")
        }
    }
}
