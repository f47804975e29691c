import CRaceLabShims
import Dispatch
import RaceLab
import Synchronization
// Task.sleep asks the task's preferred executor to schedule its wake-up when that
// executor is a SchedulingExecutor (Swift 6.2+, SPI on this toolchain): that is how the
// explorer sees a sleep and turns it into virtual time.
@_spi(ExperimentalScheduling) import _Concurrency

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The async explorer's executor: every job of the program under test runs here, one at
/// a time, on the explorer's own thread, in the order its chooser picks.
///
/// How each job comes here (docs/explore.md, "Async code"):
/// - The workers are tasks that prefer this executor (SE-0417), and so do their child
///   tasks (`async let`, task groups). A job run here runs "on a task executor", and
///   the runtime never switches inline from such a job to an actor
///   (`swift_task_switch` needs an undefined task executor for that): every hop to an
///   actor enqueues the task there, and the actor's drain job comes here.
/// - `Task {}`, `Task.detached` and `Task.yield()`'s continuation go to the global
///   executor: `swift_task_enqueueGlobal_hook` hands them here when they are enqueued
///   from the explorer's thread (other threads, other tests, are not touched).
/// - `Task.sleep` asks this executor (`SchedulingExecutor`) to run the task at a
///   deadline: a virtual clock, which jumps to the next deadline when nothing else
///   can run, or earlier as one of the explorer's choices.
/// - An actor's drain runs the jobs queued on it back to back; the runtime tells each
///   job's start (`_swift_tsan_acquire`), and the explorer makes it a choice there:
///   another job may run first, nested inside (so paused drains resume innermost first).
/// - A job enqueued from another thread (a continuation resumed from a Dispatch queue)
///   or for the main actor escaped: the schedule fails and says so.
///
/// `@unchecked Sendable`: everything but `inbox` is touched on the explorer's thread
/// only; the runtime calls `enqueue` there too, except for an escaped job.
final class JobScheduler: TaskExecutor, SchedulingExecutor, @unchecked Sendable {
    /// What a ready item is.
    enum Kind: Equatable {
        /// A task's job: its start or a resumption.
        case task
        /// An actor's drain (the runtime's processing job for a default actor).
        case drain
        /// A job that resumes a task (`Task.yield()`'s continuation).
        case continuation
        /// A paused drain's next job, at nesting `level`.
        case resume(level: Int)
    }

    struct Item {
        var job: UnownedJob?
        var kind: Kind
        /// The task it belongs to (index), when known.
        var task: Int?
        /// PCT's key: the task, or a number of its own for a drain.
        var owner: Int
    }

    struct Timer {
        var deadline: Int64
        var order: Int
        var job: UnownedJob
        var task: Int?
    }

    /// One step being run: what it is, and what it did (the timeline's text).
    struct OpenStep {
        var step: Int
        var task: Int?
        var actor: String?
        var notes: [String] = []
        var isDrain = false
        var sawFirstJob = false
        var job: UnsafeRawPointer?
    }

    // Fixed for the exploration.
    private var thread = pthread_self()
    /// What the C hooks call back, at an address of its own (the thread-local keeps it).
    private let capture = UnsafeMutablePointer<racelab_async_capture>.allocate(capacity: 1)

    // The schedule being run.
    private(set) var ready: [Item] = []
    private var timers: [Timer] = []
    private var timerOrder = 0
    /// Virtual time, in nanoseconds since the schedule began.
    private(set) var now: Int64 = 0
    private var taskIndex: [UInt64: Int] = [:]
    private(set) var taskNames: [String] = []
    private var actorNames: [UnsafeRawPointer: String] = [:]
    private var actorTypes: [String: Int] = [:]
    private var drains = 0
    private var taskMetadata: UnsafeRawPointer?
    /// The metadata words of the runtime's non-task jobs seen so far.
    private var jobMetadata: [UnsafeRawPointer] = []
    /// The open step of each nesting level (0: the top).
    private var open: [OpenStep?] = [nil]
    /// Who is naming the next tasks it sees: "worker 0", or the task that runs.
    private var creatorName: String?
    private var records: [OpenStep] = []
    /// Recorded steps (the choices); 0 while a phase runs unrecorded.
    private(set) var step = 0
    private(set) var choices: [Int] = []
    private(set) var preemptions = 0
    var recording = false
    /// Set when the chooser stopped (a replay that no longer matches) or the step limit
    /// was reached: the rest runs first come, first served, unrecorded.
    private(set) var stopped = false
    var maxSteps = 10_000
    private(set) var escapes: [String] = []
    private(set) var ranPastLimit = false
    /// Jobs enqueued from another thread, taken in at the next step; after the
    /// exploration (`closed`), handed to the global executor instead.
    private let inbox = Mutex<(jobs: [UnownedJob], closed: Bool)>(([], false))
    private let arrived = DispatchSemaphore(value: 0)
    /// The chooser of the schedule running, called at each recorded step.
    var choose: ((_ step: Int, _ options: [Item], _ timerOffered: Bool) -> Int?)?
    private(set) var mismatch: String?

    init() {
        racelab_async_install()
        // Never freed: a task of the program may outlive the exploration and still
        // name this executor as the one it prefers (see `close`).
        _ = Unmanaged.passRetained(self)
        capture.initialize(to: racelab_async_capture())
        capture.pointee.context = Unmanaged.passUnretained(self).toOpaque()
        capture.pointee.enqueue = { context, job, main in
            let scheduler = Unmanaged<JobScheduler>.fromOpaque(context!).takeUnretainedValue()
            scheduler.captured(UnownedJob(unsafeRawJob: job!), main: main != 0)
        }
        capture.pointee.sleep = { context, job, nanoseconds, fromDeadline in
            let scheduler = Unmanaged<JobScheduler>.fromOpaque(context!).takeUnretainedValue()
            scheduler.sleep(
                UnownedJob(unsafeRawJob: job!), for: .nanoseconds(nanoseconds), roundedUp: fromDeadline != 0)
        }
        capture.pointee.acquire = { context, address in
            let scheduler = Unmanaged<JobScheduler>.fromOpaque(context!).takeUnretainedValue()
            scheduler.acquired(address!)
        }
    }

    /// Ends the exploration: a job of an abandoned task that comes later (a continuation
    /// resumed from another thread) runs on the global executor, so nothing waits for
    /// a thread that is gone. The scheduler itself is never freed (`init` keeps it): a
    /// task that prefers it may still hold it.
    func close() {
        let late = inbox.withLock { inbox in
            inbox.closed = true
            defer { inbox.jobs.removeAll() }
            return inbox.jobs
        }
        for job in late { racelab_async_enqueue_original(unsafeBitCast(job, to: UnsafeMutableRawPointer.self)) }
    }

    /// Makes the calling thread the explorer's: its global enqueues and job starts come here.
    func attach() {
        thread = pthread_self()
        _ = racelab_async_set_current(capture)
    }

    func detach() { _ = racelab_async_set_current(nil) }

    func beginSchedule() {
        ready.removeAll(keepingCapacity: true)
        timers.removeAll()
        timerOrder = 0
        now = 0
        taskIndex.removeAll()
        taskNames.removeAll()
        actorNames.removeAll()
        actorTypes.removeAll()
        drains = 0
        open = [nil]
        records.removeAll()
        step = 0
        choices.removeAll()
        preemptions = 0
        stopped = false
        escapes.removeAll()
        ranPastLimit = false
        mismatch = nil
        abandonedRuns = 0
        unrecordedRuns = 0
        pendingWake = false
        lastChosenStep = 0
    }

    // MARK: jobs coming in

    /// On the explorer's thread, while it explores (after `close`, a thread of the same
    /// id may be another one: the system reuses them).
    private var onExplorerThread: Bool {
        pthread_equal(pthread_self(), thread) != 0 && !inbox.withLock { $0.closed }
    }

    private func firstWord(_ job: UnownedJob) -> UnsafeRawPointer {
        racelab_first_word(unsafeBitCast(job, to: UnsafeRawPointer.self))!
    }

    /// The task a job belongs to, named at first sight ("worker 0", "started in task 2").
    private func task(of job: UnownedJob) -> Int? {
        let id = racelab_job_task_id(unsafeBitCast(job, to: UnsafeRawPointer.self))
        guard id != 0 else { return nil }
        if let index = taskIndex[id] { return index }
        let index = taskNames.count
        taskIndex[id] = index
        taskNames.append(creatorName ?? open.last.flatMap { $0?.task }.map { "started in task \($0)" } ?? "a task")
        return index
    }

    private func note(_ text: String) {
        guard var step = open[open.count - 1] else { return }
        step.notes.append(text)
        open[open.count - 1] = step
    }

    /// A job for this executor: a task that prefers it (its start, or a resumption),
    /// an actor's drain scheduled for such a task, or `Task.yield()`'s continuation.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        guard onExplorerThread else { return escaped(job) }
        admit(job)
    }

    /// A global enqueue from the explorer's thread: `Task {}`, `Task.detached`, or a
    /// continuation; or a job for the main actor (escaped).
    private func captured(_ job: UnownedJob, main: Bool) {
        guard !main else {
            escapes.append("a job was sent to the main actor, which the explorer does not run")
            racelab_async_enqueue_original_main(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
            return
        }
        admit(job)
    }

    /// The runtime's job kinds (JobKind): a task, an actor's drain, a continuation.
    private enum JobKind {
        static let task: Int32 = 0
        static let drains: ClosedRange<Int32> = 192...194
        static let continuation: Int32 = 195
    }

    /// Puts `job` in the ready queue, as what its kind says it is.
    private func admit(_ job: UnownedJob) {
        let kind = racelab_job_kind(unsafeBitCast(job, to: UnsafeRawPointer.self))
        let word = firstWord(job)
        if kind == JobKind.task {
            taskMetadata = word
            let known = taskIndex.count
            let task = task(of: job)
            ready.append(Item(job: job, kind: .task, task: task, owner: task ?? 0))
            if let task, taskIndex.count > known, open.last.flatMap({ $0?.task }) != nil { note("starts task \(task)") }
            return
        }
        if !jobMetadata.contains(word) { jobMetadata.append(word) }
        if JobKind.drains.contains(kind) {
            drains += 1
            ready.append(Item(job: job, kind: .drain, task: nil, owner: 10_000 + drains))
        } else {
            // A continuation resumes the task running now (Task.yield()), or another job
            // of the runtime's on its behalf.
            let task = open.last.flatMap { $0?.task }
            ready.append(Item(job: job, kind: .continuation, task: task, owner: task ?? 0))
            if kind == JobKind.continuation { note("yields") }
        }
    }

    /// A sleep: the task wakes at `now + delay` of the virtual clock.
    func enqueue<C: Clock>(_ job: consuming ExecutorJob, after delay: C.Duration, tolerance: C.Duration?, clock: C) {
        let job = UnownedJob(job)
        guard onExplorerThread else { return escaped(job) }
        guard let duration = delay as? Duration else {
            escapes.append("a sleep on \(C.self), whose durations the explorer cannot read")
            return racelab_async_enqueue_original(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        }
        sleep(job, for: duration)
    }

    /// A sleep until `instant`: `Task.sleep(for:)` reads the real clock and adds its
    /// duration, so the duration left is rounded up to the microsecond... then to the
    /// millisecond when the real time that passed since is below one (it always is:
    /// the same job), which gives back the duration asked for.
    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        let job = UnownedJob(job)
        guard onExplorerThread else { return escaped(job) }
        guard let left = clock.now.duration(to: instant) as? Duration else {
            escapes.append("a sleep on \(C.self), whose durations the explorer cannot read")
            return racelab_async_enqueue_original(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        }
        sleep(job, for: left, roundedUp: true)
    }

    private func sleep(_ job: UnownedJob, for duration: Duration, roundedUp: Bool = false) {
        let (seconds, attoseconds) = duration.components
        // Saturating: a sleep of years (or of UInt64.max nanoseconds) is "the end of
        // time", not an overflow.
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        var nanoseconds = overflow ? Int64.max / 2 : min(Int64.max / 2, max(0, whole &+ attoseconds / 1_000_000_000))
        if roundedUp {
            let millisecond: Int64 = 1_000_000
            nanoseconds = (nanoseconds + millisecond - 1) / millisecond * millisecond
        }
        // The wake-up job has an id of its own: it stands for the task that sleeps.
        let running = open.last.flatMap { $0?.task }
        let id = racelab_job_task_id(unsafeBitCast(job, to: UnsafeRawPointer.self))
        if let running, id != 0, taskIndex[id] == nil { taskIndex[id] = running }
        let task = task(of: job)
        timerOrder += 1
        let deadline = now > Int64.max / 2 ? now : now + nanoseconds
        timers.append(Timer(deadline: deadline, order: timerOrder, job: job, task: task))
        note("sleeps \(Self.time(nanoseconds)) (until \(Self.time(deadline)))")
    }

    /// "10 ms", "1.5 s", "250 µs".
    static func time(_ nanoseconds: Int64) -> String {
        if nanoseconds >= 1_000_000_000 { return trimmed(Double(nanoseconds) / 1e9) + " s" }
        if nanoseconds >= 1_000_000 { return trimmed(Double(nanoseconds) / 1e6) + " ms" }
        if nanoseconds >= 1_000 { return trimmed(Double(nanoseconds) / 1e3) + " µs" }
        return "\(nanoseconds) ns"
    }

    private static func trimmed(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// A job enqueued from another thread: it runs (so the program can end), but its
    /// order was not the explorer's.
    private func escaped(_ job: UnownedJob) {
        let closed = inbox.withLock { inbox in
            if !inbox.closed { inbox.jobs.append(job) }
            return inbox.closed
        }
        if closed {
            racelab_async_enqueue_original(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        } else {
            arrived.signal()
        }
    }

    // MARK: job starts inside a drain

    /// The runtime acquires `address`: when it is a job starting inside an actor's
    /// drain, the explorer decides there whether it runs now.
    private func acquired(_ address: UnsafeRawPointer) {
        // The runtime acquires inside racelab's own bookkeeping too (a lazy witness
        // table's swift_once): only a job's start, while a job runs, is a point.
        guard !busy else { return }

        busy = true
        defer { busy = false }
        guard var current = open[open.count - 1], current.isDrain, address != current.job else { return }
        guard let word = racelab_first_word(address), word == taskMetadata || jobMetadata.contains(word) else {
            return
        }
        let job = unsafeBitCast(address, to: UnownedJob.self)
        let actor = actorName(racelab_current_executor_identity())
        let task = word == taskMetadata ? task(of: job) : nil
        if !current.sawFirstJob {
            // The job the drain was chosen for: this step is it.
            current.sawFirstJob = true
            current.task = task
            current.actor = actor
            open[open.count - 1] = current
            return
        }
        // Another job of the same actor, back to back: a choice of its own.
        close(level: open.count - 1)
        let level = open.count
        ready.append(Item(job: nil, kind: .resume(level: level), task: task, owner: task ?? 0))
        open.append(nil)
        loop(level: level)
        open.removeLast()
        // Resumed: the drain's next job is this step.
        var resumed = OpenStep(step: lastChosenStep, task: task, actor: actor)
        resumed.isDrain = true
        resumed.sawFirstJob = true
        resumed.job = current.job
        open[open.count - 1] = resumed
    }

    private var lastChosenStep = 0

    private func actorName(_ identity: UnsafeMutableRawPointer?) -> String? {
        guard let identity else { return nil }
        let key = UnsafeRawPointer(identity)
        if let name = actorNames[key] { return name }
        let object = Unmanaged<AnyObject>.fromOpaque(key).takeUnretainedValue()
        let type = String(describing: Swift.type(of: object))
        let count = (actorTypes[type] ?? 0) + 1
        actorTypes[type] = count
        let name = count == 1 ? type : "\(type) \(count)"
        actorNames[key] = name
        return name
    }

    // MARK: the loop

    /// Runs ready jobs until none is left (level 0), or until this level's paused drain
    /// is chosen to go on (a nested level).
    func loop(level: Int) {
        let wasBusy = busy
        busy = true
        defer { busy = wasBusy }
        while true {
            takeInbox(wait: false)
            let options = ready.indices.filter { i in
                if case .resume(let l) = ready[i].kind { return l == level }
                return true
            }
            if options.isEmpty {
                if let timer = nextTimer() {
                    fire(timer)
                    continue
                }
                if takeInbox(wait: !escapes.isEmpty) { continue }
                return
            }
            var position = 0
            let offersTimer = !timers.isEmpty
            if !recording && !stopped {
                // make, check and late jobs are not choices, but not endless either.
                unrecordedRuns += 1
                if unrecordedRuns > maxSteps * 10 {
                    ranPastLimit = true
                    stopped = true
                }
            }
            if stopped {
                // After a stop, jobs run first come, first served, up to maxSteps more; what
                // is left then is abandoned (a paused drain still goes on, to unwind).
                abandonedRuns += 1
                if abandonedRuns > maxSteps {
                    if level == 0 { return }
                    if let own = options.first(where: { if case .resume = ready[$0].kind { true } else { false } }) {
                        ready.remove(at: own)
                        return
                    }
                }
            }
            if recording && !stopped {
                if step >= maxSteps {
                    ranPastLimit = true
                    stopped = true
                } else if let choose,
                    let chosen = choose(step, options.map { ready[$0] }, offersTimer)
                {
                    position = chosen
                    choices.append(chosen)
                    if chosen != 0 { preemptions += 1 }
                    step += 1
                } else {
                    mismatch = "the schedule stopped matching"
                    stopped = true
                }
            }
            if position == options.count, let timer = nextTimer() {
                // The chooser fired the next timer early (it was offered as the last option).
                fire(timer)
                lastChosenStep = step
                run(ready.count - 1, level: level)
                continue
            }
            lastChosenStep = recording && !stopped ? step : 0
            let index = options[min(position, options.count - 1)]
            if case .resume = ready[index].kind {
                ready.remove(at: index)
                return
            }
            run(index, level: level)
        }
    }

    private func nextTimer() -> Int? {
        timers.indices.min { (timers[$0].deadline, timers[$0].order) < (timers[$1].deadline, timers[$1].order) }
    }

    /// The timer's task becomes ready, the clock at its deadline.
    private func fire(_ index: Int) {
        let timer = timers.remove(at: index)
        now = max(now, timer.deadline)
        ready.append(Item(job: timer.job, kind: .task, task: timer.task, owner: timer.task ?? 0))
        pendingWake = true
    }

    private var pendingWake = false
    /// True while racelab's own code runs on the explorer's thread (not a job).
    private var busy = false
    private var abandonedRuns = 0
    private var unrecordedRuns = 0

    private func run(_ index: Int, level: Int) {
        let item = ready.remove(at: index)
        guard let job = item.job else { return }
        var step = OpenStep(step: lastChosenStep, task: item.task)
        step.isDrain = item.kind == .drain
        step.job = unsafeBitCast(job, to: UnsafeRawPointer.self)
        if item.kind == .continuation { step.notes.append("resumes") }
        if pendingWake {
            step.notes.append("wakes at \(Self.time(now))")
            pendingWake = false
        }
        open[level] = step
        busy = false
        job.runSynchronously(on: asUnownedTaskExecutor())
        busy = true
        close(level: level)
    }

    /// Records the open step of `level` for the timeline.
    private func close(level: Int) {
        guard let step = open[level] else { return }
        open[level] = nil
        // A drain that found its actor's queue empty did nothing: no line for it.
        guard step.step > 0, step.task != nil else { return }
        records.append(step)
    }

    /// Notes a running task's own words: "returns" when a worker's body is done.
    func noteRunning(_ text: String) { note(text) }

    /// The schedule's steps as the timeline shows them: where each job ran, and where
    /// its task went next, read from the task's next step: "nonisolated → Office",
    /// "on Office → nonisolated", "nonisolated: yields", "sleeps 10 ms (until 10 ms)".
    var events: [ExploreEvent] {
        var next: [Int: Int] = [:]  // record index -> the same task's next record index
        var last: [Int: Int] = [:]
        for (index, record) in records.enumerated().sorted(by: { $0.element.step < $1.element.step }) {
            if let task = record.task {
                if let previous = last[task] { next[previous] = index }
                last[task] = index
            }
        }
        return records.indices.sorted { records[$0].step < records[$1].step }.map { index in
            let record = records[index]
            let suspends = record.notes.contains {
                $0.hasPrefix("yields") || $0.hasPrefix("sleeps") || $0 == "returns"
            }
            let place = record.actor.map { "on \($0)" } ?? "nonisolated"
            var text = place
            if !suspends, let after = next[index].map({ records[$0] }), after.actor != record.actor {
                text += " → " + (after.actor ?? "nonisolated")
            }
            if !record.notes.isEmpty { text += ": " + record.notes.joined(separator: ", ") }
            return ExploreEvent(step: record.step, thread: record.task ?? 0, operation: .job(text))
        }
    }

    /// Moves jobs enqueued from other threads into the ready queue; with `wait`, waits
    /// up to the grace period for one. True when one came.
    @discardableResult
    private func takeInbox(wait: Bool) -> Bool {
        if wait {
            // Signals left from jobs already taken make a wait return at once: wait on
            // until a job is there or the grace period is over.
            let deadline = DispatchTime.now() + .milliseconds(Self.graceMilliseconds)
            while inbox.withLock({ $0.jobs.isEmpty }), arrived.wait(timeout: deadline) == .success {}
        }
        let jobs = inbox.withLock { inbox in
            defer { inbox.jobs.removeAll() }
            return inbox.jobs
        }
        var took = false
        for job in jobs {
            let id = racelab_job_task_id(unsafeBitCast(job, to: UnsafeRawPointer.self))
            guard id == 0 || taskIndex[id] != nil else {
                // A task of an earlier schedule, abandoned: it runs on the global executor.
                racelab_async_enqueue_original(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
                continue
            }
            took = true
            let task = task(of: job)
            escapes.append(
                "task \(task.map(String.init) ?? "?") was resumed from another thread (a continuation resumed"
                    + " from a Dispatch queue or a thread of its own, or a custom executor's)")
            ready.append(Item(job: job, kind: .task, task: task, owner: task ?? 0))
        }
        return took
    }

    /// How long an unfinished schedule waits for a job from another thread: long enough
    /// for a Dispatch queue on a busy machine, and paid only by a schedule that ends with
    /// a worker suspended for good.
    static let graceMilliseconds = 1_000

    /// Waits the grace period for a late job from another thread (a continuation that
    /// a Dispatch queue resumes later), and runs what comes, unrecorded.
    func waitForLateJobs() {
        let wasRecording = recording
        recording = false
        while takeInbox(wait: true) { loop(level: 0) }
        recording = wasRecording
    }

    /// Starts a task on this executor, named `name` in the timeline.
    func start(_ name: String, _ operation: sending @escaping () async -> Void) {
        creatorName = name
        Task(executorPreference: self, operation: operation)
        creatorName = nil
    }
}

extension UnownedJob {
    /// A job the runtime handed to a C hook.
    init(unsafeRawJob job: UnsafeMutableRawPointer) { self = unsafeBitCast(job, to: UnownedJob.self) }
}
