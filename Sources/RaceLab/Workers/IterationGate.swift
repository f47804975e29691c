import CRaceLabShims
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts the threads of a litmus test together, iteration after iteration: a
/// spinning barrier whose last step is a shared start time.
///
/// Thread 0 leads. Every other thread publishes the generation it has reached and waits
/// for the leader's go; the leader waits for every arrival, then (for a synchronised
/// start) picks a start time `leadTicks` ahead on the CPUs' shared timebase (the TSC on
/// x86-64, the generic timer on ARM64), publishes it with the go, and every thread spins
/// until the timebase reaches it. The lead covers the time the go needs to reach the
/// others, so all threads leave within a few nanoseconds of each other: the window in
/// which a store buffer shows (litmus7's timebase mode). A plain barrier lets the last
/// thread to arrive leave a cache-line transfer (100 ns or more) ahead of the others,
/// which hides most weak outcomes.
///
/// Waiting spins with a pause hint. With more threads than CPUs, or after `spinLimit`
/// spins (another program holds the CPU), a waiter yields its CPU instead: one that kept
/// spinning would keep the thread it waits for off the CPU. Never a lock, never a hang.
package final class IterationGate: Sendable {
    let threads: Int
    /// More threads than CPUs: waits yield at once and starts are not timed.
    let isSharingCPUs: Bool
    /// How far ahead the leader sets a synchronised start, in timebase ticks.
    let leadTicks: UInt64
    /// Slot 0: the generation the leader has released; slot t: the generation thread t reached.
    private let generations: PaddedAtomicSlots
    /// Slot 0: the start time of the generation the leader released last.
    private let startTime: PaddedAtomicSlots
    private let abandoned = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)

    /// Pause-hinted spins before a waiter starts yielding its CPU (about 0.5 ms).
    static let spinLimit = 10_000

    package init(threads: Int, isSharingCPUs: Bool, leadNanoseconds: Double) {
        self.threads = threads
        self.isSharingCPUs = isSharingCPUs
        generations = PaddedAtomicSlots(count: threads)
        startTime = PaddedAtomicSlots(count: 1)
        leadTicks = isSharingCPUs ? 0 : UInt64(max(0, leadNanoseconds * Timebase.ticksPerNanosecond))
    }

    /// Waiters give up: `pass` returns false (a thread could not be created).
    package func abandon() { abandoned.store(true, ordering: .releasing) }

    /// The leader asks every thread to stop at the end of the batch; threads read it
    /// after the next `pass`, which orders it before them.
    package func requestStop() { stopRequested.store(true, ordering: .relaxed) }

    package var isStopRequested: Bool { stopRequested.load(ordering: .relaxed) }

    /// Waits until every thread has reached `generation` (1, 2, 3, ... in every thread),
    /// then, if `isTimed`, until the shared start time. False if the gate was abandoned.
    /// The leader's release of a generation happens after everything the others did
    /// before arriving at it, and before everything they do after leaving it.
    @inline(__always)
    package func pass(thread: Int, generation: Int, isTimed: Bool) -> Bool {
        if thread == 0 {
            for other in 1..<max(1, threads) {
                guard wait(until: other, reaches: generation) else { return false }
            }
            var start: UInt64 = 0
            if isTimed && leadTicks > 0 {
                start = racelab_timebase() &+ leadTicks
                startTime[0].pointee.store(Int(truncatingIfNeeded: start), ordering: .relaxed)
            }
            generations[0].pointee.store(generation, ordering: .releasing)
            if start > 0 { spin(until: start) }
        } else {
            generations[thread].pointee.store(generation, ordering: .releasing)
            guard wait(until: 0, reaches: generation) else { return false }
            if isTimed && leadTicks > 0 {
                spin(until: UInt64(truncatingIfNeeded: startTime[0].pointee.load(ordering: .relaxed)))
            }
        }
        return true
    }

    @inline(__always)
    private func wait(until slot: Int, reaches generation: Int) -> Bool {
        var spins = isSharingCPUs ? Self.spinLimit : 0
        while generations[slot].pointee.load(ordering: .acquiring) < generation {
            if spins < Self.spinLimit {
                spins += 1
                racelab_cpu_relax()
            } else {
                if abandoned.load(ordering: .relaxed) { return false }
                sched_yield()
            }
        }
        return true
    }

    /// Spins (without a pause: a pause on recent x86 lasts about 40 ns) until the
    /// timebase reaches `start`. Bounded by the lead.
    @inline(__always)
    private func spin(until start: UInt64) {
        while racelab_timebase() < start {}
    }
}

/// The timebase `racelab_timebase` reads, calibrated against the monotonic clock once.
enum Timebase {
    /// Ticks per nanosecond (2.3 for a 2.3 GHz TSC), measured over about 2 ms.
    static let ticksPerNanosecond: Double = {
        let clockStart = MonotonicClock.now()
        let ticksStart = racelab_timebase()
        while MonotonicClock.now() - clockStart < 2_000_000 {}
        let ticks = Double(racelab_timebase() &- ticksStart)
        let nanoseconds = Double(MonotonicClock.now() - clockStart)
        return nanoseconds > 0 && ticks > 0 ? ticks / nanoseconds : 1
    }()
}
