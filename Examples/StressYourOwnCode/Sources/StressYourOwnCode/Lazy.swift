import Synchronization

/// A shared resource built on first use: lock-free, and built more than once.
///
/// The race: `get()` loads the published instance and, when there is none, builds one
/// and publishes it with a compare-exchange (`AtomicLazyReference.storeIfNil`). The
/// check and the publish are two separate atomic operations, so two callers that get
/// there first at the same moment both find nothing and both build; the loser's
/// instance is thrown away and it returns the winner's. Every caller sees one
/// instance (that much is safe), but what breaks is "built exactly once per Lazy"
/// (`builds` counts the builds): a build that opens a connection, registers an
/// observer or costs a second of work did it twice.
public final class RacyLazy<Value: AnyObject & Sendable>: Sendable {
    private let instance = AtomicLazyReference<Value>()
    private let buildCount = Atomic<Int>(0)
    private let build: @Sendable () -> Value

    /// A resource that `build` makes on first use.
    public init(_ build: @escaping @Sendable () -> Value) { self.build = build }

    /// The instance, built if no caller built it yet.
    public func get() -> Value {
        if let built = instance.load() { return built }  // check
        let value = build()
        buildCount.add(1, ordering: .relaxed)
        return instance.storeIfNil(value)  // publish: another caller may have built one meanwhile
    }

    /// How many times `build` was called.
    public var builds: Int { buildCount.load(ordering: .relaxed) }
}

/// The fix of `RacyLazy`: the slow path checks again and builds under a lock.
///
/// `get()` still returns a published instance with one atomic load (the fast path,
/// every call after the first). When there is none it takes a lock, looks again (a
/// caller that held the lock before may have built it meanwhile) and only then builds
/// and publishes, still holding the lock: the check and the build are one critical
/// section, so `build` runs exactly once per Lazy.
public final class Lazy<Value: AnyObject & Sendable>: Sendable {
    private let instance = AtomicLazyReference<Value>()
    private let building = Mutex<Void>(())
    private let buildCount = Atomic<Int>(0)
    private let build: @Sendable () -> Value

    /// A resource that `build` makes on first use.
    public init(_ build: @escaping @Sendable () -> Value) { self.build = build }

    /// The instance, built if no caller built it yet.
    public func get() -> Value {
        if let built = instance.load() { return built }
        return building.withLock { _ in
            if let built = instance.load() { return built }  // the check again, under the lock
            let value = build()
            buildCount.add(1, ordering: .relaxed)
            return instance.storeIfNil(value)
        }
    }

    /// How many times `build` was called.
    public var builds: Int { buildCount.load(ordering: .relaxed) }
}
