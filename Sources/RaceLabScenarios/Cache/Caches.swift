import CRaceLabShims
import RaceLab
import RaceLabModel

/// A hit-counter cache every worker updates: `increment(key)` adds one to the key's
/// count, `lookup(key)` reads it.
package protocol HitCounterCache: Sendable {
    func increment(_ key: Int)
    func lookup(_ key: Int) -> Int?
    /// As the workers call them: a cache may keep per-worker state (thread-local).
    func increment(_ key: Int, worker: Int)
    func lookup(_ key: Int, worker: Int) -> Int?
    /// Every key's count; read after all workers have finished.
    func snapshot() -> [Int: Int]
    /// One worker's whole loop: its key stream's operations for as long as the
    /// budget lasts. Returns the sum of what its lookups read (to keep them).
    /// Here, beside the caches, so each cache's calls are specialised and inlined.
    func run(worker: Int, keys: inout KeyStream, budget: inout OperationBudget) -> Int
}

extension HitCounterCache {
    @inline(__always)
    package func increment(_ key: Int, worker: Int) { increment(key) }
    @inline(__always)
    package func lookup(_ key: Int, worker: Int) -> Int? { lookup(key) }

    package func run(worker: Int, keys: inout KeyStream, budget: inout OperationBudget) -> Int {
        var seen = 0
        budget.forEachOperation {
            let (key, isRead) = keys.next()
            if isRead {
                seen &+= lookup(key, worker: worker) ?? 0
            } else {
                increment(key, worker: worker)
            }
        }
        return seen
    }
}

/// Deliberately racy, memory-safe: every single get and set is locked on its own
/// (how a free-threaded Python dict behaves), but `increment` is get-then-set, so
/// two workers can read the same count and both write count+1.
package final class PerOperationLockedCache: HitCounterCache {
    private let storage = Locked<[Int: Int]>([:], name: "cache")
    private let workSteps: Int64

    package init(work: Int) { workSteps = Int64(work) }

    func get(_ key: Int) -> Int? { storage.withLock { $0[key] } }
    func set(_ key: Int, _ value: Int) { storage.withLock { $0[key] = value } }

    @inline(__always)
    package func increment(_ key: Int) {
        let current = get(key) ?? 0
        spin()
        set(key, current &+ 1)
    }

    /// `--work`: the spin between the get and the set.
    @inline(__always)
    func spin() { if workSteps > 0 { racelab_spin(workSteps) } }

    package func lookup(_ key: Int) -> Int? { get(key) }
    package func snapshot() -> [Int: Int] { storage.withLock { $0 } }
}

/// The unsafe cache with a witness: the same get, spin and set as
/// `PerOperationLockedCache`, and each increment's key, the count it read, and when
/// it read and wrote, written down in `WitnessBuffers`. Lookups write nothing and are
/// not recorded.
package final class WitnessedCache: HitCounterCache {
    private let cache: PerOperationLockedCache
    package let buffers: WitnessBuffers

    package init(workers: Int, readsPerWorker: Int, work: Int) {
        cache = PerOperationLockedCache(work: work)
        buffers = WitnessBuffers(workers: workers, readsPerWorker: readsPerWorker)
    }

    package func increment(_ key: Int) { preconditionFailure("a witnessed cache records each worker's reads") }

    package func increment(_ key: Int, worker: Int) {
        let readAt = MonotonicClock.now()
        let current = cache.get(key) ?? 0
        cache.spin()
        cache.set(key, current &+ 1)
        buffers.record(worker: worker, key: key, value: current, readAt: readAt, writtenAt: MonotonicClock.now())
    }

    package func lookup(_ key: Int) -> Int? { cache.get(key) }
    package func snapshot() -> [Int: Int] { cache.snapshot() }

    /// The log, with each key's final count (keys 0 ..< `keys`).
    package func log(operations: Int, keys: Int) -> WitnessLog {
        let counts = snapshot()
        return buffers.log(
            operations: operations, finals: (0..<keys).map { counts[$0, default: 0] }, isKeyed: true)
    }
}

/// A thread-safe cache: one lock around the whole get-then-set.
package final class LockedCache: HitCounterCache {
    package init() {}
    private let storage = Locked<[Int: Int]>([:], name: "cache")

    @inline(__always)
    package func increment(_ key: Int) { storage.withLock { $0[key, default: 0] &+= 1 } }
    package func lookup(_ key: Int) -> Int? { storage.withLock { $0[key] } }
    package func snapshot() -> [Int: Int] { storage.withLock { $0 } }
}

/// S independent lock-guarded dictionaries; a key's hash picks its stripe, so
/// workers on different stripes never wait for each other.
package final class StripedCache: HitCounterCache {
    /// One stripe per allocation, padded past a cache line so neighbouring
    /// stripes' locks never share one (no false sharing between stripes).
    private final class Stripe: Sendable {
        let storage = Locked<[Int: Int]>([:], name: "stripe")
        private let padding: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    private let stripes: [Stripe]

    package init(stripes: Int) { self.stripes = (0..<stripes).map { _ in Stripe() } }

    @inline(__always)
    private func stripe(_ key: Int) -> Stripe {
        // Fibonacci hashing spreads consecutive keys across stripes.
        let mixed = UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9_7F4A_7C15
        return stripes[Int(mixed.multipliedFullWidth(by: UInt64(stripes.count)).high)]
    }

    @inline(__always)
    package func increment(_ key: Int) { stripe(key).storage.withLock { $0[key, default: 0] &+= 1 } }
    package func lookup(_ key: Int) -> Int? { stripe(key).storage.withLock { $0[key] } }

    package func snapshot() -> [Int: Int] {
        stripes.reduce(into: [:]) { all, stripe in
            stripe.storage.withLock { all.merge($0) { a, _ in a } }
        }
    }
}

/// A pthread read-write lock: lookups share it, increments take it alone.
package final class ReadWriteLockedCache: HitCounterCache {
    package init() {}
    private let box = ReadWriteLocked<[Int: Int]>([:])

    @inline(__always)
    package func increment(_ key: Int) { box.write { $0[key, default: 0] &+= 1 } }
    package func lookup(_ key: Int) -> Int? { box.read { $0[key] } }
    package func snapshot() -> [Int: Int] { box.read { $0 } }
}

/// Thread-local state (Python's `threading.local()`): each worker counts in its own
/// dictionary (each on its own padded slot), and the dictionaries are merged once,
/// after the run. No lock and no shared line in the hot loop, and the total is exact; the price is that it exists
/// only after the merge: a lookup sees its own worker's count, not everyone's.
package final class ThreadLocalCache: HitCounterCache {
    private let counts: PerWorker<[Int: Int]>

    package init(workers: Int) { counts = PerWorker(count: workers, [:]) }

    package func increment(_ key: Int) { preconditionFailure("a thread-local cache needs the worker") }
    package func lookup(_ key: Int) -> Int? { preconditionFailure("a thread-local cache needs the worker") }

    @inline(__always)
    package func increment(_ key: Int, worker: Int) { counts.modify(worker) { $0[key, default: 0] &+= 1 } }
    @inline(__always)
    package func lookup(_ key: Int, worker: Int) -> Int? { counts[worker][key] }

    /// The merge: every worker's counts added up. Only valid once they have finished.
    package func snapshot() -> [Int: Int] {
        (0..<counts.count).reduce(into: [:]) { all, worker in all.merge(counts[worker], uniquingKeysWith: +) }
    }
}

/// A plain Swift Dictionary shared with no synchronisation at all: a true data
/// race and undefined behaviour (usually a crash when it resizes).
///
/// `@unchecked Sendable` is a deliberate lie, fenced here: only the `raw` strategy
/// uses this type, and only inside a child process of racelab.
package final class UnsynchronisedCache: HitCounterCache, @unchecked Sendable {
    package init() {}
    private var storage: [Int: Int] = [:]

    @inline(never)  // keep the optimiser from hoisting the racy accesses out of the loop
    package func increment(_ key: Int) { storage[key, default: 0] &+= 1 }
    @inline(never)
    package func lookup(_ key: Int) -> Int? { storage[key] }
    package func snapshot() -> [Int: Int] { storage }
}

/// Swift concurrency's answer: the dictionary lives in an actor, and workers (child
/// tasks) await its methods, one call at a time. Correct by construction.
package actor CacheActor {
    package init() {}
    private var storage: [Int: Int] = [:]

    package func increment(_ key: Int) { storage[key, default: 0] &+= 1 }
    package func lookup(_ key: Int) -> Int? { storage[key] }
    package func snapshot() -> [Int: Int] { storage }
}
