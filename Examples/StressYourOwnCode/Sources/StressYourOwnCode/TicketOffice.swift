/// A box office that sells seats: an actor, so no data race, and still a race.
///
/// The race: `sell()` checks that a seat is left, then awaits (the payment, here
/// `Task.yield()`: any `await` does it), then counts the sale. An actor runs one call
/// at a time only between awaits: while one `sell()` is suspended, another caller's
/// `sell()` runs, checks the same `sold` and passes too (actor reentrancy). Two buyers
/// of the last seat both get `true`: the office oversells, `sold > seats`. Swift 6's
/// compiler cannot see this; it is a logic race, not a data race.
public actor RacyTicketOffice {
    /// How many seats there are to sell.
    public let seats: Int
    /// Sales that returned `true`.
    public private(set) var sold = 0

    public init(seats: Int) { self.seats = seats }

    /// Sells one seat: `true` when the buyer got one.
    public func sell() async -> Bool {
        guard sold < seats else { return false }  // check
        await Task.yield()  // the payment: another sell() may run here
        sold += 1  // act, on a check that may be stale
        return true
    }
}

/// The fix of `RacyTicketOffice`: the check and the act with no await between them.
///
/// `sell()` takes the seat (checks and counts it) before it awaits the payment, so no
/// other call can run between the check and the act: the actor's isolation covers the
/// whole check-then-act. `sold` never exceeds `seats`, and every `true` is one seat.
/// (The other fix: check again after the await, and give up when the seats are gone.)
public actor TicketOffice {
    /// How many seats there are to sell.
    public let seats: Int
    /// Sales that returned `true`.
    public private(set) var sold = 0

    public init(seats: Int) { self.seats = seats }

    /// Sells one seat: `true` when the buyer got one.
    public func sell() async -> Bool {
        guard sold < seats else { return false }
        sold += 1  // the seat is taken before anything awaits
        await Task.yield()  // the payment
        return true
    }
}
