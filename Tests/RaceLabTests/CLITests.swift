import Foundation
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("CLI end to end", .serialized)
struct CLITests {
    @Test("bad input exits 64 with one Error: line on stderr and nothing on stdout")
    func usageExit() {
        let run = runCLI(["counter", "--threads", "0"])
        #expect(run.code == 64)
        #expect(run.out.isEmpty)
        #expect(run.err.hasPrefix("Error: Invalid value '0' for '--threads <n>'"))
        #expect(run.err.contains("Usage: racelab counter"))
    }

    @Test("a run prints the table with every default strategy and exits 0")
    func tableRun() {
        let run = runCLI(["counter", "--threads", "2", "--iterations", "2000"])
        #expect(run.code == 0)
        for name in CounterScenario.scenario.defaultStrategyNames {
            #expect(run.out.contains("\n\(name) "), "row for \(name)")
        }
        for column in [
            "expected", "counted", "lost updates", "parallel", "skew µs", "window ms", "ns/op", "Mops/s", "verdict",
        ] {
            #expect(run.out.contains(column))
        }
        // "held" may be marked weak if the two workers happened not to overlap.
        let verdict = run.out.split(separator: "\n").first { $0.hasPrefix("mutex: integrity held") }
        #expect(verdict?.hasSuffix("counted 4,000 of 4,000") == true)
    }

    @Test("--check passes when safe strategies hold; --expect-race fails when no unsafe strategy ran")
    func checkExitCodes() {
        #expect(runCLI(["counter", "--strategy", "atomic,sharded", "--iterations", "1000", "--check"]).code == 0)
        let expecting = runCLI(["counter", "--strategy", "atomic", "--iterations", "1000", "--expect-race"])
        #expect(expecting.code == 0, "no unsafe strategy selected: nothing to expect")
        let alone = runCLI([
            "counter", "--strategy", "unsafe", "--threads", "1", "--iterations", "1000", "--expect-race",
        ])
        #expect(alone.code == 1, "one worker cannot race, so --expect-race must fail")
    }

    @Test("help, version and list go to stdout and exit 0")
    func informational() {
        for args in [
            ["--help"], ["help", "counter"], ["counter", "--help"], ["--version"], ["list"], ["explain", "counter"],
        ] {
            let run = runCLI(args)
            #expect(run.code == 0, "\(args)")
            #expect(!run.out.isEmpty)
            #expect(run.err.isEmpty)
        }
        #expect(runCLI(["counter", "--help"]).out.contains("USAGE: racelab counter"))
        #expect(runCLI(["counter", "--help"]).out.contains("--duration <ms>"))
        #expect(runCLI(["counter", "--help"]).out.contains("(default: 100)"))
        // list: each scenario's block has one row per strategy of the catalog, in its order, marked safe or UNSAFE.
        let blocks = runCLI(["list"]).out.components(separatedBy: "\n\n")
        for scenario in Catalog.scenarios {
            let block = blocks.first { $0.hasPrefix(scenario.name + "  ") }
            let rows = block?.split(separator: "\n").dropFirst().map {
                $0.split(separator: " ").prefix(2).map(String.init)
            }
            #expect(
                rows == scenario.strategies.map { [$0.isExpectedSafe ? "safe" : "UNSAFE", $0.name] }, "\(scenario.name)"
            )
        }
        #expect(runCLI(["--version"]).out == "racelab \(RaceLabVersion.current)\n")
    }
}

@Suite("Until exposed", .serialized)
struct UntilExposedTests {
    @Test(
        "unsafe stops at its first anomaly; safe strategies keep going for the budget",
        .enabled(if: cpuCount >= 2, "needs 2 or more CPUs: unsafe must expose its race within the budget"),
        .timeLimit(.minutes(1)))
    func untilExposed() throws {
        let run = runCLI([
            "counter", "--strategy", "unsafe,atomic", "--threads", "2", "--iterations", "5000", "--until-exposed",
            "--budget", "1", "--json",
        ])
        #expect(run.code == 0)
        let report = try JSONReport.decode(run.out)
        let unsafe = try #require(report.strategies.first { $0.name == "unsafe" })
        let atomic = try #require(report.strategies.first { $0.name == "atomic" })
        let first = try #require(unsafe.firstAnomaly)
        #expect(unsafe.runs.count == first.run, "unsafe stops at the run that exposed it")
        #expect(unsafe.runs.last?.hasAnomaly == true)
        #expect(atomic.runs.count > unsafe.runs.count)
        #expect(atomic.firstAnomaly == nil)
        #expect(report.request.untilExposedBudgetSeconds == 1)
    }

    @Test("--until-exposed and --budget are checked")
    func parsing() {
        #expect(runCLI(["counter", "--until-exposed", "--runs", "3"]).err.contains("contradict"))
        #expect(runCLI(["counter", "--budget", "3"]).err.contains("only applies with '--until-exposed'"))
        #expect(runCLI(["counter", "--until-exposed", "--budget", "0"]).err.contains("'0' for '--budget <seconds>'"))
    }
}

@Suite("Catalog for scripts")
struct CatalogListingTests {
    @Test("list --json names every scenario and strategy, with each scenario's fewest workers")
    func listJSON() throws {
        let run = runCLI(["list", "--json"])
        #expect(run.code == 0)
        let listing = try JSONDecoder().decode(CatalogListing.self, from: Data(run.out.utf8))
        #expect(listing.scenarios.map(\.name) == Catalog.scenarios.map(\.name))
        #expect(listing.scenarios.first { $0.name == "check-then-act" }?.minimumWorkers == 2)
        #expect(listing.scenarios.first { $0.name == "counter" }?.minimumWorkers == 1)
        let cache = try #require(listing.scenarios.first { $0.name == "cache" })
        #expect(cache.strategies.first { $0.name == "raw" }?.runsInChildProcess == true)
        #expect(cache.options.contains { $0.name == "stripes" && $0.defaultValue == .integer(16) })
        #expect(runCLI(["list", "--yaml"]).code == 64)
    }
}

@Suite("Shell completions")
struct CompletionTests {
    /// Completes `words` (the last one being typed) with the generated bash script.
    func complete(_ words: [String]) -> String {
        let script = runCLI(["completions", "bash"]).out
        let path = "/tmp/racelab-completion-test-\(getpid()).bash"
        _ = FileIO.write(script, to: path)
        defer { unlink(path) }
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let outcome = ChildProcess(
            executable: "/bin/bash",
            arguments: [
                "-c",
                "source \(path); COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _racelab;"
                    + " echo \"${COMPREPLY[*]}\"",
            ],
            timeoutSeconds: 10
        ).run()
        return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What `--strategy` completes to for the cache: its strategies, in catalog order, then `all`.
    static let cacheStrategies = (CacheScenario.scenario.strategies.map(\.name) + ["all"]).joined(separator: " ")

    @Test("the bash script parses and completes subcommands, options, strategies and values")
    func bash() {
        let check = ChildProcess(
            executable: "/bin/bash", arguments: ["-n", "-c", runCLI(["completions", "bash"]).out], timeoutSeconds: 10
        ).run()
        #expect(check.end == .finished || check.end == .exited(code: 0))
        #expect(complete(["racelab", "co"]) == "counter completions")
        #expect(complete(["racelab", "counter", "--str"]) == "--strategy")
        #expect(complete(["racelab", "cache", "--strategy", ""]) == Self.cacheStrategies)
        #expect(complete(["racelab", "check-then-act", "--wr"]) == "--writers")
        #expect(complete(["racelab", "counter", "--wr"]) == "", "counter has no --writers")
        #expect(complete(["racelab", "counter", "--threads", ""]) == "", "a number: nothing to offer")
        #expect(complete(["racelab", "sweep", "counter", "--out"]) == "--out")
        #expect(complete(["racelab", "counter", "--color", ""]) == "auto always never")
    }

    @Test("zsh and fish scripts come from the same declarations; an unknown shell exits 64")
    func otherShells() {
        let zsh = runCLI(["completions", "zsh"]).out
        #expect(zsh.hasPrefix("#compdef racelab"))
        #expect(zsh.contains("complete -F _racelab racelab"))
        let fish = runCLI(["completions", "fish"]).out
        for scenario in Catalog.scenarios {
            #expect(fish.contains("-a \(scenario.name) -d"))
            #expect(fish.contains("__fish_seen_subcommand_from \(scenario.name)' -l threads -s t -x"))
        }
        #expect(fish.contains("-l strategy -s s -x -a '\(Self.cacheStrategies)'"))
        let bad = runCLI(["completions", "tcsh"])
        #expect(bad.code == 64)
        #expect(
            bad.err.hasPrefix("Error: Unknown shell 'tcsh' for 'completions <shell>': expected one of bash, zsh, fish.")
        )
    }
}

@Suite("Colour")
struct ColorTests {
    @Test("auto colours only a terminal without NO_COLOR or TERM=dumb; always and never are what they say")
    func resolution() {
        #expect(ColorChoice.auto.isColored(stdoutIsTerminal: true, environment: [:]))
        #expect(!ColorChoice.auto.isColored(stdoutIsTerminal: false, environment: [:]))
        #expect(!ColorChoice.auto.isColored(stdoutIsTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorChoice.auto.isColored(stdoutIsTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!ColorChoice.auto.isColored(stdoutIsTerminal: true, environment: ["TERM": "dumb"]))
        #expect(ColorChoice.always.isColored(stdoutIsTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorChoice.never.isColored(stdoutIsTerminal: true, environment: [:]))
    }

    @Test("--color always paints the verdict words and keeps the columns aligned; JSON never carries colour")
    func output() throws {
        let painted = runCLI(["counter", "--threads", "2", "--duration", "5", "--color", "always"]).out
        // Whichever verdicts this run reached (a loaded machine may make them weak), each is painted.
        let paintedLabels = [
            "\u{1B}[32mheld\u{1B}[0m", "\u{1B}[33mheld (weak)\u{1B}[0m", "\u{1B}[1;31mRACE EXPOSED\u{1B}[0m",
            "\u{1B}[33mCOULD NOT SHOW\u{1B}[0m", "\u{1B}[33mnot shown\u{1B}[0m",
        ]
        let rowCount = CounterScenario.scenario.defaultStrategyNames.count
        let verdictCells = painted.split(separator: "\n").filter { line in
            CounterScenario.scenario.strategies.contains { line.hasPrefix($0.name + " ") }
        }
        #expect(verdictCells.count == rowCount)
        #expect(verdictCells.allSatisfy { line in paintedLabels.contains { line.hasSuffix($0) } })
        let plain = runCLI(["counter", "--threads", "2", "--duration", "5", "--color", "never"]).out
        #expect(!plain.contains("\u{1B}["))
        // Same layout once the escapes are removed: every verdict starts under the header's "verdict".
        var stripped = painted
        for code in ["\u{1B}[32m", "\u{1B}[33m", "\u{1B}[1;31m", "\u{1B}[0m"] {
            stripped = stripped.replacingOccurrences(of: code, with: "")
        }
        let lines = stripped.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("strategy ") })
        let column = try #require(header.range(of: "verdict")).lowerBound.utf16Offset(in: header)
        let rows = lines.filter { line in CounterScenario.scenario.strategies.contains { line.hasPrefix($0.name + " ") }
        }
        #expect(rows.count == rowCount)
        for row in rows {
            let verdict = String(row.dropFirst(column))
            #expect(["held", "held (weak)", "RACE EXPOSED", "COULD NOT SHOW", "not shown"].contains(verdict), "\(row)")
        }
        let json = runCLI(["counter", "--threads", "2", "--duration", "5", "--color", "always", "--json"]).out
        #expect(!json.contains("\u{1B}"))
        #expect(runCLI(["counter", "--color", "sometimes"]).code == 64)
    }
}
