import Synchronization
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// Everything a CLI run printed, and its exit code.
struct CLIRun {
    var code: Int32
    var out: String
    var err: String
}

/// Runs the real CLI in-process with captured stdout and stderr.
func runCLI(_ arguments: [String]) -> CLIRun {
    let out = Mutex("")
    let err = Mutex("")
    let console = Console(out: { text in out.withLock { $0 += text } }, err: { text in err.withLock { $0 += text } })
    let code = CLI.run(arguments, console: console)
    return CLIRun(code: code, out: out.withLock { $0 }, err: err.withLock { $0 })
}

/// A race is a race: tries `attempt` up to `tries` times and returns the first
/// non-zero anomaly count, or 0 if every try came out clean.
func firstAnomaly(tries: Int = 200, withinSeconds seconds: Double = 30, _ attempt: () throws -> Int) rethrows -> Int {
    // Tries until one shows, for up to `seconds`: on a machine loaded by other jobs (a
    // build beside the suite) a short run's two workers can miss each other 20 times
    // in a row, as a CI run here did for check-then-act.
    let started = MonotonicClock.now()
    for _ in 0..<tries {
        let count = try attempt()
        if count != 0 { return count }
        if Double(MonotonicClock.now() - started) / 1e9 > seconds { break }
    }
    return 0
}

/// The CPUs this test process may use. A test that needs two workers on two CPUs at
/// once says so with `.enabled(if: cpuCount >= 2, "needs 2 or more CPUs: ...")`, so
/// that a one-CPU run reports it skipped, not passed.
let cpuCount = CPUSet.current().count

/// Worker counts every correctness test covers: 1, 2, and 4x the CPUs.
let workerCounts = Array(Set([1, 2, 4 * cpuCount])).sorted()

func request(
    _ scenario: String, _ strategy: String, threads: Int, iterations: Int, backend: Backend = .pthread
) -> Request {
    request(scenario, strategy, threads: threads, length: .fixed(iterations: iterations), backend: backend)
}

/// A timed request: every worker runs for `milliseconds`.
func request(
    _ scenario: String, _ strategy: String, threads: Int, milliseconds: Int, backend: Backend = .pthread
) -> Request {
    request(scenario, strategy, threads: threads, length: .timed(milliseconds: milliseconds), backend: backend)
}

func request(_ scenario: String, _ strategy: String, threads: Int, length: RunLength, backend: Backend) -> Request {
    Request(scenario: scenario, strategies: [strategy], threads: threads, length: length, backend: backend)
}

/// A hand-made timing for report tests: `workers` equal workers, each busy for the
/// whole window and doing `operations / workers` operations.
func timing(
    windowNanoseconds: UInt64 = 1_000, workers: Int = 2, operations: Int = 100, maxActive: Int? = nil,
    overlap: Double = 1, cpuNanoseconds: UInt64? = nil
) -> Timing {
    Timing(
        windowNanoseconds: windowNanoseconds,
        workers: (0..<workers).map { _ in
            WorkerTiming(
                startSkewNanoseconds: 0, busyNanoseconds: windowNanoseconds, operations: operations / workers,
                cpuNanoseconds: cpuNanoseconds ?? windowNanoseconds)
        },
        maxActiveWorkers: maxActive ?? workers, overlapFraction: overlap)
}

func runOnce(_ request: Request) throws -> Observation {
    let scenario = try #require(Catalog.scenario(named: request.scenario))
    let strategy = try #require(scenario.strategy(named: request.strategies[0]))
    let pool = WorkerPool(backend: request.backend, isPinned: request.isPinningEffective)
    return try strategy.runInProcess(request, pool: pool)
}

/// A counter request for tests that need labels and nothing else.
let counterRequest = Request(scenario: "counter", strategies: ["unsafe", "mutex"], threads: 2)

/// The backends tests run in their own process. A test is itself a task on Swift's
/// cooperative pool, and the tasks backend would block one of its few threads while
/// its workers wait for one: tasks are tested through the racelab binary.
let inProcessBackends: [Backend] = [.pthread, .dispatch]

extension Scenario {
    /// The strategies that promise to lose nothing and run in this process: what the
    /// "safe forms hold" tests run, read from the catalog so that a fix added to a
    /// scenario is tested without anyone remembering to add it to a list.
    var safeInProcessStrategyNames: [String] {
        strategies.filter { $0.isExpectedSafe && !$0.runsInChildProcess }.map(\.name)
    }

    /// The strategies a run without `--strategy` reports that promise to lose nothing.
    var defaultSafeStrategyNames: [String] {
        strategies.filter { $0.isInDefaultSet && $0.isExpectedSafe }.map(\.name)
    }

    /// The strategies a run without `--strategy` reports that are expected to break.
    var defaultUnsafeStrategyNames: [String] {
        strategies.filter { $0.isInDefaultSet && !$0.isExpectedSafe }.map(\.name)
    }
}

/// `racelab <arguments> --json` through the real binary, decoded: for the tasks backend
/// and the actors, which a test (itself a task on the cooperative pool) must not run
/// in its own process.
func racelabJSON(_ arguments: [String]) throws -> JSONReport {
    let outcome = ChildProcess(
        executable: ChildRunner.racelabExecutable, arguments: arguments + ["--json"], timeoutSeconds: 60
    ).run()
    #expect(outcome.end == .finished, "racelab \(arguments.joined(separator: " ")): \(outcome.stderr)")
    return try JSONReport.decode(outcome.stdout)
}
