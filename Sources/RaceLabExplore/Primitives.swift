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

    var text: String {
        switch self {
        case .load(let location, let value): "load \(location) → \(shown(value))"
        case .store(let location, let value): "store \(location) ← \(shown(value))"
        case .update(let location, let old, let new): "update \(location) \(shown(old)) → \(shown(new))"
        case .lock(let mutex): "lock \(mutex)"
        case .tryLock(let mutex, let didLock): "tryLock \(mutex) → \(didLock ? "locked" : "busy")"
        case .unlock(let mutex): "unlock \(mutex)"
        case .yield: "yield"
        }
    }
}

/// A value as the timeline shows it: an optional as its value or "nil", not "Optional(2)".
func shown(_ value: any Sendable) -> String {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return "\(value)" }
    return mirror.children.first.map { "\($0.value)" } ?? "nil"
}
