import RaceLab

/// Facts about the machine a result was measured on.
package struct MachineInfo: Codable, Sendable, Equatable {
    /// CPUs this process may run on (its affinity mask).
    package var cpusAvailable: Int
    package var cpuIDs: [Int32]
    /// CPUs online on the machine, whatever the affinity.
    package var cpusOnline: Int
    package var architecture: String
    package var kernel: String
    /// The CPU's model name ("AMD EPYC 7B13"); nil where the system does not say.
    package var cpuModel: String?

    package init(
        cpusAvailable: Int, cpuIDs: [Int32], cpusOnline: Int, architecture: String, kernel: String,
        cpuModel: String? = nil
    ) {
        self.cpusAvailable = cpusAvailable
        self.cpuIDs = cpuIDs
        self.cpusOnline = cpusOnline
        self.architecture = architecture
        self.kernel = kernel
        self.cpuModel = cpuModel
    }
}

/// When a strategy first showed an anomaly: which run (1-based) and how many
/// seconds after the lab started.
package struct FirstAnomaly: Codable, Sendable, Equatable {
    package var run: Int
    package var seconds: Double

    package init(run: Int, seconds: Double) {
        self.run = run
        self.seconds = seconds
    }
}

/// Every run of one strategy, and what they amount to.
package struct StrategyOutcome: Codable, Sendable, Equatable {
    package var name: String
    package var summary: String
    package var isExpectedSafe: Bool
    package var runsInChildProcess: Bool
    /// What to say when this unsafe strategy shows nothing and more workers would not help.
    package var note: String?
    /// One observation per run, in the order they ran.
    package var runs: [Observation]
    /// The first run that showed an anomaly, if any did.
    package var firstAnomaly: FirstAnomaly?

    package init(
        name: String, summary: String, isExpectedSafe: Bool, runsInChildProcess: Bool, runs: [Observation],
        firstAnomaly: FirstAnomaly? = nil, note: String? = nil
    ) {
        self.note = note
        self.name = name
        self.summary = summary
        self.isExpectedSafe = isExpectedSafe
        self.runsInChildProcess = runsInChildProcess
        self.runs = runs
        self.firstAnomaly = firstAnomaly
    }

    /// The run whose headline share is the median (the lower middle), among the runs
    /// that counted and that `include` accepts: the run a verdict sentence quotes.
    package func medianRunIndex(where include: (Observation) -> Bool = { _ in true }) -> Int? {
        let counted = runs.indices.filter { runs[$0].primaryAnomalyShare != nil && include(runs[$0]) }
            .sorted { runs[$0].primaryAnomalyShare! < runs[$1].primaryAnomalyShare! }
        return counted.isEmpty ? nil : counted[(counted.count - 1) / 2]
    }

    /// Runs in which anything went wrong.
    package var runsWithAnomaly: Int { runs.filter(\.hasAnomaly).count }

    package var verdict: Verdict {
        Verdict(isExpectedSafe: isExpectedSafe, anyAnomaly: runsWithAnomaly > 0, lacksOverlap: lacksOverlap)
    }

    /// Why these runs are weak evidence, judged on the median run, or nil when the
    /// workers really ran together: their windows hardly overlapped, or they overlapped
    /// but took turns on the CPUs. Workers that kept going to sleep waiting for each
    /// other (a lock convoy, a blocking queue's hand-offs) use little CPU too, but they
    /// did contend: that is evidence.
    package var evidenceGap: EvidenceGap? { EvidenceGap(runs.compactMap(\.timing)) }

    /// Whether the workers of these runs never really ran at the same time.
    package var lacksOverlap: Bool { evidenceGap != nil }
}

/// The outcome of one `racelab <scenario>` invocation.
package struct LabResult: Codable, Sendable, Equatable {
    package var request: Request
    /// The scenario's names and labels, and its settings in words, for the report.
    package var scenario: ScenarioLabels
    package var machine: MachineInfo
    package var strategies: [StrategyOutcome]

    package init(request: Request, scenario: ScenarioLabels, machine: MachineInfo, strategies: [StrategyOutcome]) {
        self.request = request
        self.scenario = scenario
        self.machine = machine
        self.strategies = strategies
    }

    /// `--check`: no safe strategy may show an anomaly.
    package var anySafeStrategyBroke: Bool { strategies.contains { $0.verdict.failsCheck } }

    /// `--expect-race`: at least one unsafe strategy must have shown its race.
    package var anyUnsafeStrategyExposed: Bool { strategies.contains { $0.verdict == .exposed } }

    package var hasUnsafeStrategy: Bool { strategies.contains { !$0.isExpectedSafe } }
}
