import RaceLab
import RaceLabExplore
import RaceLabModel
import RaceLabSync
import Testing

/// A counter written as a user writes one, on the drop-ins.
private final class DropInCounter: Sendable {
    let value = Atomic(0, name: "value")
    let locked = Mutex(0, name: "m")

    func racyIncrement() {
        let seen = value.load(ordering: .relaxed)
        value.store(seen + 1, ordering: .relaxed)
    }

    func atomicIncrement() { value.wrappingAdd(1, ordering: .relaxed) }

    func lockedIncrement() { locked.withLock { $0 += 1 } }
}

/// One test body: `form` picks the increment.
private func counting(_ form: String) -> RaceTest<DropInCounter> {
    RaceTest {
        DropInCounter()
    } body: { counter, _, _ in
        switch form {
        case "racy": counter.racyIncrement()
        case "atomic": counter.atomicIncrement()
        default: counter.lockedIncrement()
        }
    } check: { counter, run in
        let total = form == "mutex" ? counter.locked.withLock { $0 } : counter.value.load(ordering: .relaxed)
        try RaceFailure.unless(total == run.operations, "\(run.operations - total) of \(run.operations) lost")
    }
}

@Suite("drop-in primitives", .serialized)
struct DropInTests {
    @Test(
        "outside an exploration the drop-ins are the real thing: nothing lost on 4 workers",
        arguments: ["atomic", "mutex"])
    func realOutside(form: String) throws {
        let report = try Stress(workers: 4, length: .fixed(iterations: 20_000), runs: .exactly(2)).run(counting(form))
        #expect(report.failedRuns.isEmpty, "\(report)")
    }

    @Test("inside one, a load and a store are two scheduling points: 6 schedules, 4 lose the update")
    func racyCounterSchedules() throws {
        let explorer = Explore(.exhaustive(), workers: 2, stopsAtFirstFailure: false, prunesEquivalentSchedules: false)
        let report = try explorer.run(counting("racy"))
        #expect(report.explored == 6)
        #expect(report.failed == 4)
        #expect(report.verdict == .broken)
        let failure = try #require(report.firstFailure)
        #expect("\(failure)".contains("load value → 0 (relaxed)"))
        #expect("\(failure)".contains("check failed: 1 of 2 lost"))
        let again = try explorer.replay(failure.string, counting("racy"))
        #expect(again.failure == failure.failure && again.mismatch == nil)
    }

    @Test("the atomic increment and the mutex pass every schedule", arguments: ["atomic", "mutex"])
    func safeCounters(form: String) throws {
        let report = try Explore(.exhaustive(), workers: 3, iterations: 2).run(counting(form))
        #expect(report.verdict == .held)
        #expect(report.coverage == .every)
        #expect(report.explored > 1)
    }

    @Test("two mutexes taken in opposite orders deadlock, named by their labels")
    func lockOrderDeadlock() throws {
        final class Accounts: Sendable {
            let a = Mutex(0, name: "A")
            let b = Mutex(0, name: "B")
        }
        let report = try Explore(workers: 2).run(
            RaceTest {
                Accounts()
            } body: { accounts, worker, _ in
                if worker == 0 {
                    accounts.a.withLock { _ in accounts.b.withLock { $0 += 1 } }
                } else {
                    accounts.b.withLock { _ in accounts.a.withLock { $0 += 1 } }
                }
            })
        let failure = try #require(report.firstFailure?.failure)
        #expect("\(failure)".contains("worker 0 waits for B, held by worker 1"))
    }

    @Test("a semaphore nobody signals is a deadlock; one signalled lets the waiter on")
    func semaphore() throws {
        final class Handoff: Sendable {
            let ready = Semaphore(0, name: "ready")
            let item = Atomic(0, name: "item")
        }
        let handoff = RaceTest {
            Handoff()
        } body: { handoff, worker, _ in
            if worker == 0 {
                handoff.item.store(7, ordering: .relaxed)
                handoff.ready.signal()
            } else {
                handoff.ready.wait()
                try RaceFailure.unless(handoff.item.load(ordering: .relaxed) == 7, "the item is not there")
            }
        }
        #expect(try Explore(workers: 2).run(handoff).verdict == .held)
        let hangs = try Explore(workers: 1).run(
            RaceTest {
                Handoff()
            } body: { handoff, _, _ in
                handoff.ready.wait()
            })
        #expect("\(hangs.firstFailure?.failure.map { "\($0)" } ?? "")".contains("waits on ready, which nobody signals"))
    }
}
