import CRaceLabShims
import RaceLab
import RaceLabCommandLine
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs one child-process strategy by starting racelab again with the hidden
/// `__child` subcommand, and turns how that child ended into an `Observation`.
package enum ChildRunner {
    /// A launcher for `Lab`, starting `executable` (racelab itself by default).
    package static func launcher(
        executable: String = racelabExecutable
    ) -> @Sendable (Request, Strategy) -> Observation {
        { request, strategy in run(request, strategy: strategy, executable: executable) }
    }

    static func run(_ request: Request, strategy: Strategy, executable: String) -> Observation {
        var single = request
        single.strategies = [strategy.name]
        single.runs = 1
        // The request travels as data, exactly as the parent holds it: no argv to rebuild.
        let child = ChildProcess(
            executable: executable,
            arguments: [Arguments.childSubcommand, JSONText.compact(single)],
            // The Swift runtime's crash backtrace is long and slow; the signal is what we report.
            // The parent's pid lets the child tell whether it is orphaned already.
            environment: ["SWIFT_BACKTRACE=enable=no", "\(parentVariable)=\(getpid())"],
            timeoutSeconds: timeLimitSeconds(request))
        var outcome = child.run()
        // The child's own alarm (its time limit, when racelab could not enforce it:
        // stopped with Ctrl-Z, say) is a hang, never a crash.
        if outcome.end == .crashed(signal: SIGALRM) { outcome.end = .hung(timeoutSeconds: child.timeoutSeconds) }
        if outcome.end == .finished,
            var observation = try? JSONDecoder().decode(Observation.self, from: Data(outcome.stdout.utf8))
        {
            observation.childEnd = .finished
            observation.childMilliseconds = outcome.milliseconds
            return observation
        }
        // A child that died counted nothing (`didCount` is false): no counts, no timing.
        let end = outcome.end == .finished ? ChildEnd.unreadableReport : outcome.end
        return Observation(
            expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil,
            childEnd: end, childMilliseconds: outcome.milliseconds,
            childMessage: firstTrapLine(outcome.stderr))
    }

    /// racelab's own binary: this process when it is racelab; otherwise (a test
    /// runner) the `racelab` built beside it; `RACELAB_EXECUTABLE` overrides both.
    package static var racelabExecutable: String {
        if let override = ProcessInfo.processInfo.environment["RACELAB_EXECUTABLE"] { return override }
        let current = ChildProcess.currentExecutable
        guard let slash = current.lastIndex(of: "/") else { return current }
        if current[current.index(after: slash)...] == "racelab" { return current }
        return String(current[...slash]) + "racelab"
    }

    /// How long a child may run: --timeout counts from the end of its window, so a long
    /// --duration is not a hang. The parent kills it then; the child ends itself a
    /// second later in case no parent is left to.
    static func timeLimitSeconds(_ request: Request) -> Double {
        request.timeoutSeconds + Double(request.length.milliseconds ?? 0) / 1000
    }

    /// The environment variable that carries the parent's pid to the child.
    static let parentVariable = "RACELAB_PARENT_PID"

    /// The runtime's own words about a crash ("Fatal error: ..."), if it said any.
    static func firstTrapLine(_ stderr: String) -> String? {
        stderr.split(separator: "\n").first { $0.contains("Fatal error") || $0.contains("error:") }
            .map { String($0.prefix(200)) }
    }

    /// The child's side: run the single strategy here and print its observation.
    static func runAsChild(_ request: Request, console: Console) -> Int32 {
        // A child never outlives racelab (even a SIGKILLed one) nor its own time limit.
        let parent = ProcessInfo.processInfo.environment[parentVariable].flatMap { Int32($0) } ?? 0
        let seconds = min(max(timeLimitSeconds(request) + 1, 1), Double(UInt32.max / 2)).rounded(.up)
        racelab_limit_lifetime(parent, UInt32(seconds))
        guard let scenario = Catalog.scenario(named: request.scenario),
            let strategy = request.strategies.first.flatMap(scenario.strategy(named:))
        else { return ExitCode.usage }
        let pool = WorkerPool(backend: request.backend, isPinned: request.isPinningEffective)
        ChildReport.markAsChild()
        do {
            let observation = try strategy.runInProcess(request, pool: pool)
            console.out(ChildReport.encoded(observation))
            return ExitCode.ran
        } catch {
            console.err("Error: \(error)\n")
            return ExitCode.osError
        }
    }
}
