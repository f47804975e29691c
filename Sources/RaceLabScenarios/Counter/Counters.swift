import CRaceLabShims
import Dispatch
import RaceLab
import RaceLabModel
// The drop-in Atomic and Mutex: the real Synchronization types under `racelab counter`,
// scheduling points under `racelab explore counter`; the same code for both.
import RaceLabSync

/// A counter every worker increments. `worker` lets sharded forms pick a slot.
package protocol SharedCounter: Sendable {
    func increment(worker: Int)
    /// The final count; read after all workers have finished.
    func total() -> Int
    /// One worker's whole loop, as long as its budget lasts. The default calls
    /// `increment`; a counter may override it to hoist per-worker lookups out of
    /// the hot loop.
    func run(worker: Int, budget: inout OperationBudget)
}

extension SharedCounter {
    @inline(__always)
    package func run(worker: Int, budget: inout OperationBudget) {
        budget.forEachOperation { increment(worker: worker) }
    }
}

/// Deliberately racy: each access is a relaxed atomic, the increment is not.
/// `counter += 1` modelled exactly: load, (optional spin), store load+1. Two
/// workers that load the same value both store the same successor, and one
/// update is lost, with no undefined behaviour, so it can never crash racelab.
/// Sendable without `@unchecked`: there is no data race here, only a race condition.
package final class UnsafeCounter: SharedCounter {
    private let value = Atomic<Int>(0, name: "counter")
    private let workSteps: Int64

    package init(work: Int) { workSteps = Int64(work) }

    @inline(__always)
    package func increment(worker: Int) {
        let seen = value.load(ordering: .relaxed)
        if workSteps > 0 { racelab_spin(workSteps) }
        value.store(seen &+ 1, ordering: .relaxed)
    }

    package func total() -> Int { value.load(ordering: .relaxed) }
}

/// The whole read-modify-write inside `Synchronization.Mutex` (RaceLabSync's drop-in).
package final class MutexCounter: SharedCounter {
    package init() {}
    private let value = Mutex<Int>(0, name: "counter")

    @inline(__always)
    package func increment(worker: Int) { value.withLock { $0 &+= 1 } }

    package func total() -> Int { value.withLock { $0 } }
}

/// The whole read-modify-write inside a `pthread_mutex_t`.
package final class PthreadMutexCounter: SharedCounter {
    package init() {}
    private let lock = PthreadMutex(name: "m")
    private let value = Atomic<Int>(0, name: "counter")  // only ever touched under `lock`

    @inline(__always)
    package func increment(worker: Int) {
        lock.withLock { value.store(value.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }
    }

    package func total() -> Int { lock.withLock { value.load(ordering: .relaxed) } }
}

/// One hardware read-modify-write (`lock xadd` on x86): atomic, no lock.
package final class AtomicCounter: SharedCounter {
    package init() {}
    private let value = Atomic<Int>(0, name: "counter")

    @inline(__always)
    package func increment(worker: Int) { value.wrappingAdd(1, ordering: .relaxed) }

    package func total() -> Int { value.load(ordering: .relaxed) }
}

/// "Stop sharing": each worker counts in its own cache-line-padded slot, and the
/// slots are summed at the end. Only the owner writes a slot, so a relaxed load and
/// store suffice (no locked instruction); the padding keeps two workers' slots off
/// one cache line, so they never contend (no false sharing).
///
/// `@unchecked Sendable`: the slots are shared across threads, which is sound because
/// every slot is an `Atomic<Int>` only ever accessed through its atomic operations.
package final class ShardedCounter: SharedCounter, @unchecked Sendable {
    private let slots: PaddedSlots<Atomic<Int>>

    package init(workers: Int) {
        var next = 0
        slots = PaddedSlots(count: workers) {
            defer { next += 1 }
            return Atomic(0, name: "slot\(next)")
        }
    }

    @inline(__always)
    package func increment(worker: Int) { Self.bump(slots[worker]) }

    /// Looks the slot up once: inside the loop the compiler would reload the
    /// slots' base address on every increment (it cannot prove the store leaves it alone).
    /// The lookup is not inlined, so the loop addresses the slot through one register:
    /// folded into base + index addressing, the same increment measured 2.4 ns instead
    /// of 0.7 to 1.8 on an Intel Xeon (store-to-load forwarding there depends on the
    /// addressing mode), which made stopping sharing look dearer than it is.
    ///
    /// This loop runs on real workers only (the explorer calls `increment`), so it
    /// bumps the slot's `Synchronization.Atomic` directly (`realLoad`, `realStore`):
    /// the drop-in's exploration check per access measured 0.24 -> 0.32 ns per
    /// increment here (1.38x), the one strategy cheap enough for a load and a branch
    /// to show.
    package func run(worker: Int, budget: inout OperationBudget) {
        let slot = Self.slot(slots, worker)
        budget.forEachOperation { Self.bumpUnexplored(slot) }
    }

    @inline(never)
    private static func slot(_ slots: PaddedSlots<Atomic<Int>>, _ worker: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        slots[worker]
    }

    @inline(__always)
    private static func bump(_ slot: UnsafeMutablePointer<Atomic<Int>>) {
        slot.pointee.store(slot.pointee.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    @inline(__always)
    private static func bumpUnexplored(_ slot: UnsafeMutablePointer<Atomic<Int>>) {
        slot.pointee.realStore(slot.pointee.realLoad(.relaxed) &+ 1, .relaxed)
    }

    package func total() -> Int {
        (0..<slots.count).reduce(0) { $0 &+ slots[$1].pointee.load(ordering: .relaxed) }
    }
}

/// The pre-actor Swift idiom: a serial DispatchQueue owns the count, and every
/// increment is a `queue.sync` hop onto it.
///
/// `@unchecked Sendable`: `value` is shared across threads, which is sound because it
/// is only ever touched from blocks running on `queue`, one at a time.
package final class SerialQueueCounter: SharedCounter, @unchecked Sendable {
    package init() {}
    private let queue = DispatchQueue(label: "racelab.counter.serial")
    private var value = 0

    @inline(__always)
    package func increment(worker: Int) { queue.sync { value &+= 1 } }

    package func total() -> Int { queue.sync { value } }
}

/// Swift concurrency's answer: the count lives in an actor, and workers (child
/// tasks) await its method. Correct by construction: the compiler checks it.
package actor CounterActor {
    package init() {}
    private var value = 0

    package func increment() { value &+= 1 }

    package var total: Int { value }
}
