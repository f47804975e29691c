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
        print(report)
        #expect(report.failed == 1)
        let failure = try #require(report.firstFailure)
        #expect(failure.description.contains("sold 2 of 1 seat"))
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
        print(report)
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
        print(racy)
        #expect(racy.failed == 1)
        let fixed = try await Explore(workers: 2).run {
            Shop()
        } body: { shop, _, _ in
            _ = await shop.buy()
        } check: { shop, _ in
            let stock = await shop.stock
            try RaceFailure.unless(stock >= 0, "stock \(stock)")
        }
        print(fixed)
        #expect(fixed.passed)
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
        print(report)
        #expect(ContinuousClock.now - started < .seconds(1))
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
        print(report)
        #expect(report.firstFailure?.failure.map { "\($0)" }?.contains("escaped") == true)
    }
}
