import RaceLab
import RaceLabExplore

/// Two accounts' locks: a transfer needs both.
private final class ExploredAccounts: Sendable {
    let a = ExploreMutex("A")
    let b = ExploreMutex("B")
    let transfers = Shared("transfers", 0)
    init(threads: Int) {}
}

extension DeadlockScenario {
    /// Each thread makes `operations` transfers; odd threads take the locks the other way.
    /// try-lock backs off with a `yield`, whose fairness rule lets the holder run: its
    /// schedules end but for the ones where the threads back off in lockstep, each round
    /// a preemption (a livelock a real scheduler breaks by chance), so it is explored up
    /// to 3 preemptions, not completely: 292 schedules at 2 x 2, 131,222 at 8.
    static let exploreModel = ExploreModel(
        scenario: "deadlock",
        strategies: [
            ExploreStrategyModel(
                "opposite-order", safe: false, "even threads lock A then B, odd ones B then A",
                make: ExploredAccounts.init,
                body: { accounts, thread, operations in
                    let (first, second) = thread.index % 2 == 0 ? (accounts.a, accounts.b) : (accounts.b, accounts.a)
                    for _ in 0..<operations { try transfer(accounts, thread, first, second) }
                }, check: allDone),
            ExploreStrategyModel(
                "ordered", safe: true, "every thread locks A, then B", make: ExploredAccounts.init,
                body: { accounts, thread, operations in
                    for _ in 0..<operations { try transfer(accounts, thread, accounts.a, accounts.b) }
                }, check: allDone),
            ExploreStrategyModel(
                "try-lock", safe: true, preemptionBound: 3,
                "opposite orders; the second lock tried, on failure let go and yield",
                make: ExploredAccounts.init,
                body: { accounts, thread, operations in
                    let (first, second) = thread.index % 2 == 0 ? (accounts.a, accounts.b) : (accounts.b, accounts.a)
                    for _ in 0..<operations {
                        while true {
                            try thread.lock(first)
                            if try thread.tryLock(second) {
                                try thread.store(accounts.transfers, try thread.load(accounts.transfers) + 1)
                                try thread.unlock(second)
                                try thread.unlock(first)
                                break
                            }
                            try thread.unlock(first)
                            try thread.yield()
                        }
                    }
                }, check: allDone),
            ExploreStrategyModel(
                "single-lock", safe: true, "one lock for both accounts", make: ExploredAccounts.init,
                body: { accounts, thread, operations in
                    for _ in 0..<operations {
                        try thread.lock(accounts.a)
                        try thread.store(accounts.transfers, try thread.load(accounts.transfers) + 1)
                        try thread.unlock(accounts.a)
                    }
                }, check: allDone),
        ])

    private static func transfer(
        _ accounts: ExploredAccounts, _ thread: VirtualThread, _ first: ExploreMutex, _ second: ExploreMutex
    ) throws {
        try thread.lock(first)
        try thread.lock(second)
        try thread.store(accounts.transfers, try thread.load(accounts.transfers) + 1)
        try thread.unlock(second)
        try thread.unlock(first)
    }

    private static let allDone: @Sendable (ExploredAccounts, Int, Int) throws -> Void = {
        accounts, threads, operations in
        try RaceFailure.unless(
            accounts.transfers.value == threads * operations,
            "\(accounts.transfers.value) of \(threads * operations) transfers done")
    }
}
