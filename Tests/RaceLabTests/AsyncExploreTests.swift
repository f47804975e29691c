import Dispatch
import RaceLab
import RaceLabExplore
import Synchronization
import Testing

/// The ticket office of Examples/StressYourOwnCode: check, await, act.
private actor RacyOffice {
    let seats: Int
    var sold = 0
    init(seats: Int) { self.seats = seats }
    func sell() async -> Bool {
        guard sold < seats else { return false }
        await Task.yield()
        sold += 1
        return true
    }
}

private actor FixedOffice {
    let seats: Int
    var sold = 0
    init(seats: Int) { self.seats = seats }
    func sell() async -> Bool {
        guard sold < seats else { return false }
        sold += 1
        await Task.yield()
        return true
    }
}

/// A payment service: another actor the office awaits between its check and its act.
private actor Payments {
    var taken = 0
    func charge() { taken += 1 }
}

/// Checks, awaits another actor (or a sleep), then acts: reentrancy across any await.
private actor Office {
    var sold = 0
    let payments = Payments()
    func sellAwaitingPayment() async -> Bool {
        guard sold < 1 else { return false }
        await payments.charge()
        sold += 1
        return true
    }
    func sellAfterSleep() async throws -> Bool {
        guard sold < 1 else { return false }
        try await Task.sleep(for: .milliseconds(5))
        sold += 1
        return true
    }
}

/// A shop whose check and act are two calls: the cross-actor check-then-act.
private actor Shop {
    var stock = 1
    var log: [String] = []
    func inStock() -> Bool { stock > 0 }
    func take() { stock -= 1 }
    func note(_ line: String) { log.append(line) }
    /// The fix: check and act in one call.
    func buy() -> Bool {
        guard stock > 0 else { return false }
        stock -= 1
        return true
    }
}

/// Two calls to the actor, with a third (a log line) between them.
private func buyInTwoCalls(_ shop: Shop, _ who: Int) async -> Bool {
    guard await shop.inStock() else { return false }
    await shop.note("buyer \(who) saw stock")
    await shop.take()
    return true
}

@Suite("Explore: async code, tasks and actors")
struct AsyncExploreTests {
    @Test("an actor that checks, awaits and acts oversells: found with 2 buyers and 1 seat")
    func reentrancyFound() async throws {
        let report = try await Explore(workers: 2).run {
            RacyOffice(seats: 1)
        } body: { office, _, _ in
            _ = await office.sell()
        } check: { office, _ in
            let sold = await office.sold
            try RaceFailure.unless(sold <= 1, "sold \(sold) of 1 seat")
        }
        #expect(report.failed == 1)
        let failure = try #require(report.firstFailure)
        #expect(failure.description.contains("sold 2 of 1 seat"))
        #expect(failure.preemptions == 0)
        #expect(failure.timeline.contains("on RacyOffice"))
    }

    @Test("check, await another actor or a sleep, act: found too", arguments: ["actor", "sleep"])
    func reentrancyAcrossAnyAwait(_ what: String) async throws {
        let report = try await Explore(workers: 2).run {
            Office()
        } body: { office, _, _ in
            _ = what == "actor" ? await office.sellAwaitingPayment() : try await office.sellAfterSleep()
        } check: { office, _ in
            let sold = await office.sold
            try RaceFailure.unless(sold <= 1, "sold \(sold) of 1 seat")
        }
        #expect(report.failed == 1)
        #expect(report.firstFailure?.preemptions == 0)
        if what == "actor" { #expect(report.firstFailure?.timeline.contains("on Payments") == true) }
    }

    @Test("every printed failure replays 100 of 100 times, step for step")
    func replaysEveryTime() async throws {
        let explorer = Explore(.random(schedules: 50, seed: 7), workers: 2, iterations: 2)
        let make: @Sendable () -> Shop = { Shop() }
        let body: @Sendable (Shop, Int, Int) async -> Void = { shop, worker, _ in _ = await buyInTwoCalls(shop, worker)
        }
        let check: @Sendable (Shop, RaceRun) async throws -> Void = { shop, _ in
            let stock = await shop.stock
            try RaceFailure.unless(stock >= 0, "stock \(stock)")
        }
        let report = try await explorer.run(make, body: body, check: check)
        let failure = try #require(report.firstFailure)
        var same = 0
        for _ in 0..<100 {
            let replayed = try await explorer.replay(failure.string, make, body: body, check: check)
            if replayed.mismatch == nil && replayed.failure == failure.failure && replayed.timeline == failure.timeline
            {
                same += 1
            }
        }
        #expect(same == 100)
    }

    @Test("the fixed office passes every schedule")
    func fixedPasses() async throws {
        let report = try await Explore(workers: 2).run {
            FixedOffice(seats: 1)
        } body: { office, _, _ in
            _ = await office.sell()
        } check: { office, _ in
            let sold = await office.sold
            try RaceFailure.unless(sold <= 1, "sold \(sold) of 1 seat")
        }
        #expect(report.passed)
        #expect(report.coverage == .every)
    }

    @Test("a check and an act as two actor calls oversell; one call does not")
    func crossActor() async throws {
        let racy = try await Explore(workers: 2).run {
            Shop()
        } body: { shop, worker, _ in
            _ = await buyInTwoCalls(shop, worker)
        } check: { shop, _ in
            let stock = await shop.stock
            try RaceFailure.unless(stock >= 0, "stock \(stock)")
        }
        #expect(racy.failed == 1)
        let fixed = try await Explore(workers: 2).run {
            Shop()
        } body: { shop, _, _ in
            _ = await shop.buy()
        } check: { shop, _ in
            let stock = await shop.stock
            try RaceFailure.unless(stock >= 0, "stock \(stock)")
        }
        #expect(fixed.passed)
        #expect(fixed.coverage == .every)
        #expect(fixed.explored > 1)
    }

    @Test("sleeps run on a virtual clock")
    func sleeps() async throws {
        let started = ContinuousClock.now
        let report = try await Explore(workers: 2).run {
            Shop()
        } body: { shop, worker, _ in
            await shop.note("request \(worker) starts")
            try await Task.sleep(for: worker == 0 ? .seconds(30) : .seconds(10))
            await shop.note("request \(worker) answers")
        } check: { shop, _ in
            let log = await shop.log
            try RaceFailure.unless(log.last == "request 1 answers", "answers out of order: \(log)")
        }
        // 30 s and 10 s of sleeps: the second request answers first, in virtual time
        // (milliseconds alone; the bound leaves room for a busy machine, and is still far
        // below the 30 s a real sleep would take).
        #expect(report.failed == 1)
        #expect(report.firstFailure?.timeline.contains("sleeps 30 s") == true)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a continuation resumed from a Dispatch queue escapes")
    func escape() async throws {
        let report = try await Explore(workers: 1).run {
            Shop()
        } body: { _, _, _ in
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { continuation.resume() }
            }
        }
        let failure = try #require(report.firstFailure?.failure)
        guard case .escaped(let story) = failure else {
            Issue.record("expected an escape, got \(failure)")
            return
        }
        #expect(story.contains("another thread"))
    }

    @Test("a continuation nobody resumes is a deadlock that names the worker")
    func neverResumed() async throws {
        let report = try await Explore(workers: 2).run {
            Shop()
        } body: { _, worker, _ in
            guard worker == 1 else { return }
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
        }
        let failure = try #require(report.firstFailure?.failure)
        guard case .deadlock(let story) = failure else {
            Issue.record("expected a deadlock, got \(failure)")
            return
        }
        #expect(story.contains("worker 1"))
        #expect(!story.contains("worker 0"))
    }

    @Test("child tasks, task groups and Task {} run under the explorer to their end")
    func childTasks() async throws {
        let report = try await Explore(.exhaustive(preemptionBound: 1), workers: 2).run {
            Shop()
        } body: { shop, worker, _ in
            async let noted: Void = shop.note("async let \(worker)")
            await withTaskGroup(of: Void.self) { group in
                for child in 0..<2 { group.addTask { await shop.note("child \(worker).\(child)") } }
            }
            await Task { await shop.note("Task {} \(worker)") }.value
            await noted
        } check: { shop, _ in
            let count = await shop.log.count
            try RaceFailure.unless(count == 8, "\(count) notes of 8")
        }
        #expect(report.passed)
        #expect(report.explored > 1)
    }

    @Test("a worker count out of range is an error naming it")
    func refusesBadWorkers() async {
        await #expect(throws: RaceLabError.invalidArgument(call: "Explore(workers: 0)", accepted: "1 to 1,024 workers"))
        {
            try await Explore(workers: 0).run {
                Shop()
            } body: { _, _, _ in
            }
        }
    }

    @Test("PCT on jobs, with sleeps: priorities per task, and the next timer one of them")
    func pctWithSleeps() async throws {
        let report = try await Explore(.pct(schedules: 50, depth: 2, seed: 3), workers: 2).run {
            Shop()
        } body: { shop, worker, _ in
            try await Task.sleep(for: .milliseconds(worker == 0 ? 20 : 10))
            _ = await buyInTwoCalls(shop, worker)
        } check: { shop, _ in
            let stock = await shop.stock
            try RaceFailure.unless(stock >= 0, "stock \(stock)")
        }
        #expect(report.explored >= 1)
    }

    @Test("a sleep in a Task {} (no executor preference) runs in real time: a failure that says so, never a pass")
    func sleepInUnstructuredTask() async throws {
        let report = try await Explore(workers: 1).run {
            Shop()
        } body: { shop, _, _ in
            await Task {
                await shop.note("before")
                try? await Task.sleep(for: .milliseconds(10))
                await shop.note("after")
            }.value
        }
        // The task comes back from another thread: an escape; on a machine so busy that
        // it comes back after the grace period, a deadlock that says nothing came back.
        let failure = try #require(report.firstFailure?.failure)
        switch failure {
        case .escaped(let story): #expect(story.contains("another thread"))
        case .deadlock(let story): #expect(story.contains("nothing came from another thread"))
        default: Issue.record("expected an escape, got \(failure)")
        }
    }

    @Test("a check that never finishes fails the schedule; so does a make that never ends")
    func endlessCheckAndMake() async throws {
        let stuck = try await Explore(workers: 1).run {
            Shop()
        } body: { _, _, _ in
        } check: { _, _ in
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
        }
        #expect(!stuck.passed)
        let endless = try await Explore(workers: 1, maxSteps: 100).run {
            let shop = Shop()
            Task { while true { await Task.yield() } }
            return shop
        } body: { _, _, _ in
        }
        #expect(!endless.passed)
        #expect(endless.firstFailure?.failure.map { "\($0)" }?.contains("never ends") == true)
    }
}
