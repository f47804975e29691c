import RaceLab
import RaceLabExplore

/// `racelab explore actor-reentrancy`: the strategies' own `AccountActor` with one unit
/// of funds, each worker withdrawing 1 per operation, explored job by job: every hop,
/// every `Task.yield()` a choice. The balance may never go below zero.
extension ActorReentrancyScenario {
    static let exploreModel = ExploreModel(
        scenario: "actor-reentrancy",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "AccountActor.withdrawCheckThenAwait: check, await, subtract") {
                _, _ in withdrawing { await $0.withdrawCheckThenAwait(1) }
            },
            ExploreStrategyModel("recheck", safe: true, "AccountActor.withdrawRecheck: check, await, check again") {
                _, _ in withdrawing { await $0.withdrawRecheck(1) }
            },
            ExploreStrategyModel(
                "no-suspension", safe: true, "AccountActor.withdrawAfterAwait: await, then check and subtract"
            ) { _, _ in withdrawing { await $0.withdrawAfterAwait(1) } },
        ])

    /// One unit of funds (refilled when a withdrawal is refused, as on real workers);
    /// a withdrawal that overdraws the account fails the schedule.
    private static func withdrawing(_ withdraw: @escaping @Sendable (AccountActor) async -> Bool)
        -> AsyncProgram<AccountActor>
    {
        AsyncProgram {
            AccountActor(funds: 1, work: 0)
        } body: { account, _, _ in
            _ = await withdraw(account)
        } check: { account, _ in
            let (overdrawn, deepest) = await (account.overdrawn, account.deepest)
            try RaceFailure.unless(
                overdrawn == 0, "\(overdrawn.counted("withdrawal")) overdrew the account, down to \(deepest)")
        }
    }
}
