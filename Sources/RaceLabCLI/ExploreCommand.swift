import CRaceLabShims
import RaceLab
import RaceLabCommandLine
import RaceLabExplore
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

/// One strategy's exploration, as `racelab explore` reports it.
struct ExploredStrategy {
    let scenario: String
    let model: ExploreStrategyModel
    let report: ExploreReport

    /// Safe strategies pass every schedule they ran; unsafe ones fail in one.
    var isAsExpected: Bool { model.isExpectedSafe == report.passed }
}

extension CLI {
    /// `racelab explore`: each requested scenario's strategies under the explorer, then
    /// the table and each first failure's timeline (or JSON); `--replay` runs one schedule.
    static func runExplore(_ request: ExploreRequest, _ output: OutputOptions, console: Console) -> Int32 {
        racelab_install_interrupt_handlers()
        if let schedule = request.replay { return replayExplore(schedule, request, output, console: console) }
        var explored: [ExploredStrategy] = []
        for model in request.scenarios.compactMap(ExploreCatalog.model(named:)) {
            for strategy in model.strategies(named: request.strategies) ?? [] {
                let activity = "\(model.scenario) \(strategy.name), \(request.threads)x\(request.operations)"
                racelab_set_activity("racelab explore: \(activity)")
                if console.errIsTerminal { console.err("\rracelab explore: \(activity)\u{1B}[K") }
                do {
                    let report = try strategy.run(
                        explorer(for: request), threads: request.threads, operations: request.operations)
                    explored.append(ExploredStrategy(scenario: model.scenario, model: strategy, report: report))
                } catch {
                    if console.errIsTerminal { console.err("\r\u{1B}[K") }
                    console.err(osErrorLine(error, workers: request.threads))
                    return ExitCode.osError
                }
            }
        }
        if console.errIsTerminal { console.err("\r\u{1B}[K") }
        console.out(
            output.isJSON
                ? ExploreOutput.json(explored, request: request, check: output.check)
                : ExploreOutput.text(explored, request: request))
        guard output.check, console.outFailure() == nil else { return ExitCode.ran }
        console.err(ExploreOutput.checkSummary(explored) + "\n")
        return explored.allSatisfy(\.isAsExpected) ? ExitCode.ran : ExitCode.checkFailed
    }

    static func explorer(for request: ExploreRequest) -> Explore {
        let strategy: Explore.Search
        switch request.explorer {
        case .exhaustive: strategy = .exhaustive(preemptionBound: request.preemptions)
        case .random:
            strategy = .random(schedules: request.scheduleCount, seed: request.seed)
        case .pct:
            strategy = .pct(schedules: request.scheduleCount, depth: request.depth, seed: request.seed)
        }
        return Explore(
            strategy, maxSteps: request.stepLimit, stopsAtFirstFailure: request.firstFailure,
            scheduleLimit: request.explorer == .exhaustive ? request.scheduleCount : nil,
            prunesEquivalentSchedules: request.pruning)
    }

    /// Exit 0 when the schedule was followed to its end (with --check: and ended as the
    /// strategy is expected to), 1 when the program no longer matches it.
    static func replayExplore(_ schedule: String, _ request: ExploreRequest, _ output: OutputOptions, console: Console)
        -> Int32
    {
        guard let model = ExploreCatalog.model(named: request.scenarios[0]),
            let strategy = model.strategies(named: request.strategies)?.first
        else { return ExitCode.usage }
        let replayed: ExploreSchedule
        do {
            replayed = try strategy.replay(
                Explore(.exhaustive(), maxSteps: request.stepLimit), schedule, threads: request.threads,
                operations: request.operations)
        } catch {
            console.err(osErrorLine(error, workers: request.threads))
            return ExitCode.osError
        }
        console.out(
            output.isJSON
                ? ExploreOutput.replayJSON(replayed, model.scenario, strategy, request: request)
                : ExploreOutput.replayText(replayed, model.scenario, strategy, request: request))
        guard console.outFailure() == nil else { return ExitCode.ran }
        if let mismatch = replayed.mismatch {
            // Most often the schedule came from another shape: its replay line gives it.
            console.err(
                "racelab explore: the replay did not match the program: \(mismatch) (a schedule replays with"
                    + " the --threads and --operations of the replay line that printed it; these were"
                    + " \(request.threads) and \(request.operations))\n")
            return ExitCode.checkFailed
        }
        if output.check, strategy.isExpectedSafe != (replayed.failure == nil) {
            console.err(
                "racelab explore --check: the replay of \(strategy.name) "
                    + (strategy.isExpectedSafe ? "failed, and it is a safe strategy\n" : "passed\n"))
            return ExitCode.checkFailed
        }
        return ExitCode.ran
    }
}
