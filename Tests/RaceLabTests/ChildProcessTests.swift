import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Child process containment")
struct ChildProcessTests {
    func shell(_ script: String, timeout: Double = 5) -> ChildProcess.Outcome {
        ChildProcess(executable: "/bin/sh", arguments: ["-c", script], timeoutSeconds: timeout).run()
    }

    @Test("a child that finishes hands back its stdout")
    func finishes() {
        let outcome = shell("echo hello; echo oops >&2")
        #expect(outcome.end == .finished)
        #expect(outcome.stdout == "hello\n")
        #expect(outcome.stderr == "oops\n")
    }

    @Test("a non-zero exit is reported as such")
    func exits() {
        #expect(shell("exit 3").end == .exited(code: 3))
    }

    @Test("a crash is reported with its signal, and racelab lives on")
    func crashes() {
        #expect(shell("kill -SEGV $$").end == .crashed(signal: 11))
        #expect(ChildEndText.describe(.crashed(signal: 11), milliseconds: 3) == "crashed: SIGSEGV after 3.00 ms")
    }

    @Test("a hung child is killed at its timeout", .timeLimit(.minutes(1)))
    func hangs() {
        let outcome = shell("sleep 30", timeout: 0.3)
        #expect(outcome.end == .hung(timeoutSeconds: 0.3))
        #expect(outcome.milliseconds < 5_000)
    }

    @Test("a program that cannot be started is an exit, not a crash")
    func missingProgram() {
        let outcome = ChildProcess(executable: "/nonexistent/racelab", arguments: [], timeoutSeconds: 1).run()
        #expect(outcome.end == .exited(code: 127))
    }

    @Test("a child that exits 0 with something other than its report is said to, never 'exited 0'")
    func unreadableReport() throws {
        let scenario = CacheScenario.scenario
        let raw = try #require(scenario.strategy(named: "raw"))
        var request = request("cache", "raw", threads: 2, milliseconds: 10)
        request.timeoutSeconds = 10
        let observation = ChildRunner.launcher(executable: "/bin/echo")(request, raw)
        #expect(observation.childEnd == .unreadableReport)
        let outcome = StrategyOutcome(
            name: "raw", summary: "", isExpectedSafe: false, runsInChildProcess: true, runs: [observation])
        let sentence = VerdictText.sentence(
            outcome, StrategySummary(outcome), scenario: scenario.labels(for: request), overlapRemedy: "")
        #expect(sentence.hasPrefix("raw: NO RESULT — the child process exited 0 with a report racelab could not read"))
    }

    @Test("the child reads its request as JSON, exactly as the parent holds it")
    func requestAsJSON() throws {
        var sent = request("counter", "atomic", threads: 3, milliseconds: 7)
        sent.settings["work"] = .integer(5)
        sent.warmupMilliseconds = 0
        let command = try Arguments.parse([Arguments.childSubcommand, JSONText.compact(sent)])
        #expect(command == .child(sent))
        #expect(throws: UsageError.self) { try Arguments.parse([Arguments.childSubcommand, "{not json"]) }
    }

    /// Runs cache's raw strategy through ChildRunner with a stand-in child (a shell
    /// script of `lines`) instead of racelab, and returns how the runner saw it end.
    func standInChild(_ lines: String, milliseconds: Int, timeoutSeconds: Double) throws -> Observation {
        let script = "/tmp/racelab-stand-in-child-\(getpid()).sh"
        try FileIO.write("#!/bin/sh\n\(lines)\n", to: script).get()
        chmod(script, 0o755)
        defer { unlink(script) }
        let raw = try #require(CacheScenario.scenario.strategy(named: "raw"))
        var request = request("cache", "raw", threads: 2, milliseconds: milliseconds)
        request.timeoutSeconds = timeoutSeconds
        return ChildRunner.launcher(executable: script)(request, raw)
    }

    @Test(
        "--timeout counts from the end of the child's window: a long --duration is not a hang", .timeLimit(.minutes(1)))
    func timeoutAfterWindow() throws {
        // Takes 1.5 s, then exits 0 without a report.
        let observation = try standInChild("sleep 1.5", milliseconds: 1_000, timeoutSeconds: 1)
        #expect(observation.childEnd == .unreadableReport, "1 s window + 1 s timeout outlasts a 1.5 s child")
    }

    @Test("a child ended by its own alarm (its time limit) is a hang, not a crash", .timeLimit(.minutes(1)))
    func ownAlarmIsAHang() throws {
        let observation = try standInChild("kill -ALRM $$", milliseconds: 10, timeoutSeconds: 5)
        #expect(observation.childEnd == .hung(timeoutSeconds: 5 + 0.01))
    }
}
