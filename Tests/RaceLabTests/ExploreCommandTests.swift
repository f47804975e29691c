import Foundation
import Testing

@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabScenarios

/// `racelab explore`: the arguments, the report a user reads, --check, --replay.
@Suite("racelab explore", .serialized, .timeLimit(.minutes(2)))
struct ExploreCommandTests {
    /// The parts of the JSON document the tests read.
    struct Document: Decodable {
        struct Strategy: Decodable {
            let scenario: String
            let strategy: String
            let expectedSafe: Bool
            let passed: Bool
            let schedules: Int
            let failed: Int
            let coverage: String
            let firstFailure: Schedule?
        }
        struct Schedule: Decodable {
            let failure: String?
            let kind: String?
            let schedule: String
            let replay: String
            let steps: [Step]
        }
        struct Step: Decodable {
            let thread: Int
            let operation: String
        }
        let strategies: [Strategy]
    }

    func document(_ arguments: [String]) throws -> Document {
        let run = runCLI(["explore"] + arguments + ["--json"])
        #expect(run.code == 0, "\(run.err)")
        return try JSONDecoder().decode(Document.self, from: Data(run.out.utf8))
    }

    @Test("defaults: every modelled scenario, 2 threads x 2 operations, exhaustive, seed 1")
    func defaults() throws {
        guard case .explore(let request, let output) = try Arguments.parse(["explore"]) else {
            Issue.record("not an explore command")
            return
        }
        #expect(request.scenarios == ExploreCatalog.names)
        #expect(request.strategies == nil)
        #expect(request.threads == 2 && request.operations == 2)
        #expect(request.explorer == .exhaustive && request.preemptions == nil && request.seed == 1)
        #expect(!output.isJSON && !output.check)
        guard
            case .explore(let chosen, let flags) = try Arguments.parse([
                "explore", "counter", "-s", "Unsafe,mutex", "-t", "3", "--operations=1", "--explorer", "pct",
                "--schedules", "50", "--seed", "18446744073709551615", "--depth", "3", "--first-failure", "--json",
                "--check",
            ])
        else {
            Issue.record("not an explore command")
            return
        }
        #expect(chosen.scenarios == ["counter"] && chosen.strategies == ["unsafe", "mutex"])
        #expect(chosen.threads == 3 && chosen.operations == 1 && chosen.explorer == .pct)
        #expect(chosen.schedules == 50 && chosen.seed == UInt64.max && chosen.depth == 3 && chosen.firstFailure)
        #expect(flags.isJSON && flags.check)
        #expect(try Arguments.parse(["explore", "deadlock,counter"]) != Arguments.parse(["explore"]))
        #expect(try Arguments.parse(["explore", "--help"]) == .help("explore"))
    }

    static let badInput: [([String], String)] = [
        (
            ["explore", "reentrancy"],
            "Unknown scenario 'reentrancy' for 'explore <scenario>' (reentrancy is not explored"
        ),
        (["explore", "countr"], "Unknown scenario 'countr'"),
        (["explore", "counter", "deadlock"], "Unexpected argument 'deadlock' after the scenario 'counter'"),
        (["explore", "--threads", "0"], "Invalid value '0' for '--threads <n>': expected an integer from 1 to 1,024"),
        (["explore", "--threads", "1025"], "Invalid value '1025' for '--threads <n>'"),
        (["explore", "--threads"], "Missing value for '--threads <n>': expected an integer from 1 to 1,024."),
        (
            ["explore", "--explorer"],
            "Missing value for '--explorer <explorer>': expected one of exhaustive, random, pct."
        ),
        (["explore", "--replay"], "Missing value for '--replay <schedule>': expected a schedule string"),
        (["explore", "--operations", "2.5"], "Invalid value '2.5' for '--operations <n>'"),
        (["explore", "--explorer", "dfs"], "Invalid value 'dfs' for '--explorer <explorer>': expected one of"),
        (["explore", "--schedules", "0"], "Invalid value '0' for '--schedules <n>'"),
        (["explore", "--explorer", "random", "--seed", "-1"], "Invalid value '-1' for '--seed <n>'"),
        (["explore", "--seed", "x"], "Invalid value 'x' for '--seed <n>'"),
        (["explore", "--seed", "3"], "Option '--seed' applies to --explorer random or pct, not exhaustive"),
        (["explore", "--explorer", "random", "--depth", "3"], "Option '--depth' applies to --explorer pct"),
        (["explore", "--explorer", "pct", "--preemptions", "2"], "Option '--preemptions' applies to --explorer"),
        (["explore", "--strategy", "unsafe"], "Option '--strategy' needs one scenario"),
        (["explore", "counter", "--strategy", "lock"], "Unknown strategy 'lock' for '--strategy <list>'"),
        (["explore", "counter", "--replay", "01x"], "Invalid value '01x' for '--replay <schedule>'"),
        (["explore", "counter", "-s", "unsafe", "--replay", "０1"], "Invalid value '０1' for '--replay <schedule>'"),
        (["explore", "counter", "-s", "unsafe", "--replay", "v1:0,+1"], "Invalid value 'v1:0,+1' for '--replay"),
        (["explore", "counter", "--replay", "0110"], "Option '--replay' needs one scenario and one strategy"),
        (
            ["explore", "counter", "-s", "unsafe", "--replay", "0110", "--explorer", "random"],
            "Option '--explorer' does not go with '--replay'"
        ),
        (["explore", "--json", "--json"], "Option '--json' was given twice"),
        (["explore", "--check=yes"], "Option '--check' takes no value"),
        (["explore", "--explorer", "pct", "--no-pruning"], "Option '--no-pruning' applies to --explorer exhaustive"),
        (["explore", "--thread", "2"], "Unknown option '--thread' for 'racelab explore'"),
    ]

    @Test("bad input: one Error line naming the option or value, exit 64", arguments: badInput)
    func bad(arguments: [String], message: String) {
        let run = runCLI(arguments)
        #expect(run.code == 64)
        #expect(run.out.isEmpty)
        let errors = run.err.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors.count == 1, "\(run.err)")
        #expect(run.err.hasPrefix("Error: " + message), "\(run.err)")
        #expect(run.err.contains("Usage: racelab explore"))
    }

    @Test(
        "counter: unsafe fails with two loads of one value; mutex, pthread-mutex, atomic, sharded pass every schedule, actor every one within its bound"
    )
    func counter() throws {
        let full = try document(["counter", "--no-pruning"])
        #expect(full.strategies.first.map { ($0.schedules, $0.failed) } ?? (0, 0) == (70, 64))
        let report = try document(["counter"])
        #expect(
            report.strategies.map(\.strategy) == ["unsafe", "mutex", "pthread-mutex", "atomic", "sharded", "actor"])
        let unsafe = try #require(report.strategies.first)
        #expect(!unsafe.passed && unsafe.schedules < 70 && unsafe.failed > 0)
        let failure = try #require(unsafe.firstFailure)
        let loads = failure.steps.filter { $0.operation.hasPrefix("load counter") }
        let repeated = Dictionary(grouping: loads, by: \.operation).values.first { group in
            Set(group.map(\.thread)).count == 2
        }
        #expect(repeated != nil, "no two threads loaded the same value: \(failure.steps)")
        for safe in report.strategies.dropFirst() {
            let coverage = safe.strategy == "actor" ? "preemptions" : "every"
            #expect(safe.passed && safe.failed == 0 && safe.coverage == coverage, "\(safe.strategy)")
        }
        let text = runCLI(["explore", "counter"]).out
        #expect(text.contains("every schedule, up to reordering independent steps"))
        #expect(runCLI(["explore", "counter", "--no-pruning"]).out.contains("every schedule of this program"))
        #expect(text.contains("replay: racelab explore counter --strategy unsafe --replay "))
    }

    @Test("every scenario: --check passes; each unsafe strategy fails, each safe one passes")
    func check() throws {
        let run = runCLI(["explore", "all", "--check"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err.contains("racelab explore --check: passed"))
        let report = try document(["all"])
        #expect(Set(report.strategies.map(\.scenario)) == Set(ExploreCatalog.names))
        for entry in report.strategies {
            #expect(entry.passed == entry.expectedSafe, "\(entry.scenario) \(entry.strategy)")
            // Bounded: back-off and retry loops, polling consumers, and the actor
            // strategies (every hop and resumption is a job).
            let bounded =
                ["try-lock", "seqlock", "actor"].contains(entry.strategy)
                || (entry.scenario, entry.strategy) == ("queue", "unsafe") || entry.scenario.hasPrefix("actor-")
            #expect(entry.coverage == (bounded ? "preemptions" : "every"), "\(entry.scenario) \(entry.strategy)")
        }
        let deadlock = try #require(report.strategies.first { $0.strategy == "opposite-order" }?.firstFailure)
        #expect(deadlock.kind == "deadlock")
        #expect(deadlock.failure?.contains("worker 0 waits for B, held by worker 1") == true)
    }

    @Test("every printed failure replays: the same failure, the command as printed", arguments: ["2", "3"])
    func replay(threads: String) throws {
        let report = try document(["all", "--threads", threads, "--operations", "1"])
        for entry in report.strategies {
            guard let failure = entry.firstFailure else { continue }
            let words = failure.replay.split(separator: " ").map(String.init)
            #expect(Array(words.prefix(2)) == ["racelab", "explore"])
            let run = runCLI(Array(words.dropFirst()) + ["--check"])
            #expect(run.code == 0, "\(failure.replay): \(run.err)")
            #expect(run.out.contains(failure.failure ?? "?"), "\(failure.replay)")
            let json = runCLI(Array(words.dropFirst()) + ["--json"])
            #expect(json.out.contains("\"matched\" : true"))
        }
    }

    @Test("a replay that no longer matches says at which step, and exits 1")
    func mismatch() {
        // The unsafe counter's worker 0 starts at its load; "2" names a thread that does not exist.
        let wrong = runCLI(["explore", "counter", "--strategy", "unsafe", "--replay", "02"])
        #expect(wrong.code == 1)
        #expect(wrong.out.contains("REPLAY STOPPED: step 2: the schedule says worker 2, which cannot run there"))
        #expect(wrong.err.contains("the replay did not match the program"))
        #expect(wrong.err.contains("the --threads and --operations of the replay line that printed it"))
        #expect(!wrong.out.contains("passed"), "a replay that stopped is not a pass: \(wrong.out)")
        let short = runCLI(["explore", "counter", "--strategy", "unsafe", "--replay", "01"])
        #expect(short.code == 1)
        #expect(short.out.contains("the schedule has 2 steps, and the program goes on after them"))
        let safe = runCLI(["explore", "counter", "--strategy", "mutex", "--replay", "00000000111111111", "--check"])
        #expect(safe.code == 1, "\(safe.out)")
    }

    @Test("random and PCT: seeded, the same report twice; PCT finds check-then-act at 3 threads")
    func sampled() throws {
        let arguments = ["check-then-act", "--strategy", "unsafe", "--threads", "3", "--explorer", "pct"]
        let first = runCLI(["explore"] + arguments + ["--seed", "7"])
        #expect(first.code == 0)
        #expect(first.out == runCLI(["explore"] + arguments + ["--seed", "7"]).out)
        #expect(first.out.contains("PCT, depth 2, seed 7: finds a bug of depth <= 2 with p >= 1/(n k^(d-1)) = "))
        let found = try document(arguments + ["--seed", "7", "--first-failure"])
        #expect(found.strategies.first?.passed == false)
        let random = try document(["counter", "--explorer", "random", "--schedules", "200"])
        #expect(random.strategies.allSatisfy { $0.coverage == "sampled" && $0.schedules <= 200 })
        #expect(random.strategies.first?.passed == false)
    }

    @Test("a schedule limit stops exhaustive search and says what it covered")
    func limit() throws {
        let report = try document(["counter", "--strategy", "unsafe", "--schedules", "10"])
        let unsafe = try #require(report.strategies.first)
        #expect(unsafe.schedules == 10 && unsafe.coverage == "partial")
        let text = runCLI(["explore", "counter", "--strategy", "sharded", "--schedules", "10", "--first-failure"]).out
        #expect(text.contains("stopped at the limit of 10 schedules"), "\(text)")
    }

    @Test("the step limit grows with the program: large safe programs pass, --max-steps still rules")
    func stepLimit() throws {
        // 60 x 100: a fixed 10,000 steps had made mutex and sharded "fail" as livelocks.
        let large = try document([
            "counter", "--threads", "60", "--operations", "100", "--explorer", "random", "--schedules", "1",
        ])
        for safe in large.strategies.dropFirst() { #expect(safe.passed, "\(safe.strategy)") }
        let capped = try document(["counter", "--strategy", "mutex", "--max-steps", "5", "--first-failure"])
        #expect(capped.strategies.first?.firstFailure?.kind == "too-many-steps")
        #expect(capped.strategies.first?.firstFailure?.failure == "ran past 5 steps (a livelock?)")
    }

    @Test("the help's examples run as printed, and a failure counts what it lost")
    func examples() {
        let help = runCLI(["help", "explore"]).out
        let examples = help.split(separator: "\n").drop { $0 != "EXAMPLES:" }.dropFirst()
            .prefix { $0.hasPrefix("  racelab explore ") }
        #expect(examples.count >= 3)
        for example in examples where !example.contains(">") {
            let arguments = example.split(separator: " ").dropFirst(1).map(String.init)
            let run = runCLI(arguments)
            #expect(run.code == 0, "\(example): \(run.err)")
        }
        let counter = runCLI(["explore", "counter", "--strategy", "unsafe"]).out
        #expect(counter.contains("check failed: counter is 2, not 4: 2 updates lost"), "\(counter)")
        let queue = runCLI(["explore", "queue", "--operations", "1"]).out
        #expect(queue.hasPrefix("racelab explore: 2 workers x 1 operation (queue short-sentinels, queue locked: and a"))
        let sampled = runCLI(["explore", "counter", "--explorer", "random", "--schedules", "1"]).out
        #expect(
            sampled.contains("random, 1 schedule per strategy")
                && sampled.contains("These are samples: a pass is evidence,"))
    }

    @Test("past 8 threads the timeline is a line per step, not a column per thread")
    func wideTimeline() {
        let arguments = ["counter", "--strategy", "unsafe", "--explorer", "random", "--schedules", "5"]
        let wide = runCLI(["explore"] + arguments + ["--threads", "9", "--operations", "1"]).out
        #expect(wide.contains("\n  step  worker  operation\n"), "\(wide)")
        #expect(!wide.contains("worker 8"))
        let narrow = runCLI(["explore"] + arguments + ["--threads", "8", "--operations", "1"]).out
        #expect(narrow.contains("worker 7"), "\(narrow)")
    }

    @Test("help, explain, completions and the top-level help know explore")
    func discoverable() {
        let help = runCLI(["help", "explore"])
        #expect(help.code == 0)
        for name in ExploreCatalog.names { #expect(help.out.contains("    \(name) ")) }
        #expect(help.out.contains("--replay <schedule>"))
        #expect(runCLI(["--help"]).out.contains("  explore [<scenario>]"))
        #expect(runCLI(["explain", "deadlock"]).out.contains("racelab explore deadlock"))
        #expect(!runCLI(["explain", "reentrancy"]).out.contains("racelab explore"))
        #expect(Completions.bash().contains("    explore)"))
        #expect(Completions.bash().contains("--first-failure"))
        #expect(Completions.fish().contains("__fish_seen_subcommand_from explore' -l replay -x"))
    }
}
