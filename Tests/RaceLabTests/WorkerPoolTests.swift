import Synchronization
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Worker pool", .serialized)
struct WorkerPoolTests {
    @Test(
        "fixed count: every worker index runs exactly its count", arguments: inProcessBackends,
        [1, 2, 3, 4 * cpuCount, 64])
    func everyWorkerRunsItsCount(backend: Backend, workers: Int) throws {
        let seen = Mutex([Int](repeating: 0, count: workers))
        let pool = WorkerPool(backend: backend, isPinned: true)
        let timing = try pool.run(workers: workers, length: .fixed(iterations: 3)) { i, budget in
            budget.forEachOperation { seen.withLock { $0[i] += 1 } }
        }
        #expect(seen.withLock { $0 } == [Int](repeating: 3, count: workers))
        #expect(timing.workers.map(\.operations) == [Int](repeating: 3, count: workers))
        #expect(timing.requestedWindowNanoseconds == nil)
        #expect((1...workers).contains(timing.maxActiveWorkers))
    }

    @Test("timed: the window lasts as asked, every pinned worker runs inside it, and counts what it did")
    func timedWindow() throws {
        let pool = WorkerPool(backend: .pthread, isPinned: true)
        let done = Mutex([Int](repeating: 0, count: 2))
        let timing = try pool.run(workers: 2, length: .timed(milliseconds: 100)) { i, budget in
            var mine = 0
            budget.forEachOperation { mine += 1 }
            done.withLock { $0[i] = mine }
        }
        #expect(timing.requestedWindowNanoseconds == 100_000_000)
        // An order of events, not a measurement that load can break: the timer raises the
        // stop flag once the clock passes start + window, and each worker stamps its stop
        // after it has seen the flag.
        #expect(timing.windowNanoseconds >= 100_000_000)
        #expect(timing.workersInWindow == 2)
        #expect(timing.workers.map(\.operations) == done.withLock { $0 })
        #expect(timing.workers.allSatisfy { $0.operations > 0 })
    }

    @Test("timed: a raised stop flag ends a worker's loop after the operation under way, however slow")
    func stopFlagEndsTheLoop() {
        let stop = StopFlag()
        var budget = OperationBudget(stop: stop, limit: Int.max, log: WorkerLog(workers: 1), worker: 0)
        var ran = 0
        budget.forEachOperation {
            ran += 1
            if ran == 3 { stop.raise() }
        }
        #expect(ran == 3, "no operation starts once the flag is raised")
        #expect(budget.operations == 3)
    }

    @Test(
        "timed: workers whose operations sleep finish, count what they did, and report each sleep as a voluntary switch",
        .timeLimit(.minutes(1)))
    func sleepingOperations() throws {
        let pool = WorkerPool(backend: .pthread, isPinned: true)
        let workers = 2 * cpuCount
        let slept = Mutex([Int](repeating: 0, count: workers))
        let timing = try pool.run(workers: workers, length: .timed(milliseconds: 30)) { i, budget in
            var mine = 0
            budget.forEachOperation {
                usleep(5_000)
                mine += 1
            }
            slept.withLock { $0[i] = mine }
        }
        #expect(timing.workers.map(\.operations) == slept.withLock { $0 })
        // Each sleep is a voluntary context switch: the kernel's count reaches the report.
        #expect(timing.voluntarySwitches >= timing.operations / 2)
    }

    @Test("1,024 pthread workers on few CPUs start and finish without deadlock", .timeLimit(.minutes(1)))
    func manyThreads() throws {
        let timing = try WorkerPool(backend: .pthread, isPinned: true).run(
            workers: 1024, length: .timed(milliseconds: 20)
        ) { _, budget in
            budget.forEachOperation {}
        }
        #expect(timing.workers.count == 1024)
        #expect(timing.workersInWindow >= 1)
    }

    @Test(
        "Dispatch with far more workers than CPUs does not deadlock and says how many ran in the window",
        .timeLimit(.minutes(1)))
    func dispatchOversubscribed() throws {
        let timing = try WorkerPool(backend: .dispatch, isPinned: false).run(
            workers: 200, length: .timed(milliseconds: 20)
        ) { _, budget in
            budget.forEachOperation {}
        }
        #expect(timing.workers.count == 200)
        // concurrentPerform runs about one worker per CPU: the rest find the window closed.
        #expect((1..<200).contains(timing.workersInWindow))
    }

    @Test("a refused pthread_create is an error, not a crash, and started workers are released")
    func threadCreationFailure() throws {
        let ran = Atomic<Int>(0)
        let pool = WorkerPool(backend: .pthread, isPinned: true, threadLimit: 3)
        #expect(throws: RaceLabError.threadCreationFailed(worker: 3, code: EAGAINCode)) {
            _ = try pool.run(workers: 8, length: .timed(milliseconds: 10)) { _, budget in
                budget.forEachOperation { ran.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        #expect(ran.load(ordering: .relaxed) == 0)
    }

    @Test("the affinity mask gives at least one CPU, ids ascending")
    func cpuSet() {
        let cpus = CPUSet.current()
        #expect(cpus.count >= 1)
        #expect(cpus.ids == cpus.ids.sorted())
        #expect(cpus.cpu(forWorker: cpus.count) == cpus.ids[0])
    }

    @Test("timing derives the window, skew, busy time and overlap from the workers' records")
    func timingFromRecords() {
        func record(_ start: UInt64, _ stop: UInt64, _ operations: Int) -> WorkerLog.Record {
            var record = WorkerLog.Record()
            (record.start, record.stop, record.operations) = (start, stop, operations)
            record.usageAtStop.cpu_nanoseconds = Int64(stop - start)
            record.usageAtStop.voluntary_switches = Int64(operations)
            return record
        }
        // Shared start at 1,000. Two workers overlap for 50 of 100 ns, a third runs alone
        // afterwards, a fourth never started (Dispatch found the window closed).
        let timing = Timing(
            start: 1_000,
            records: [record(1_000, 1_075, 30), record(1_025, 1_075, 20), record(1_075, 1_100, 10), .init()],
            requestedWindowNanoseconds: 100)
        #expect(timing.windowNanoseconds == 100)
        #expect(timing.maxActiveWorkers == 2)
        #expect(timing.overlapFraction == 0.5)
        #expect(timing.workers.map(\.startSkewNanoseconds) == [0, 25, 75, nil])
        #expect(timing.workers.map(\.busyNanoseconds) == [75, 50, 25, 0])
        #expect(timing.workersInWindow == 3)
        #expect(timing.maxStartSkewNanoseconds == 75)
        #expect(timing.busyNanoseconds == 150)
        #expect(timing.cpuParallelism == 1.5)
        #expect(timing.sleepingWorkers == 3)
        #expect(timing.busiestWorkerShare == 0.5)
        let observation = Observation(expected: 60, observed: 60, operations: 60, anomalies: [], timing: timing)
        #expect(observation.nsPerOp == 2.5, "busy time / operations: skew is not charged")
        #expect(observation.opsPerSecond == 600_000_000)
    }
}

#if canImport(Glibc)
    import Glibc
    let EAGAINCode = EAGAIN
#else
    import Darwin
    let EAGAINCode = EAGAIN
#endif
