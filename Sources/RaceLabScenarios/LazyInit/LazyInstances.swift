import CRaceLabShims
import RaceLab
import RaceLabModel
import RaceLabSync
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The costly shared instances of the lazy-init scenario, built in place. An
/// instance is a slot number (1-based; 0 means "none yet") and four fields its
/// initialiser fills in after `work` spin steps; a reader checks the fields to tell
/// a fully built instance from a half-built one. Fields are relaxed atomics, so a
/// half-built read is a value the memory model allows, never undefined behaviour.
///
/// `@unchecked Sendable`: the slots are shared across threads, which is sound because
/// every field is an `Atomic<Int>` only accessed through its atomic operations.
package final class InstanceTable: @unchecked Sendable {
    /// Synchronization's atomics, not the drop-ins: the explorer does not see the fields
    /// (four more scheduling points per build would multiply the schedules and show
    /// nothing new while it explores sequential consistency only); it sees `built`.
    struct Fields: ~Copyable {
        let w0 = Synchronization.Atomic<Int>(0)
        let w1 = Synchronization.Atomic<Int>(0)
        let w2 = Synchronization.Atomic<Int>(0)
        let w3 = Synchronization.Atomic<Int>(0)
    }

    private let slots: PaddedSlots<Fields>
    private let built = RaceLabSync.Atomic<Int>(0, name: "builds")
    private let workSteps: Int64

    /// - Parameter capacity: the most instances a run can build (each worker builds at most one).
    package init(capacity: Int, work: Int) {
        slots = PaddedSlots(count: capacity) { Fields() }
        workSteps = Int64(work)
    }

    /// The initialiser: claims a slot, does the costly work, fills the fields.
    func build() -> Int {
        let id = min(built.add(1, ordering: .relaxed).newValue, slots.count)
        if workSteps > 0 { racelab_spin(workSteps) }
        let fields = slots[id - 1]
        fields.pointee.w0.store(Self.expected(id, 0), ordering: .relaxed)
        fields.pointee.w1.store(Self.expected(id, 1), ordering: .relaxed)
        fields.pointee.w2.store(Self.expected(id, 2), ordering: .relaxed)
        fields.pointee.w3.store(Self.expected(id, 3), ordering: .relaxed)
        return id
    }

    /// Whether instance `id`'s fields are all in place, as this thread sees them.
    @inline(__always)
    package func isComplete(_ id: Int) -> Bool {
        let fields = slots[id - 1]
        return fields.pointee.w0.load(ordering: .relaxed) == Self.expected(id, 0)
            && fields.pointee.w1.load(ordering: .relaxed) == Self.expected(id, 1)
            && fields.pointee.w2.load(ordering: .relaxed) == Self.expected(id, 2)
            && fields.pointee.w3.load(ordering: .relaxed) == Self.expected(id, 3)
    }

    /// How many times an initialiser ran.
    package var builds: Int { built.load(ordering: .relaxed) }

    @inline(__always)
    private static func expected(_ id: Int, _ field: Int) -> Int { id &* 0x9E37_79B9 &+ field &+ 1 }
}

/// A way to get the one shared instance, building it on first use.
package protocol LazyInstance: AnyObject, Sendable {
    /// The instance (its slot number), built if this is the first access.
    func instance() -> Int
    /// The instance that stayed published, read after every worker has finished.
    var published: Int { get }
}

/// Deliberately racy: check, then create, no lock. Two workers that both find no
/// instance both build one; the last to publish wins, and the others go on with
/// theirs. No undefined behaviour: the pointer is a relaxed atomic.
package final class UncheckedLazy: LazyInstance {
    private let current = RaceLabSync.Atomic<Int>(0, name: "instance")
    private let table: InstanceTable

    package init(table: InstanceTable) { self.table = table }

    @inline(__always)
    package func instance() -> Int {
        let id = current.load(ordering: .relaxed)
        if id != 0 { return id }
        let built = table.build()
        current.store(built, ordering: .relaxed)
        return built
    }

    package var published: Int { current.load(ordering: .relaxed) }
}

/// Double-checked locking: check without the lock; if there is none, lock, check
/// again, build, publish. `ordering` is how the instance is published and read:
/// release/acquire (correct), or relaxed (the memory model lets a reader see the
/// instance before its fields).
package final class DoubleCheckedLazy: LazyInstance {
    private let current = RaceLabSync.Atomic<Int>(0, name: "instance")
    private let lock = PthreadMutex(name: "m")
    private let table: InstanceTable
    private let isRelaxed: Bool

    package init(table: InstanceTable, relaxed: Bool) {
        self.table = table
        isRelaxed = relaxed
    }

    @inline(__always)
    package func instance() -> Int {
        let id = isRelaxed ? current.load(ordering: .relaxed) : current.load(ordering: .acquiring)
        if id != 0 { return id }
        return lock.withLock {
            let again = current.load(ordering: .relaxed)
            if again != 0 { return again }
            let built = table.build()
            if isRelaxed {
                current.store(built, ordering: .relaxed)
            } else {
                current.store(built, ordering: .releasing)
            }
            return built
        }
    }

    package var published: Int { current.load(ordering: .acquiring) }
}

/// The lock on every access: correct, and every access pays for it.
package final class AlwaysLockedLazy: LazyInstance {
    private let current = Locked(0, name: "m")
    private let table: InstanceTable

    package init(table: InstanceTable) { self.table = table }

    @inline(__always)
    package func instance() -> Int {
        current.withLock { id in
            if id == 0 { id = table.build() }
            return id
        }
    }

    package var published: Int { current.withLock { $0 } }
}

/// `pthread_once`: the C library runs the initialiser exactly once; every other
/// caller waits for it to finish, then returns.
///
/// `@unchecked Sendable`: `once` is shared across threads, which is what
/// pthread_once is for: it is only ever passed to pthread_once.
package final class PthreadOnceLazy: LazyInstance, @unchecked Sendable {
    private let once = UnsafeMutablePointer<pthread_once_t>.allocate(capacity: 1)
    private let current = Synchronization.Atomic<Int>(0)
    private let table: InstanceTable

    package init(table: InstanceTable) {
        self.table = table
        once.initialize(to: pthread_once_t())  // PTHREAD_ONCE_INIT is 0 on glibc and musl
    }

    deinit { once.deallocate() }

    @inline(__always)
    package func instance() -> Int {
        racelab_once(
            once,
            { context in
                let lazy = Unmanaged<PthreadOnceLazy>.fromOpaque(context!).takeUnretainedValue()
                lazy.current.store(lazy.table.build(), ordering: .relaxed)
            }, Unmanaged.passUnretained(self).toOpaque())
        // pthread_once orders the initialiser's writes before every return.
        return current.load(ordering: .relaxed)
    }

    package var published: Int { current.load(ordering: .relaxed) }
}

/// Swift's own answer: a `static let` (as a global `let`) is initialised lazily, on
/// first use, exactly once per process, by the runtime (`swift_once`). Once per
/// process means once per run only in a fresh process: the strategy runs in a child.
///
/// `@unchecked Sendable`: the configuration is written once, before any worker
/// thread exists (thread creation orders it before their reads), and never again.
package final class StaticLetLazy: LazyInstance, @unchecked Sendable {
    nonisolated(unsafe) fileprivate static var table: InstanceTable?
    nonisolated(unsafe) private static var isUsed = false

    private enum Shared {
        static let instance: Int = StaticLetLazy.table!.build()
    }

    /// - Returns: nil if this process has already used its one `static let`.
    package static func make(table: InstanceTable) -> StaticLetLazy? {
        guard !isUsed else { return nil }
        isUsed = true
        Self.table = table
        return StaticLetLazy()
    }

    @inline(__always)
    package func instance() -> Int { Shared.instance }

    package var published: Int { Shared.instance }
}
