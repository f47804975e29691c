import RaceLab
import RaceLabModel
import RaceLabScenarios

/// Help text in the shape swift-argument-parser tools use (OVERVIEW, USAGE,
/// OPTIONS, defaults in parentheses), written by hand since racelab takes no packages.
package enum Help {
    struct Subcommand {
        let name: String
        let usage: String
        let summary: String
    }

    static var subcommands: [Subcommand] {
        Catalog.scenarios.map { Subcommand(name: $0.name, usage: $0.name, summary: $0.summary) } + [
            Subcommand(
                name: "sweep", usage: "sweep <scenario>",
                summary: "Every strategy across worker counts: ns/op, lost %, the price of safety, a chart"),
            Subcommand(
                name: "litmus", usage: "litmus [<test>]",
                summary: "Memory-model litmus tests (sb, mp, lb, iriw, 2+2w, corr): what the CPU allows"),
            Subcommand(
                name: "explore", usage: "explore [<scenario>]",
                summary: "Every interleaving of a few workers on the real code: the failing one, replayable"),
            Subcommand(name: "list", usage: "list", summary: "Scenarios and their strategies, one line each"),
            Subcommand(
                name: "explain", usage: "explain <name>",
                summary: "How a scenario's race happens and why each fix works, or a litmus test's story"),
            Subcommand(name: "help", usage: "help <subcommand>", summary: "Detailed help for a subcommand"),
            Subcommand(
                name: "completions", usage: "completions <shell>",
                summary: "Shell completion script: bash, zsh or fish"),
        ]
    }

    static let topUsageLine = "Usage: racelab <subcommand> [options]"

    static let exitCodes = """
        EXIT CODES:
          0   Ran. What a race did is a result, not a failure.
          1   --check: a safe strategy showed an anomaly, or a --witness log could not
              account for its run (litmus: a forbidden outcome showed); --expect-race:
              also when no unsafe strategy showed its race; sweep --max-regression: a
              safe strategy got slower than the baseline allows.
          64  Bad usage: the message names the option, the value and what is accepted.
          71  The system refused to create a worker thread.
          73  A result file (--junit, sweep --out) could not be written: one line names
              it and the error. A symlink is written through, a device or FIFO as a
              stream; only a regular file is replaced (by a rename).
          74  The report could not be written to stdout (disk full, stdout not open).
          130 / 143  Interrupted (Ctrl-C / SIGTERM; 129 SIGHUP, 131 SIGQUIT); any child
                     process was killed. On Linux a child also dies with a SIGKILLed racelab.
        """

    /// racelab's own help.
    package static var overview: String {
        var lines = [
            "OVERVIEW: Make race conditions visible and measure what each fix costs.",
            "",
            "racelab runs the same shared-state code in an unsafe form and in safe forms",
            "(locks, atomics, sharding) on many threads at once, then reports side by side",
            "what the race did (lost updates, ...) and what each fix cost (time, ns/op).",
            "",
            "USAGE: racelab <subcommand> [options]",
            "",
            "SUBCOMMANDS:",
        ]
        lines += subcommands.map { "  " + pad($0.usage, 22) + $0.summary }
        lines += [
            "",
            "OPTIONS:",
            "  " + pad("-h, --help", 22) + "Show help information.",
            "  " + pad("--version", 22) + "Show the version.",
            "",
            exitCodes,
            "",
            "EXAMPLES:",
            "  racelab counter --threads 8",
            "  racelab counter --threads 8 --check --json > result.json",
            "  racelab explain counter",
            "",
            "  See 'racelab help <subcommand>' for detailed help.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Help for one subcommand, or nil if there is none by that name.
    package static func text(for subcommand: String) -> String? {
        if let scenario = Catalog.scenario(named: subcommand) { return scenarioHelp(scenario) }
        switch subcommand {
        case LitmusArguments.subcommand:
            return LitmusArguments.help
        case ExploreArguments.subcommand:
            return ExploreArguments.help
        case "completions":
            return """
                OVERVIEW: Print a shell completion script for racelab: subcommands, each scenario's
                options and strategies, and the values options take, from the same declarations
                as this help.

                USAGE: racelab completions <shell>

                ARGUMENTS:
                  <shell>                 bash, zsh or fish

                INSTALL:
                  mkdir -p ~/.local/share/bash-completion/completions
                  racelab completions bash > ~/.local/share/bash-completion/completions/racelab
                  racelab completions zsh > "${fpath[1]}/_racelab"
                  mkdir -p ~/.config/fish/completions
                  racelab completions fish > ~/.config/fish/completions/racelab.fish

                """
        case "sweep":
            return """
                OVERVIEW: Run a scenario's strategies at several worker counts (and backends),
                round-robin, and show median ns/op, the unsafe strategies' lost %, the price of
                safety and a terminal chart.

                USAGE: \(sweepSynopsis) [scenario options]

                ARGUMENTS:
                  <scenario>              One of: \(Arguments.scenarioNames)

                OPTIONS:
                  -t, --threads <list>    Worker counts: 1,2,4,8 or a range 1...16. (default: 1, 2, 4, ... up to 4x the CPUs)
                  -b, --backend <list>    pthread, dispatch, tasks, comma-separated. (default: pthread)
                  -r, --runs <n>          Runs per configuration. (default: 5)
                  -o, --out <dir>         Also write sweep.json (every run, summaries, machine, build),
                                          sweep.csv (one row per run) and sweep.svg (the chart) there.
                                          The directory is created if missing.
                  --baseline <file>       Compare median ns/op with an earlier sweep.json of the same
                                          scenario, configuration by configuration.
                  --max-regression <ratio>
                                          With --baseline: exit 1 if a safe strategy's median is more
                                          than <ratio> times slower than the baseline (e.g. 1.5).
                  --ascii                 Plain ASCII chart instead of unicode blocks.
                  --json                  The sweep.json document on stdout instead of the table
                                          (a --baseline comparison then goes to stderr).
                  Every other option of the scenario works as usual (see 'racelab <scenario> --help').

                """
        case "list":
            return "OVERVIEW: List the scenarios and their strategies.\n\nUSAGE: racelab list\n"
        case "explain":
            return """
                OVERVIEW: Explain the race in a scenario: the interleaving that breaks it, as a
                timeline of two workers, and why each fix works. For a litmus test: its
                program, its weak outcome, what produces it and what forbids it.

                USAGE: racelab explain <scenario>
                       racelab explain [litmus] <test>

                ARGUMENTS:
                  <scenario>              One of: \(Arguments.scenarioNames)
                  <test>                  A litmus test: \(LitmusCatalog.names.joined(separator: ", "))
                                          ('racelab explain litmus' lists them)

                """
        case "help":
            return "OVERVIEW: Show help for a subcommand.\n\nUSAGE: racelab help <subcommand>\n"
        default: return nil
        }
    }

    static func scenarioHelp(_ scenario: Scenario) -> String {
        var lines = [
            "OVERVIEW: \(scenario.summary)", "", "USAGE: " + usageSynopsis(scenario), "", "STRATEGIES:",
        ]
        for strategy in scenario.strategies {
            var tags = [strategy.isExpectedSafe ? "safe" : "unsafe"]
            if !strategy.isInDefaultSet { tags.append("not in the default set") }
            if strategy.runsInChildProcess { tags.append("runs in a child process") }
            lines.append("  " + pad(strategy.name, 22) + strategy.summary + " (\(tags.joined(separator: ", ")))")
        }
        lines += ["", "OPTIONS:"]
        for spec in Options.accepted(by: scenario) {
            let names = (spec.short.map { "-\($0), " } ?? "") + spec.display
            var help = spec.help
            if let defaultText = defaultText(spec, scenario) { help += " (default: \(defaultText))" }
            lines += wrap(help, width: 56).enumerated().map { i, line in
                "  " + pad(i == 0 ? names : "", 22) + line
            }
        }
        lines += [
            "", Help.exitCodes, "",
            "  See 'racelab explain \(scenario.name)' for how the race happens and why each fix works.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func defaultText(_ spec: OptionSpec, _ scenario: Scenario) -> String? {
        switch spec.long {
        case "iterations": return "off: runs are time-boxed by --duration"
        case "backend": return scenario.defaultBackend.rawValue
        case "strategy": return scenario.defaultStrategyNames.joined(separator: ",")
        case "threads":
            let cpus = CPUSet.current().count
            guard let least = scenario.leastDefaultWorkers, least.count > cpus else {
                return "\(cpus), \(spec.defaultText ?? "")"
            }
            return "\(least.count): \(least.why)"
        default: return spec.defaultText
        }
    }

    static func usageSynopsis(_ scenario: Scenario) -> String {
        let parts = Options.accepted(by: scenario).filter { $0.long != "help" && $0.long != "pin" }
            .map { "[\($0.display)]" }
        return "racelab \(scenario.name) " + parts.joined(separator: " ")
    }

    static let sweepSynopsis =
        "racelab sweep <scenario> [--threads <list>] [--backend <list>] [--runs <n>] [--out <dir>]"
        + " [--baseline <file> [--max-regression <ratio>]] [--ascii]"

    static func usageLine(for subcommand: String) -> String? {
        if let scenario = Catalog.scenario(named: subcommand) { return "Usage: " + usageSynopsis(scenario) }
        if subcommand == "sweep" {
            return "Usage: " + sweepSynopsis
        }
        if subcommand == LitmusArguments.subcommand { return "Usage: " + LitmusArguments.synopsis }
        if subcommand == ExploreArguments.subcommand { return "Usage: " + ExploreArguments.synopsis }
        return subcommands.first { $0.name == subcommand }.map { "Usage: racelab \($0.usage)" }
    }

    /// `racelab list`: every scenario with its strategies.
    package static var list: String {
        var lines: [String] = []
        for scenario in Catalog.scenarios {
            lines.append("\(scenario.name)  —  \(scenario.summary)")
            for strategy in scenario.strategies {
                let tag = strategy.isExpectedSafe ? "safe  " : "UNSAFE"
                let extra = strategy.isInDefaultSet ? "" : " [opt-in]"
                lines.append("  \(tag)  " + pad(strategy.name, 16) + strategy.summary + extra)
            }
            lines.append("")
        }
        lines.append("litmus  —  memory-model litmus tests: what the CPU and the Swift/C++ model allow")
        for test in LitmusCatalog.tests {
            lines.append("  test    " + pad(test.name, 16) + test.title)
        }
        lines.append("")
        lines.append("Run one with 'racelab <scenario>'; pick strategies with '--strategy a,b' or 'all'.")
        lines.append("Run a litmus test with 'racelab litmus <test>'; 'racelab explain <test>' tells its story.")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + "  " : text + String(repeating: " ", count: width - text.count)
    }

    private static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
