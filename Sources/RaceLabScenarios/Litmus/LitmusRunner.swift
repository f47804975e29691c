import CRaceLabShims
import RaceLab
import RaceLabSync
import Synchronization

/// What one run of a litmus test counted: how many iterations ended in each state.
package struct LitmusCounts: Equatable, Sendable {
    /// Iterations per state key (`LitmusStateKey`).
    var byKey: [Int]
    var elapsedNanoseconds: UInt64
    var threadsSharedCPUs: Bool

    /// Iterations that ran: fewer than asked when a run with more threads than CPUs
    /// reached its time budget.
    var completedIterations: Int { byKey.reduce(0, +) }
}

/// A final state as one small integer: each observable value is a base-4 digit, a value
/// outside 0...2 counting as 3 (shown as "?", and forbidden).
enum LitmusStateKey {
    static func key(_ values: [Int]) -> Int {
        values.reversed().reduce(0) { $0 * 4 + digit($1) }
    }

    @inline(__always)
    static func digit(_ value: Int) -> Int { value >= 0 && value <= 2 ? value : 3 }

    static func values(of key: Int, count: Int) -> [Int] {
        (0..<count).map { key >> (2 * $0) & 3 }
    }

    static func capacity(observables: Int) -> Int { 1 << (2 * observables) }
}

/// Runs a litmus test: its threads on pinned pthreads, every iteration on fresh
/// locations, started together by an `IterationGate`, registers recorded per
/// iteration and tallied by the leader after each batch.
///
/// Each iteration: every thread reads the iteration's locations once (litmus7's
/// prefetch: both lines are then cached by every core, so a store has to invalidate
/// the other core's copy and waits in the store buffer while the loads hit), passes the
/// gate, runs its steps. After a batch the leader tallies it and zeroes its locations.
package struct LitmusRunner {
    package init(
        cpus: CPUSet = .current(), isPinned: Bool = true, sharedCPUBudgetNanoseconds: UInt64 = 20_000_000_000
    ) {
        self.cpus = cpus
        self.isPinned = isPinned
        self.sharedCPUBudgetNanoseconds = sharedCPUBudgetNanoseconds
    }

    var cpus: CPUSet = .current()
    var isPinned = true
    /// Iterations per batch of fresh locations: 1,024 x 2 lines = 128 KB, in L2.
    var batch = 1_024
    /// How far ahead the leader sets each iteration's start.
    var leadNanoseconds = 300.0
    /// With more threads than CPUs every wait yields the CPU, and another busy program
    /// can take it for a whole time slice per iteration: such a run stops at the end of
    /// the first batch past this budget, and says how many iterations it ran.
    var sharedCPUBudgetNanoseconds: UInt64 = 20_000_000_000

    /// How the threads run, in words, for the report's header.
    package var synchronisation: String {
        let placement =
            isPinned
            ? "pinned: thread i on allowed CPU (i mod \(cpus.count))"
            : "not pinned (--no-pin): the scheduler places them"
        let clock: String
        #if arch(x86_64)
            clock = "the TSC"
        #elseif arch(arm64)
            clock = "the generic timer"
        #else
            clock = "the monotonic clock"
        #endif
        return placement + "; each iteration a spinning barrier (pause hint), then a start time"
            + " \(Int(leadNanoseconds)) ns ahead on \(clock) that every thread spins for"
            + " (with more threads than CPUs: yield instead, no start time)"
    }

    package func run(_ test: LitmusTest, ordering: LitmusOrdering, iterations: Int) throws(WorkerPoolError)
        -> LitmusCounts
    {
        switch test.id {
        case .sb: try run(StoreBufferingProgram.self, test, ordering, iterations)
        case .mp: try run(MessagePassingProgram.self, test, ordering, iterations)
        case .lb: try run(LoadBufferingProgram.self, test, ordering, iterations)
        case .iriw: try run(IRIWProgram.self, test, ordering, iterations)
        case .twoPlusTwoW: try run(TwoPlusTwoWritesProgram.self, test, ordering, iterations)
        case .corr: try run(CoherenceReadReadProgram.self, test, ordering, iterations)
        }
    }

    private func run<P: LitmusProgram>(
        _ program: P.Type, _ test: LitmusTest, _ ordering: LitmusOrdering, _ iterations: Int
    ) throws(WorkerPoolError) -> LitmusCounts {
        switch ordering {
        case .relaxed: try run(program, RelaxedAccesses.self, test, iterations)
        case .acquireRelease: try run(program, AcquireReleaseAccesses.self, test, iterations)
        case .sequentiallyConsistent: try run(program, SequentiallyConsistentAccesses.self, test, iterations)
        }
    }

    private func run<P: LitmusProgram, A: LitmusAccesses>(
        _ program: P.Type, _ accesses: A.Type, _ test: LitmusTest, _ iterations: Int
    ) throws(WorkerPoolError) -> LitmusCounts {
        let threads = test.threads
        let isSharing = threads > cpus.count
        let gate = IterationGate(threads: threads, isSharingCPUs: isSharing, leadNanoseconds: leadNanoseconds)
        let memory = LitmusMemory(
            batch: max(1, min(batch, iterations)), locationsPerIteration: test.locations,
            registersPerThread: (0..<threads).map(test.registers(ofThread:)))
        let tally = TallyBox()
        let observables = test.observables
        let cpus = isPinned ? cpus : nil
        let started = MonotonicClock.now()
        var spawned: [PThread] = []
        for t in 0..<threads {
            switch PThread.spawn({
                if let cpus { _ = racelab_pin_current_thread(cpus.cpu(forWorker: t)) }
                let counts = Self.threadLoop(
                    P.self, A.self, thread: t, iterations: iterations, memory: memory, gate: gate,
                    observables: t == 0 ? observables : [],
                    deadline: isSharing ? started + sharedCPUBudgetNanoseconds : nil)
                if t == 0 { tally.counts.withLock { $0 = counts } }
            }) {
            case .success(let thread): spawned.append(thread)
            case .failure(let error):
                gate.abandon()
                for thread in spawned { thread.join() }
                throw WorkerPoolError.threadCreationFailed(worker: t, code: error.code)
            }
        }
        for thread in spawned { thread.join() }
        let elapsed = MonotonicClock.now() - started
        return LitmusCounts(
            byKey: tally.counts.withLock { $0 }, elapsedNanoseconds: elapsed, threadsSharedCPUs: isSharing)
    }

    /// How the leader hands its counts back to the thread that joins it.
    private final class TallyBox: Sendable {
        let counts = Mutex<[Int]>([])
    }

    /// One thread's whole run. Thread 0 also tallies: it returns the counts per state
    /// key (the others return an empty array).
    private static func threadLoop<P: LitmusProgram, A: LitmusAccesses>(
        _ program: P.Type, _ accesses: A.Type, thread: Int, iterations: Int, memory: LitmusMemory,
        gate: IterationGate, observables: [LitmusObservable], deadline: UInt64?
    ) -> [Int] {
        let width = memory.registersPerThread[thread]
        let row = memory.row(thread: thread)
        var counts = [Int](repeating: 0, count: LitmusStateKey.capacity(observables: observables.count))
        var generation = 0
        var touched = 0
        var done = 0
        while done < iterations {
            let count = min(memory.batch, iterations - done)
            for j in 0..<count {
                let x = memory.location(j, 0)
                let y = memory.location(j, 1)
                touched &+= x.pointee.load(ordering: .relaxed) &+ y.pointee.load(ordering: .relaxed)
                generation += 1
                guard gate.pass(thread: thread, generation: generation, isTimed: true) else { return [] }
                P.run(thread: thread, x: x, y: y, registers: row + j * width, A.self)
            }
            // Everyone has finished the batch: the leader tallies it and zeroes its locations.
            generation += 1
            guard gate.pass(thread: thread, generation: generation, isTimed: false) else { return [] }
            if thread == 0 {
                tallyBatch(count, memory: memory, observables: observables, into: &counts)
                memory.reset(count: count)
                if let deadline, MonotonicClock.now() > deadline { gate.requestStop() }
            }
            generation += 1
            guard gate.pass(thread: thread, generation: generation, isTimed: false) else { return [] }
            done += count
            if gate.isStopRequested { break }
        }
        memory.touchSink.add(touched, ordering: .relaxed)
        return counts
    }

    private static func tallyBatch(
        _ count: Int, memory: LitmusMemory, observables: [LitmusObservable], into counts: inout [Int]
    ) {
        for j in 0..<count {
            var key = 0
            for (i, observable) in observables.enumerated() {
                let value: Int
                switch observable {
                case .register(let thread, let index):
                    value = Int(memory.row(thread: thread)[j * memory.registersPerThread[thread] + index])
                case .finalValue(let location):
                    value = memory.location(j, location).pointee.load(ordering: .relaxed)
                }
                key |= LitmusStateKey.digit(value) << (2 * i)
            }
            counts[key] += 1
        }
    }
}
