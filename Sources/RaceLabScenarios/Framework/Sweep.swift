import RaceLab
import RaceLabModel

/// One configuration of a sweep, visited once per round.
package struct SweepStep: Equatable, Sendable {
    package var round: Int
    package var backend: Backend
    package var threads: Int
}

/// The order a sweep runs in: every configuration once per round, rounds repeated,
/// so a slow spell on a shared machine touches every configuration a little
/// instead of one a lot.
package struct SweepPlan: Sendable {
    package let steps: [SweepStep]

    package init(_ request: SweepRequest) {
        var steps: [SweepStep] = []
        for round in 1...request.base.runs {
            for backend in request.backends {
                for threads in request.threadCounts {
                    steps.append(SweepStep(round: round, backend: backend, threads: threads))
                }
            }
        }
        self.steps = steps
    }
}

/// Runs a sweep through `Lab`, one single-run lab per step.
package struct Sweeper: Sendable {
    package var cpus: CPUSet
    /// Passed to every pool (see `WorkerPool.threadLimit`).
    package var threadLimit: Int?
    package var childRunner: (@Sendable (Request, Strategy) -> Observation)?

    package init(
        cpus: CPUSet = .current(), threadLimit: Int? = nil,
        childRunner: (@Sendable (Request, Strategy) -> Observation)? = nil
    ) {
        self.cpus = cpus
        self.threadLimit = threadLimit
        self.childRunner = childRunner
    }

    /// `progress(step, of, secondsLeft)` after every step.
    package func run(
        _ request: SweepRequest, scenario: Scenario, progress: ((Int, Int, Double?) -> Void)? = nil
    ) throws -> SweepResult {
        // Checked before the first step: a name the scenario does not have is an error.
        let strategies = try scenario.strategies(named: request.base.strategies)
        let plan = SweepPlan(request)
        var runs: [String: [Observation]] = [:]
        let started = MonotonicClock.now()
        for (index, step) in plan.steps.enumerated() {
            var single = request.base
            single.threads = step.threads
            single.backend = step.backend
            single.runs = 1
            let pool = WorkerPool(
                backend: step.backend, isPinned: single.isPinningEffective, cpus: cpus, threadLimit: threadLimit)
            let result = try Lab(pool: pool, childRunner: childRunner).run(single, scenario: scenario)
            for outcome in result.strategies {
                runs[Self.key(outcome.name, step.backend, step.threads), default: []] += outcome.runs
            }
            let elapsed = Double(MonotonicClock.now() - started) / 1e9
            let left = elapsed / Double(index + 1) * Double(plan.steps.count - index - 1)
            progress?(index + 1, plan.steps.count, left)
        }
        var cells: [SweepCell] = []
        for strategy in strategies {
            for backend in request.backends {
                for threads in request.threadCounts {
                    cells.append(
                        SweepCell(
                            strategy: strategy.name, isExpectedSafe: strategy.isExpectedSafe, backend: backend,
                            threads: threads, runs: runs[Self.key(strategy.name, backend, threads)] ?? []))
                }
            }
        }
        return SweepResult(
            request: request, scenario: scenario.labels(for: request.base), machine: .current(cpus: cpus), cells: cells)
    }

    private static func key(_ strategy: String, _ backend: Backend, _ threads: Int) -> String {
        "\(strategy)/\(backend.rawValue)/\(threads)"
    }
}
