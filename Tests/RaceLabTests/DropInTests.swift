import RaceLab
import RaceLabExplore
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

@Suite("drop-in primitives")
struct DropInTests {
    @Test("outside an exploration the drop-ins are the real thing: no update lost on 4 threads")
    func realOutside() throws {
        let report = try Stress(workers: 4, length: .fixed(iterations: 20_000), runs: .exactly(2)).run {
            DropInCounter()
        } body: { counter, _, _ in
            counter.atomicIncrement()
            counter.lockedIncrement()
        } check: { counter, run in
            try StressFailure.unless(counter.value.load(ordering: .relaxed) == run.operations, "atomic lost")
            try StressFailure.unless(counter.locked.withLock { $0 } == run.operations, "mutex lost")
        }
        #expect(report.failedRuns.isEmpty)
    }

    @Test("inside one, a load and a store are two scheduling points: 6 schedules, 4 lose the update")
    func racyCounterSchedules() throws {
        let report = try Explore(.exhaustive(), stopsAtFirstFailure: false, prunesEquivalentSchedules: false).run(
            threads: 2
        ) {
            DropInCounter()
        } body: { counter, _ in
            counter.racyIncrement()
        } check: { counter in
            try ExploreFailure.unless(counter.value.load(ordering: .relaxed) == 2, "lost an update")
        }
        #expect(report.explored == 6)
        #expect(report.failed == 4)
        let timeline = report.firstFailure.map { "\($0)" } ?? ""
        #expect(timeline.contains("load value → 0 (relaxed)"))
    }

    @Test("the atomic increment and the mutex pass every schedule", arguments: ["atomic", "mutex"])
    func safeCounters(form: String) throws {
        let report = try Explore(.exhaustive()).run(threads: 3) {
            DropInCounter()
        } body: { counter, _ in
            for _ in 0..<2 { form == "atomic" ? counter.atomicIncrement() : counter.lockedIncrement() }
        } check: { counter in
            let total = form == "atomic" ? counter.value.load(ordering: .relaxed) : counter.locked.withLock { $0 }
            try ExploreFailure.unless(total == 6, "lost an update")
        }
        #expect(report.failed == 0)
        #expect(report.explored > 1)
    }

    @Test("two mutexes taken in opposite orders deadlock, named by their labels")
    func lockOrderDeadlock() throws {
        final class Accounts: Sendable {
            let a = Mutex(0, name: "A")
            let b = Mutex(0, name: "B")
        }
        let report = try Explore(.exhaustive()).run(threads: 2) {
            Accounts()
        } body: { accounts, thread in
            if thread.index == 0 {
                accounts.a.withLock { _ in accounts.b.withLock { $0 += 1 } }
            } else {
                accounts.b.withLock { _ in accounts.a.withLock { $0 += 1 } }
            }
        }
        let failure = try #require(report.firstFailure?.failure)
        #expect("\(failure)".contains("thread 0 waits for B, held by thread 1"))
    }

    @Test("a semaphore nobody signals is a deadlock; one signalled lets the waiter on")
    func semaphore() throws {
        final class Handoff: Sendable {
            let ready = Semaphore(0, name: "ready")
            let item = Atomic(0, name: "item")
        }
        let passes = try Explore(.exhaustive()).run(threads: 2) {
            Handoff()
        } body: { handoff, thread in
            if thread.index == 0 {
                handoff.item.store(7, ordering: .relaxed)
                handoff.ready.signal()
            } else {
                handoff.ready.wait()
                try thread.check(handoff.item.load(ordering: .relaxed) == 7, "the item is not there")
            }
        }
        #expect(passes.failed == 0)
        let hangs = try Explore(.exhaustive()).run(threads: 1) {
            Handoff()
        } body: { handoff, _ in
            handoff.ready.wait()
        }
        #expect("\(hangs.firstFailure?.failure.map { "\($0)" } ?? "")".contains("waits on ready, which nobody signals"))
    }
}
