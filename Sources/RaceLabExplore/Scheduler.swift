import CRaceLabShims
import RaceLab

/// What an operation touches: two steps of different threads are independent (either
/// order gives the same state and the same later steps) when neither touches what the
/// other writes. A yield, a spawn and a join are treated as touching everything.
/// Objects are told apart by name (`Explored.key`): each schedule makes its state anew,
/// so an address would not name the same object in the next schedule; two objects of
/// one name count as one, which can only prune less.
struct Access {
    var first: Int?
    var second: Int?
    var writes: Bool
    var isEverything = false

    static func read(_ object: some Explored) -> Access { Access(first: object.key, second: nil, writes: false) }

    static func write(_ object: some Explored) -> Access { Access(first: object.key, second: nil, writes: true) }

    static func write(_ object: some Explored, _ other: some Explored) -> Access {
        Access(first: object.key, second: other.key, writes: true)
    }

    static let everything = Access(first: nil, second: nil, writes: true, isEverything: true)

    func isIndependent(of other: Access) -> Bool {
        if isEverything || other.isEverything { return false }
        if !writes && !other.writes { return true }
        return first != other.first && first != other.second
            && (second == nil || (second != other.first && second != other.second))
    }
}

/// A primitive the explorer sees, known by its name's hash in `Access`.
protocol Explored: AnyObject {
    var key: Int { get }
}

/// What a schedule's explorer decides at each step: which runnable thread goes next.
protocol Chooser {
    /// `runnable` is sorted and never empty; `previous` is the thread that ran the last
    /// step (nil at the first), `yielded` whether that step was its `yield` (it asks
    /// to let another thread run: switching away is then no preemption); `pending` is
    /// what each thread will do next. Returns one of `runnable`, or nil to stop the
    /// schedule (a replay that no longer matches, or a schedule pruned as equivalent).
    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int?
}

/// The fairness rule of a yield (as CHESS's fair scheduler): a thread that yields does
/// not run again until every thread that could run at its yield has taken a step, or
/// can no longer run. A spin-wait's `yield` then lets the thread it waits for make
/// progress, so a back-off loop ends in every schedule the explorer keeps, instead of
/// two spinners taking turns while the holder of their lock is never chosen.
struct Fairness {
    /// The step of each thread's pending yield, and the threads that must step first.
    private var yieldStep: [Int?] = []
    private var waitsFor: [[Int]] = []
    private var lastRan: [Int] = []
    /// Threads with a yield still pending: while 0, every runnable thread is eligible.
    private var yielders = 0

    /// Room for thread `t` (threads can be spawned as the schedule goes).
    private mutating func grow(to t: Int) {
        while lastRan.count <= t {
            yieldStep.append(nil)
            waitsFor.append([])
            lastRan.append(-1)
        }
    }

    mutating func yielded(_ thread: Int, at step: Int, runnable: [Int]) {
        grow(to: max(thread, runnable.last ?? thread))
        if yieldStep[thread] == nil { yielders += 1 }
        yieldStep[thread] = step
        waitsFor[thread] = runnable.filter { $0 != thread }
    }

    mutating func ran(_ thread: Int, at step: Int) {
        grow(to: thread)
        lastRan[thread] = step
        if yieldStep[thread] != nil { yielders -= 1 }
        yieldStep[thread] = nil
    }

    /// `runnable` without the yielders still owed a step by a runnable thread; never
    /// empty (the most recent yielder owes nobody: each other thread last ran before it).
    func eligible(_ runnable: [Int]) -> [Int] {
        if yielders == 0 { return runnable }
        let eligible = runnable.filter { t in
            guard t < yieldStep.count, let step = yieldStep[t] else { return true }
            return !waitsFor[t].contains { u in (u >= lastRan.count || lastRan[u] < step) && runnable.contains(u) }
        }
        return eligible.isEmpty ? runnable : eligible
    }
}

/// One schedule's result: the threads chosen step by step, what they did, how it ended.
struct ScheduleResult {
    var choices: [Int] = []
    var events: [ExploreEvent] = []
    var failure: ExploreFailure?
    var preemptions = 0
    /// Threads the schedule ran, spawned ones included.
    var threads = 0
    /// Set when a replay stopped because the program did not match its schedule.
    var mismatch: String?
    /// The timeline's column names when they are not workers (an async schedule's tasks).
    var columns: [String] = []
}

/// Runs a program's threads as coroutines on the calling OS thread, one at a time,
/// each operation on a primitive a scheduling point where the chooser picks the next
/// thread. The coroutines' stacks are kept for the whole exploration.
final class Scheduler {
    let run: ScheduleRun

    init(threads count: Int) throws(RaceLabError) {
        guard let run = ScheduleRun(threads: count) else {
            throw .threadCreationFailed(worker: 0, code: 12)  // ENOMEM: no stack
        }
        self.run = run
    }

    func schedule<State>(
        _ bodies: [@Sendable (State, VirtualThread) throws -> Void], state: State, maxSteps: Int,
        chooser: inout some Chooser
    ) -> ScheduleResult {
        let run = self.run
        run.reset()
        for body in bodies {
            let thread = VirtualThread(index: run.count, run: run)
            guard run.add({ try body(state, thread) }) != nil else {
                var refused = ScheduleResult()
                refused.failure = .thrown(thread: thread.index, "the system refused a stack for a virtual thread")
                return refused
            }
        }
        // Each thread runs to its first scheduling point (or its end), one at a time.
        run.startNewThreads()
        var result = ScheduleResult()
        var previous: Int?
        var fairness = Fairness()
        // One buffer for every step's runnable threads: no allocation per step.
        var runnable: [Int] = []
        runnable.reserveCapacity(run.count)
        while run.failure == nil {
            runnable.removeAll(keepingCapacity: true)
            for t in 0..<run.count where run.isRunnable(t) { runnable.append(t) }
            if runnable.isEmpty {
                if !run.finished.allSatisfy({ $0 }) { run.failure = .deadlock(Self.deadlockStory(run)) }
                break
            }
            if run.step >= maxSteps {
                run.failure = .tooManySteps(maxSteps)
                break
            }
            let yielded = previous.map { run.yielded[$0] } ?? false
            if yielded, let previous { fairness.yielded(previous, at: run.step - 1, runnable: runnable) }
            let eligible = fairness.eligible(runnable)
            guard
                let chosen = chooser.choose(
                    step: run.step, runnable: eligible, previous: previous, yielded: yielded, pending: run.pending)
            else {
                result.mismatch = "the schedule stopped matching"
                break
            }
            if let previous, chosen != previous, eligible.contains(previous), !yielded { result.preemptions += 1 }
            result.choices.append(chosen)
            fairness.ran(chosen, at: run.step)
            run.step += 1
            run.pending[chosen] = nil
            run.resume(chosen)
            run.startNewThreads()
            previous = chosen
        }
        // End every thread still waiting at a point: its operation throws, its closure unwinds.
        drain(maxSteps: maxSteps)
        result.events = run.events
        result.failure = run.failure
        result.threads = run.count
        return result
    }

    /// Ends the schedule's unfinished threads. A thread at a point of the throwing API
    /// (`thread.load`) unwinds at once; one at a drop-in's point runs on, unrecorded,
    /// whenever its operation can go (a lock's holder finishes first), so its code
    /// unwinds normally and the real locks it takes are released. What cannot finish
    /// (a deadlock, a spin with no end) is abandoned after `maxSteps` more steps.
    private func drain(maxSteps: Int) {
        run.isAborting = true
        var steps = 0
        var previous: Int?
        while steps < maxSteps {
            // Round robin from the thread after the last one, which keeps the step
            // unless it yielded: a spinning worker cannot starve the one it waits for
            // (that one would be abandoned holding its locks).
            let count = run.count
            let start = previous.map { run.yielded[$0] ? $0 + 1 : $0 } ?? 0
            let next = (0..<count).lazy.map { (start + $0) % count }.first { t in
                guard !run.finished[t], let pending = run.pending[t] else { return false }
                return pending.dropIn == nil || run.isRunnable(t)
            }
            guard let t = next else { break }
            steps += 1
            run.pending[t] = nil
            run.resume(t)
            run.startNewThreads()
            previous = t
        }
        // What is left is abandoned: its coroutines never run again (a drop-in Mutex it
        // holds stays locked; the next lock of it in an exploration says so, `stuck(on:)`).
    }

    /// "worker 0 waits for B, held by worker 1; worker 1 waits for A, held by worker 0";
    /// "worker 1 waits for a signal on notEmpty"; "worker 0 waits for worker 2 to finish".
    private static func deadlockStory(_ run: ScheduleRun) -> String {
        var parts: [String] = []
        for t in run.pending.indices where !run.finished[t] {
            guard let next = run.pending[t] else { continue }
            if let condition = next.condition, condition.waiters.contains(t) {
                parts.append("worker \(t) waits for a signal on \(condition.name)")
            } else if let mutex = next.locking {
                let holder = mutex.holder.map { $0 == t ? "itself" : "worker \($0)" } ?? "nobody"
                parts.append("worker \(t) waits for \(mutex.name), held by \(holder)")
            } else if let joined = next.joining {
                parts.append("worker \(t) waits for \(joined == t ? "itself" : "worker \(joined)") to finish")
            } else if let step = next.dropIn {
                switch step.waitsFor {
                case .mutex(let id)?:
                    let holder = run.holders[id].map { $0 == t ? "itself" : "worker \($0)" } ?? "nobody"
                    parts.append("worker \(t) waits for \(step.label), held by \(holder)")
                case .semaphore?:
                    parts.append("worker \(t) waits on \(step.label), which nobody signals")
                case .signal(let condition, let mutex)?:
                    if run.sleepers[condition]?.contains(t) ?? false {
                        parts.append("worker \(t) waits for a signal on \(step.label)")
                    } else {
                        let holder = run.holders[mutex].map { $0 == t ? "itself" : "worker \($0)" } ?? "nobody"
                        parts.append("worker \(t) waits to relock after \(step.label), held by \(holder)")
                    }
                case nil: break
                }
            }
        }
        return parts.joined(separator: "; ")
    }
}
