// The only line that moved this file onto racelab: `import Synchronization` became
// `import RaceLabSync`. Its `Atomic` and `Mutex` are Synchronization's, the same
// operations and orderings; inside racelab's explorer each one is also a scheduling
// point. (`name:` is optional: it is what a timeline calls the value.)
import RaceLabSync

/// An account that pays a withdrawal only if the balance covers it: check-then-act
/// on an atomic balance.
///
/// The race: the balance is read in one atomic step and written in another. Each step
/// is atomic, so nothing is torn (it is `Sendable` without `@unchecked`), but two
/// withdrawals that read the same balance both pay, and the second store overwrites
/// the first: money paid out that the balance never lost. The last 10 in the account
/// can be paid twice.
public final class RacyAccount: Sendable {
    private let balance: Atomic<Int>
    private let paidOut = Atomic(0, name: "paidOut")
    /// The balance the account opened with.
    public let opening: Int

    public init(balance: Int) {
        opening = balance
        self.balance = Atomic(balance, name: "balance")
    }

    /// Pays `amount` if the balance covers it; whether it paid.
    public func withdraw(_ amount: Int) -> Bool {
        let current = balance.load(ordering: .acquiring)  // check
        guard current >= amount else { return false }
        balance.store(current - amount, ordering: .releasing)  // act: `current` may be stale by now
        paidOut.wrappingAdd(amount, ordering: .relaxed)
        return true
    }

    /// What is left.
    public var remaining: Int { balance.load(ordering: .acquiring) }
    /// What was paid out in all.
    public var paid: Int { paidOut.load(ordering: .relaxed) }
}

/// The fix: the check and the act are one critical section.
public final class Account: Sendable {
    private let balance: Mutex<Int>
    private let paidOut = Atomic(0, name: "paidOut")
    /// The balance the account opened with.
    public let opening: Int

    public init(balance: Int) {
        opening = balance
        self.balance = Mutex(balance, name: "balance")
    }

    /// Pays `amount` if the balance covers it; whether it paid.
    public func withdraw(_ amount: Int) -> Bool {
        let didPay = balance.withLock { balance in
            guard balance >= amount else { return false }
            balance -= amount
            return true
        }
        if didPay { paidOut.wrappingAdd(amount, ordering: .relaxed) }
        return didPay
    }

    /// What is left.
    public var remaining: Int { balance.withLock { $0 } }
    /// What was paid out in all.
    public var paid: Int { paidOut.load(ordering: .relaxed) }
}
