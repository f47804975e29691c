import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds workers back until enough of them are ready, then lets them go at once,
/// so thread creation is never inside the timed region.
///
/// The last of `expected` arrivals releases the gate and stamps the release time;
/// later arrivals pass straight through. Waiters spin briefly and then yield, so
/// more workers than cores still make progress. With `stallNanoseconds` set, a
/// waiter that sees no new arrival for that long releases the gate itself: that is
/// how a Dispatch pool that runs fewer workers at once than hoped cannot deadlock.
final class StartGate: Sendable {
    private let expected: Int
    private let stallNanoseconds: UInt64?
    private let arrived = Atomic<Int>(0)
    private let releasedAt = Atomic<UInt64>(0)  // 0 = still closed
    private let abandoned = Atomic<Bool>(false)

    init(expected: Int, stallNanoseconds: UInt64? = nil) {
        self.expected = max(1, expected)
        self.stallNanoseconds = stallNanoseconds
    }

    /// When the gate opened, on `MonotonicClock`; 0 if it never did.
    var releaseTime: UInt64 { releasedAt.load(ordering: .acquiring) }

    /// Tells waiters to give up (e.g. a thread could not be created).
    /// They return `false` from `arriveAndWait`.
    func abandon() { abandoned.store(true, ordering: .releasing) }

    /// Blocks until the gate opens. Returns `false` if the gate was abandoned.
    func arriveAndWait() -> Bool {
        let position = arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if position >= expected { open() }
        var spins = 0
        var lastSeen = position
        var lastChange = UInt64(0)
        while releasedAt.load(ordering: .acquiring) == 0 {
            if abandoned.load(ordering: .acquiring) { return false }
            spins += 1
            if spins < 2_000 { continue }
            sched_yield()
            if let stall = stallNanoseconds {
                let now = MonotonicClock.now()
                let count = arrived.load(ordering: .relaxed)
                if count != lastSeen || lastChange == 0 {
                    lastSeen = count
                    lastChange = now
                } else if now - lastChange > stall {
                    open()
                }
            }
        }
        return !abandoned.load(ordering: .acquiring)
    }

    private func open() {
        _ = releasedAt.compareExchange(
            expected: 0, desired: max(1, MonotonicClock.now()), ordering: .acquiringAndReleasing)
    }
}
