import RaceLab
import RaceLabModel
import RaceLabScenarios

/// One command-line option as help shows it and the parser accepts it: racelab's
/// own (`--threads`), a sweep's (`--out`), or a scenario's declared option seen
/// through `init(_: ScenarioOption)`.
struct OptionSpec: Sendable {
    let long: String
    let short: Character?
    /// `<n>`, `<list>`, ...; nil for a flag that takes no value.
    let valueName: String?
    let help: String
    /// Shown as "(default: ...)"; nil when there is nothing useful to show.
    let defaultText: String?
    /// The words it takes, for completions and a missing value's error; nil: free text.
    var choices: [String]? = nil
    /// What a value looks like, for a missing value's error, when `choices` cannot say.
    var expects: String? = nil

    var isFlag: Bool { valueName == nil }

    /// `--threads <n>` as used in errors and usage lines.
    var display: String { valueName.map { "--\(long) \($0)" } ?? "--\(long)" }

    init(
        long: String, short: Character?, valueName: String?, help: String, defaultText: String?,
        choices: [String]? = nil, expects: String? = nil
    ) {
        self.long = long
        self.short = short
        self.valueName = valueName
        self.help = help
        self.defaultText = defaultText
        self.choices = choices
        self.expects = expects
    }

    /// A scenario's declared option, as the parser and help see it.
    init(_ option: ScenarioOption) {
        self.init(
            long: option.name, short: option.short, valueName: option.isFlag ? nil : option.valueName,
            help: option.help,
            defaultText: option.isFlag ? nil : option.defaultText ?? option.defaultValue?.description,
            choices: option.choices)
    }

    /// " Expected ..." after "Missing value for '--x <v>'."
    var missingValueHint: String {
        if let choices {
            let kind = long == "strategy" ? "a comma-separated list of" : "one of"
            return " Expected \(kind): \(choices.joined(separator: ", "))."
        }
        return expects.map { " Expected \($0)." } ?? " Expected a value after it."
    }
}

/// Every option racelab's scenario subcommands know.
enum Options {

    /// How a run is made: workers, length, repetitions, backend.
    static let threads = OptionSpec(
        long: "threads", short: "t", valueName: "<n>",
        help: "Worker threads, 1 to \(Request.maxThreads); more than the CPUs is fine.",
        defaultText: "the CPUs this process may run on")
    static let duration = OptionSpec(
        long: "duration", short: "d", valueName: "<ms>",
        help: "Length of each run's measurement window in milliseconds, 1 to \(RunLength.maxMilliseconds):"
            + " workers run until it closes and count what they did.",
        defaultText: "\(RunLength.standard.milliseconds ?? 0)")
    static let iterations = OptionSpec(
        long: "iterations", short: "i", valueName: "<n>",
        help: "Fixed-count mode instead of a window: exactly n operations per worker per run.",
        defaultText: nil)
    static let warmup = OptionSpec(
        long: "warmup", short: nil, valueName: "<ms>",
        help: "Unmeasured run before each strategy's first measured one, 0 to \(Request.maxWarmupMilliseconds) ms;"
            + " 0 turns it off.",
        defaultText: "\(Request.defaultWarmupMilliseconds)")
    static let strategy = OptionSpec(
        long: "strategy", short: "s", valueName: "<list>",
        help: "Comma-separated strategies to run, or 'all'.", defaultText: nil)
    static let runs = OptionSpec(
        long: "runs", short: "r", valueName: "<n>",
        help: "Repeat each strategy, 1 to \(Request.maxRuns); report min / median / max.",
        defaultText: "1")
    static let untilExposed = OptionSpec(
        long: "until-exposed", short: nil, valueName: nil,
        help: "Repeat unsafe strategies until their first anomaly, safe ones for the whole --budget.",
        defaultText: nil)
    static let budget = OptionSpec(
        long: "budget", short: nil, valueName: "<seconds>",
        help: "Time limit of --until-exposed, 1 to \(Request.maxTimeoutSeconds).",
        defaultText: "\(Int(Request.defaultUntilExposedBudgetSeconds))")
    static let backend = OptionSpec(
        long: "backend", short: "b", valueName: "<backend>",
        help: "pthread (one thread per worker), dispatch (concurrentPerform) or tasks (a task group on"
            + " Swift's cooperative pool).",
        defaultText: "pthread", choices: Backend.allCases.map(\.rawValue))
    static let noPin = OptionSpec(
        long: "no-pin", short: nil, valueName: nil,
        help: "Do not pin workers to CPUs; let the scheduler place them.",
        defaultText: nil)
    static let pin = OptionSpec(
        long: "pin", short: nil, valueName: nil,
        help: "Pin worker i to allowed CPU (i mod count) (pthread backend).",
        defaultText: "on")

    static let runOptions: [OptionSpec] = [
        threads, duration, iterations, warmup, strategy, runs, untilExposed, budget, backend, noPin, pin,
    ]

    /// Where the report goes and how it is judged.
    static let json = OptionSpec(
        long: "json", short: nil, valueName: nil,
        help: "Print one JSON document on stdout instead of the table.", defaultText: nil)
    static let color = OptionSpec(
        long: "color", short: nil, valueName: "<when>",
        help: "Colour the verdict words: auto (a terminal, NO_COLOR unset), always or never."
            + " JSON and files never carry colour.",
        defaultText: "auto", choices: ColorChoice.allCases.map(\.rawValue))
    static let junit = OptionSpec(
        long: "junit", short: nil, valueName: "<file>",
        help: "Also write the run as JUnit XML to this file (one test case per strategy), for CI.",
        defaultText: nil)
    static let check = OptionSpec(
        long: "check", short: nil, valueName: nil,
        help: "Exit 1 if any safe strategy showed an anomaly.", defaultText: nil)
    static let expectRace = OptionSpec(
        long: "expect-race", short: nil, valueName: nil,
        help: "With --check's rule, also exit 1 if no unsafe strategy showed its race.",
        defaultText: nil)
    static let help = OptionSpec(
        long: "help", short: "h", valueName: nil, help: "Show help information.", defaultText: nil)

    static let outputOptions: [OptionSpec] = [json, color, junit, check, expectRace, help]

    /// For scenarios with a child-process strategy.
    static let timeout = OptionSpec(
        long: "timeout", short: nil, valueName: "<seconds>",
        help: "Kill a child-process strategy this long after its window should have closed, 1 to"
            + " \(Request.maxTimeoutSeconds).",
        defaultText: "\(Int(Request.defaultTimeoutSeconds))")

    /// Every option racelab knows under some name: its own and every scenario's, for
    /// "does not apply here" errors and completions that do not know the scenario.
    static let everyOption: [OptionSpec] = {
        var seen = Set<String>()
        let scenarioOptions = Catalog.scenarios.flatMap(\.options).map(OptionSpec.init)
        return (runOptions + [timeout] + scenarioOptions + outputOptions).filter { seen.insert($0.long).inserted }
    }()

    /// The options a scenario accepts, in help order: how to run, the scenario's own,
    /// where the report goes. `--strategy` lists the scenario's strategies.
    static func accepted(by scenario: Scenario) -> [OptionSpec] {
        var run = runOptions
        if let index = run.firstIndex(where: { $0.long == strategy.long }) {
            run[index].choices = scenario.strategies.map(\.name) + ["all"]
        }
        return run + scenario.options.map(OptionSpec.init) + (scenario.hasChildProcessStrategies ? [timeout] : [])
            + outputOptions
    }

    /// The scenarios that take an option, for "it is an option of: ...".
    static func scenarios(accepting long: String) -> [String] {
        Catalog.scenarios.filter { scenario in accepted(by: scenario).contains { $0.long == long } }.map(\.name)
    }
}
