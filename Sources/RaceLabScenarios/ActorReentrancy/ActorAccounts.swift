import CRaceLabShims

/// A bank account as an actor: every access to its balance is isolated, so the
/// Swift 6 compiler accepts it, and there is no data race. But an actor method that
/// awaits in the middle lets other calls in at that suspension point (actor
/// reentrancy): a balance checked before the await may be spent by the time it acts.
package actor AccountActor {
    private var balance: Int
    private let funds: Int
    private let workSteps: Int64
    /// Withdrawals that left the balance below zero, and how far below it went.
    package private(set) var overdrawn = 0
    package private(set) var deepest = 0
    private(set) var refused = 0

    package init(funds: Int, work: Int) {
        balance = funds
        self.funds = funds
        workSteps = Int64(work)
    }

    /// The simulated I/O between the check and the act: a suspension point, after
    /// `--work` spin steps of "preparing the request".
    private func awaitSomething() async {
        if workSteps > 0 { racelab_spin(workSteps) }
        await Task.yield()
    }

    private func subtract(_ amount: Int) {
        balance -= amount
        if balance < 0 {
            overdrawn += 1
            deepest = min(deepest, balance)
        }
    }

    /// Payday: when a withdrawal is refused, the account is refilled, so the
    /// workload keeps meeting the edge of the funds.
    private func refuse() -> Bool {
        refused += 1
        balance = funds
        return false
    }

    /// Check, await, act: the check is stale by the time it acts.
    package func withdrawCheckThenAwait(_ amount: Int) async -> Bool {
        guard balance >= amount else { return refuse() }
        await awaitSomething()
        subtract(amount)
        return true
    }

    /// Check, await, check again: a withdrawal the balance no longer covers fails.
    package func withdrawRecheck(_ amount: Int) async -> Bool {
        guard balance >= amount else { return refuse() }
        await awaitSomething()
        guard balance >= amount else { return refuse() }
        subtract(amount)
        return true
    }

    /// The await first, then the check and the act in one synchronous stretch with
    /// no suspension point between them.
    package func withdrawAfterAwait(_ amount: Int) async -> Bool {
        await awaitSomething()
        return withdrawNow(amount)
    }

    private func withdrawNow(_ amount: Int) -> Bool {
        guard balance >= amount else { return refuse() }
        subtract(amount)
        return true
    }
}
