import CRaceLabShims
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a pool could not run its workers.
public enum RaceLabError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `pthread_create` refused worker `worker` with error number `code`.
    case threadCreationFailed(worker: Int, code: Int32)
    /// `pthread_create` refused the thread that closes a timed window.
    case timerCreationFailed(code: Int32)
    /// A value a caller passed is outside what is accepted: `call` names the API and the
    /// argument with its value ("Stress(workers: 0)"), `accepted` what would do.
    case invalidArgument(call: String, accepted: String)

    /// One sentence a person reads, as Swift Testing prints it ("Caught error: ...").
    public var description: String {
        switch self {
        case .threadCreationFailed(let worker, let code):
            "the system refused to start worker \(worker.grouped) (\(Self.errorName(code))):"
                + " run fewer workers, or raise the limit on threads (ulimit -u)"
        case .timerCreationFailed(let code):
            "the system refused to start the thread that closes the window (\(Self.errorName(code)))"
        case .invalidArgument(let call, let accepted): "\(call): expected \(accepted)"
        }
    }

    private static func errorName(_ code: Int32) -> String {
        switch code {
        case 11: "EAGAIN: too many threads"
        case 12: "ENOMEM: out of memory"
        case 1: "EPERM: not permitted"
        default: "error \(code)"
        }
    }

    /// Throws `.invalidArgument(call:accepted:)` unless `condition` holds.
    package static func require(
        _ condition: Bool, _ call: @autoclosure () -> String, accepted: @autoclosure () -> String
    ) throws(RaceLabError) {
        if !condition { throw .invalidArgument(call: call(), accepted: accepted()) }
    }
}

/// Runs one body on N workers inside a measurement window, and measures them.
/// Knows nothing about scenarios: a body gets its worker index and an
/// `OperationBudget` and does its whole loop, so the hot loop is the caller's own,
/// specialised code.
///
/// A run: workers are created (and pinned), check in at a `StartGate`, and all begin
/// at the gate's shared start time. A timed run's window closes when a timer thread
/// raises the stop flag `length` after the start; a fixed run's when every worker
/// has done its count. Each worker stamps its own start and stop and its thread's
/// CPU time and context switches; `Timing` is derived from those records alone.
public struct WorkerPool: Sendable {
    /// How workers are started: pthreads (pinned), Dispatch, or tasks.
    public var backend: Backend
    /// Pin worker i to `cpus.cpu(forWorker: i)`. Honoured by the pthread backend only:
    /// Dispatch's threads are not ours to pin.
    public var isPinned: Bool
    /// The CPUs workers are pinned to, worker i on `cpus.cpu(forWorker: i)`.
    public var cpus: CPUSet
    /// Test hook: behave as if `pthread_create` failed (EAGAIN) for every worker at or
    /// beyond this index, the way a process at its thread limit would.
    package var threadLimit: Int?

    /// A pool on `backend`. With `isPinned` (the default), pthread worker i runs only
    /// on `cpus.cpu(forWorker: i)`: the workers of a run then really run at the same
    /// time, as many at once as there are CPUs.
    ///
    ///     let pool = WorkerPool(backend: .pthread)
    ///     let timing = try pool.run(workers: 4, length: .timed(milliseconds: 100)) { worker, budget in
    ///         budget.forEachOperation { counter.increment() }
    ///     }
    public init(backend: Backend = .pthread, isPinned: Bool = true, cpus: CPUSet = .current()) {
        self.init(backend: backend, isPinned: isPinned, cpus: cpus, threadLimit: nil)
    }

    package init(backend: Backend, isPinned: Bool, cpus: CPUSet = .current(), threadLimit: Int?) {
        self.backend = backend
        self.isPinned = isPinned
        self.cpus = cpus
        self.threadLimit = threadLimit
    }

    /// Runs `body(i, &budget)` for i in 0..<workers inside one window and returns when
    /// all finished, with what was measured: each worker's start skew, busy time,
    /// operations, CPU time and context switches, and how much the workers overlapped.
    /// The body does its whole loop through `budget.forEachOperation`, so the hot loop
    /// is the caller's own code. Throws when the system refuses a thread.
    public func run(
        workers: Int, length: RunLength, _ body: @escaping @Sendable (Int, inout OperationBudget) -> Void
    ) throws(RaceLabError) -> Timing {
        try Self.validate(workers: workers, length: length, cpus: cpus, in: "WorkerPool.run")
        let log = WorkerLog(workers: workers)
        let stop = StopFlag()
        let gate: StartGate
        switch backend {
        case .pthread: gate = StartGate(expected: workers)
        case .dispatch, .tasks:
            // concurrentPerform and the cooperative pool run about one worker per CPU
            // this process may use: start when that many are in, and let a gate stalled
            // for 250 ms start itself rather than deadlock (generous: a loaded machine
            // can be slow to start a pool thread).
            gate = Self.sharedPoolGate(workers: workers, cpus: cpus)
        }
        let (windowNanoseconds, timer) = try Self.openWindow(length, gate: gate, stop: stop)
        defer {
            // The timer ends by itself once the window closes or the gate is abandoned.
            timer?.join()
        }
        let limit = length.iterations ?? Int.max
        switch backend {
        case .pthread:
            try runOnPthreads(workers: workers, gate: gate, log: log, stop: stop, limit: limit, body)
        case .dispatch:
            DispatchQueue.concurrentPerform(iterations: workers) { i in
                Self.work(i, gate: gate, log: log, stop: stop, limit: limit, body)
            }
        case .tasks:
            Blocking.wait {
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<workers {
                        group.addTask { Self.work(i, gate: gate, log: log, stop: stop, limit: limit, body) }
                    }
                }
            }
        }
        return Timing(start: gate.start, records: log.records(), requestedWindowNanoseconds: windowNanoseconds)
    }

    /// Runs the async `body(i, &budget)` for i in 0..<workers as child tasks of a task
    /// group on Swift's cooperative pool (whatever `backend` says: awaiting needs
    /// tasks), inside one window; returns when all finished. The calling thread waits
    /// and must not be one of the pool's.
    public func runAsync(
        workers: Int, length: RunLength, _ body: @escaping @Sendable (Int, inout OperationBudget) async -> Void
    ) throws(RaceLabError) -> Timing {
        try Self.validate(workers: workers, length: length, cpus: cpus, in: "WorkerPool.run")
        let log = WorkerLog(workers: workers)
        let stop = StopFlag()
        let gate = Self.sharedPoolGate(workers: workers, cpus: cpus)
        let (windowNanoseconds, timer) = try Self.openWindow(length, gate: gate, stop: stop)
        defer { timer?.join() }
        let limit = length.iterations ?? Int.max
        Blocking.wait {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<workers {
                    group.addTask {
                        // A task may resume on another thread after an await: its
                        // thread's CPU time is not the worker's, so none is recorded.
                        guard var shift = Shift(i, gate: gate, log: log, stop: stop, limit: limit, readsThread: false)
                        else { return }
                        await body(i, &shift.budget)
                        shift.end()
                    }
                }
            }
        }
        return Timing(start: gate.start, records: log.records(), requestedWindowNanoseconds: windowNanoseconds)
    }

    /// Runs `body(i, &budget)` for i in 0..<workers as child tasks of the calling task,
    /// worker i on a thread of its own pinned to `cpus.cpu(forWorker: i)` (unpinned
    /// without `isPinned`), inside one window. The workers are tasks of the caller's
    /// task, so they carry its task-locals. Awaited, not blocking: call it from a task
    /// (a Swift Testing test). A body may await: a worker's task prefers its pinned
    /// thread, so it comes back there after each await (an actor's method runs there
    /// too, as SE-0417 has it). `readsThread`: whether a worker's thread CPU time is
    /// its own (not when its body may suspend and resume elsewhere).
    package func runAsChildTasks(
        workers: Int, length: RunLength, readsThread: Bool,
        _ body: @escaping @Sendable (Int, inout OperationBudget) async -> Void
    ) async throws(RaceLabError) -> Timing {
        try Self.validate(workers: workers, length: length, cpus: cpus, in: "WorkerPool.run")
        var executors: [PinnedExecutor] = []
        defer { executors.forEach { $0.shutDown() } }
        for i in 0..<workers {
            if let threadLimit, i >= threadLimit { throw .threadCreationFailed(worker: i, code: EAGAIN) }
            do {
                executors.append(try PinnedExecutor(cpu: isPinned ? cpus.cpu(forWorker: i) : nil))
            } catch .threadCreationFailed(_, let code) {
                throw .threadCreationFailed(worker: i, code: code)
            } catch {
                throw error
            }
        }
        let log = WorkerLog(workers: workers)
        let stop = StopFlag()
        let gate = StartGate(expected: workers)
        let (windowNanoseconds, timer) = try Self.openWindow(length, gate: gate, stop: stop)
        defer { timer?.join() }
        let limit = length.iterations ?? Int.max
        await withTaskGroup(of: Void.self) { group in
            for (i, executor) in executors.enumerated() {
                group.addTask(executorPreference: executor) {
                    guard
                        var shift = Shift(
                            i, gate: gate, log: log, stop: stop, limit: limit, readsThread: readsThread)
                    else { return }
                    await body(i, &shift.budget)
                    shift.end()
                }
            }
        }
        return Timing(start: gate.start, records: log.records(), requestedWindowNanoseconds: windowNanoseconds)
    }

    /// What every way of running workers requires of its caller: a thrown sentence
    /// naming the argument, never a trap.
    package static func validate(workers: Int, length: RunLength, cpus: CPUSet, in call: String) throws(RaceLabError) {
        try RaceLabError.require(
            !cpus.ids.isEmpty && cpus.ids.allSatisfy { $0 >= 0 }, "\(call)(cpus: CPUSet(ids: \(cpus.ids)))",
            accepted: "one or more CPU ids, each 0 or more")
        try RaceLabError.require(
            workers >= 1 && workers <= Limits.maxWorkers, "\(call)(workers: \(workers))",
            accepted: "1 to \(Limits.maxWorkers.grouped) workers")
        switch length {
        case .timed(let milliseconds):
            try RaceLabError.require(
                milliseconds >= 1 && milliseconds <= RunLength.maxMilliseconds,
                "\(call)(length: .timed(.milliseconds(\(milliseconds))))",
                accepted: "a window of 1 ms to \(RunLength.maxMilliseconds / 60_000) minutes")
        case .fixed(let iterations):
            try RaceLabError.require(
                iterations >= 1, "\(call)(length: .fixed(iterations: \(iterations)))",
                accepted: "1 or more iterations per worker")
        }
    }

    /// A timed run's window in nanoseconds and the thread that closes it (join it after
    /// the workers); nil and nil for a fixed count.
    private static func openWindow(
        _ length: RunLength, gate: StartGate, stop: StopFlag
    ) throws(RaceLabError) -> (UInt64?, PThread?) {
        guard let milliseconds = length.milliseconds else { return (nil, nil) }
        let nanoseconds = UInt64(milliseconds) * 1_000_000
        return (nanoseconds, try startTimer(gate: gate, stop: stop, windowNanoseconds: nanoseconds))
    }

    /// The gate of a pool that runs about one worker per CPU (Dispatch, tasks).
    private static func sharedPoolGate(workers: Int, cpus: CPUSet) -> StartGate {
        StartGate(expected: max(1, min(workers, cpus.count)), stallNanoseconds: 250_000_000)
    }

    private static func work(
        _ i: Int, gate: StartGate, log: WorkerLog, stop: StopFlag, limit: Int,
        _ body: (Int, inout OperationBudget) -> Void
    ) {
        guard var shift = Shift(i, gate: gate, log: log, stop: stop, limit: limit, readsThread: true) else { return }
        body(i, &shift.budget)
        shift.end()
    }

    /// The thread that closes a timed window: it sleeps until the gate's start plus
    /// the window, then raises the stop flag. It is not pinned, and it sleeps, so it
    /// takes no CPU from the workers; the kernel wakes it ahead of busy threads.
    private static func startTimer(
        gate: StartGate, stop: StopFlag, windowNanoseconds: UInt64
    ) throws(RaceLabError) -> PThread {
        let started = PThread.spawn {
            var start = gate.start
            while start == 0 {
                if gate.isAbandoned { return }
                var pause = timespec(tv_sec: 0, tv_nsec: 50_000)
                nanosleep(&pause, nil)
                start = gate.start
            }
            let end = start + windowNanoseconds
            var deadline = timespec(
                tv_sec: Int(end / 1_000_000_000), tv_nsec: Int(end % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil) == EINTR {}
            stop.raise()
        }
        switch started {
        case .success(let thread): return thread
        case .failure(let error): throw .timerCreationFailed(code: error.code)
        }
    }

    private func runOnPthreads(
        workers: Int, gate: StartGate, log: WorkerLog, stop: StopFlag, limit: Int,
        _ body: @escaping @Sendable (Int, inout OperationBudget) -> Void
    ) throws(RaceLabError) {
        var threads: [PThread] = []
        threads.reserveCapacity(workers)
        defer { threads.forEach { $0.join() } }
        let pinCPUs: CPUSet? = isPinned ? cpus : nil
        for i in 0..<workers {
            if let threadLimit, i >= threadLimit {
                gate.abandon()
                throw .threadCreationFailed(worker: i, code: EAGAIN)
            }
            let started = PThread.spawn {
                if let pinCPUs { _ = racelab_pin_current_thread(pinCPUs.cpu(forWorker: i)) }
                Self.work(i, gate: gate, log: log, stop: stop, limit: limit, body)
            }
            switch started {
            case .success(let thread): threads.append(thread)
            case .failure(let error):
                gate.abandon()
                throw .threadCreationFailed(worker: i, code: error.code)
            }
        }
    }
}

extension Timing {
    /// Derives the window, each worker's share and the overlap from the shared start
    /// and what each worker recorded about itself.
    init(start: UInt64, records: [WorkerLog.Record], requestedWindowNanoseconds: UInt64?) {
        let started = records.filter { $0.start != 0 }
        let lastStop = started.map(\.stop).max() ?? start
        let workers = records.map { record -> WorkerTiming in
            guard record.start != 0 else {
                return WorkerTiming(startSkewNanoseconds: nil, busyNanoseconds: 0, operations: 0)
            }
            return WorkerTiming(
                startSkewNanoseconds: record.start &- min(start, record.start),
                busyNanoseconds: record.stop &- min(record.start, record.stop),
                operations: record.operations,
                cpuNanoseconds: UInt64(
                    max(0, record.usageAtStop.cpu_nanoseconds - record.usageAtStart.cpu_nanoseconds)),
                voluntarySwitches: Int(record.usageAtStop.voluntary_switches - record.usageAtStart.voluntary_switches),
                involuntarySwitches: Int(
                    record.usageAtStop.involuntary_switches - record.usageAtStart.involuntary_switches))
        }
        // Sweep the start/stop events in time order.
        var events: [(time: UInt64, delta: Int)] = []
        events.reserveCapacity(started.count * 2)
        for record in started {
            events.append((record.start, +1))
            events.append((record.stop, -1))
        }
        events.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
        var active = 0
        var most = 0
        var overlapped: UInt64 = 0
        var previous = start
        for event in events {
            if active >= 2, event.time > previous { overlapped += event.time - previous }
            previous = max(previous, event.time)
            active += event.delta
            most = max(most, active)
        }
        let window = lastStop &- min(start, lastStop)
        self.init(
            windowNanoseconds: window, requestedWindowNanoseconds: requestedWindowNanoseconds, workers: workers,
            maxActiveWorkers: most, overlapFraction: window == 0 ? 0 : min(1, Double(overlapped) / Double(window)))
    }
}

/// One worker's turn in a window: it waits at the gate, records its start, gets its
/// budget, and records its stop. A worker that finds the window already closed still
/// runs its body, with a budget that grants nothing: a role with an exit path (a
/// producer that must say it is done, a consumer that must drain) takes it, and
/// nobody waits for a worker that never came. It counts as having run only if it did
/// something.
private struct Shift {
    var budget: OperationBudget
    private let worker: Int
    private let log: WorkerLog
    private let isLate: Bool
    private let readsThread: Bool

    /// nil: the gate was abandoned (a thread could not be created); do nothing.
    init?(_ worker: Int, gate: StartGate, log: WorkerLog, stop: StopFlag, limit: Int, readsThread: Bool) {
        guard gate.arriveAndWait() else { return nil }
        self.worker = worker
        self.log = log
        self.readsThread = readsThread
        isLate = stop.isRaised
        budget = OperationBudget(stop: stop, limit: limit, log: log, worker: worker)
        log.recordStart(worker, readsThread: readsThread)
    }

    func end() {
        if isLate, budget.operations == 0 {
            log.forget(worker)
        } else {
            log.recordStop(worker, operations: budget.operations, readsThread: readsThread)
        }
    }
}
