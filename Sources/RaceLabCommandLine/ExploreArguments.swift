import RaceLabExplore
import RaceLabScenarios

/// What `racelab explore` was asked to do.
package struct ExploreRequest: Equatable, Sendable {
    /// How schedules are chosen.
    package enum Explorer: String, Sendable, CaseIterable {
        case exhaustive, random, pct
    }

    /// Scenario names, in the catalog's order.
    package var scenarios: [String]
    /// Strategy names of the one scenario, or nil for all of them.
    package var strategies: [String]?
    package var threads = 2
    package var operations = 2
    package var explorer: Explorer = .exhaustive
    /// Exhaustive: the highest preemption bound (nil: none, but the model's own for a
    /// program with endless schedules).
    package var preemptions: Int?
    /// Random and PCT: schedules to run; exhaustive: the most to run (a limit).
    package var schedules: Int?
    package var seed: UInt64 = ExploreRequest.defaultSeed
    package var depth = 2
    /// Stop each strategy at its first failing schedule instead of counting them all.
    package var firstFailure = false
    /// Sleep sets: skip schedules that only reorder independent steps (`--no-pruning`: off).
    package var pruning = true
    /// `--replay S`: run this one schedule of the one strategy.
    package var replay: String?
    /// `--max-steps N`; nil: `stepLimit` derives it from the program's size.
    package var maxSteps: Int?

    /// Seeded explorers use seed 1 unless told: the same output every run, on any machine.
    package static let defaultSeed: UInt64 = 1
    /// Random and PCT run this many schedules unless told.
    package static let defaultSchedules = 1_000
    /// An exhaustive search stops after this many schedules unless told, and says so.
    package static let defaultScheduleLimit = 1_000_000

    package init(scenarios: [String]) { self.scenarios = scenarios }

    /// Random and PCT: the schedules to run; exhaustive: the most to run.
    package var scheduleCount: Int {
        schedules ?? (explorer == .exhaustive ? Self.defaultScheduleLimit : Self.defaultSchedules)
    }

    /// Steps per schedule at most: `--max-steps`, else 100 per operation of every thread
    /// (one more thread for a model's producer), at least 10,000. A fixed 10,000 had made
    /// safe strategies "fail" as livelocks at 60 threads x 100 operations.
    package var stepLimit: Int {
        maxSteps ?? min(ExploreArguments.maxStepRange.upperBound, max(10_000, 100 * (threads + 1) * operations))
    }

    /// The values a request has when no option changes them.
    package static let defaults = ExploreRequest(scenarios: [])
}

/// `racelab explore [<scenario>|all] [options]`: argv -> an `ExploreRequest`, or a
/// `UsageError` that names the flag, the value and what is accepted.
enum ExploreArguments {
    static let subcommand = "explore"

    static let synopsis =
        "racelab explore [<scenario>|all] [--strategy <list>] [--threads <n>] [--operations <n>]"
        + " [--explorer <explorer>] [--preemptions <n>] [--schedules <n>] [--seed <n>] [--depth <d>]"
        + " [--first-failure] [--no-pruning] [--replay <schedule>] [--max-steps <n>] [--json] [--check]"

    static let threadRange = 1...1_024
    static let operationRange = 1...1_000
    static let preemptionRange = 0...64
    static let scheduleRange = 1...1_000_000_000
    static let depthRange = 1...64
    static let maxStepRange = 1...100_000_000

    /// Options that take a value, and flags: completions are made from these too.
    static let valueOptions = [
        "--strategy", "--threads", "--operations", "--explorer", "--preemptions", "--schedules", "--seed", "--depth",
        "--replay", "--max-steps",
    ]
    static let flags = ["--first-failure", "--no-pruning", "--json", "--check"]
    static let options = valueOptions + flags + ["--help"]
    /// Short spellings of value options.
    static let aliases = ["-t": "--threads", "-n": "--operations", "-s": "--strategy"]
    /// Options whose value is a word, for completions.
    static let explorerWords = ExploreRequest.Explorer.allCases.map(\.rawValue)

    static var scenarioNames: String { (ExploreCatalog.names + ["all"]).joined(separator: ", ") }

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        var request = ExploreRequest(scenarios: ExploreCatalog.names)
        var scenarioToken: String?
        var strategyText: String?
        var output = OutputOptions()
        var given = Set<String>()
        var index = 0
        func fail(_ message: String) -> UsageError { UsageError(message, subcommand: subcommand) }
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            let (typed, inline) = NameList.splitInline(token)
            let name = aliases[typed] ?? typed
            /// The value after the option; none: an error that says what is accepted.
            func value(_ accepted: String) throws(UsageError) -> String {
                if let inline, !inline.isEmpty { return inline }
                if inline == nil, index < arguments.count, !arguments[index].hasPrefix("--") {
                    index += 1
                    return arguments[index - 1]
                }
                throw fail("Missing value for '\(display(name))': expected \(accepted).")
            }
            func number(_ range: ClosedRange<Int>) throws(UsageError) -> Int {
                let accepted = "an integer from \(range.lowerBound.grouped) to \(range.upperBound.grouped)"
                let text = try value(accepted)
                guard text.isASCIIDigits, let number = Int(text),
                    range.contains(number)
                else { throw fail("Invalid value '\(text)' for '\(display(name))': expected \(accepted).") }
                return number
            }
            if name.hasPrefix("-"), options.contains(name) || name == "-h" {
                guard !given.contains(name) || name == "--help" || name == "-h" else {
                    throw fail("Option '\(name)' was given twice: give it once.")
                }
                given.insert(name)
            }
            switch name {
            case "-h", "--help":
                return .help(subcommand)
            case _ where flags.contains(name):
                if let inline { throw fail("Option '\(name)' takes no value, but was given '\(inline)'.") }
                if name == "--no-pruning" { request.pruning = false }
                if name == "--json" { output.isJSON = true }
                if name == "--check" { output.check = true }
                if name == "--first-failure" { request.firstFailure = true }
            case "--strategy":
                strategyText = try value("a comma-separated list of the scenario's strategies, or all")
            case "--threads":
                request.threads = try number(threadRange)
            case "--operations":
                request.operations = try number(operationRange)
            case "--explorer":
                let text = try value("one of \(explorerWords.joined(separator: ", "))")
                guard let explorer = ExploreRequest.Explorer(rawValue: text.lowercased()) else {
                    throw fail(
                        "Invalid value '\(text)' for '--explorer <explorer>': expected one of"
                            + " \(explorerWords.joined(separator: ", "))."
                            + Suggestion.didYouMean(text.lowercased(), in: explorerWords))
                }
                request.explorer = explorer
            case "--preemptions":
                request.preemptions = try number(preemptionRange)
            case "--schedules":
                request.schedules = try number(scheduleRange)
            case "--seed":
                let text = try value("an integer from 0 to \(UInt64.max)")
                guard text.isASCIIDigits, let seed = UInt64(text) else {
                    throw fail(
                        "Invalid value '\(text)' for '--seed <n>': expected an integer from 0 to"
                            + " \(UInt64.max) (the seed a report printed).")
                }
                request.seed = seed
            case "--depth":
                request.depth = try number(depthRange)
            case "--max-steps":
                request.maxSteps = try number(maxStepRange)
            case "--replay":
                let text = try value("a schedule string as a report prints it (\"00011110\")")
                guard let steps = ExploreSchedule.parse(text), !steps.isEmpty else {
                    throw fail(
                        "Invalid value '\(text)' for '--replay <schedule>': expected a schedule string as a"
                            + " report prints it: one digit per step (\"00011110\"), or v1: and comma-separated"
                            + " numbers (a worker per step; for an actor strategy, a ready job's place in the queue).")
                }
                request.replay = text
            default:
                if token.hasPrefix("-") {
                    throw fail(
                        "Unknown option '\(token)' for 'racelab explore': expected one of"
                            + " \(options.joined(separator: ", "))."
                            + Suggestion.didYouMean(typed, in: options))
                }
                if let scenarioToken {
                    throw fail(
                        "Unexpected argument '\(token)' after the scenario '\(scenarioToken)':"
                            + " name several with commas, e.g. 'racelab explore counter,deadlock'.")
                }
                request.scenarios = try parseScenarios(token)
                scenarioToken = token
            }
        }
        try validate(&request, strategyText: strategyText, given: given)
        return .explore(request, output)
    }

    private static func validate(_ request: inout ExploreRequest, strategyText: String?, given: Set<String>)
        throws(UsageError)
    {
        func fail(_ message: String) -> UsageError { UsageError(message, subcommand: subcommand) }
        let only = request.scenarios.count == 1 ? ExploreCatalog.model(named: request.scenarios[0]) : nil
        if let strategyText {
            guard let model = only else {
                throw fail(
                    "Option '--strategy' needs one scenario: strategies differ between scenarios,"
                        + " e.g. 'racelab explore counter --strategy unsafe'.")
            }
            request.strategies = try NameList.strategies(
                strategyText, of: model.strategies.map(\.name), owner: "explore \(model.scenario)",
                subcommand: subcommand)
        }
        let explorerOnly: [(String, [ExploreRequest.Explorer])] = [
            ("--preemptions", [.exhaustive]), ("--seed", [.random, .pct]), ("--depth", [.pct]),
            ("--no-pruning", [.exhaustive]),
        ]
        for (option, explorers) in explorerOnly where given.contains(option) {
            guard explorers.contains(request.explorer) else {
                let names = explorers.map(\.rawValue).joined(separator: " or ")
                throw fail(
                    "Option '\(option)' applies to --explorer \(names), not \(request.explorer.rawValue).")
            }
        }
        if request.replay != nil {
            for option in [
                "--explorer", "--preemptions", "--schedules", "--seed", "--depth", "--first-failure", "--no-pruning",
            ]
            where given.contains(option) {
                throw fail(
                    "Option '\(option)' does not go with '--replay': a replay runs the one schedule it is given.")
            }
            guard let model = only, (request.strategies ?? model.strategies.map(\.name)).count == 1 else {
                throw fail(
                    "Option '--replay' needs one scenario and one strategy, as the report's replay line gives them,"
                        + " e.g. 'racelab explore counter --strategy unsafe --replay 00011110'.")
            }
        }
    }

    /// "counter,deadlock" or "all" -> names in catalog order.
    static func parseScenarios(_ text: String) throws(UsageError) -> [String] {
        try NameList.names(text, of: ExploreCatalog.names, subcommand: subcommand) { part in
            let extra =
                Catalog.scenario(named: part) != nil ? " (\(part) is not explored: see racelab explore --help)" : ""
            return "Unknown scenario '\(part)' for 'explore <scenario>'\(extra)"
        }
    }

    private static func display(_ name: String) -> String {
        switch name {
        case "--strategy": "--strategy <list>"
        case "--explorer": "--explorer <explorer>"
        case "--replay": "--replay <schedule>"
        case "--depth": "--depth <d>"
        case "--threads", "--operations", "--preemptions", "--schedules", "--seed", "--max-steps": name + " <n>"
        default: name
        }
    }

    static var help: String {
        var lines = [
            "OVERVIEW: Find the interleaving that breaks a scenario, print it, replay it; or show",
            "that every interleaving of a small program passes.",
            "",
            "Each strategy runs its own code, the types 'racelab <scenario>' runs on real workers,",
            "written on RaceLabSync's drop-in Atomic and Mutex and racelab's pthread locks. Its",
            "workers run as virtual threads, one at a time, and before every operation on those",
            "primitives the explorer chooses who runs next. An actor strategy's workers are tasks,",
            "run job by job: before each task's start or resumption, on an actor or not, the",
            "explorer chooses which ready job runs. The result does not depend on the machine:",
            "the same on one CPU as on many. Sequentially consistent interleavings only (weak",
            "memory is 'racelab litmus').",
            "",
            "USAGE: \(synopsis)",
            "",
            "ARGUMENTS:",
            "  <scenario>              One or more, comma-separated (default: all):",
        ]
        for model in ExploreCatalog.models {
            let strategies = model.strategies.map { $0.isExpectedSafe ? $0.name : $0.name.uppercased() }
            lines.append(
                "    " + model.scenario + String(repeating: " ", count: max(1, 16 - model.scenario.count))
                    + strategies.joined(separator: ", "))
        }
        lines += ["                          (upper case: the unsafe strategies)", "  Not explored:"]
        func wrapped(_ text: String) -> [String] {
            var out: [String] = []
            var line = "    "
            for word in text.split(separator: " ") {
                if line.count + word.count + 1 > 92, line.count > 6 {
                    out.append(line)
                    line = "      "
                }
                line += (line.hasSuffix(" ") ? "" : " ") + word
            }
            return out + [line]
        }
        for model in ExploreCatalog.models {
            for (strategies, why) in model.notExplored { lines += wrapped("\(model.scenario) \(strategies): \(why).") }
        }
        for (scenario, why) in ExploreCatalog.notExplored { lines += wrapped("\(scenario): \(why).") }
        lines += [
            "",
            "OPTIONS:",
            "  -s, --strategy <list>   Strategies of the one scenario, comma-separated, or all. (default: all)",
            "  -t, --threads <n>       Workers, each a virtual thread, 1 to 1,024 (queue: consumers; its",
            "                          short-sentinels and locked add a producer, worker 0). (default: 2)",
            "  -n, --operations <n>    Operations per worker (increments, lookups, transfers; queue: items",
            "                          in all), 1 to 1,000. (default: 2)",
            "  --explorer <explorer>   exhaustive: every schedule, depth-first, the preemption bound",
            "                            raised step by step (default);",
            "                          random: schedules drawn at random (seeded);",
            "                          pct: probabilistic concurrency testing (seeded, --depth).",
            "  --preemptions <n>       exhaustive: the most preemptions a schedule may have. (default:",
            "                          none, every schedule; 3 for deadlock try-lock and snapshot",
            "                          seqlock, whose back-off and retry can go on forever, and queue",
            "                          unsafe, whose polling consumers make a million schedules at 3x1;",
            "                          2 for the actor strategies, every hop and resumption a job)",
            "  --schedules <n>         random, pct: schedules per strategy (default: 1,000); exhaustive:",
            "                          the most to run, then say what was covered (default: 1,000,000).",
            "  --seed <n>              random, pct: the seed. (default: 1, so every run prints the same)",
            "  --depth <d>             pct: the bug depth it aims at. (default: 2)",
            "  --first-failure         Stop each strategy at its first failing schedule; exhaustive",
            "                          search then raises the bound from 0 (fewest preemptions first),",
            "                          without pruning. (default: run them all and count the failures)",
            "  --no-pruning            exhaustive: run every interleaving. By default a schedule that only",
            "                          reorders independent steps (different objects, or two reads) of",
            "                          one already explored is skipped, or cut short once started (sleep",
            "                          sets); only without --preemptions and --first-failure, as sleep",
            "                          sets and a preemption bound together could miss a failure.",
            "  --replay <schedule>     Run this one schedule (a report's \"00011110\") of one strategy and",
            "                          print its timeline; say where the program stopped matching it.",
            "  --max-steps <n>         Steps per schedule at most; past it the schedule fails as a",
            "                          livelock. (default: 100 x (threads + 1) x operations, at least",
            "                          10,000)",
            "  --json                  One JSON document on stdout instead of the text.",
            "  --check                 Exit 1 unless every safe strategy passed every schedule it ran and",
            "                          every unsafe one failed in one (with --replay: unless the replay",
            "                          ended as the strategy is expected to).",
            "  -h, --help              Show help information.",
            "",
            "EXIT CODES:",
            "  0   Explored (a failing schedule of an unsafe strategy is a result, not a failure).",
            "  1   --check: a safe strategy failed in a schedule, or an unsafe one in none; --replay:",
            "      the program did not match the schedule (the step and what differs are printed).",
            "  64  Bad usage: the message names the option, the value and what is accepted.",
            "",
            "EXAMPLES:",
            "  racelab explore counter",
            "  racelab explore counter --strategy unsafe --replay 00011110",
            "  racelab explore check-then-act --threads 3 --explorer pct --schedules 1000",
            "  racelab explore all --check --json > explore.json",
            "",
            "  See docs/explore.md: what is explored and what is not, how to read a timeline.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
