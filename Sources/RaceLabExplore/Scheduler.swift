import CRaceLabShims
import RaceLab

/// What a schedule's explorer decides at each step: which runnable thread goes next.
protocol Chooser {
    /// `runnable` is sorted and never empty; `previous` is the thread that ran the last
    /// step (nil at the first), `yielded` whether that step was its `yield` (it asks
    /// to let another thread run: switching away is then no preemption). Returns one of
    /// `runnable`, or nil to stop the schedule (a replay that no longer matches).
    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int?
}

/// The fairness rule of a yield (as CHESS's fair scheduler): a thread that yields does
/// not run again until every thread that could run at its yield has taken a step, or
/// can no longer run. A spin-wait's `yield` then lets the thread it waits for make
/// progress, so a back-off loop ends in every schedule the explorer keeps, instead of
/// two spinners taking turns while the holder of their lock is never chosen.
struct Fairness {
    /// The step of each thread's pending yield, and the threads that must step first.
    private var yieldStep: [Int?]
    private var waitsFor: [[Int]]
    private var lastRan: [Int]

    init(threads: Int) {
        yieldStep = Array(repeating: nil, count: threads)
        waitsFor = Array(repeating: [], count: threads)
        lastRan = Array(repeating: -1, count: threads)
    }

    mutating func yielded(_ thread: Int, at step: Int, runnable: [Int]) {
        yieldStep[thread] = step
        waitsFor[thread] = runnable.filter { $0 != thread }
    }

    mutating func ran(_ thread: Int, at step: Int) {
        lastRan[thread] = step
        yieldStep[thread] = nil
    }

    /// `runnable` without the yielders still owed a step by a runnable thread; never
    /// empty (the most recent yielder owes nobody: each other thread last ran before it).
    func eligible(_ runnable: [Int]) -> [Int] {
        let eligible = runnable.filter { t in
            guard let step = yieldStep[t] else { return true }
            return !waitsFor[t].contains { u in lastRan[u] < step && runnable.contains(u) }
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
    /// Set when a replay stopped because the program did not match its schedule.
    var mismatch: String?
}

/// Runs a program's threads as coroutines on the calling OS thread, one at a time,
/// each operation on a primitive a scheduling point where the chooser picks the next
/// thread. The coroutines' stacks are kept for the whole exploration.
final class Scheduler {
    let run: ScheduleRun

    init(threads count: Int) throws(WorkerPoolError) {
        guard let run = ScheduleRun(threads: count) else {
            throw .threadCreationFailed(worker: 0, code: 12)  // ENOMEM: no stack
        }
        self.run = run
    }

    /// One virtual thread's work for a schedule (its closure on the schedule's state),
    /// handed to its coroutine's entry.
    private final class Job {
        let run: ScheduleRun
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
                } catch let failure as ExploreFailure {
                    if run.failure == nil { run.failure = failure }
                } catch {
                    if run.failure == nil { run.failure = .thrown(thread: t, "\(error)") }
                }
            }
            run.pending[t] = nil
            run.finished[t] = true
            // Returning switches to the scheduler (the context's uc_link).
        }
    }

    func schedule<State>(
        _ bodies: [@Sendable (State, VirtualThread) throws -> Void], state: State, maxSteps: Int,
        chooser: inout some Chooser
    ) -> ScheduleResult {
        let run = self.run
        let count = bodies.count
        run.reset()
        var jobs: [Unmanaged<Job>] = []
        for t in 0..<count {
            let body = bodies[t]
            let thread = VirtualThread(index: t, run: run)
            let job = Unmanaged.passRetained(Job(run: run, index: t) { try body(state, thread) })
            jobs.append(job)
            racelab_context_prepare(
                run.contexts[t], run.main,
                { raw in
                    Unmanaged<Job>.fromOpaque(raw!).takeUnretainedValue().start()
                }, job.toOpaque())
        }
        defer { jobs.forEach { $0.release() } }
        // Each thread runs to its first scheduling point (or its end), one at a time.
        for t in 0..<count { run.resume(t) }
        var result = ScheduleResult()
        var previous: Int?
        var fairness = Fairness(threads: count)
        while run.failure == nil {
            let runnable = (0..<count).filter(run.isRunnable)
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
            guard let chosen = chooser.choose(step: run.step, runnable: eligible, previous: previous, yielded: yielded)
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
            previous = chosen
        }
        // End every thread still waiting at a point: its operation throws, its closure unwinds.
        run.isAborting = true
        for t in 0..<count where !run.finished[t] { run.resume(t) }
        result.events = run.events
        result.failure = run.failure
        return result
    }

    /// "thread 0 waits for B, held by thread 1; thread 1 waits for A, held by thread 0".
    private static func deadlockStory(_ run: ScheduleRun) -> String {
        var parts: [String] = []
        for t in run.pending.indices where !run.finished[t] {
            guard let next = run.pending[t], let mutex = next.locking else { continue }
            let holder = mutex.holder.map { $0 == t ? "itself" : "thread \($0)" } ?? "nobody"
            parts.append("thread \(t) waits for \(mutex.name), held by \(holder)")
        }
        return parts.joined(separator: "; ")
    }
}
