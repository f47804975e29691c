import RaceLab

/// A request to run a scenario's strategies across worker counts and backends.
package struct SweepRequest: Codable, Sendable, Equatable {
    /// Everything but threads and backend, which the sweep varies; `runs` is per configuration.
    package var base: Request
    /// Ascending, distinct, each 1...1024.
    package var threadCounts: [Int]
    package var backends: [Backend]
    /// Plain ASCII chart instead of unicode blocks.
    package var isASCII: Bool

    package init(base: Request, threadCounts: [Int], backends: [Backend], isASCII: Bool = false) {
        self.base = base
        self.threadCounts = threadCounts
        self.backends = backends
        self.isASCII = isASCII
    }

    /// The default worker counts: 1, 2, 4, ... up to 4x the CPUs (always including it).
    package static func defaultThreadCounts(cpus: Int) -> [Int] {
        let top = max(1, min(4 * cpus, 1024))
        var counts: [Int] = []
        var n = 1
        while n < top {
            counts.append(n)
            n *= 2
        }
        return counts + [top]
    }
}

/// Every run of one strategy in one configuration of a sweep.
package struct SweepCell: Codable, Sendable, Equatable {
    package var strategy: String
    package var isExpectedSafe: Bool
    package var backend: Backend
    package var threads: Int
    package var runs: [Observation]

    package init(strategy: String, isExpectedSafe: Bool, backend: Backend, threads: Int, runs: [Observation]) {
        self.strategy = strategy
        self.isExpectedSafe = isExpectedSafe
        self.backend = backend
        self.threads = threads
        self.runs = runs
    }
}

/// The outcome of `racelab sweep`.
package struct SweepResult: Codable, Sendable, Equatable {
    package var request: SweepRequest
    /// The scenario's names and labels, and its settings in words, for the report.
    package var scenario: ScenarioLabels
    package var machine: MachineInfo
    /// One cell per (strategy, backend, worker count), in scenario order.
    package var cells: [SweepCell]

    package init(request: SweepRequest, scenario: ScenarioLabels, machine: MachineInfo, cells: [SweepCell]) {
        self.request = request
        self.scenario = scenario
        self.machine = machine
        self.cells = cells
    }
}
