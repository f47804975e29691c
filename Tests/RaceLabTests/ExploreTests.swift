import RaceLabTesting
import Synchronization
import Testing

@testable import RaceLabExplore

/// Two threads, each `value = counter; counter = value + 1`.
private let unsafeIncrement: @Sendable (Shared<Int>, VirtualThread) throws -> Void = { counter, thread in
    let value = try thread.load(counter)
    try thread.store(counter, value + 1)
}

private func countsTwo(_ counter: Shared<Int>) throws {
    try RaceFailure.unless(counter.value == 2, "counter is \(counter.value), not 2")
}

/// A counter and the mutex around each increment.
private final class Locked: Sendable {
    let counter = Shared("counter", 0)
    let mutex = ExploreMutex("m")
}

/// Two mutexes for the deadlock tests.
private final class Pair: Sendable {
    let a = ExploreMutex("A")
    let b = ExploreMutex("B")
}

@Suite("Explore: controlled schedules", .serialized, .timeLimit(.minutes(1)))
struct ExploreTests {
    @Test("load-then-store on two threads: exactly 6 schedules, 4 lose the update")
    func sixSchedules() throws {
        let report = try Explore(.exhaustive(), stopsAtFirstFailure: false, prunesEquivalentSchedules: false).run(
            { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
        #expect(report.explored == 6)
        #expect(report.failed == 4)
        #expect(report.coverage == .every)
        #expect(report.isFinished)
    }

    @Test("sleep sets: independent steps are not reordered again; the race is still found, the report says so")
    func pruning() throws {
        let pruned = try Explore(.exhaustive(), stopsAtFirstFailure: false).run(
            { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
        // The two loads commute: 0 load, 1 load is 1 load, 0 load.
        #expect(pruned.isPruned && pruned.explored < 6 && pruned.failed > 0, "\(pruned)")
        #expect(pruned.firstFailure?.preemptions == 1)
        #expect(pruned.description.contains("every schedule, up to reordering independent steps"))
        final class Slots: Sendable {
            let slots = [Shared("slot0", 0), Shared("slot1", 0), Shared("slot2", 0)]
        }
        let disjoint = try Explore(.exhaustive(), workers: 3, stopsAtFirstFailure: false).run {
            Slots()
        } body: { state, thread in
            let slot = state.slots[thread.index]
            try thread.store(slot, try thread.load(slot) + 1)
        }
        #expect(disjoint.explored == 1, "threads on disjoint objects have one schedule up to reordering")
        let bounded = try Explore(.exhaustive(preemptionBound: 2), stopsAtFirstFailure: false).run(
            { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
        #expect(!bounded.isPruned && bounded.explored == 6, "no pruning under a bound")
    }

    @Test("with a mutex around each increment every schedule ends at 2, and the report says how many")
    func mutexHolds() throws {
        let report = try Explore(.exhaustive(), workers: 2, stopsAtFirstFailure: false).run {
            Locked()
        } body: { state, thread in
            try thread.lock(state.mutex)
            let value = try thread.load(state.counter)
            try thread.store(state.counter, value + 1)
            try thread.unlock(state.mutex)
        } check: { state in
            try countsTwo(state.counter)
        }
        #expect(report.passed)
        #expect(report.explored == 2, "the lock leaves one order per first locker: \(report)")
        #expect(report.description == "all 2 schedules pass (every schedule, up to reordering independent steps)")
    }

    @Test("the first failure has the fewest preemptions, two loads of the same value, and a replay string")
    func firstFailure() throws {
        let report = try Explore(.exhaustive(), workers: 2).run(
            { Shared("counter", 0) }, body: unsafeIncrement, check: countsTwo)
        let failure = try #require(report.firstFailure)
        #expect(failure.preemptions == 1)
        #expect(failure.failure == .check("counter is 1, not 2"))
        #expect(failure.events.filter { $0.text == "load counter → 0" }.count == 2, "\(failure.timeline)")
        #expect(failure.string.count == 4)
        #expect(!report.isFinished)
        #expect(report.description.hasPrefix("failed in schedule"))
    }

    @Test("a replay reproduces the failure every time; a schedule that does not fit says where")
    func replay() throws {
        let explore = Explore(.exhaustive(), workers: 2)
        let report = try explore.run({ Shared("counter", 0) }, body: unsafeIncrement, check: countsTwo)
        let schedule = try #require(report.firstFailure).string
        for _ in 0..<20 {
            let again = try explore.replay(
                schedule, { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
            #expect(again.failure == .check("counter is 1, not 2"))
            #expect(again.string == schedule)
            #expect(again.mismatch == nil)
        }
        let short = try explore.replay(
            "01", { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
        #expect(short.mismatch == "the schedule has 2 steps, and the program goes on after them")
        let wrong = try explore.replay(
            "0000", { Shared("counter", 0) }, workers: [unsafeIncrement, unsafeIncrement], check: countsTwo)
        #expect(wrong.mismatch?.hasPrefix("step 3: the schedule says worker 0, which cannot run there") == true)
        let garbage = try explore.replay("0x1", { Shared("counter", 0) }, workers: [unsafeIncrement], check: countsTwo)
        #expect(garbage.mismatch?.contains("is not a schedule string") == true)
    }

    @Test("opposite lock order deadlocks, the cycle named; one order never does")
    func deadlock() throws {
        let opposite = try Explore(.exhaustive()).run(
            { Pair() },
            workers: [
                { pair, thread in
                    try thread.lock(pair.a)
                    try thread.lock(pair.b)
                    try thread.unlock(pair.b)
                    try thread.unlock(pair.a)
                },
                { pair, thread in
                    try thread.lock(pair.b)
                    try thread.lock(pair.a)
                    try thread.unlock(pair.a)
                    try thread.unlock(pair.b)
                },
            ])
        #expect(
            opposite.firstFailure?.failure
                == .deadlock("worker 0 waits for B, held by worker 1; worker 1 waits for A, held by worker 0"))
        let ordered = try Explore(.exhaustive(), workers: 2, stopsAtFirstFailure: false).run {
            Pair()
        } body: { pair, thread in
            try thread.lock(pair.a)
            try thread.lock(pair.b)
            try thread.unlock(pair.b)
            try thread.unlock(pair.a)
        }
        #expect(ordered.passed, "\(ordered)")
    }

    @Test("unlocking a mutex another thread holds fails the schedule as misuse")
    func misuse() throws {
        let report = try Explore(.exhaustive()).run(
            { Pair() },
            workers: [
                { pair, thread in try thread.lock(pair.a) },
                { pair, thread in try thread.unlock(pair.a) },
            ])
        #expect(report.firstFailure?.failure.map { "\($0)" }?.hasPrefix("misuse: worker 1 unlocked A") == true)
    }

    @Test("random and PCT are seeded: the same seed finds the same schedule")
    func seeded() throws {
        for strategy in [Explore.Search.random(schedules: 100, seed: 7), .pct(schedules: 100, depth: 2, seed: 7)] {
            let runs = try (0..<3).map { _ in
                try Explore(strategy, workers: 2).run({ Shared("counter", 0) }, body: unsafeIncrement, check: countsTwo)
            }
            #expect(runs.allSatisfy { $0.firstFailure?.string == runs[0].firstFailure?.string })
            #expect(runs[0].firstFailure != nil)
        }
    }

    @Test("PCT at depth 2 finds check-then-act (built twice) at 3 threads")
    func pctFindsCheckThenAct() throws {
        final class Lazy: Sendable {
            let instance = Shared<Int?>("instance", nil)
            let builds = Shared("builds", 0)
        }
        let build: @Sendable (Lazy, VirtualThread) throws -> Void = { lazy, thread in
            if try thread.load(lazy.instance) == nil {
                try thread.store(lazy.builds, try thread.load(lazy.builds) + 1)
                try thread.store(lazy.instance, thread.index)
            }
        }
        var found = 0
        for seed in 1...20 {
            let report = try Explore(.pct(schedules: 1_000, depth: 2, seed: UInt64(seed)), workers: 3).run(
                { Lazy() }, body: build,
                check: { lazy in try RaceFailure.unless(lazy.builds.value == 1, "built \(lazy.builds.value) times") }
            )
            if report.firstFailure != nil { found += 1 }
        }
        #expect(found == 20)
    }

    @Test("compare-and-exchange: a retry loop loses nothing in any schedule; one try without retry can lose")
    func compareExchange() throws {
        let retry = try Explore(.exhaustive(), workers: 3, stopsAtFirstFailure: false).run {
            Shared("counter", 0)
        } body: { counter, thread in
            while true {
                let seen = try thread.load(counter)
                if try thread.compareExchange(counter, expected: seen, desired: seen + 1).exchanged { break }
            }
        } check: { counter in
            try RaceFailure.unless(counter.value == 3, "counter is \(counter.value)")
        }
        #expect(retry.passed && retry.coverage == .every && retry.explored > 6, "\(retry)")
        let once = try Explore(.exhaustive(), workers: 2).run {
            Shared("counter", 0)
        } body: { counter, thread in
            let seen = try thread.load(counter)
            try thread.compareExchange(counter, expected: seen, desired: seen + 1)
        } check: { counter in
            try countsTwo(counter)
        }
        let failure = try #require(once.firstFailure)
        #expect(failure.events.map(\.text).contains("cas counter 0 → 1: found 1"), "\(failure)")
    }

    /// One slot, two consumers, one producer of two items: `guarded` waits in a
    /// `while`, the other in an `if`, so a woken consumer can find the slot taken.
    private func slot(guarded: Bool) throws -> ExploreReport {
        final class Slot: Sendable {
            let items = Shared("items", 0)
            let mutex = ExploreMutex("m")
            let ready = ExploreCondition("ready")
        }
        let consumer: @Sendable (Slot, VirtualThread) throws -> Void = { slot, thread in
            try thread.lock(slot.mutex)
            if guarded {
                while try thread.load(slot.items) == 0 { try thread.wait(slot.ready, releasing: slot.mutex) }
            } else if try thread.load(slot.items) == 0 {
                try thread.wait(slot.ready, releasing: slot.mutex)
            }
            let items = try thread.load(slot.items)
            try thread.check(items > 0, "took an item from an empty slot")
            try thread.store(slot.items, items - 1)
            try thread.unlock(slot.mutex)
        }
        let producer: @Sendable (Slot, VirtualThread) throws -> Void = { slot, thread in
            for _ in 0..<2 {
                try thread.lock(slot.mutex)
                try thread.store(slot.items, try thread.load(slot.items) + 1)
                try thread.signal(slot.ready)
                try thread.unlock(slot.mutex)
            }
        }
        return try Explore(.exhaustive(), stopsAtFirstFailure: false).run(
            { Slot() }, workers: [consumer, consumer, producer])
    }

    @Test("a condition waited on in an if: a woken consumer finds the slot taken; in a while: every schedule passes")
    func condition() throws {
        let unguarded = try slot(guarded: false)
        let failure = try #require(unguarded.firstFailure, "\(unguarded)")
        #expect(
            failure.failure == .check("worker 0: took an item from an empty slot")
                || failure.failure
                    == .check("worker 1: took an item from an empty slot"),
            "\(failure)")
        #expect(failure.events.contains { $0.text.hasPrefix("woken from ready, lock m") })
        let guarded = try slot(guarded: true)
        #expect(guarded.passed && guarded.coverage == .every, "\(guarded)")
    }

    @Test("a wait nobody signals is a deadlock naming the condition; a signal with nobody waiting is shown as lost")
    func lostWakeup() throws {
        final class Flag: Sendable {
            let mutex = ExploreMutex("m")
            let done = ExploreCondition("done")
        }
        let report = try Explore(.exhaustive()).run(
            { Flag() },
            workers: [
                { flag, thread in
                    try thread.lock(flag.mutex)
                    try thread.wait(flag.done, releasing: flag.mutex)  // no state checked: the signal may be gone
                    try thread.unlock(flag.mutex)
                },
                { flag, thread in
                    try thread.lock(flag.mutex)
                    try thread.signal(flag.done)
                    try thread.unlock(flag.mutex)
                },
            ])
        let failure = try #require(report.firstFailure)
        #expect(failure.failure == .deadlock("worker 0 waits for a signal on done"), "\(failure)")
        #expect(failure.events.map(\.text).contains("signal done → nobody waits"))
    }

    @Test("spawn and join: children get the next indices, join waits, a racy child pair loses, a replay agrees")
    func spawnJoin() throws {
        let program: @Sendable (Shared<Int>, VirtualThread) throws -> Void = { counter, thread in
            let children = try (0..<2).map { _ in
                try thread.spawn { child in
                    let value = try child.load(counter)
                    try child.store(counter, value + 1)
                }
            }
            #expect(children.map(\.index) == [1, 2])
            for child in children { try thread.join(child) }
            try thread.check(try thread.load(counter) == 2, "after both joins the counter is not 2")
        }
        let explorer = Explore(.exhaustive(), workers: 1, stopsAtFirstFailure: false)
        let report = try explorer.run({ Shared("counter", 0) }, body: program)
        let failure = try #require(report.firstFailure)
        #expect(report.failed > 0 && report.failed < report.explored, "\(report)")
        #expect(failure.workers == 3)
        #expect(failure.timeline.contains("worker 2"))
        #expect(failure.events.filter { $0.text.hasPrefix("join worker") }.map(\.thread) == [0, 0])
        let again = try explorer.replay(failure.string, { Shared("counter", 0) }, body: program)
        #expect(again.failure == failure.failure && again.mismatch == nil)
        let pct = try Explore(.pct(schedules: 200, depth: 2, seed: 3), workers: 1).run(
            { Shared("counter", 0) }, body: program)
        #expect(pct.firstFailure != nil, "\(pct)")
        let selfJoin = try Explore(.exhaustive(), workers: 1).run({ 0 }) { _, thread in
            try thread.join(VirtualThread.Handle(index: 0))
        }
        #expect(selfJoin.firstFailure?.failure == .deadlock("worker 0 waits for itself to finish"))
    }
}

@Suite("Explore in Swift Testing", .serialized, .timeLimit(.minutes(1)))
struct ExploreInTestingTests {
    @Test("a failing schedule is an issue of this test carrying the replay string and the timeline")
    func failingSchedule() throws {
        let seen = Mutex<[String]>([])
        try withKnownIssue("the unsafe counter loses an update") {
            try RaceLabTesting.explore(
                with: Explore(workers: 2), { Shared("counter", 0) }, body: unsafeIncrement, check: countsTwo)
        } matching: { issue in
            seen.withLock { $0 += issue.comments.map(\.rawValue) }
            return true
        }
        let text = seen.withLock { $0 }.joined()
        #expect(text.contains("check failed: counter is 1, not 2"))
        #expect(text.contains("schedule \""), "the replay string")
        #expect(text.contains("step  worker 0"), "the timeline")
    }

    @Test("an #expect inside an explored body is recorded against this test")
    func expectInBody() throws {
        withKnownIssue("the body's own #expect") {
            try RaceLabTesting.explore(with: Explore(workers: 1), { Shared("x", 0) }) { x, thread in
                let value = try thread.load(x)
                #expect(value == 1)
            }
        }
    }

    @Test("a program whose every schedule passes records nothing")
    func passing() throws {
        let report = try RaceLabTesting.explore(with: Explore(workers: 2), { Locked() }) { state, thread in
            try thread.lock(state.mutex)
            try thread.store(state.counter, try thread.load(state.counter) + 1)
            try thread.unlock(state.mutex)
        } check: { state in
            try countsTwo(state.counter)
        }
        #expect(report.passed)
    }
}
