import Foundation
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// End-to-end checks through the real `racelab` binary (built beside the tests).
@Suite("racelab binary", .serialized)
struct BinaryTests {
    func racelab(_ arguments: [String], environment: [String] = [], timeout: Double = 60) -> ChildProcess.Outcome {
        ChildProcess(
            executable: ChildRunner.racelabExecutable, arguments: arguments, environment: environment,
            timeoutSeconds: timeout
        ).run()
    }

    /// Hostile command lines: each must either work as documented (exit 0) or exit 64
    /// with exactly one `Error:` line naming the option; never a crash.
    static let corpus: [(arguments: [String], named: String?)] = [
        (["counter", "--threads", ""], "--threads"),
        (["counter", "--threads", "-1"], "--threads"),
        (["counter", "--threads", "0"], "--threads"),
        (["counter", "--threads", "99999999999999999999999"], "--threads"),
        (["counter", "--threads", "8k"], "--threads"),
        (["counter", "--threads", "2.0"], "--threads"),
        (["counter", "--threads", "２"], "--threads"),  // full-width digit
        (["counter", "--threads", "2", "--threads", "3"], "--threads"),
        (["counter", "--threads"], "--threads"),
        (["counter", "--iterations", ""], "--iterations"),
        (["counter", "--iterations", "0"], "--iterations"),
        (["counter", "--iterations", "1e6"], "--iterations"),
        (["counter", "--runs", "-5"], "--runs"),
        (["counter", "--runs", "10001"], "--runs"),
        (["counter", "--work", "-1"], "--work"),
        (["counter", "--strategy", ""], "--strategy"),
        (["counter", "--strategy", "ünsafe"], "--strategy"),
        (["counter", "--backend", ""], "--backend"),
        (["counter", "--bogus"], "--bogus"),
        (["counter", "-x"], "-x"),
        (["counter", "--json=1"], "--json"),
        (["cache", "--keys", "0"], "--keys"),
        (["cache", "--keys", "1000000000000000000000"], "--keys"),
        (["cache", "--read-ratio", "-0"], "--read-ratio"),
        (["cache", "--timeout", "1.5"], "--timeout"),
        (["check-then-act", "--writers", "99", "--threads", "4"], "--writers"),
        (["counter", "--threads", "2", "--iterations", "9223372036854775807"], "--iterations"),
        (["counter", "--threads=2", "--iterations=100"], nil),
        (["counter", "-t", "2", "-i", "100"], nil),
        (["counter", "-t2", "-i100"], nil),
        (["counter", "--threads", "300", "--iterations", "10", "--backend", "dispatch"], nil),
    ]

    /// Every value-taking option of every scenario, given an empty value and no value at all.
    static let emptyValues: [(arguments: [String], named: String?)] = Catalog.scenarios.flatMap { scenario in
        Options.accepted(by: scenario).filter { !$0.isFlag }.flatMap { spec in
            [
                ([scenario.name, "--\(spec.long)="], "--\(spec.long)"),
                ([scenario.name, "--\(spec.long)"], "--\(spec.long)"),
            ]
        }
    }

    @Test("every option with an empty or missing value exits 64 naming it", arguments: emptyValues)
    func emptyValue(arguments: [String], named: String?) {
        hostileInput(arguments: arguments, named: named)
    }

    @Test("hostile command lines work as documented or exit 64 with one Error: line", arguments: corpus)
    func hostileInput(arguments: [String], named: String?) {
        let outcome = racelab(arguments)
        if let named {
            #expect(outcome.end == .exited(code: 64), "\(arguments)")
            let errorLines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errorLines.count == 1, "\(arguments): \(outcome.stderr)")
            #expect(errorLines.first?.contains(named) == true, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        } else {
            #expect(outcome.end == .finished, "\(arguments): \(outcome.stderr)")
        }
    }

    @Test(
        "racelab explore prints the same on one CPU as on every CPU",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"), "needs taskset"))
    func exploreOnOneCPU() {
        let everywhere = racelab(["explore", "all", "--threads", "3", "--operations", "1"])
        let oneCPU = ChildProcess(
            executable: "/usr/bin/taskset",
            arguments: [
                "-c", "0", ChildRunner.racelabExecutable, "explore", "all", "--threads", "3", "--operations", "1",
            ],
            timeoutSeconds: 60
        ).run()
        #expect(everywhere.end == .finished && oneCPU.end == .finished, "\(oneCPU.stderr)")
        #expect(everywhere.stdout.contains("deadlock: worker"))
        #expect(oneCPU.stdout == everywhere.stdout)
    }

    @Test("a refused pthread_create ends with a clear message and exit 71")
    func threadCreationFailure() {
        let outcome = racelab(
            ["counter", "--threads", "8", "--iterations", "100"], environment: ["RACELAB_THREAD_LIMIT=3"])
        #expect(outcome.end == .exited(code: 71))
        #expect(outcome.stderr.contains("could not create worker thread 4 of 8: pthread_create failed"))
        #expect(outcome.stdout.isEmpty)
        let sweep = racelab(
            ["sweep", "counter", "--threads", "8", "--runs", "1", "--iterations", "100"],
            environment: ["RACELAB_THREAD_LIMIT=3"])
        #expect(sweep.end == .exited(code: 71))
        #expect(sweep.stderr.contains("could not create worker thread 4 of 8: pthread_create failed"))
    }

    @Test(
        "a report that cannot be written (disk full, stdout closed) is one line on stderr and exit 74",
        arguments: ["> /dev/full", ">&-"],
        ["counter --threads 2 --duration 5", "sweep counter --threads 1 --runs 1 --duration 5 --json"])
    func lostReport(redirect: String, command: String) {
        let outcome = ChildProcess(
            executable: "/bin/sh",
            arguments: ["-c", "\"\(ChildRunner.racelabExecutable)\" \(command) \(redirect); echo \"code=$?\" >&2"],
            timeoutSeconds: 30
        ).run()
        #expect(outcome.stderr.contains("code=74"), "\(command) \(redirect): \(outcome.stderr)")
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("standard output") == true)
    }

    @Test("Ctrl-C kills the running child, leaves nothing behind and exits 130", .timeLimit(.minutes(1)))
    func interrupt() throws {
        // A stand-in racelab for the child that hangs, so the interrupt lands mid-child.
        let marker = "racelab-interrupt-test-\(getpid())"
        let script = "/tmp/\(marker).sh"
        let outcome = ChildProcess(
            executable: "/bin/bash",
            arguments: [
                "-c",
                """
                set -m  # job control (bash: dash needs a tty): the background job keeps SIGINT
                printf '#!/bin/sh\\nexec sleep 297.\(getpid())\\n' > \(script); chmod +x \(script)
                RACELAB_EXECUTABLE=\(script) "\(ChildRunner.racelabExecutable)" cache --strategy raw --timeout 60 2>err.$$ &
                pid=$!; sleep 1; kill -INT $pid; wait $pid; echo "code=$?"; cat err.$$; rm -f err.$$ \(script)
                sleep 0.3; pgrep -f '^sleep 297.\(getpid())$' >/dev/null && echo LEFTOVER || echo CLEAN
                """,
            ], timeoutSeconds: 30
        ).run()
        #expect(outcome.stdout.contains("code=130"), "\(outcome.stdout)")
        #expect(
            outcome.stdout.contains("interrupted (SIGINT) while running racelab cache: run 1/1: raw; killed its child"))
        #expect(outcome.stdout.contains("CLEAN"))
    }
}

#if canImport(Glibc)
    import Glibc
#endif
