import Testing

@testable import RaceLab

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
}
