import RaceLab

extension Explore {
    /// Explores an async test: `workers` tasks each run `body` `iterations` times on a
    /// fresh `make()` per schedule, and `check` judges each schedule. Every job of the
    /// program (a task's start and each resumption, every hop to an actor, child tasks,
    /// `Task {}` started inside, `Task.yield()`'s continuation, a sleep's wake-up) runs
    /// one at a time on the explorer's thread, and before each the explorer chooses
    /// which ready job goes next. Sleeps run on a virtual clock: a test whose sleeps add
    /// up to minutes runs in milliseconds.
    ///
    ///     let report = try await Explore(workers: 2).run {
    ///         RacyTicketOffice(seats: 1)
    ///     } body: { office, _, _ in
    ///         _ = await office.sell()
    ///     } check: { office, _ in
    ///         try RaceFailure.unless(await office.sold <= 1, "sold \(await office.sold) of 1 seat")
    ///     }
    ///
    /// The same body runs on real workers with `Stress(...).run(make, body:check:)`. A
    /// choice is a place in the queue of ready jobs (0: the oldest, first come first
    /// served); a preemption is running a job ahead of an older one. A job that escapes
    /// the explorer (resumed from another thread, sent to the main actor or a custom
    /// executor) fails the schedule with `ExploreFailure.escaped`. Throws only for an
    /// argument out of range or a thread the system refused.
    public func run<State: Sendable>(
        _ make: @escaping @Sendable () async throws -> State,
        body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void,
        check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
    ) async throws(RaceLabError) -> ExploreReport {
        try await run(AsyncProgram(make: make, body: body, check: check))
    }

    /// `run(_:body:check:)` for a program already made.
    package func run<State>(_ program: AsyncProgram<State>) async throws(RaceLabError) -> ExploreReport {
        try await onExplorerThread { () throws(RaceLabError) in try self.exploreBlocking(program) }
    }

    /// `replay(_:_:body:check:)` for a program already made.
    package func replay<State>(_ schedule: String, _ program: AsyncProgram<State>) async throws(RaceLabError)
        -> ExploreSchedule
    {
        try await onExplorerThread { () throws(RaceLabError) in try self.replayBlocking(schedule, program) }
    }

    /// Runs the schedule `schedule` (a report's `ExploreSchedule.string`) of an async
    /// test once: the same jobs in the same order, every time, on any machine.
    public func replay<State: Sendable>(
        _ schedule: String, _ make: @escaping @Sendable () async throws -> State,
        body: @escaping @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void,
        check: @escaping @Sendable (_ state: State, _ run: RaceRun) async throws -> Void = { _, _ in }
    ) async throws(RaceLabError) -> ExploreSchedule {
        try await replay(schedule, AsyncProgram(make: make, body: body, check: check))
    }

    /// `run` for a caller that may block (racelab's command line): the exploration runs
    /// on a thread of its own, and the calling thread waits for it.
    package func exploreBlocking<State>(_ program: AsyncProgram<State>) throws(RaceLabError) -> ExploreReport {
        try validateAsync()
        return try onOwnThread { () throws(RaceLabError) in
            let runner = AsyncRunner(program, workers: workers, iterations: iterations, maxSteps: maxSteps)
            defer { runner.finish() }
            return try search(runner, threads: workers)
        }
    }

    /// `replay` for a caller that may block.
    package func replayBlocking<State>(_ schedule: String, _ program: AsyncProgram<State>) throws(RaceLabError)
        -> ExploreSchedule
    {
        try validateAsync()
        return try onOwnThread { () throws(RaceLabError) in
            let runner = AsyncRunner(program, workers: workers, iterations: iterations, maxSteps: maxSteps)
            defer { runner.finish() }
            guard let choices = ExploreSchedule.parse(schedule) else {
                return ExploreSchedule(
                    choices: [], events: [], failure: nil, preemptions: 0, threads: workers,
                    mismatch: "'\(schedule)' is not a schedule string (expected digits like \"0101\", or v1:0,1,0,1)")
            }
            var chooser = ReplayChooser(choices: choices, noun: "job")
            let result = try runner.run(&chooser)
            var mismatch = result.mismatch.flatMap { _ in chooser.mismatch }
            if mismatch == nil && result.choices.count < choices.count && result.failure == nil {
                mismatch = "the program ended after \(result.choices.count) steps; the schedule has \(choices.count)"
            }
            return ExploreSchedule(result, threads: workers, mismatch: mismatch)
        }
    }

    private func validateAsync() throws(RaceLabError) {
        try RaceLabError.require(
            workers >= 1 && workers <= Limits.maxWorkers, "Explore(workers: \(workers))",
            accepted: "1 to \(Limits.maxWorkers.grouped) workers")
        try RaceLabError.require(
            iterations >= 1, "Explore(iterations: \(iterations))", accepted: "1 or more iterations per worker")
        try validateSearch()
    }

    /// Runs `work` on a new thread (the explorer's) and waits for it.
    private func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws(RaceLabError) -> T) throws(RaceLabError)
        -> T
    {
        let box = ResultBox<T>()
        switch PThread.spawn(
            stackBytes: Self.explorerStackBytes, { box.result = Result { () throws(RaceLabError) in try work() } })
        {
        case .success(let thread):
            thread.join()
        case .failure(let error):
            throw .threadCreationFailed(worker: 0, code: error.code)
        }
        return try box.result!.get()
    }

    /// The same, awaited: the calling task suspends while the explorer's thread works.
    private func onExplorerThread<T: Sendable>(_ work: @escaping @Sendable () throws(RaceLabError) -> T)
        async throws(RaceLabError) -> T
    {
        let result: Result<T, RaceLabError> = await withCheckedContinuation { continuation in
            let spawned = PThread.spawn(stackBytes: Self.explorerStackBytes) {
                continuation.resume(returning: Result { () throws(RaceLabError) in try work() })
            }
            switch spawned {
            case .success(let thread): thread.detach()
            case .failure(let error):
                continuation.resume(returning: .failure(.threadCreationFailed(worker: 0, code: error.code)))
            }
        }
        return try result.get()
    }

    /// A drain paused inside another nests on this stack: room for deep programs.
    private static let explorerStackBytes = 64 << 20
}

/// A result handed from the explorer's thread to the one that joined it.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, RaceLabError>?
}

/// An async test: what `Explore.run(_:body:check:)` explores. For racelab's own targets.
package struct AsyncProgram<State: Sendable>: Sendable {
    package let make: @Sendable () async throws -> State
    package let body: @Sendable (_ state: State, _ worker: Int, _ iteration: Int) async throws -> Void
    package let check: @Sendable (_ state: State, _ run: RaceRun) async throws -> Void

    package init(
        make: @escaping @Sendable () async throws -> State,
        body: @escaping @Sendable (State, Int, Int) async throws -> Void,
        check: @escaping @Sendable (State, RaceRun) async throws -> Void
    ) {
        self.make = make
        self.body = body
        self.check = check
    }
}

/// One schedule's shared state, touched by the program's tasks and the explorer, all
/// on the explorer's thread.
private final class ScheduleState<State>: @unchecked Sendable {
    var value: State?
    var makeError: String?
    var finished: [Bool] = []
    var thrown: [(worker: Int, error: String)] = []
    var checkError: (any Error)?
    var checkFinished = false
}

/// Runs schedules of an async program on the explorer's thread: `make` in a task
/// (unrecorded), the workers (each job a choice), then `check` in a task (unrecorded).
final class AsyncRunner<State: Sendable>: ScheduleRunner {
    let program: AsyncProgram<State>
    let workers: Int
    let iterations: Int
    let maxSteps: Int
    let scheduler = JobScheduler()
    private var schedules = 0
    var last = ScheduleResult()
    var workerCount: Int { workers }
    var prunes: Bool { false }

    init(_ program: AsyncProgram<State>, workers: Int, iterations: Int, maxSteps: Int) {
        self.program = program
        self.workers = workers
        self.iterations = iterations
        self.maxSteps = maxSteps
        scheduler.attach()
    }

    func finish() {
        scheduler.detach()
        scheduler.close()
    }

    func run(_ chooser: inout some Chooser) throws(RaceLabError) -> ScheduleResult {
        schedules += 1
        let number = schedules
        let scheduler = self.scheduler
        scheduler.beginSchedule()
        scheduler.maxSteps = maxSteps
        let state = ScheduleState<State>()
        let program = self.program
        var result = ScheduleResult()

        scheduler.recording = false
        scheduler.start("make") {
            do { state.value = try await program.make() } catch { state.makeError = "\(error)" }
        }
        scheduler.loop(level: 0)
        guard let value = state.value, !scheduler.ranPastLimit else {
            result.failure = .makeThrew(
                scheduler.ranPastLimit
                    ? "nothing, and ran past \((maxSteps * 10).grouped) jobs: a task it started never ends"
                    : state.makeError ?? "nothing (its task never finished)")
            last = result
            return result
        }

        // The workers: each job a recorded choice.
        scheduler.beginSchedule()
        scheduler.maxSteps = maxSteps
        state.finished = Array(repeating: false, count: workers)
        var local = chooser
        let usesOwners = local is PCTChooser
        // PCT's priorities are per thread number, counted from 0: each owner (a task, a
        // drain, the next timer) gets the next number at first sight in this schedule.
        var numbers: [Int: Int] = [:]
        func pctNumber(_ owner: Int) -> Int {
            if let known = numbers[owner] { return known }
            numbers[owner] = numbers.count
            return numbers.count - 1
        }
        scheduler.choose = { step, options, timerOffered in
            let count = options.count + (timerOffered ? 1 : 0)
            if usesOwners {
                let owners = options.map { pctNumber($0.owner) } + (timerOffered ? [pctNumber(-1)] : [])
                let sorted = owners.sorted()
                guard
                    let owner = local.choose(
                        step: step, runnable: sorted, previous: nil, yielded: false, pending: [])
                else { return nil }
                return owners.firstIndex(of: owner)
            }
            return local.choose(
                step: step, runnable: Array(0..<count), previous: 0, yielded: false, pending: [])
        }
        let iterations = self.iterations
        for worker in 0..<workers {
            scheduler.start("worker \(worker)") {
                for iteration in 0..<iterations {
                    do {
                        try await program.body(value, worker, iteration)
                    } catch {
                        state.thrown.append((worker, "\(error)"))
                        return
                    }
                }
                state.finished[worker] = true
                scheduler.noteRunning("returns")
            }
        }
        scheduler.recording = true
        scheduler.loop(level: 0)
        scheduler.recording = false
        if !state.finished.allSatisfy({ $0 }) && state.thrown.isEmpty && !scheduler.stopped {
            scheduler.waitForLateJobs()
        }
        scheduler.choose = nil
        chooser = local

        result.choices = scheduler.choices
        result.events = scheduler.events
        result.preemptions = scheduler.preemptions
        result.threads = scheduler.taskNames.count
        result.columns = scheduler.taskNames
        if scheduler.mismatch != nil { result.mismatch = scheduler.mismatch }
        if let escape = scheduler.escapes.first {
            result.failure = .escaped(escape)
        } else if let thrown = state.thrown.first {
            result.failure = .thrown(thread: thrown.worker, thrown.error)
        } else if scheduler.ranPastLimit {
            result.failure = .tooManySteps(maxSteps)
        } else if result.mismatch == nil, !state.finished.allSatisfy({ $0 }) {
            result.failure = .deadlock(Self.story(state.finished, scheduler))
        }
        if result.failure == nil && result.mismatch == nil {
            let run = RaceRun(index: number, operationsPerWorker: Array(repeating: iterations, count: workers))
            scheduler.start("check") {
                do { try await program.check(value, run) } catch { state.checkError = error }
                state.checkFinished = true
            }
            scheduler.loop(level: 0)
            if !state.checkFinished && !scheduler.ranPastLimit { scheduler.waitForLateJobs() }
            if let error = state.checkError {
                result.failure = (error as? ExploreFailure) ?? .check("\(error)")
            } else if let escape = scheduler.escapes.first {
                result.failure = .escaped(escape)
            } else if scheduler.ranPastLimit {
                result.failure = .check(
                    "the check ran past \((maxSteps * 10).grouped) jobs: a task it started never ends")
            } else if !state.checkFinished {
                result.failure = .deadlock(
                    "the check never finished: suspended, and no job is left to resume it (a continuation never"
                        + " resumed, or a task it awaits that never ends)")
            }
        }
        last = result
        return result
    }

    /// "worker 1 (task 1) never finished: it is suspended, and no job is left that
    /// resumes it (a continuation never resumed, or a task it awaits that never ends)".
    private static func story(_ finished: [Bool], _ scheduler: JobScheduler) -> String {
        let stuck = finished.indices.filter { !finished[$0] }
        let names = stuck.map { worker in
            let task = scheduler.taskNames.firstIndex(of: "worker \(worker)")
            return "worker \(worker)" + (task.map { " (task \($0))" } ?? "")
        }
        let who = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return "\(who) never finished: suspended, and no job is left to resume "
            + (names.count == 1 ? "it" : "them")
            + " (a continuation never resumed, or a task, group or actor call awaited that never ends;"
            + " nothing came from another thread within \(JobScheduler.graceMilliseconds / 1000) s either)"
    }
}
