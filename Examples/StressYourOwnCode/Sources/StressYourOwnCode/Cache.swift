import Synchronization

/// A cache that builds a value the first time its key is asked for: check-then-act.
///
/// The race: `value(for:make:)` looks the key up in one critical section and stores
/// what it built in another. Each step is locked, so the dictionary is never torn (it
/// is memory-safe, and `Sendable` without `@unchecked`), but between the two steps the
/// lock is free: two callers that ask for the same missing key at once both miss, both
/// call `make`, and the second store overwrites the first. What breaks is "make is
/// called once per key" (`builds` counts its calls), and two callers can be handed two
/// different values for one key.
public final class RacyCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let buildCount = Atomic<Int>(0)

    public init() {}

    /// The value for `key`, built with `make` if it is not cached yet.
    public func value(for key: Key, make: (Key) -> Value) -> Value {
        if let cached = entries.withLock({ $0[key] }) { return cached }  // check
        let value = make(key)
        buildCount.add(1, ordering: .relaxed)
        entries.withLock { $0[key] = value }  // act: the check above may be stale by now
        return value
    }

    /// How many times `make` was called.
    public var builds: Int { buildCount.load(ordering: .relaxed) }

    /// How many keys are cached.
    public var count: Int { entries.withLock { $0.count } }
}

/// The fix of `RacyCache`: the check and the act are one critical section.
///
/// `value(for:make:)` looks the key up and, on a miss, builds and stores the value
/// without letting go of the lock, so a second caller for the same key waits and then
/// finds the first caller's value: `make` is called exactly once per key, and every
/// caller gets the same value. The price: `make` runs under the lock, so builds of
/// different keys wait for each other too (keep `make` short, or lock per key).
public final class Cache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let buildCount = Atomic<Int>(0)

    public init() {}

    /// The value for `key`, built with `make` if it is not cached yet.
    public func value(for key: Key, make: (Key) -> Value) -> Value {
        entries.withLock { entries in
            if let cached = entries[key] { return cached }
            let value = make(key)
            buildCount.add(1, ordering: .relaxed)
            entries[key] = value
            return value
        }
    }

    /// How many times `make` was called.
    public var builds: Int { buildCount.load(ordering: .relaxed) }

    /// How many keys are cached.
    public var count: Int { entries.withLock { $0.count } }
}
