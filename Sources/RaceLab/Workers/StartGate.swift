import CRaceLabShims
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts workers together at a shared start time, so thread creation, wake-up and
/// start skew are never inside the measured window.
///
/// Two phases. Arrival: each worker checks in and yields its CPU while it waits,
/// because with more workers than CPUs a waiter that kept its CPU would keep a
/// not-yet-arrived worker off it. When the last of `expected` arrives, it sets the
/// start time a short lead ahead (`leadNanoseconds`), enough for every waiter to
/// see it. Release: each worker yields until the start is near, then spins with a
/// pause hint, keeping its CPU awake and its own, until the clock reaches the start.
///
/// With `stallNanoseconds` set, a waiter that sees no new arrival for that long
/// sets the start itself: that is how a Dispatch pool that runs fewer workers at
/// once than hoped cannot deadlock. Workers arriving after the start pass straight
/// through; their lateness is their measured start skew.
final class StartGate: Sendable {
    private let expected: Int
    private let stallNanoseconds: UInt64?
    private let leadNanoseconds: UInt64
    private let arrived = Atomic<Int>(0)
    private let startTime = Atomic<UInt64>(0)  // 0 = not yet set
    private let abandoned = Atomic<Bool>(false)

    /// Closer than this to the start, a waiter stops yielding and spins.
    static let spinNanoseconds: UInt64 = 200_000

    init(expected: Int, stallNanoseconds: UInt64? = nil, leadNanoseconds: UInt64? = nil) {
        self.expected = max(1, expected)
        self.stallNanoseconds = stallNanoseconds
        // 2 ms, plus a little per worker: every waiter must be scheduled once to see it.
        self.leadNanoseconds = leadNanoseconds ?? (2_000_000 + 5_000 * UInt64(self.expected))
    }

    /// The shared start on `MonotonicClock`; 0 while it is not set.
    var start: UInt64 { startTime.load(ordering: .acquiring) }

    /// Tells waiters to give up (e.g. a thread could not be created).
    /// They return false from `arriveAndWait`.
    func abandon() { abandoned.store(true, ordering: .releasing) }

    var isAbandoned: Bool { abandoned.load(ordering: .acquiring) }

    /// Waits for the shared start (`start`); false if the gate was abandoned.
    func arriveAndWait() -> Bool {
        let position = arrived.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if position >= expected { setStart() }
        var lastSeen = position
        var lastChange = MonotonicClock.now()
        while startTime.load(ordering: .acquiring) == 0 {
            if isAbandoned { return false }
            sched_yield()
            if let stall = stallNanoseconds {
                let now = MonotonicClock.now()
                let count = arrived.load(ordering: .relaxed)
                if count != lastSeen {
                    lastSeen = count
                    lastChange = now
                } else if now - lastChange > stall {
                    setStart()
                }
            }
        }
        let start = startTime.load(ordering: .acquiring)
        while true {
            let now = MonotonicClock.now()
            if now >= start { break }
            if start - now > Self.spinNanoseconds {
                sched_yield()
            } else {
                racelab_cpu_relax()
            }
        }
        return !isAbandoned
    }

    private func setStart() {
        _ = startTime.compareExchange(
            expected: 0, desired: MonotonicClock.now() + leadNanoseconds, ordering: .acquiringAndReleasing)
    }
}
