import CRaceLabShims
import RaceLab
import RaceLabSync

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
        try point(.init(access: .read(shared)))
        let value = shared.current
        run.record(index, .load(location: shared.name, value: value))
        return value
    }

    /// Writes `value` to `shared` (a scheduling point before the write).
    public func store<Value>(_ shared: Shared<Value>, _ value: Value) throws {
        try point(.init(access: .write(shared)))
        shared.current = value
        run.record(index, .store(location: shared.name, value: value))
    }

    /// Reads `shared` and writes `transform(value)` in one step (an atomic
    /// read-modify-write, as `Atomic.wrappingAdd` is): one scheduling point, no other
    /// thread between the read and the write. Returns the value it read.
    @discardableResult
    public func update<Value>(_ shared: Shared<Value>, _ transform: (Value) -> Value) throws -> Value {
        try point(.init(access: .write(shared)))
        let old = shared.current
        shared.current = transform(old)
        run.record(index, .update(location: shared.name, old: old, new: shared.current))
        return old
    }

    /// Writes `desired` to `shared` if it holds `expected`, in one step (an atomic
    /// compare-and-exchange, as `Atomic.compareExchange` is): one scheduling point.
    /// Returns whether it wrote and the value it found.
    @discardableResult
    public func compareExchange<Value: Equatable>(_ shared: Shared<Value>, expected: Value, desired: Value) throws
        -> (exchanged: Bool, original: Value)
    {
        try point(.init(access: .write(shared)))
        let original = shared.current
        let exchanged = original == expected
        if exchanged { shared.current = desired }
        run.record(
            index,
            .compareExchange(
                location: shared.name, expected: expected, desired: desired, found: original, exchanged: exchanged))
        return (exchanged, original)
    }

    /// Locks `mutex`, waiting while another thread holds it. Locking a mutex this thread
    /// already holds is a deadlock of its own, and reported as one.
    public func lock(_ mutex: ExploreMutex) throws {
        try point(.init(locking: mutex, access: .write(mutex)))
        mutex.holder = index
        run.record(index, .lock(mutex: mutex.name))
    }

    /// Locks `mutex` if it is free; never waits.
    public func tryLock(_ mutex: ExploreMutex) throws -> Bool {
        try point(.init(access: .write(mutex)))
        let isFree = mutex.holder == nil
        if isFree { mutex.holder = index }
        run.record(index, .tryLock(mutex: mutex.name, didLock: isFree))
        return isFree
    }

    /// Unlocks `mutex`. Unlocking a mutex this thread does not hold fails the schedule.
    public func unlock(_ mutex: ExploreMutex) throws {
        try point(.init(access: .write(mutex)))
        guard mutex.holder == index else {
            let holder = mutex.holder.map { "worker \($0) holds it" } ?? "nobody holds it"
            throw ExploreFailure.misuse("worker \(index) unlocked \(mutex.name), which it does not hold (\(holder))")
        }
        mutex.holder = nil
        run.record(index, .unlock(mutex: mutex.name))
    }

    /// Waits on `condition`: unlocks `mutex` (which this thread must hold) and sleeps,
    /// in one step, until another thread signals `condition`; then locks `mutex` again
    /// (a step of its own, waiting while another thread holds it). No spurious wakeups;
    /// a signal wakes the thread that has waited longest. A wait nobody signals is a
    /// deadlock, reported as one: guard the wait with a `while` over the state.
    public func wait(_ condition: ExploreCondition, releasing mutex: ExploreMutex) throws {
        try point(.init(access: .write(mutex, condition)))
        guard mutex.holder == index else {
            let holder = mutex.holder.map { "worker \($0) holds it" } ?? "nobody holds it"
            throw ExploreFailure.misuse(
                "worker \(index) waited on \(condition.name) releasing \(mutex.name), which it does not hold (\(holder))"
            )
        }
        mutex.holder = nil
        condition.waiters.append(index)
        run.record(index, .wait(condition: condition.name, mutex: mutex.name))
        try point(.init(locking: mutex, condition: condition, access: .write(mutex)))
        mutex.holder = index
        run.record(index, .woken(condition: condition.name, mutex: mutex.name))
    }

    /// Wakes the thread that has waited longest on `condition`, if any (a signal with
    /// nobody waiting is lost: the timeline says so).
    public func signal(_ condition: ExploreCondition) throws {
        try point(.init(access: .write(condition)))
        let woken = condition.waiters.isEmpty ? [] : [condition.waiters.removeFirst()]
        run.record(index, .signal(condition: condition.name, woken: woken, isBroadcast: false))
    }

    /// Wakes every thread waiting on `condition`.
    public func broadcast(_ condition: ExploreCondition) throws {
        try point(.init(access: .write(condition)))
        let woken = condition.waiters
        condition.waiters.removeAll()
        run.record(index, .signal(condition: condition.name, woken: woken, isBroadcast: true))
    }

    /// A thread of the program started by another: `spawn` is a scheduling point, the
    /// new thread gets the next index (the same in every schedule that spawns in the
    /// same order) and runs `body` as the others do, one at a time.
    public struct Handle: Sendable, Hashable {
        /// The spawned thread's index, as the timeline and the schedule string show it.
        public let index: Int
    }

    /// Starts a new virtual thread running `body`; `join` waits for it to finish.
    @discardableResult
    public func spawn(_ body: @escaping @Sendable (VirtualThread) throws -> Void) throws -> Handle {
        try point(.init(access: .everything))
        guard let child = run.spawn(body) else {
            throw ExploreFailure.thrown(thread: index, "the system refused a stack for a new virtual thread")
        }
        run.record(index, .spawn(child: child))
        return Handle(index: child)
    }

    /// Waits until the thread `handle` names has finished (joining itself is a deadlock).
    public func join(_ handle: Handle) throws {
        guard handle.index < run.count else {
            throw ExploreFailure.misuse(
                "worker \(index) joined thread \(handle.index), which this schedule has not spawned")
        }
        try point(.init(joining: handle.index, access: .everything))
        run.record(index, .join(thread: handle.index))
    }

    /// A scheduling point with no operation that asks to let another thread run: the
    /// explorers prefer another runnable thread next (a spin-wait's back-off), and
    /// switching away is not counted as a preemption.
    public func yield() throws {
        try point(.init(access: .everything))
        run.record(index, .yield)
    }

    /// Fails the schedule unless `condition` holds: the explorer stops this schedule
    /// and reports it with `message` and its timeline.
    public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw ExploreFailure.check("worker \(index): \(message())") }
    }

    /// Announces the next operation and waits until the explorer chooses this thread.
    private func point(_ pending: ScheduleRun.Pending) throws {
        run.pending[index] = pending
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
    /// The test's `make` threw this (its description): no worker ran.
    case makeThrew(String)
    /// A job of an async program ran outside the explorer's control (resumed from
    /// another thread, sent to the main actor or to a custom executor): its order was
    /// not the explorer's to choose, so the schedule proves nothing.
    case escaped(String)

    /// One line, for the report.
    public var description: String {
        switch self {
        case .check(let message): "check failed: \(message)"
        case .thrown(let thread, let error): "worker \(thread) threw \(error)"
        case .deadlock(let story): "deadlock: \(story)"
        case .misuse(let story): "misuse: \(story)"
        case .tooManySteps(let limit): "ran past \(limit.grouped) steps (a livelock?)"
        case .makeThrew(let error): "make() threw \(error)"
        case .escaped(let story): "a job escaped the explorer: \(story)"
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
    /// What a thread waits for at its scheduling point; all nil: nothing, it can run.
    struct Pending {
        /// A mutex it must lock first (a `lock`, or a `wait` woken and relocking).
        var locking: ExploreMutex?
        /// A condition it sleeps on until signalled.
        var condition: ExploreCondition?
        /// A thread it joins.
        var joining: Int?
        /// What the operation touches, for telling independent steps apart.
        var access: Access
        /// A drop-in primitive's next operation (RaceLabSync): what it waits for lives
        /// in `holders` and `permits`, keyed by the primitive's id.
        var dropIn: PendingStep?

        init(
            locking: ExploreMutex? = nil, condition: ExploreCondition? = nil, joining: Int? = nil, access: Access
        ) {
            self.locking = locking
            self.condition = condition
            self.joining = joining
            self.access = access
        }

        init(_ step: PendingStep) {
            access =
                step.object == PendingStep.everything
                ? .everything : Access(first: step.object, second: step.other, writes: step.writes)
            dropIn = step
        }
    }

    /// One virtual thread's work for a schedule, handed to its coroutine's entry.
    final class Job {
        unowned let run: ScheduleRun
        let index: Int
        let work: () throws -> Void
        init(run: ScheduleRun, index: Int, work: @escaping () throws -> Void) {
            self.run = run
            self.index = index
            self.work = work
        }

        func start() {
            let t = index
            if !run.isAborting {
                do {
                    try work()
                } catch is ScheduleAborted {
                } catch let failure as RaceFailure {
                    if run.failure == nil && !run.isAborting { run.failure = .check("worker \(t): \(failure)") }
                } catch let failure as ExploreFailure {
                    if run.failure == nil && !run.isAborting { run.failure = failure }
                } catch {
                    if run.failure == nil && !run.isAborting { run.failure = .thrown(thread: t, "\(error)") }
                }
            }
            run.pending[t] = nil
            run.finished[t] = true
            // Returning switches to the scheduler (the context's uc_link).
        }
    }

    // The properties below are read and written at every step, on the explorer's thread
    // only, and never across a switch: their exclusivity is left unchecked (a checked
    // access cost a fifth of a step, in callgrind).
    /// The scheduler's context, and a context (with its stack) per thread index ever
    /// used, kept for the whole exploration.
    let main: OpaquePointer
    @exclusivity(unchecked) private(set) var contexts: [OpaquePointer] = []
    /// Threads in the schedule being run (a `spawn` adds one).
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) var pending: [Pending?] = []
    @exclusivity(unchecked) var finished: [Bool] = []
    /// Whether each thread's last step was a `yield`.
    @exclusivity(unchecked) var yielded: [Bool] = []
    /// Spawned threads not yet run to their first scheduling point.
    @exclusivity(unchecked) var unstarted: [Int] = []
    @exclusivity(unchecked) private var jobs: [Unmanaged<Job>] = []
    @exclusivity(unchecked) var failure: ExploreFailure?
    @exclusivity(unchecked) var events: [ExploreEvent] = []
    /// The schedule is over: threads still running are drained (run on, unrecorded, so
    /// their code unwinds and their locks are released) or, if they cannot finish,
    /// abandoned.
    @exclusivity(unchecked) var isAborting = false
    @exclusivity(unchecked) var step = 0
    /// The thread running now, nil while the scheduler (or `make`, or `check`) runs.
    @exclusivity(unchecked) private(set) var current: Int?
    /// Drop-in mutexes held, by `SyncObject.key`: the holder's index.
    @exclusivity(unchecked) var holders: [Int: Int] = [:]
    /// Drop-in semaphores' counts, by key, once touched in this schedule.
    @exclusivity(unchecked) var permits: [Int: Int] = [:]
    /// Threads asleep on each drop-in condition, by key, the longest waiting first.
    @exclusivity(unchecked) var sleepers: [Int: [Int]] = [:]
    /// Ids handed out to drop-ins made in this schedule.
    @exclusivity(unchecked) private var objects = 0

    /// Stack per virtual thread: generous (mmap'd, so only what is touched is used).
    static let stackBytes = 1 << 20

    /// Nil when the system refuses a stack.
    init?(threads: Int) {
        guard let main = racelab_context_new(0) else { return nil }
        self.main = main
        guard ensureContexts(threads) else { return nil }
    }

    deinit {
        releaseJobs()
        contexts.forEach { racelab_context_free($0) }
        racelab_context_free(main)
    }

    private func ensureContexts(_ needed: Int) -> Bool {
        while contexts.count < needed {
            guard let context = racelab_context_new(Self.stackBytes) else { return false }
            contexts.append(context)
        }
        return true
    }

    /// From thread `t`'s coroutine back to the scheduler's.
    func switchToScheduler(from t: Int) { racelab_context_swap(contexts[t], main) }

    /// From the scheduler to thread `t`, until it reaches its next point or its end.
    func resume(_ t: Int) {
        current = t
        racelab_context_swap(main, contexts[t])
        current = nil
    }

    /// Before a schedule's `make`: drop-ins it makes are numbered from 1 again, and no
    /// lock is held, no semaphore counted, nobody asleep (what `make` does to them counts).
    func beginSchedule() {
        objects = 0
        holders.removeAll(keepingCapacity: true)
        permits.removeAll(keepingCapacity: true)
        sleepers.removeAll(keepingCapacity: true)
    }

    /// Ready for the next schedule, with no threads yet.
    func reset() {
        releaseJobs()
        count = 0
        pending.removeAll(keepingCapacity: true)
        finished.removeAll(keepingCapacity: true)
        yielded.removeAll(keepingCapacity: true)
        unstarted.removeAll(keepingCapacity: true)
        failure = nil
        events.removeAll(keepingCapacity: true)
        isAborting = false
        step = 0
    }

    /// Adds a thread running `work` (not started: `unstarted` lists it); its index, or
    /// nil when the system refuses its stack.
    func add(_ work: @escaping () throws -> Void) -> Int? {
        let t = count
        guard ensureContexts(t + 1) else { return nil }
        count += 1
        pending.append(nil)
        finished.append(false)
        yielded.append(false)
        let job = Unmanaged.passRetained(Job(run: self, index: t, work: work))
        jobs.append(job)
        racelab_context_prepare(
            contexts[t], main,
            { raw in
                Unmanaged<Job>.fromOpaque(raw!).takeUnretainedValue().start()
            }, job.toOpaque())
        unstarted.append(t)
        return t
    }

    /// A thread spawned by a running one.
    func spawn(_ body: @escaping @Sendable (VirtualThread) throws -> Void) -> Int? {
        let thread = VirtualThread(index: count, run: self)
        return add { try body(thread) }
    }

    /// Runs each new thread to its first scheduling point (or its end), in index order.
    func startNewThreads() {
        var next = 0
        while next < unstarted.count {
            resume(unstarted[next])
            next += 1
        }
        unstarted.removeAll(keepingCapacity: true)
    }

    private func releaseJobs() {
        jobs.forEach { $0.release() }
        jobs.removeAll(keepingCapacity: true)
    }

    func record(_ thread: Int, _ operation: Operation) {
        if case .yield = operation { yielded[thread] = true } else { yielded[thread] = false }
        if isAborting { return }
        events.append(ExploreEvent(step: step, thread: thread, operation: operation))
    }

    /// Whether thread `t` may take its next step: it waits at a point whose operation
    /// can go now (not asleep on a condition, its mutex free, the thread it joins done).
    func isRunnable(_ t: Int) -> Bool {
        // Read in place: a thread at a plain operation (nothing to wait for) is the
        // common case, answered without copying its Pending (a copy retains and releases
        // each reference in it).
        let plain: Bool? = pending.withUnsafeBufferPointer { buffer in
            let slot = buffer.baseAddress! + t
            switch slot.pointee {
            case nil: return false
            case .some(let next)
            where next.condition == nil && next.locking == nil && next.joining == nil && next.dropIn == nil:
                return true
            default: return nil
            }
        }
        if let plain { return plain }
        guard let next = pending[t] else { return false }
        if let condition = next.condition, condition.waiters.contains(t) { return false }
        if let mutex = next.locking, mutex.holder != nil { return false }
        if let joined = next.joining, !finished[joined] { return false }
        switch next.dropIn?.waitsFor {
        case .mutex(let id)?: return holders[id] == nil
        case .semaphore(let id, let initial)?: return (permits[id] ?? initial) > 0
        case .signal(let condition, let mutex)?:
            return !(sleepers[condition]?.contains(t) ?? false) && holders[mutex] == nil
        case nil: return true
        }
    }

}

extension ScheduleRun: ExplorationControl {
    var isRunningThread: Bool { current != nil }

    func newObjectID() -> Int {
        objects += 1
        return objects
    }

    func point(_ step: PendingStep) {
        guard let t = current else { return }
        pending[t] = Pending(step)
        switchToScheduler(from: t)
    }

    func stuck(on label: SyncLabel) -> Never {
        let t = current ?? -1
        if failure == nil && !isAborting {
            failure = .misuse(
                "worker \(t) locks \(label), which a worker of an earlier schedule still holds (it ended in a"
                    + " deadlock, or with a worker that could not finish, and the lock outlives it):"
                    + " make each mutex in make(), so every schedule has its own")
        }
        // Parked for good: no pending step, so neither the schedule nor its drain
        // resumes it; it is abandoned with the schedule.
        while true {
            pending[t] = nil
            switchToScheduler(from: t)
        }
    }

    func record(_ event: SyncEvent) {
        guard let t = current else { return }
        record(t, .sync(event))
    }

    func acquire(mutex key: Int) {
        if let t = current { holders[key] = t }
    }

    func release(mutex key: Int) { holders[key] = nil }

    func isFree(mutex key: Int) -> Bool { holders[key] == nil }

    func take(semaphore key: Int, initial: Int) -> Bool {
        let count = permits[key] ?? initial
        guard count > 0 else { return false }
        permits[key] = count - 1
        return true
    }

    func give(semaphore key: Int, initial: Int) { permits[key] = (permits[key] ?? initial) + 1 }

    func sleep(on condition: Int) {
        if let t = current { sleepers[condition, default: []].append(t) }
    }

    func wake(_ condition: Int, all: Bool) -> [Int] {
        guard var waiting = sleepers[condition], !waiting.isEmpty else { return [] }
        let woken = all ? waiting : [waiting.removeFirst()]
        sleepers[condition] = all ? [] : waiting
        return woken
    }

    func recordYield() {
        if let t = current { record(t, .yield) }
    }
}
