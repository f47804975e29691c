import RaceLab
import RaceLabModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request this lab cannot run as asked.
package enum LabError: Error, Equatable, CustomStringConvertible {
    /// A strategy the scenario does not have: never dropped, always said.
    case unknownStrategy(String, scenario: String, known: [String])

    package var description: String {
        switch self {
        case .unknownStrategy(let name, let scenario, let known):
            "\(scenario) has no strategy '\(name)'; it has \(known.joined(separator: ", "))"
        }
    }
}

/// Runs a request: every selected strategy, `runs` times, round-robin (each
/// strategy once per round), so a slow spell on a shared machine touches all
/// strategies a little rather than one a lot.
package struct Lab: Sendable {
    package var pool: WorkerPool
    /// Runs a child-process strategy once; supplied by the caller, who knows how to
    /// start racelab again.
    package var childRunner: (@Sendable (Request, Strategy) -> Observation)?

    package init(pool: WorkerPool, childRunner: (@Sendable (Request, Strategy) -> Observation)? = nil) {
        self.pool = pool
        self.childRunner = childRunner
    }

    /// Runs `request` against `scenario`. `progress` receives one line per run.
    package func run(
        _ request: Request, scenario: Scenario, progress: ((String) -> Void)? = nil
    ) throws -> LabResult {
        let strategies = try scenario.strategies(named: request.strategies)
        var runs = [[Observation]](repeating: [], count: strategies.count)
        var firstAnomaly = [FirstAnomaly?](repeating: nil, count: strategies.count)
        var isWarm = [Bool](repeating: false, count: strategies.count)
        let started = MonotonicClock.now()
        func elapsedSeconds() -> Double { Double(MonotonicClock.now() - started) / 1e9 }
        var round = 0
        while true {
            round += 1
            // --until-exposed: an unsafe strategy stops at its first anomaly, everything
            // else runs until the budget is spent. Otherwise: exactly --runs rounds.
            let active = strategies.indices.filter { index in
                guard let budget = request.untilExposedBudgetSeconds else { return round <= request.runs }
                let isDone = !strategies[index].isExpectedSafe && firstAnomaly[index] != nil
                return !isDone && (round == 1 || elapsedSeconds() < budget)
            }
            if active.isEmpty { break }
            for index in active {
                let strategy = strategies[index]
                let of = request.untilExposedBudgetSeconds == nil ? "/\(request.runs)" : ""
                progress?("run \(round)\(of): \(strategy.name)")
                if !isWarm[index] {
                    try warmUp(strategy, request)
                    isWarm[index] = true
                }
                let observation = try runOnce(strategy, request)
                runs[index].append(observation)
                if observation.hasAnomaly, firstAnomaly[index] == nil {
                    firstAnomaly[index] = FirstAnomaly(run: round, seconds: elapsedSeconds())
                }
            }
        }
        let outcomes = strategies.indices.map { index in
            let strategy = strategies[index]
            return StrategyOutcome(
                name: strategy.name, summary: strategy.summary,
                isExpectedSafe: strategy.isExpectedSafe,
                runsInChildProcess: strategy.runsInChildProcess, runs: runs[index],
                firstAnomaly: firstAnomaly[index], note: strategy.note)
        }
        return LabResult(
            request: request, scenario: scenario.labels(for: request), machine: .current(cpus: pool.cpus),
            strategies: outcomes)
    }

    /// One unmeasured run before a strategy's first measured one: first-touch page
    /// faults, cold caches and CPUs still waking up stay out of the figures. Child
    /// processes start cold by nature and are not warmed.
    private func warmUp(_ strategy: Strategy, _ request: Request) throws {
        guard request.warmupMilliseconds > 0, !strategy.runsInChildProcess else { return }
        var warm = request
        warm.length = .timed(milliseconds: request.warmupMilliseconds)
        _ = try strategy.runInProcess(warm, pool: pool)
    }

    private func runOnce(_ strategy: Strategy, _ request: Request) throws -> Observation {
        guard strategy.runsInChildProcess else { return try strategy.runInProcess(request, pool: pool) }
        guard let childRunner else {
            // Never in racelab's own process: a data race, a deadlock or a trap is the child's.
            return Observation(
                expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil, childEnd: .exited(code: 127),
                childMessage: "not run: this strategy runs only in a child process, and this lab has no child runner")
        }
        return childRunner(request, strategy)
    }
}
