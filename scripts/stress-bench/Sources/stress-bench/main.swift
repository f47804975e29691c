// stress-bench: what a user's own code costs on racelab's stress API.
//
//   stress-bench atomic <workers> <iterations>   one Stress run whose body is one atomic
//                                                increment; prints "ns/op <figure>", the
//                                                figure racelab counter --json reports
//   stress-bench atomic-loop <workers> <iterations>  the same increment in the loop form
//                                                (Stress.run(_:loop:check:))
//   stress-bench explore-counter <workers> <increments>  every schedule of the unsafe
//                                                counter on RaceLabExplore's explicit API
//   stress-bench explore-dropin-counter <workers> <increments>  the same on the drop-ins
//   stress-bench explore-async-reentrancy <tasks> [<preemptions>]  every schedule of an
//                                                actor that checks, awaits Task.yield()
//                                                and acts (one seat, <tasks> buyers), job
//                                                by job; prints "schedules <n> failed <n>
//                                                jobs <n> seconds <s>"
//   stress-bench sb <ordering> <samples>          store buffering on OutcomeStress;
//                                                prints "weak <count> samples <n> seconds <s>"
//   stress-bench dropins <rounds> <milliseconds>  RaceLabSync's drop-in Atomic and Mutex
//                                                beside Synchronization's, at 1, 2 and 8
//                                                workers, interleaved; a table of medians
//
// Nothing here is racelab's own code: it is the example a user would write.
import Foundation
import RaceLab
import RaceLabExplore
import RaceLabSync
import Synchronization

// The drop-ins under their own module's name, beside Synchronization's: a user's file
// imports one or the other and writes `Atomic` and `Mutex` alike.
typealias DropInAtomic = RaceLabSync.Atomic
typealias DropInMutex = RaceLabSync.Mutex

/// The shared state of the atomic-increment body.
final class Hits: Sendable {
    let count = Atomic<Int>(0)
}

/// Store buffering, as a user writes it: T0 stores x then loads y, T1 the other way.
final class StoreBuffering: Sendable {
    let x = Atomic<Int>(0)
    let y = Atomic<Int>(0)
    let r0 = Atomic<Int>(0)
    let r1 = Atomic<Int>(0)
}

struct Registers: Hashable, Sendable, CustomStringConvertible {
    let r0: Int
    let r1: Int
    var description: String { "r0=\(r0) r1=\(r1)" }
}

func atomic(workers: Int, iterations: Int) throws {
    let stress = Stress(workers: workers, length: .fixed(iterations: iterations), runs: .exactly(runs))
    let report = try stress.run {
        Hits()
    } body: { hits, _, _ in
        hits.count.wrappingAdd(1, ordering: .relaxed)
    } check: { hits, run in
        try RaceFailure.unless(hits.count.load(ordering: .relaxed) == run.operations, "lost increments")
    }
    print(figure(report))
}

/// Runs per figure: the first run of a process is its warm-up (page faults, caches, the
/// CPUs' clocks), as racelab's own --warmup is; the figure is the median of the rest.
let runs = 5

/// The median ns/op of runs 2...: the workers' busy time over their operations.
func figure(_ report: StressReport) -> String {
    let figures = report.runs.dropFirst().map { run in
        Double(run.timing.workers.reduce(0) { $0 + $1.busyNanoseconds }) / Double(run.operations)
    }.sorted()
    return "ns/op \(figures[figures.count / 2])"
}

/// The same increment in the loop form: each worker runs its own loop over its budget.
func atomicLoop(workers: Int, iterations: Int) throws {
    let stress = Stress(workers: workers, length: .fixed(iterations: iterations), runs: .exactly(runs))
    let report = try stress.run {
        Hits()
    } loop: { hits, _, budget in
        budget.forEachOperation { hits.count.wrappingAdd(1, ordering: .relaxed) }
    } check: { hits, run in
        try RaceFailure.unless(hits.count.load(ordering: .relaxed) == run.operations, "lost increments")
    }
    print(figure(report))
}

func storeBuffering(ordering: String, samples: Int) throws {
    let expectations: [OutcomeExpectation<Registers>] = [
        .acceptable([Registers(r0: 0, r1: 1), Registers(r0: 1, r1: 0), Registers(r0: 1, r1: 1)], "an interleaving"),
        .interesting([Registers(r0: 0, r1: 0)], "both loads ran before either store was visible"),
    ]
    let test = OutcomeStress(samples: samples)
    let make: @Sendable () -> StoreBuffering = { StoreBuffering() }
    let arbiter: @Sendable (StoreBuffering) -> Registers = {
        Registers(r0: $0.r0.load(ordering: .relaxed), r1: $0.r1.load(ordering: .relaxed))
    }
    let report: OutcomeReport<Registers>
    switch ordering {
    case "relaxed":
        report = try test.run(expecting: expectations, make) {
            $0.x.store(1, ordering: .relaxed)
            $0.r0.store($0.y.load(ordering: .relaxed), ordering: .relaxed)
        } worker: {
            $0.y.store(1, ordering: .relaxed)
            $0.r1.store($0.x.load(ordering: .relaxed), ordering: .relaxed)
        } arbiter: {
            arbiter($0)
        }
    case "seq_cst":
        report = try test.run(expecting: expectations, make) {
            $0.x.store(1, ordering: .sequentiallyConsistent)
            $0.r0.store($0.y.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
        } worker: {
            $0.y.store(1, ordering: .sequentiallyConsistent)
            $0.r1.store($0.x.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
        } arbiter: {
            arbiter($0)
        }
    default:
        fatalError("ordering: relaxed or seq_cst")
    }
    print(
        "weak \(report.count(.interesting)) samples \(report.samples)"
            + " seconds \(Double(report.elapsedNanoseconds) / 1e9)")
}

/// Every schedule of the unsafe counter at `workers` threads x `increments` (loads and
/// stores, no pruning); prints "schedules <n> failed <n> steps <n> seconds <s>".
func exploreCounter(workers: Int, increments: Int) throws {
    let clock = ContinuousClock()
    let started = clock.now
    let explorer = Explore(
        .exhaustive(), workers: workers, stopsAtFirstFailure: false, prunesEquivalentSchedules: false)
    let report = try explorer.run {
        Shared("counter", 0)
    } body: { counter, thread in
        for _ in 0..<increments {
            let value = try thread.load(counter)
            try thread.store(counter, value + 1)
        }
    } check: { counter in
        try RaceFailure.unless(counter.value == workers * increments, "lost \(workers * increments - counter.value)")
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
        "schedules \(report.explored) failed \(report.failed) steps \(report.explored * workers * increments * 2)"
            + " seconds \(seconds)")
}

/// One increment per operation on each kind of shared counter, written as a user would.
final class SyncAtomicHits: Sendable { let count = Synchronization.Atomic<Int>(0) }
final class DropInAtomicHits: Sendable { let count = DropInAtomic<Int>(0) }
final class SyncMutexHits: Sendable { let count = Synchronization.Mutex<Int>(0) }
final class DropInMutexHits: Sendable { let count = DropInMutex<Int>(0) }

/// ns/op of one Stress of `workers` workers over `milliseconds` windows, incrementing.
func dropInFigure(_ variant: String, workers: Int, milliseconds: Int) throws -> Double {
    let stress = Stress(workers: workers, length: .timed(.milliseconds(milliseconds)), runs: .exactly(runs))
    let report: StressReport
    switch variant {
    case "Synchronization.Atomic":
        report = try stress.run {
            SyncAtomicHits()
        } loop: { hits, _, budget in
            budget.forEachOperation { hits.count.wrappingAdd(1, ordering: .relaxed) }
        } check: { hits, run in
            try RaceFailure.unless(hits.count.load(ordering: .relaxed) == run.operations, "lost")
        }
    case "RaceLabSync.Atomic":
        report = try stress.run {
            DropInAtomicHits()
        } loop: { hits, _, budget in
            budget.forEachOperation { hits.count.wrappingAdd(1, ordering: .relaxed) }
        } check: { hits, run in
            try RaceFailure.unless(hits.count.load(ordering: .relaxed) == run.operations, "lost")
        }
    case "Synchronization.Mutex":
        report = try stress.run {
            SyncMutexHits()
        } loop: { hits, _, budget in
            budget.forEachOperation { hits.count.withLock { $0 &+= 1 } }
        } check: { hits, run in
            try RaceFailure.unless(hits.count.withLock { $0 } == run.operations, "lost")
        }
    default:
        report = try stress.run {
            DropInMutexHits()
        } loop: { hits, _, budget in
            budget.forEachOperation { hits.count.withLock { $0 &+= 1 } }
        } check: { hits, run in
            try RaceFailure.unless(hits.count.withLock { $0 } == run.operations, "lost")
        }
    }
    guard report.failedRuns.isEmpty else { fatalError("\(variant) lost increments: \(report)") }
    let figures = report.runs.dropFirst().map { run in
        Double(run.timing.windowNanoseconds ?? 0) * Double(workers) / Double(max(1, run.operations))
    }.sorted()
    return figures[figures.count / 2]
}

/// The drop-ins beside the real types, interleaved: each round measures every pair back
/// to back (which goes first alternates), and the table has the medians over rounds.
func dropIns(rounds: Int, milliseconds: Int) throws {
    let pairs = [("Synchronization.Atomic", "RaceLabSync.Atomic"), ("Synchronization.Mutex", "RaceLabSync.Mutex")]
    var samples: [String: [Double]] = [:]
    for round in 1...rounds {
        for workers in [1, 2, 8] {
            for (real, dropIn) in pairs {
                let order = round % 2 == 0 ? [real, dropIn] : [dropIn, real]
                for variant in order {
                    samples["\(variant) \(workers)", default: []].append(
                        try dropInFigure(variant, workers: workers, milliseconds: milliseconds))
                }
            }
        }
    }
    func median(_ key: String) -> Double {
        let sorted = samples[key, default: []].sorted()
        return sorted[sorted.count / 2]
    }
    print("primitive   workers   Synchronization ns/op   RaceLabSync ns/op   ratio")
    for (real, dropIn) in pairs {
        for workers in [1, 2, 8] {
            let (a, b) = (median("\(real) \(workers)"), median("\(dropIn) \(workers)"))
            let name = real.hasSuffix("Atomic") ? "atomic" : "mutex"
            print(
                name.padding(toLength: 12, withPad: " ", startingAt: 0)
                    + String(workers).padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(format: "%21.2f   %17.2f   %5.2fx", a, b, b / a))
        }
    }
}

/// The same program on the drop-ins: a `RaceTest` whose body is one load and one store
/// of a drop-in Atomic, run by `Explore`; prints what `explore-counter` prints.
final class DropInCounter: Sendable { let value = DropInAtomic<Int>(0, name: "counter") }

func exploreDropInCounter(workers: Int, increments: Int) throws {
    let clock = ContinuousClock()
    let started = clock.now
    let explorer = Explore(
        .exhaustive(), workers: workers, iterations: increments, stopsAtFirstFailure: false,
        prunesEquivalentSchedules: false)
    let report = try explorer.run(
        RaceTest {
            DropInCounter()
        } body: { counter, _, _ in
            counter.value.store(counter.value.load(ordering: .relaxed) + 1, ordering: .relaxed)
        } check: { counter, run in
            try RaceFailure.unless(counter.value.load(ordering: .relaxed) == run.operations, "lost")
        })
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
        "schedules \(report.explored) failed \(report.failed) steps \(report.explored * workers * increments * 2)"
            + " seconds \(seconds)")
}

/// The ticket office of Examples/StressYourOwnCode: check, await, act.
actor BoxOffice {
    var sold = 0
    func sell() async -> Bool {
        guard sold < 1 else { return false }
        await Task.yield()
        sold += 1
        return true
    }
}

/// Every schedule (within `preemptions`, if given) of `tasks` buyers of one seat, job by
/// job; the jobs counted are the recorded steps of every schedule.
func exploreAsyncReentrancy(tasks: Int, preemptions: Int?) async throws {
    let clock = ContinuousClock()
    let started = clock.now
    let explorer = Explore(
        .exhaustive(preemptionBound: preemptions), workers: tasks, iterations: 1, stopsAtFirstFailure: false)
    let jobs = Mutex(0)
    let report = try await explorer.run {
        BoxOffice()
    } body: { office, _, _ in
        _ = await office.sell()
    } check: { office, _ in
        let sold = await office.sold
        try RaceFailure.unless(sold <= 1, "sold \(sold)")
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    _ = jobs
    print(
        "schedules \(report.explored) failed \(report.failed) jobs \(report.steps) seconds \(seconds)")
}

let arguments = CommandLine.arguments
switch (arguments.count > 1 ? arguments[1] : "", arguments.count) {
case ("atomic", 4): try atomic(workers: Int(arguments[2])!, iterations: Int(arguments[3])!)
case ("atomic-loop", 4): try atomicLoop(workers: Int(arguments[2])!, iterations: Int(arguments[3])!)
case ("sb", 4): try storeBuffering(ordering: arguments[2], samples: Int(arguments[3])!)
case ("dropins", 4): try dropIns(rounds: Int(arguments[2])!, milliseconds: Int(arguments[3])!)
case ("explore-dropin-counter", 4):
    try exploreDropInCounter(workers: Int(arguments[2])!, increments: Int(arguments[3])!)
case ("explore-counter", 4): try exploreCounter(workers: Int(arguments[2])!, increments: Int(arguments[3])!)
case ("explore-async-reentrancy", 3), ("explore-async-reentrancy", 4):
    try await exploreAsyncReentrancy(
        tasks: Int(arguments[2])!, preemptions: arguments.count > 3 ? Int(arguments[3])! : nil)
default:
    print("usage: stress-bench atomic|atomic-loop <workers> <iterations> | stress-bench sb relaxed|seq_cst <samples>")
}
