// stress-bench: what a user's own code costs on racelab's stress API.
//
//   stress-bench atomic <workers> <iterations>   one Stress run whose body is one atomic
//                                                increment; prints "ns/op <figure>", the
//                                                figure racelab counter --json reports
//   stress-bench atomic-loop <workers> <iterations>  the same increment in the loop form
//                                                (Stress.run(_:loop:check:))
//   stress-bench explore-counter <workers> <increments>  every schedule of the unsafe
//                                                counter on RaceLabExplore
//   stress-bench sb <ordering> <samples>          store buffering on OutcomeStress;
//                                                prints "weak <count> samples <n> seconds <s>"
//
// Nothing here is racelab's own code: it is the example a user would write.
import RaceLab
import RaceLabExplore
import Synchronization

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
        } actor: {
            $0.y.store(1, ordering: .relaxed)
            $0.r1.store($0.x.load(ordering: .relaxed), ordering: .relaxed)
        } arbiter: {
            arbiter($0)
        }
    case "seq_cst":
        report = try test.run(expecting: expectations, make) {
            $0.x.store(1, ordering: .sequentiallyConsistent)
            $0.r0.store($0.y.load(ordering: .sequentiallyConsistent), ordering: .relaxed)
        } actor: {
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
    let explorer = Explore(.exhaustive(), stopsAtFirstFailure: false, prunesEquivalentSchedules: false)
    let report = try explorer.run(threads: workers) {
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

let arguments = CommandLine.arguments
switch (arguments.count > 1 ? arguments[1] : "", arguments.count) {
case ("atomic", 4): try atomic(workers: Int(arguments[2])!, iterations: Int(arguments[3])!)
case ("atomic-loop", 4): try atomicLoop(workers: Int(arguments[2])!, iterations: Int(arguments[3])!)
case ("sb", 4): try storeBuffering(ordering: arguments[2], samples: Int(arguments[3])!)
case ("explore-counter", 4): try exploreCounter(workers: Int(arguments[2])!, increments: Int(arguments[3])!)
default:
    print("usage: stress-bench atomic|atomic-loop <workers> <iterations> | stress-bench sb relaxed|seq_cst <samples>")
}
