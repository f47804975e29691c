import Testing

@testable import RaceLab

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

    @Test("a run prints the table with every strategy and exits 0")
    func tableRun() {
        let run = runCLI(["counter", "--threads", "2", "--iterations", "2000"])
        #expect(run.code == 0)
        for name in ["unsafe", "mutex", "pthread-mutex", "atomic", "sharded"] {
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
        #expect(runCLI(["list"]).out.contains("pthread-mutex"))
        #expect(runCLI(["--version"]).out == "racelab \(RaceLabVersion.current)\n")
    }
}

@Suite("Until exposed", .serialized)
struct UntilExposedTests {
    @Test("unsafe stops at its first anomaly; safe strategies keep going for the budget", .timeLimit(.minutes(1)))
    func untilExposed() throws {
        guard cpuCount >= 2 else { return }
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
