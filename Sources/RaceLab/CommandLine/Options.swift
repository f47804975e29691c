/// One command-line option of a scenario subcommand, as help shows it and the
/// parser accepts it.
struct OptionSpec: Sendable {
    let long: String
    let short: Character?
    /// `<n>`, `<list>`, ...; nil for a flag that takes no value.
    let valueName: String?
    let help: String
    /// Shown as "(default: ...)"; nil when there is nothing useful to show.
    let defaultText: String?
    /// nil: every scenario takes it; otherwise only scenarios that declare it.
    let scope: ScenarioOption?

    var isFlag: Bool { valueName == nil }

    /// `--threads <n>` as used in errors and usage lines.
    var display: String { valueName.map { "--\(long) \($0)" } ?? "--\(long)" }
}

/// Every option racelab's scenario subcommands know.
enum Options {
    static let maxThreads = 1024
    static let maxRuns = 10_000
    static let maxKeys = 1_000_000
    static let maxWork = 1_000_000
    static let maxStripes = 4096
    static let maxTimeoutSeconds = 3600
    static let maxDurationMilliseconds = 600_000
    static let maxWarmupMilliseconds = 60_000

    static let all: [OptionSpec] = [
        OptionSpec(
            long: "threads", short: "t", valueName: "<n>",
            help: "Worker threads, 1 to \(maxThreads); more than the CPUs is fine.",
            defaultText: "the CPUs this process may run on", scope: nil),
        OptionSpec(
            long: "duration", short: "d", valueName: "<ms>",
            help: "Length of each run's measurement window in milliseconds, 1 to \(maxDurationMilliseconds):"
                + " workers run until it closes and count what they did.",
            defaultText: "\(RunLength.standard.milliseconds ?? 0)", scope: nil),
        OptionSpec(
            long: "iterations", short: "i", valueName: "<n>",
            help: "Fixed-count mode instead of a window: exactly n operations per worker per run.",
            defaultText: nil, scope: nil),
        OptionSpec(
            long: "warmup", short: nil, valueName: "<ms>",
            help: "Unmeasured run before each strategy's first measured one, 0 to \(maxWarmupMilliseconds) ms;"
                + " 0 turns it off.",
            defaultText: "10", scope: nil),
        OptionSpec(
            long: "strategy", short: "s", valueName: "<list>",
            help: "Comma-separated strategies to run, or 'all'.", defaultText: nil, scope: nil),
        OptionSpec(
            long: "runs", short: "r", valueName: "<n>",
            help: "Repeat each strategy, 1 to \(maxRuns); report min / median / max.",
            defaultText: "1", scope: nil),
        OptionSpec(
            long: "until-exposed", short: nil, valueName: nil,
            help: "Repeat unsafe strategies until their first anomaly, safe ones for the whole --budget.",
            defaultText: nil, scope: nil),
        OptionSpec(
            long: "budget", short: nil, valueName: "<seconds>",
            help: "Time limit of --until-exposed, 1 to \(maxTimeoutSeconds).", defaultText: "10", scope: nil),
        OptionSpec(
            long: "backend", short: "b", valueName: "<backend>",
            help: "pthread (one thread per worker) or dispatch (concurrentPerform).",
            defaultText: "pthread", scope: nil),
        OptionSpec(
            long: "no-pin", short: nil, valueName: nil,
            help: "Do not pin workers to CPUs; let the scheduler place them.",
            defaultText: nil, scope: nil),
        OptionSpec(
            long: "pin", short: nil, valueName: nil,
            help: "Pin worker i to allowed CPU (i mod count) (pthread backend).",
            defaultText: "on", scope: nil),
        OptionSpec(
            long: "work", short: "w", valueName: "<n>",
            help: "Spin steps between a read and its write-back, 0 to \(Options.maxWork).",
            defaultText: "0", scope: .work),
        OptionSpec(
            long: "keys", short: "k", valueName: "<n>",
            help: "Distinct keys, 1 to \(Options.maxKeys).", defaultText: nil, scope: .keys),
        OptionSpec(
            long: "distribution", short: nil, valueName: "<dist>",
            help: "How keys are drawn: uniform or zipf.", defaultText: "uniform", scope: .distribution),
        OptionSpec(
            long: "seed", short: nil, valueName: "<n>",
            help: "Seed of the key sequence, so runs repeat.", defaultText: "42", scope: .seed),
        OptionSpec(
            long: "stripes", short: nil, valueName: "<n>",
            help: "Lock stripes of the striped cache, 1 to \(Options.maxStripes).",
            defaultText: "16", scope: .stripes),
        OptionSpec(
            long: "read-ratio", short: nil, valueName: "<percent>",
            help: "Percent of operations that are lookups, 0 to 100.", defaultText: "0", scope: .readRatio),
        OptionSpec(
            long: "writers", short: nil, valueName: "<n>",
            help: "Workers that insert and remove; the others check-then-act.",
            defaultText: "half the workers", scope: .writers),
        OptionSpec(
            long: "timeout", short: nil, valueName: "<seconds>",
            help: "Kill a child-process strategy this long after its window should have closed, 1 to"
                + " \(Options.maxTimeoutSeconds).",
            defaultText: "10", scope: .timeout),
        OptionSpec(
            long: "json", short: nil, valueName: nil,
            help: "Print one JSON document on stdout instead of the table.", defaultText: nil, scope: nil),
        OptionSpec(
            long: "color", short: nil, valueName: "<when>",
            help: "Colour the verdict words: auto (a terminal, NO_COLOR unset), always or never."
                + " JSON and files never carry colour.",
            defaultText: "auto", scope: nil),
        OptionSpec(
            long: "junit", short: nil, valueName: "<file>",
            help: "Also write the run as JUnit XML to this file (one test case per strategy), for CI.",
            defaultText: nil, scope: nil),
        OptionSpec(
            long: "check", short: nil, valueName: nil,
            help: "Exit 1 if any safe strategy showed an anomaly.", defaultText: nil, scope: nil),
        OptionSpec(
            long: "expect-race", short: nil, valueName: nil,
            help: "With --check's rule, also exit 1 if no unsafe strategy showed its race.",
            defaultText: nil, scope: nil),
        OptionSpec(
            long: "help", short: "h", valueName: nil, help: "Show help information.", defaultText: nil,
            scope: nil),
    ]

    /// The fixed values an option takes, for a scenario (completions and error messages
    /// list them); nil for a free value (a number, a path).
    static func choices(_ long: String, _ scenario: Scenario) -> [String]? {
        switch long {
        case "strategy": scenario.strategies.map(\.name) + ["all"]
        case "backend": Backend.allCases.map(\.rawValue)
        case "distribution": KeyDistribution.allCases.map(\.rawValue)
        case "color": ColorChoice.allCases.map(\.rawValue)
        default: nil
        }
    }

    /// The options a scenario accepts, in help order.
    static func accepted(by scenario: Scenario) -> [OptionSpec] {
        all.filter { spec in spec.scope.map(scenario.options.contains) ?? true }
    }

    static func named(_ long: String) -> OptionSpec? { all.first { $0.long == long } }
}
