import CRaceLabShims

/// One thread of an explored program, handed to its closure: every operation on an
/// instrumented primitive goes through it and is a scheduling point. Only one virtual
/// thread runs at a time; the explorer decides which, at every point.
///
///     { state, thread in
///         let value = try thread.load(state.counter)
///         try thread.store(state.counter, value + 1)
///     }
///
/// The operations throw only to end a schedule early (another thread failed, or the
/// schedule deadlocked): let the error propagate.
public final class VirtualThread: @unchecked Sendable {
    /// 0 for the first thread of the program.
    public let index: Int
    let run: ScheduleRun

    init(index: Int, run: ScheduleRun) {
        self.index = index
        self.run = run
    }

    /// Reads `shared` (a scheduling point before the read).
    public func load<Value>(_ shared: Shared<Value>) throws -> Value {
        try point()
        let value = shared.current
        run.record(index, .load(location: shared.name, value: value))
        return value
    }

    /// Writes `value` to `shared` (a scheduling point before the write).
    public func store<Value>(_ shared: Shared<Value>, _ value: Value) throws {
        try point()
        shared.current = value
        run.record(index, .store(location: shared.name, value: value))
    }

    /// Reads `shared` and writes `transform(value)` in one step (an atomic
    /// read-modify-write, as `Atomic.wrappingAdd` is): one scheduling point, no other
    /// thread between the read and the write. Returns the value it read.
    @discardableResult
    public func update<Value>(_ shared: Shared<Value>, _ transform: (Value) -> Value) throws -> Value {
        try point()
        let old = shared.current
        shared.current = transform(old)
        run.record(index, .update(location: shared.name, old: old, new: shared.current))
        return old
    }

    /// Locks `mutex`, waiting while another thread holds it. Locking a mutex this thread
    /// already holds is a deadlock of its own, and reported as one.
    public func lock(_ mutex: ExploreMutex) throws {
        try point(locking: mutex)
        mutex.holder = index
        run.record(index, .lock(mutex: mutex.name))
    }

    /// Locks `mutex` if it is free; never waits.
    public func tryLock(_ mutex: ExploreMutex) throws -> Bool {
        try point()
        let isFree = mutex.holder == nil
        if isFree { mutex.holder = index }
        run.record(index, .tryLock(mutex: mutex.name, didLock: isFree))
        return isFree
    }

    /// Unlocks `mutex`. Unlocking a mutex this thread does not hold fails the schedule.
    public func unlock(_ mutex: ExploreMutex) throws {
        try point()
        guard mutex.holder == index else {
            let holder = mutex.holder.map { "thread \($0) holds it" } ?? "nobody holds it"
            throw ExploreFailure.misuse("thread \(index) unlocked \(mutex.name), which it does not hold (\(holder))")
        }
        mutex.holder = nil
        run.record(index, .unlock(mutex: mutex.name))
    }

    /// A scheduling point with no operation that asks to let another thread run: the
    /// explorers prefer another runnable thread next (a spin-wait's back-off), and
    /// switching away is not counted as a preemption.
    public func yield() throws {
        try point()
        run.record(index, .yield)
    }

    /// Fails the schedule unless `condition` holds: the explorer stops this schedule
    /// and reports it with `message` and its timeline.
    public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ExploreFailure.check("thread \(index): \(message())") }
    }

    /// Announces the next operation and waits until the explorer chooses this thread.
    private func point(locking mutex: ExploreMutex? = nil) throws {
        run.announce(index, locking: mutex)
        run.switchToScheduler(from: index)
        if run.isAborting { throw ScheduleAborted() }
    }
}

/// Why a schedule failed.
public enum ExploreFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `check` that did not hold, in a thread or in the final check.
    case check(String)
    /// A thread's closure threw this (its description).
    case thrown(thread: Int, String)
    /// Every unfinished thread waits for a mutex: who holds which, who waits for what.
    case deadlock(String)
    /// A primitive used wrongly (a mutex unlocked by a thread that does not hold it).
    case misuse(String)
    /// The schedule ran past the step limit (a livelock, or a program too long).
    case tooManySteps(Int)

    /// One line, for the report.
    public var description: String {
        switch self {
        case .check(let message): "check failed: \(message)"
        case .thrown(let thread, let error): "thread \(thread) threw \(error)"
        case .deadlock(let story): "deadlock: \(story)"
        case .misuse(let story): "misuse: \(story)"
        case .tooManySteps(let limit): "ran past \(limit) steps (a livelock?)"
        }
    }
}

/// How a thread's closure is unwound when its schedule ends early.
struct ScheduleAborted: Error {}

/// One step of a schedule, for the timeline: which thread did what, and what it read.
public struct ExploreEvent: Sendable {
    /// 1 for the first step.
    public let step: Int
    /// The thread that ran it.
    public let thread: Int
    let operation: Operation

    /// "load counter → 0", "store counter ← 1", "lock A", ...
    public var text: String { operation.text }
}

/// The state of the schedule being run: what each thread waits to do, what happened.
/// Every virtual thread is a coroutine on the explorer's own OS thread (a stack of its
/// own, `racelab_context`): exactly one runs at a time, and a scheduling point is a
/// switch back to the scheduler, a few hundred nanoseconds, where a hand-over between
/// OS threads cost 40-80 µs on this VM.
///
/// `@unchecked Sendable`: everything here runs on one OS thread, the explorer's; the
/// coroutines take turns on it.
final class ScheduleRun: @unchecked Sendable {
    struct Pending {
        /// The mutex a `lock` waits for; nil for every other operation.
        let locking: ExploreMutex?
    }

    /// The scheduler's context, and each thread's (with its stack).
    let main: OpaquePointer
    let contexts: [OpaquePointer]
    var pending: [Pending?]
    var finished: [Bool]
    /// Whether each thread's last step was a `yield`.
    var yielded: [Bool]
    var failure: ExploreFailure?
    var events: [ExploreEvent] = []
    var isAborting = false
    var step = 0

    /// Stack per virtual thread: generous (mmap'd, so only what is touched is used).
    static let stackBytes = 1 << 20

    /// Nil when the system refuses a stack.
    init?(threads: Int) {
        guard let main = racelab_context_new(0) else { return nil }
        var contexts: [OpaquePointer] = []
        for _ in 0..<threads {
            guard let context = racelab_context_new(Self.stackBytes) else {
                contexts.forEach { racelab_context_free($0) }
                racelab_context_free(main)
                return nil
            }
            contexts.append(context)
        }
        self.main = main
        self.contexts = contexts
        pending = Array(repeating: nil, count: threads)
        finished = Array(repeating: false, count: threads)
        yielded = Array(repeating: false, count: threads)
    }

    deinit {
        contexts.forEach { racelab_context_free($0) }
        racelab_context_free(main)
    }

    /// From thread `t`'s coroutine back to the scheduler's.
    func switchToScheduler(from t: Int) { racelab_context_swap(contexts[t], main) }

    /// From the scheduler to thread `t`, until it reaches its next point or its end.
    func resume(_ t: Int) { racelab_context_swap(main, contexts[t]) }

    /// Ready for the next schedule.
    func reset() {
        for t in pending.indices {
            pending[t] = nil
            finished[t] = false
            yielded[t] = false
        }
        failure = nil
        events.removeAll(keepingCapacity: true)
        isAborting = false
        step = 0
    }

    func announce(_ thread: Int, locking mutex: ExploreMutex?) {
        pending[thread] = Pending(locking: mutex)
    }

    func record(_ thread: Int, _ operation: Operation) {
        if case .yield = operation { yielded[thread] = true } else { yielded[thread] = false }
        events.append(ExploreEvent(step: step, thread: thread, operation: operation))
    }

    /// Whether thread `t` may take its next step: it waits at a point whose operation
    /// can go now (a lock waits while another thread holds the mutex).
    func isRunnable(_ t: Int) -> Bool {
        guard let next = pending[t] else { return false }
        if let mutex = next.locking { return mutex.holder == nil }
        return true
    }
}
