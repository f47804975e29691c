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

/// Two mutexes made once, outside every exploration: a deadlocked schedule leaves one
/// locked for good (its real lock is held by a coroutine that never runs again).
private let globalA = Mutex(0, name: "globalA")
private let globalB = Mutex(0, name: "globalB")

@Suite("drop-ins: what an exploration leaves behind", .serialized)
struct DropInLeftoverTests {
    @Test("a mutex made outside the exploration and left locked by a deadlock is reported, not a trap")
    func stuckGlobalMutex() throws {
        let report = try Explore(workers: 2, stopsAtFirstFailure: false).run(
            RaceTest {
                0
            } body: { _, worker, _ in
                if worker == 0 {
                    globalA.withLock { _ in globalB.withLock { $0 += 1 } }
                } else {
                    globalB.withLock { _ in globalA.withLock { $0 += 1 } }
                }
            })
        let failures = report.failed
        #expect(failures > 0)
        let text = "\(report)"
        #expect(text.contains("deadlock: worker 0 waits for globalB") || text.contains("still holds"), "\(text)")
        // A later exploration that locks them again gets the sentence, not "Recursive call to lock Mutex".
        let again = try Explore(workers: 1).run(
            RaceTest {
                0
            } body: { _, _, _ in
                globalA.withLock { $0 += 1 }
            })
        #expect(
            "\(again.firstFailure?.failure.map { "\($0)" } ?? "")".contains("make each mutex in make()"), "\(again)")
    }

    @Test("yieldThread and spinLoopHint let a spin-wait end in every schedule")
    func spinWait() throws {
        final class Flag: Sendable {
            let ready = Atomic(false, name: "ready")
            let value = Atomic(0, name: "value")
        }
        for hint in ["yield", "spin"] {
            let report = try Explore(.exhaustive(preemptionBound: 2), workers: 2).run(
                RaceTest {
                    Flag()
                } body: { flag, worker, _ in
                    if worker == 0 {
                        flag.value.store(42, ordering: .relaxed)
                        flag.ready.store(true, ordering: .releasing)
                    } else {
                        while !flag.ready.load(ordering: .acquiring) {
                            hint == "yield" ? yieldThread() : spinLoopHint()
                        }
                        try RaceFailure.unless(flag.value.load(ordering: .relaxed) == 42, "saw ready before value")
                    }
                })
            #expect(report.verdict == .held, "\(hint): \(report)")
            #expect(report.explored > 1)
        }
    }

    @Test("a timed semaphore wait takes one if there is one at that step, else times out; outside, it waits")
    func timedSemaphore() throws {
        final class Slot: Sendable { let permits = Semaphore(0, name: "permits") }
        let report = try Explore(workers: 2, stopsAtFirstFailure: false).run(
            RaceTest {
                Slot()
            } body: { slot, worker, _ in
                if worker == 0 {
                    slot.permits.signal()
                } else if !slot.permits.wait(timeout: .milliseconds(10)) {
                    throw RaceFailure("timed out")
                }
            })
        #expect(report.failed > 0 && report.failed < report.explored, "\(report)")
        let real = Semaphore(0)
        #expect(!real.wait(timeout: .milliseconds(5)))
        real.signal()
        #expect(real.wait(timeout: .milliseconds(5)))
    }
}

/// Swift's exclusivity checking keeps a list of the accesses in progress per OS thread;
/// every virtual thread runs on the explorer's one, so each coroutine's accesses are
/// saved when it switches away and put back when it runs again.
@Suite("drop-ins: coroutines and Swift's exclusivity checking", .serialized, .timeLimit(.minutes(1)))
struct DropInExclusivityTests {
    struct Holder {
        var crossings = 0
        mutating func cross(_ first: borrowing Mutex<Int>, _ second: borrowing Mutex<Int>) {
            first.withLock { _ in second.withLock { $0 += 1 } }
            crossings += 1
        }
    }

    /// Racy by design: `holders` is written by the worker that owns its slot only.
    final class Pair: @unchecked Sendable {
        var first = Holder()
        var second = Holder()
        let a = Mutex(0, name: "A")
        let b = Mutex(0, name: "B")
    }

    @Test("a worker abandoned mid-access (a deadlock inside a mutating method) leaves no access behind")
    func abandonedMidAccess() throws {
        let report = try Explore(workers: 2, stopsAtFirstFailure: false).run(
            RaceTest {
                Pair()
            } body: { pair, worker, _ in
                if worker == 0 { pair.first.cross(pair.a, pair.b) } else { pair.second.cross(pair.b, pair.a) }
            })
        #expect(report.failed > 0, "the opposite orders deadlock in some schedules")
        // Before the runtime's access list was saved per coroutine, the next exploration
        // with dynamic accesses looped forever in swift_beginAccess.
        for _ in 0..<3 {
            let again = try Explore(workers: 2).run(
                RaceTest {
                    Pair()
                } body: { pair, worker, _ in
                    if worker == 0 { pair.first.crossings += 1 } else { pair.second.crossings += 1 }
                })
            #expect(again.verdict == .held)
        }
    }
}
