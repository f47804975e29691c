import RaceLabSync

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
public final class Shared<Value: Sendable>: @unchecked Sendable, Explored {
    /// The name the timeline shows ("counter").
    public let name: String
    var current: Value
    let key: Int

    /// A shared variable named `name` holding `value`.
    public init(_ name: String, _ value: Value) {
        self.name = name
        current = value
        key = name.hashValue
    }

    /// The value now, outside any schedule (in a check, after every thread is done).
    public var value: Value { current }
}

/// A mutex the explorer sees: `lock` and `unlock` are scheduling points, a thread that
/// locks a held mutex waits (it is not runnable until the holder unlocks), and a
/// schedule in which every thread waits is a deadlock, named with who holds what.
///
/// `@unchecked Sendable`: as `Shared`, touched only by the running virtual thread.
public final class ExploreMutex: @unchecked Sendable, Explored {
    /// The name the timeline shows ("A").
    public let name: String
    var holder: Int?
    let key: Int

    /// A mutex named `name`, unlocked.
    public init(_ name: String) {
        self.name = name
        key = name.hashValue
    }
}

/// A condition variable the explorer sees: `thread.wait(condition, releasing: mutex)`
/// sleeps until `thread.signal(condition)` or `broadcast` wakes it, then relocks the
/// mutex. A wait that nobody signals is a deadlock: the lost wakeup, named.
///
/// `@unchecked Sendable`: as `Shared`, touched only by the running virtual thread.
public final class ExploreCondition: @unchecked Sendable, Explored {
    /// The name the timeline shows ("notEmpty").
    public let name: String
    /// Sleeping threads, the longest waiting first.
    var waiters: [Int] = []
    let key: Int

    /// A condition named `name`, with nobody waiting.
    public init(_ name: String) {
        self.name = name
        key = name.hashValue
    }
}

/// What a thread did at a step, kept as values: the timeline's text is made only when
/// someone reads it (formatting every step of every schedule cost a fifth of the time).
enum Operation: Sendable {
    case load(location: String, value: any Sendable)
    case store(location: String, value: any Sendable)
    case update(location: String, old: any Sendable, new: any Sendable)
    case lock(mutex: String)
    case tryLock(mutex: String, didLock: Bool)
    case unlock(mutex: String)
    case yield
    case compareExchange(
        location: String, expected: any Sendable, desired: any Sendable, found: any Sendable, exchanged: Bool)
    case wait(condition: String, mutex: String)
    case woken(condition: String, mutex: String)
    case signal(condition: String, woken: [Int], isBroadcast: Bool)
    case spawn(child: Int)
    case join(thread: Int)
    /// An operation of a drop-in primitive (RaceLabSync's `Atomic`, `Mutex`, `Semaphore`).
    case sync(SyncEvent)
    /// A job of the async explorer: where it ran and how it ended.
    case job(String)

    var text: String {
        switch self {
        case .load(let location, let value): "load \(location) → \(shown(value))"
        case .store(let location, let value): "store \(location) ← \(shown(value))"
        case .update(let location, let old, let new): "update \(location) \(shown(old)) → \(shown(new))"
        case .lock(let mutex): "lock \(mutex)"
        case .tryLock(let mutex, let didLock): "tryLock \(mutex) → \(didLock ? "locked" : "busy")"
        case .unlock(let mutex): "unlock \(mutex)"
        case .yield: "yield"
        case .compareExchange(let location, let expected, let desired, let found, let exchanged):
            exchanged
                ? "cas \(location) \(shown(expected)) → \(shown(desired))"
                : "cas \(location) \(shown(expected)) → \(shown(desired)): found \(shown(found))"
        case .wait(let condition, let mutex): "wait \(condition), unlock \(mutex)"
        case .woken(let condition, let mutex): "woken from \(condition), lock \(mutex)"
        case .signal(let condition, let woken, let isBroadcast):
            "\(isBroadcast ? "broadcast" : "signal") \(condition) → "
                + (woken.isEmpty
                    ? "nobody waits"
                    : "wakes worker\(woken.count == 1 ? "" : "s") "
                        + woken.map(String.init).joined(separator: ", "))
        case .spawn(let child): "spawn worker \(child)"
        case .join(let thread): "join worker \(thread)"
        case .sync(let event): event.text
        case .job(let text): text
        }
    }
}

/// A value as the timeline shows it: an optional as its value or "nil", not "Optional(2)".
func shown(_ value: any Sendable) -> String {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return "\(value)" }
    return mirror.children.first.map { "\($0.value)" } ?? "nil"
}
