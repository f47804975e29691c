import Synchronization
import Testing

@testable import RaceLab

@Suite("Worker pool", .serialized)
struct WorkerPoolTests {
    @Test("every worker index runs exactly once", arguments: Backend.allCases, [1, 2, 3, 4 * cpuCount, 64])
    func everyWorkerRunsOnce(backend: Backend, workers: Int) throws {
        let seen = Mutex([Int](repeating: 0, count: workers))
        let pool = WorkerPool(backend: backend, isPinned: true)
        let timing = try pool.run(workers: workers) { i in seen.withLock { $0[i] += 1 } }
        #expect(seen.withLock { $0 } == [Int](repeating: 1, count: workers))
        #expect(timing.workerNanoseconds.count == workers)
        #expect((1...workers).contains(timing.peakConcurrentWorkers))
    }

    @Test("1,024 pthread workers on few CPUs start and finish without deadlock", .timeLimit(.minutes(1)))
    func manyThreads() throws {
        let done = Atomic<Int>(0)
        let timing = try WorkerPool(backend: .pthread, isPinned: true).run(workers: 1024) { _ in
            done.wrappingAdd(1, ordering: .relaxed)
        }
        #expect(done.load(ordering: .relaxed) == 1024)
        #expect(timing.workerNanoseconds.count == 1024)
    }

    @Test("Dispatch with far more workers than CPUs does not deadlock at the gate", .timeLimit(.minutes(1)))
    func dispatchOversubscribed() throws {
        let done = Atomic<Int>(0)
        let timing = try WorkerPool(backend: .dispatch, isPinned: false).run(workers: 200) { _ in
            done.wrappingAdd(1, ordering: .relaxed)
        }
        #expect(done.load(ordering: .relaxed) == 200)
        // concurrentPerform runs about one worker per CPU: the peak must say so.
        #expect(timing.peakConcurrentWorkers <= 200)
    }

    @Test("pthread workers overlap in time when released by the gate")
    func workersOverlap() throws {
        guard cpuCount >= 2 else { return }
        let timing = try WorkerPool(backend: .pthread, isPinned: true).run(workers: 2) { _ in
            let end = MonotonicClock.now() + 20_000_000
            while MonotonicClock.now() < end {}
        }
        #expect(timing.peakConcurrentWorkers == 2)
        #expect(timing.overlapFraction > 0.5)
    }

    @Test("a refused pthread_create is an error, not a crash, and started workers are released")
    func threadCreationFailure() throws {
        let ran = Atomic<Int>(0)
        let pool = WorkerPool(backend: .pthread, isPinned: true, threadLimit: 3)
        #expect(throws: WorkerPoolError.threadCreationFailed(worker: 3, code: EAGAINCode)) {
            _ = try pool.run(workers: 8) { _ in ran.wrappingAdd(1, ordering: .relaxed) }
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

    @Test("timing derives peak concurrency and overlap from the intervals")
    func timingFromIntervals() {
        // Two workers overlapping for 50 of 100 ns, a third alone afterwards.
        let timing = Timing(releasedAt: 0, intervals: [(0, 75), (25, 75), (75, 100)], workers: 3)
        #expect(timing.wallNanoseconds == 100)
        #expect(timing.peakConcurrentWorkers == 2)
        #expect(timing.overlapFraction == 0.5)
        #expect(timing.workerNanoseconds == [75, 50, 25])
    }
}

#if canImport(Glibc)
    import Glibc
    let EAGAINCode = EAGAIN
#else
    import Darwin
    let EAGAINCode = EAGAIN
#endif
