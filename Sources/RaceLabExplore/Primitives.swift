/// A shared variable the explorer sees: every `load` and `store` through a
/// `VirtualThread` is a scheduling point, where the explorer chooses who runs next.
/// Sequentially consistent: a load sees the last store in the schedule's order.
///
///     let counter = Shared("counter", 0)
///     let value = try thread.load(counter)
///     try thread.store(counter, value + 1)
///
/// `@unchecked Sendable`: the value is read and written only by the virtual thread the
/// scheduler is running, one at a time; every hand-over between the scheduler and a
/// thread goes through a semaphore, whose signal and wait order the accesses.
public final class Shared<Value: Sendable>: @unchecked Sendable {
    /// The name the timeline shows ("counter").
    public let name: String
    var current: Value

    /// A shared variable named `name` holding `value`.
    public init(_ name: String, _ value: Value) {
        self.name = name
        current = value
    }

    /// The value now, outside any schedule (in a check, after every thread is done).
    public var value: Value { current }
}

/// A mutex the explorer sees: `lock` and `unlock` are scheduling points, a thread that
/// locks a held mutex waits (it is not runnable until the holder unlocks), and a
/// schedule in which every thread waits is a deadlock, named with who holds what.
///
/// `@unchecked Sendable`: as `Shared`, touched only by the running virtual thread.
public final class ExploreMutex: @unchecked Sendable {
    /// The name the timeline shows ("A").
    public let name: String
    var holder: Int?

    /// A mutex named `name`, unlocked.
    public init(_ name: String) { self.name = name }
}

/// What a thread does at a scheduling point, for the timeline.
enum Operation: Sendable, Equatable {
    case load(location: String)
    case store(location: String, value: String)
    case lock(mutex: String)
    case tryLock(mutex: String)
    case unlock(mutex: String)
    case yield

    /// The mutex this operation waits for, if it locks.
    var lockedMutex: String? {
        if case .lock(let name) = self { return name }
        return nil
    }
}
