import RaceLab
import Synchronization
import Testing

/// Where each worker of the current run is, for the watchdog and for naming the
/// iteration an issue came from. Each worker writes only its own padded slots (one
/// relaxed store per operation); the watchdog reads them all.
///
/// The watchdog watches the workers only: `make` and `check` run on the test's own
/// task (Swift Testing's `.timeLimit` covers them), and one of them may legitimately
/// take longer than the limit.
final class WorkerWatch: Sendable {
    private let workers: Int
    /// Worker w's current iteration + 1 (0: not started this run).
    private let iterations: PaddedAtomicSlots
    /// 1 once worker w finished this run.
    private let finished: PaddedAtomicSlots
    private let run = Atomic<Int>(0)
    private let stage = Atomic<Int>(Stage.making.rawValue)
    /// Bumped at every step that is not an operation (a worker starts or finishes).
    private let steps = Atomic<Int>(0)
    private let abandoned = Atomic<Bool>(false)
    private let wakeup = Wakeup()

    enum Stage: Int {
        case making, running, checking, ended
    }

    init(workers: Int) {
        self.workers = workers
        iterations = PaddedAtomicSlots(count: workers)
        finished = PaddedAtomicSlots(count: workers)
    }

    /// Run `run` begins with its `make`. The previous run's workers are done.
    func begin(run index: Int) {
        for w in 0..<workers {
            iterations[w].pointee.store(0, ordering: .relaxed)
            finished[w].pointee.store(0, ordering: .relaxed)
        }
        run.store(index, ordering: .relaxed)
        stage.store(Stage.making.rawValue, ordering: .relaxed)
    }

    /// A worker of the current run starts: the watchdog watches from here.
    func working() {
        stage.store(Stage.running.rawValue, ordering: .relaxed)
        steps.add(1, ordering: .relaxed)
    }

    @inline(__always)
    func enter(_ worker: Int, iteration: Int) {
        iterations[worker].pointee.store(iteration &+ 1, ordering: .relaxed)
    }

    /// The iteration worker `worker` is in (0 before its first).
    func iteration(of worker: Int) -> Int { max(0, iterations[worker].pointee.load(ordering: .relaxed) - 1) }

    func finish(_ worker: Int) {
        finished[worker].pointee.store(1, ordering: .relaxed)
        steps.add(1, ordering: .relaxed)
    }

    /// The run's workers are done; its check runs.
    func checking() { stage.store(Stage.checking.rawValue, ordering: .relaxed) }

    /// The whole stress test ended (or threw).
    func end() {
        stage.store(Stage.ended.rawValue, ordering: .relaxed)
        wakeup.fire()
    }

    /// The watchdog fired: no further run may start.
    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }

    private var progress: Int {
        var sum = steps.load(ordering: .relaxed)
        for w in 0..<workers { sum &+= iterations[w].pointee.load(ordering: .relaxed) }
        return sum
    }

    /// Waits until `end()`, true; or until the workers made no progress for `limit`
    /// (time in `make` and `check` not counted), false, and the watch is abandoned.
    func waitForEndOrStall(limit: Duration) async -> Bool {
        let ended = await Stall.wait(
            limit: limit, wakeup: wakeup, progress: { [self] in progress },
            isWatched: { [self] in stage.load(ordering: .relaxed) == Stage.running.rawValue },
            isEnded: { [self] in stage.load(ordering: .relaxed) == Stage.ended.rawValue })
        if !ended { abandoned.store(true, ordering: .relaxed) }
        return ended
    }

    /// What the watchdog says when it fires: the run and every worker still in it.
    func stallDescription(limit: Duration, runs: StressRuns) -> String {
        let run = runLabel(self.run.load(ordering: .relaxed), of: runs)
        let seconds = Stall.seconds(limit)
        let stuck = (0..<workers).filter { finished[$0].pointee.load(ordering: .relaxed) == 0 }
        let named = stuck.prefix(8).map { w in
            let at = iterations[w].pointee.load(ordering: .relaxed)
            return "worker \(w) (\(at == 0 ? "not started" : "in iteration \(at - 1)"))"
        }
        guard let last = named.last else {
            return "\(run) made no progress for \(seconds) after its workers finished; left running"
        }
        let more = stuck.count > 8 ? " and \(stuck.count - 8) more" : ""
        let list = named.count > 1 ? named.dropLast().joined(separator: ", ") + " and " + last : last
        return "\(run) made no progress for \(seconds): \(list)\(more) never finished;"
            + " left running (a deadlock, a lost wake-up?)"
    }
}

/// The watchdog's wait, shared by both kinds of stress test.
enum Stall {
    /// Polls `progress` until `isEnded()` (or `wakeup` fires), true; or until it stayed
    /// put for `limit` while `isWatched()`, false. Never blocks a thread.
    static func wait(
        limit: Duration, wakeup: Wakeup, progress: @escaping @Sendable () -> Int,
        isWatched: @escaping @Sendable () -> Bool, isEnded: @escaping @Sendable () -> Bool
    ) async -> Bool {
        let stalled = Atomic<Bool>(false)
        let poll = min(max(limit / 20, .milliseconds(10)), .milliseconds(250))
        let monitor = Task.detached {
            let clock = ContinuousClock()
            var last = progress()
            var lastChange = clock.now
            while !isEnded() {
                try? await Task.sleep(for: poll)
                if Task.isCancelled { return }
                let now = progress()
                if now != last || !isWatched() {
                    last = now
                    lastChange = clock.now
                } else if clock.now - lastChange >= limit {
                    stalled.store(true, ordering: .relaxed)
                    wakeup.fire()
                    return
                }
            }
        }
        await wakeup.wait()
        monitor.cancel()
        return !stalled.load(ordering: .relaxed)
    }

    /// "5.0 s".
    static func seconds(_ limit: Duration) -> String {
        "\(Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18) s"
    }
}

/// A one-shot wake-up: `wait` returns once `fire` was called, before or after.
final class Wakeup: Sendable {
    private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func fire() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiter = continuation
                return false
            }
            if fired { continuation.resume() }
        }
    }
}

/// The issues recorded inside workers and the errors they threw, by run and worker,
/// so that each gets one issue of its own naming where it happened.
final class WorkerNotes: Sendable {
    private struct Key: Hashable, Comparable {
        let run: Int
        let worker: Int
        static func < (a: Key, b: Key) -> Bool { (a.run, a.worker) < (b.run, b.worker) }
    }

    private struct Note {
        var issues = 0
        var firstIteration = 0
        var firstLocation: SourceLocation?
        var thrown: (any Error)?
        var thrownIteration = 0
    }

    /// A run that failed by a worker's issue or error: recorded where it happened.
    static let workerFailure = "a worker recorded an issue or threw (recorded above)"

    private let runs: StressRuns
    private let notes = Mutex<[Key: Note]>([:])
    /// Runs with a failing issue or an error in a worker.
    private let failedRuns = Mutex<Set<Int>>([])
    /// Set by the first failing issue or error of a run: every worker stops at its next
    /// operation, so one failing `#expect` in a hot loop is one issue, not thousands.
    private let stopping = Atomic<Bool>(false)
    /// The watchdog fired: whatever the stuck task does later records nothing.
    private let abandoned = Atomic<Bool>(false)

    init(runs: StressRuns) { self.runs = runs }

    /// Whether the current run had a failure: workers check it after every operation.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// A run begins (its previous run's workers are done): no stop yet.
    func startRun() { stopping.store(false, ordering: .relaxed) }

    func noteIssue(run: Int, worker: Int, iteration: Int, _ issue: Issue) {
        // A warning a body records stays a warning: only failures are named and stop the run.
        guard issue.isFailure else { return }
        stopping.store(true, ordering: .relaxed)
        failedRuns.withLock { _ = $0.insert(run) }
        notes.withLock { notes in
            var note = notes[Key(run: run, worker: worker), default: Note()]
            if note.issues == 0 {
                note.firstIteration = iteration
                note.firstLocation = issue.sourceLocation
            }
            note.issues += 1
            notes[Key(run: run, worker: worker)] = note
        }
    }

    func noteThrow(run: Int, worker: Int, iteration: Int, _ error: any Error) {
        stopping.store(true, ordering: .relaxed)
        failedRuns.withLock { _ = $0.insert(run) }
        notes.withLock { notes in
            notes[Key(run: run, worker: worker), default: Note()].thrown = error
            notes[Key(run: run, worker: worker), default: Note()].thrownIteration = iteration
        }
    }

    func hasFailures(run: Int) -> Bool { failedRuns.withLock { $0.contains(run) } }

    /// The check of `run` failed: one issue, "run 3 of 10: lost 12 hits".
    func recordFailedCheck(run: Int, _ error: any Error, sourceLocation: SourceLocation) {
        guard !abandoned.load(ordering: .relaxed) else { return }
        Issue.record("\(runLabel(run, of: runs)): \(error)", sourceLocation: sourceLocation)
    }

    /// Records one issue per worker noted in `run`, and forgets them.
    func record(run: Int, sourceLocation: SourceLocation) {
        record(sourceLocation: sourceLocation) { $0.run == run }
    }

    /// The watchdog fired: records what the stuck run's workers noted so far, then
    /// nothing more, and stops any worker that comes back.
    func abandon(sourceLocation: SourceLocation) {
        stopping.store(true, ordering: .relaxed)
        record(sourceLocation: sourceLocation) { _ in true }
        abandoned.store(true, ordering: .relaxed)
    }

    private func record(sourceLocation: SourceLocation, where isDue: (Key) -> Bool) {
        guard !abandoned.load(ordering: .relaxed) else { return }
        let due = notes.withLock { notes -> [(Key, Note)] in
            let due = notes.filter { isDue($0.key) }.sorted { $0.key < $1.key }
            for (key, _) in due { notes[key] = nil }
            return due
        }
        for (key, note) in due {
            let place = "\(runLabel(key.run, of: runs)), worker \(key.worker)"
            if note.issues > 0 {
                let location = note.firstLocation.map { " at \($0.fileName):\($0.line)" } ?? ""
                let more = note.issues > 1 ? " (and \(note.issues - 1) more in this worker)" : ""
                let stopped = note.thrown is ExpectationFailedError ? "; #require ended this worker's loop" : ""
                Issue.record(
                    "\(place), iteration \(note.firstIteration): where the issue\(location) was recorded\(more)\(stopped)",
                    sourceLocation: sourceLocation)
            }
            if let error = note.thrown, !(error is ExpectationFailedError) {
                Issue.record(
                    error, "\(place), iteration \(note.thrownIteration): thrown by the body; this worker's loop ended",
                    sourceLocation: sourceLocation)
            }
        }
    }
}
