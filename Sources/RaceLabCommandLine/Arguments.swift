import RaceLab
import RaceLabModel
import RaceLabScenarios

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How the report should be printed and judged; not part of what runs.
package struct OutputOptions: Equatable, Sendable {
    package var isJSON = false
    /// Exit 1 when a safe strategy broke.
    package var check = false
    /// Exit 1 also when no unsafe strategy exposed its race.
    package var expectRace = false
    /// `--junit FILE`: also write the run as JUnit XML there.
    package var junitPath: String?
    /// `--color`: colour the verdict words of the table.
    package var color: ColorChoice = .auto

    package init(isJSON: Bool = false, check: Bool = false, expectRace: Bool = false, junitPath: String? = nil) {
        self.isJSON = isJSON
        self.check = check
        self.expectRace = expectRace
        self.junitPath = junitPath
    }
}

/// `--color auto|always|never`.
package enum ColorChoice: String, Sendable, CaseIterable {
    /// Colour when stdout is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`.
    case auto
    case always
    case never

    /// Whether to colour, given where stdout goes and the environment.
    package func isColored(stdoutIsTerminal: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            return stdoutIsTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }
}

/// What `racelab sweep` does with its result besides printing it.
package struct SweepOutputs: Equatable, Sendable {
    /// `--out DIR`: write sweep.json, sweep.csv and sweep.svg there.
    package var directory: String?
    /// `--baseline FILE`: an earlier sweep.json to compare with (read by the CLI
    /// before the sweep starts, so a bad file is a usage error, not a lost sweep).
    package var baselinePath: String?
    /// `--max-regression R`: exit 1 when a safe strategy's median is more than R times slower.
    package var maxRegression: Double?

    package init(
        directory: String? = nil, baselinePath: String? = nil, maxRegression: Double? = nil
    ) {
        self.directory = directory
        self.baselinePath = baselinePath
        self.maxRegression = maxRegression
    }
}

/// What the command line asked for.
package enum Command: Equatable, Sendable {
    case run(Request, OutputOptions)
    /// `racelab list`, or `racelab list --json` for scripts.
    case list(isJSON: Bool)
    /// Help for a subcommand, or racelab's own help when nil.
    case help(String?)
    case explain(String)
    /// `racelab sweep`: strategies across worker counts and backends.
    case sweep(SweepRequest, OutputOptions, SweepOutputs)
    case version
    /// `racelab completions <shell>`: print a completion script.
    case completions(String)
    /// Internal: run the request's single strategy in this process and print its
    /// observation as JSON. How racelab re-executes itself for child-process strategies.
    case child(Request)
    /// `racelab litmus`: memory-model litmus tests.
    case litmus(LitmusRequest, OutputOptions)
    /// `racelab explore`: the scenarios' models under the controlled scheduler.
    case explore(ExploreRequest, OutputOptions)
}

/// Turns argv into a validated `Command`, or a `UsageError` naming what was wrong.
package enum Arguments {
    /// The hidden subcommand racelab re-executes itself with.
    package static let childSubcommand = "__child"

    /// - Parameter arguments: argv without the program name.
    /// - Parameter cpus: the CPUs available, for the `--threads` default.
    package static func parse(_ arguments: [String], cpus: CPUSet = .current()) throws(UsageError) -> Command {
        guard let first = arguments.first else { return .help(nil) }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help": return .help(nil)
        case "--version", "version": return .version
        case "list":
            let isJSON = rest.first == "--json"
            try expectNothing(after: Array(rest.dropFirst(isJSON ? 1 : 0)), subcommand: "list")
            return .list(isJSON: isJSON)
        case "help":
            guard let topic = rest.first else { return .help(nil) }
            try expectNothing(after: Array(rest.dropFirst()), subcommand: "help")
            return .help(try subcommandName(topic, flag: "help"))
        case "explain":
            guard let topic = rest.first else {
                throw UsageError(
                    "Missing value for 'explain <scenario>': expected one of \(scenarioNames).",
                    subcommand: "explain")
            }
            // "explain sb" and "explain litmus sb" explain a litmus test; "explain litmus" lists them.
            let isLitmusTopic = topic == "litmus" && rest.count > 1
            let name = isLitmusTopic ? rest[1] : topic
            try expectNothing(after: Array(rest.dropFirst(isLitmusTopic ? 2 : 1)), subcommand: "explain")
            if topic == "litmus", !isLitmusTopic { return .explain("litmus") }
            if let test = LitmusCatalog.test(named: name) { return .explain(test.name) }
            guard !isLitmusTopic, let scenario = Catalog.scenario(named: name) else {
                throw UsageError(
                    "Unknown \(isLitmusTopic ? "litmus test" : "scenario") '\(name)' for 'explain <scenario>':"
                        + " expected one of \(scenarioNames), or a litmus test: \(LitmusCatalog.names.joined(separator: ", "))."
                        + Suggestion.didYouMean(name, in: Catalog.scenarios.map(\.name) + LitmusCatalog.names),
                    subcommand: "explain")
            }
            return .explain(scenario.name)
        case "completions":
            if rest.first == "--help" || rest.first == "-h" { return .help("completions") }
            guard let shell = rest.first else {
                throw UsageError(
                    "Missing value for 'completions <shell>': expected one of "
                        + Completions.shells.joined(separator: ", ") + ".",
                    subcommand: "completions")
            }
            try expectNothing(after: Array(rest.dropFirst()), subcommand: "completions")
            guard Completions.shells.contains(shell) else {
                throw UsageError(
                    "Unknown shell '\(shell)' for 'completions <shell>': expected one of "
                        + Completions.shells.joined(separator: ", ") + ".",
                    subcommand: "completions")
            }
            return .completions(shell)
        case SweepArguments.subcommand:
            return try SweepArguments.parse(rest, cpus: cpus)
        case LitmusArguments.subcommand:
            return try LitmusArguments.parse(rest)
        case ExploreArguments.subcommand:
            return try ExploreArguments.parse(rest)
        case childSubcommand:
            // The parent hands its request over as JSON; a scenario name and options
            // also work, for running one strategy by hand (scripts/tsan.sh does).
            if let text = rest.first, text.hasPrefix("{") {
                guard rest.count == 1,
                    let request = try? JSONDecoder().decode(Request.self, from: Data(text.utf8)),
                    let scenario = Catalog.scenario(named: request.scenario),
                    request.strategies.count == 1, scenario.strategy(named: request.strategies[0]) != nil
                else { throw UsageError("'\(childSubcommand)' got a request it cannot read: \(text.prefix(200))") }
                return .child(request)
            }
            guard let name = rest.first, let scenario = Catalog.scenario(named: name) else {
                throw UsageError("'\(childSubcommand)' needs a scenario")
            }
            let (request, _, _) = try ScenarioArguments.parse(Array(rest.dropFirst()), scenario: scenario, cpus: cpus)
            return .child(request)
        default:
            guard let scenario = Catalog.scenario(named: first) else {
                if first.hasPrefix("-") {
                    throw UsageError(unknownTopLevelOption(first))
                }
                throw UsageError(
                    "Unknown subcommand '\(first)': expected one of \(subcommandNames)."
                        + Suggestion.didYouMean(first, in: Help.subcommands.map(\.name)))
            }
            let (request, output, wantsHelp) = try ScenarioArguments.parse(rest, scenario: scenario, cpus: cpus)
            return wantsHelp ? .help(scenario.name) : .run(request, output)
        }
    }

    /// "-V" is --version; a scenario's own option ("--threads 8") needs the scenario first.
    static func unknownTopLevelOption(_ token: String) -> String {
        let name = String(token.drop { $0 == "-" }.prefix { $0 != "=" })
        if ["V", "v", "version"].contains(name) || Suggestion.closest(to: token, in: ["--version"]) != nil {
            return "Unknown option '\(token)'. Did you mean '--version'?"
        }
        if Suggestion.closest(to: token, in: ["--help"]) != nil {
            return "Unknown option '\(token)'. Did you mean '--help'?"
        }
        let isScenarioOption =
            Options.everyOption.contains { $0.long == name }
            || (name.count == 1 && Options.everyOption.contains { $0.short == name.first })
        // "-threads" is "--threads": show the example as it must be typed.
        let typed = name.count > 1 && !token.hasPrefix("--") ? "--" + token.drop { $0 == "-" } : token
        let example = isScenarioOption ? " A scenario comes first, e.g. 'racelab counter \(typed)'." : ""
        return "Unknown option '\(token)'.\(example) Expected one of: --help, --version, \(subcommandNames)."
    }

    static var scenarioNames: String { Catalog.scenarios.map(\.name).joined(separator: ", ") }
    static var subcommandNames: String { Help.subcommands.map(\.name).joined(separator: ", ") }

    private static func subcommandName(_ name: String, flag: String) throws(UsageError) -> String {
        guard Help.subcommands.contains(where: { $0.name == name }) else {
            throw UsageError(
                "Unknown subcommand '\(name)' for '\(flag) <subcommand>': expected one of \(subcommandNames)."
                    + Suggestion.didYouMean(name, in: Help.subcommands.map(\.name)))
        }
        return name
    }

    private static func expectNothing(after rest: [String], subcommand: String) throws(UsageError) {
        if let extra = rest.first {
            throw UsageError("Unexpected argument '\(extra)' after '\(subcommand)'.", subcommand: subcommand)
        }
    }
}
