import RaceLab
import Synchronization
import Testing

/// Where each worker of the current run is, for the watchdog and for naming the
/// iteration an issue came from. Each worker writes only its own padded slots (one
/// relaxed store per operation); the watchdog reads them all.
final class WorkerWatch: Sendable {
    private let workers: Int
    /// Worker w's current iteration + 1 (0: not started this run).
    private let iterations: PaddedAtomicSlots
    /// 1 once worker w finished this run.
    private let finished: PaddedAtomicSlots
    private let run = Atomic<Int>(0)
    private let stage = Atomic<Int>(Stage.making.rawValue)
    /// Bumped at every step that is not an operation (a run begins, a worker finishes).
    private let steps = Atomic<Int>(0)
    private let wakeup = Wakeup()

    enum Stage: Int {
        case making, running, checking, ended
    }

    init(workers: Int) {
        self.workers = workers
        iterations = PaddedAtomicSlots(count: workers)
        finished = PaddedAtomicSlots(count: workers)
    }

    /// Run `run` begins: its `make`, then its workers. The previous run's workers are done.
    func begin(run index: Int) {
        for w in 0..<workers {
            iterations[w].pointee.store(0, ordering: .relaxed)
            finished[w].pointee.store(0, ordering: .relaxed)
        }
        run.store(index, ordering: .relaxed)
        stage.store(Stage.running.rawValue, ordering: .relaxed)
        steps.add(1, ordering: .releasing)
    }

    @inline(__always)
    func enter(_ worker: Int, iteration: Int) {
        iterations[worker].pointee.store(iteration &+ 1, ordering: .relaxed)
    }

    /// The iteration worker `worker` is in (0 before its first).
    func iteration(of worker: Int) -> Int { max(0, iterations[worker].pointee.load(ordering: .relaxed) - 1) }

    func finish(_ worker: Int) {
        finished[worker].pointee.store(1, ordering: .relaxed)
        steps.add(1, ordering: .releasing)
    }

    func checking(run index: Int) {
        stage.store(Stage.checking.rawValue, ordering: .relaxed)
        steps.add(1, ordering: .releasing)
    }

    /// The whole stress test ended (or threw).
    func end() {
        stage.store(Stage.ended.rawValue, ordering: .relaxed)
        wakeup.fire()
    }

    private var progress: Int {
        var sum = steps.load(ordering: .acquiring)
        for w in 0..<workers { sum &+= iterations[w].pointee.load(ordering: .relaxed) }
        return sum
    }

    /// Waits until `end()`, true; or until nothing moved for `limit`, false.
    func waitForEndOrStall(limit: Duration) async -> Bool {
        let stalled = Atomic<Bool>(false)
        let poll = min(max(limit / 20, .milliseconds(10)), .milliseconds(250))
        let monitor = Task.detached { [self] in
            let clock = ContinuousClock()
            var last = progress
            var lastChange = clock.now
            while stage.load(ordering: .relaxed) != Stage.ended.rawValue {
                try? await Task.sleep(for: poll)
                if Task.isCancelled { return }
                let now = progress
                if now != last {
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

    /// What the watchdog says when it fires.
    func stallDescription(limit: Duration, runs: StressRuns) -> String {
        let run = runLabel(self.run.load(ordering: .relaxed), of: runs)
        let seconds = "\(Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18) s"
        if stage.load(ordering: .relaxed) == Stage.checking.rawValue {
            return "\(run) made no progress for \(seconds) in its check; it is left running"
        }
        let stuck = (0..<workers).filter { finished[$0].pointee.load(ordering: .relaxed) == 0 }
        guard !stuck.isEmpty else {
            return "\(run) made no progress for \(seconds) after its workers finished; it is left running"
        }
        if stuck.count == workers && stuck.allSatisfy({ iterations[$0].pointee.load(ordering: .relaxed) == 0 }) {
            return "\(run) made no progress for \(seconds) before its workers began (in make?); it is left running"
        }
        let named = stuck.prefix(8).map { w in
            let at = iterations[w].pointee.load(ordering: .relaxed)
            return "worker \(w) (\(at == 0 ? "not started" : "in iteration \(at - 1)"))"
        }
        let more = stuck.count > 8 ? " and \(stuck.count - 8) more" : ""
        let list = named.count > 1 ? named.dropLast().joined(separator: ", ") + " and " + named.last! : named[0]
        return "\(run) made no progress for \(seconds): \(list)\(more) never finished;"
            + " left running (a deadlock, a lost wake-up?)"
    }
}

/// A one-shot wake-up: `wait` returns once `fire` was called, before or after.
private final class Wakeup: Sendable {
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

    private let runs: StressRuns
    private let notes = Mutex<[Key: Note]>([:])
    /// Set by the first issue or error of a run: every worker stops at its next
    /// operation, so one failing `#expect` in a hot loop is one issue, not thousands.
    private let stopping = Atomic<Bool>(false)

    /// Whether the current run had an issue: workers check it after every operation.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    init(runs: StressRuns) { self.runs = runs }

    func noteIssue(run: Int, worker: Int, iteration: Int, _ issue: Issue) {
        if issue.severity >= .error { stopping.store(true, ordering: .relaxed) }
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
        notes.withLock { notes in
            notes[Key(run: run, worker: worker), default: Note()].thrown = error
            notes[Key(run: run, worker: worker), default: Note()].thrownIteration = iteration
        }
    }

    /// Records one issue per (run, worker) noted for runs before `run`, and forgets
    /// them; the next run starts without a stop.
    func record(before run: Int, sourceLocation: SourceLocation) {
        stopping.store(false, ordering: .relaxed)
        let due = notes.withLock { notes -> [(Key, Note)] in
            let due = notes.filter { $0.key.run < run }.sorted { $0.key < $1.key }
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
