#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a request: every selected strategy, `runs` times, round-robin (each
/// strategy once per round), so a slow spell on a shared machine touches all
/// strategies a little rather than one a lot.
public struct Lab: Sendable {
    public var pool: WorkerPool
    /// Runs a child-process strategy once; supplied by the caller, who knows how to
    /// start racelab again.
    public var childRunner: (@Sendable (Request, Strategy) -> Observation)?

    public init(pool: WorkerPool, childRunner: (@Sendable (Request, Strategy) -> Observation)? = nil) {
        self.pool = pool
        self.childRunner = childRunner
    }

    /// Runs `request` against `scenario`. `progress` receives one line per run.
    public func run(
        _ request: Request, scenario: Scenario, progress: ((String) -> Void)? = nil
    ) throws -> LabResult {
        let strategies = request.strategies.compactMap(scenario.strategy(named:))
        var runs = [[Observation]](repeating: [], count: strategies.count)
        for round in 1...request.runs {
            for (index, strategy) in strategies.enumerated() {
                progress?("run \(round)/\(request.runs): \(strategy.name)")
                runs[index].append(try runOnce(strategy, request))
            }
        }
        let outcomes = zip(strategies, runs).map { strategy, observations in
            StrategyOutcome(
                name: strategy.name, summary: strategy.summary,
                isExpectedSafe: strategy.isExpectedSafe,
                runsInChildProcess: strategy.runsInChildProcess, runs: observations)
        }
        return LabResult(request: request, machine: .current(cpus: pool.cpus), strategies: outcomes)
    }

    private func runOnce(_ strategy: Strategy, _ request: Request) throws -> Observation {
        if strategy.runsInChildProcess, let childRunner {
            return childRunner(request, strategy)
        }
        return try strategy.runInProcess(request, pool: pool)
    }
}

extension MachineInfo {
    /// Reads the machine this process runs on.
    public static func current(cpus: CPUSet = .current()) -> MachineInfo {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return MachineInfo(
            cpusAvailable: cpus.count, cpuIDs: cpus.ids,
            cpusOnline: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            architecture: field(name.machine),
            kernel: "\(field(name.sysname)) \(field(name.release))")
    }
}
