import RaceLab

/// A validated request to run one scenario: everything a scenario needs, nothing
/// about how the result will be printed.
///
/// The command-line layer builds it and guarantees the ranges documented on each
/// field; scenarios may rely on them.
package struct Request: Codable, Sendable, Equatable {
    /// Scenario name as typed on the command line, e.g. `counter`.
    package var scenario: String
    /// Strategy names to run, in report order (unsafe forms first).
    package var strategies: [String]
    /// Workers per run, 1...1024.
    package var threads: Int
    /// A time box per run (the default) or a fixed count of operations per worker.
    package var length: RunLength
    /// An unmeasured run of this long before each in-process strategy's first
    /// measured run (cold pages, caches and sleeping CPUs stay out of the figures); 0: none.
    package var warmupMilliseconds: Int
    /// Repetitions of every strategy, 1...10,000.
    package var runs: Int
    package var backend: Backend
    /// Pin worker i to allowed CPU (i mod count). Only the pthread backend can pin.
    package var isPinned: Bool
    /// The scenario's own options (`--work`, `--keys`, ...) by name, as its declarations
    /// parsed and checked them. Every declared option with a default is present; an
    /// option whose default depends on the run (`--writers`: half the workers) is absent
    /// unless given.
    package var settings: [String: SettingValue]
    /// Seconds a child-process strategy may run before it is killed.
    package var timeoutSeconds: Double
    /// `--until-exposed --budget S`: repeat unsafe strategies until their first
    /// anomaly, and everything else, for at most S seconds. nil: run `runs` times.
    package var untilExposedBudgetSeconds: Double?

    package init(
        scenario: String,
        strategies: [String],
        threads: Int,
        length: RunLength = .standard,
        warmupMilliseconds: Int = defaultWarmupMilliseconds,
        runs: Int = 1,
        backend: Backend = .pthread,
        isPinned: Bool = true,
        settings: [String: SettingValue] = [:],
        timeoutSeconds: Double = defaultTimeoutSeconds
    ) {
        self.scenario = scenario
        self.strategies = strategies
        self.threads = threads
        self.length = length
        self.warmupMilliseconds = warmupMilliseconds
        self.runs = runs
        self.backend = backend
        self.isPinned = isPinned
        self.settings = settings
        self.timeoutSeconds = timeoutSeconds
    }

    /// The most workers a request may ask for.
    package static let maxThreads = Limits.maxWorkers
    /// The most repetitions of every strategy.
    package static let maxRuns = Limits.maxRuns
    /// The longest `timeoutSeconds`: an hour.
    package static let maxTimeoutSeconds = 3600
    /// The warm-up without `--warmup`.
    package static let defaultWarmupMilliseconds = 10
    /// A child-process strategy's timeout without `--timeout`.
    package static let defaultTimeoutSeconds = 10.0
    /// `--until-exposed`'s budget without `--budget`.
    package static let defaultUntilExposedBudgetSeconds = 10.0
    /// The longest warm-up: a minute.
    package static let maxWarmupMilliseconds = 60_000

    /// Pinning takes effect only where racelab owns the threads.
    package var isPinningEffective: Bool { isPinned && backend == .pthread }
}
