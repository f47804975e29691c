import CRaceLabShims
import RaceLab
import RaceLabCommandLine
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

extension CLI {
    /// `racelab litmus`: every requested test under every requested ordering, then the
    /// tables (or JSON); with `--check`, exit 1 if a forbidden outcome showed.
    static func runLitmus(_ request: LitmusRequest, _ output: OutputOptions, console: Console) -> Int32 {
        racelab_install_interrupt_handlers()
        let cpus = CPUSet.current()
        let runner = LitmusRunner(cpus: cpus, isPinned: request.isPinned)
        var tests: [LitmusTestResult] = []
        for test in request.tests.compactMap(LitmusCatalog.test(named:)) {
            var runs: [LitmusRun] = []
            for ordering in request.orderings {
                let activity = "\(test.name) \(ordering.rawValue), \(Format.grouped(request.iterations)) iterations"
                racelab_set_activity("racelab litmus: \(activity)")
                if console.errIsTerminal { console.err("\rracelab litmus: \(activity)\u{1B}[K") }
                do {
                    let counts = try runner.run(test, ordering: ordering, iterations: request.iterations)
                    runs.append(
                        LitmusJudge.judge(test, ordering: ordering, counts: counts, iterations: request.iterations))
                } catch {
                    if console.errIsTerminal { console.err("\r\u{1B}[K") }
                    console.err(osErrorLine(error, workers: test.threads))
                    return ExitCode.osError
                }
            }
            tests.append(LitmusJudge.result(test, runs: runs))
        }
        if console.errIsTerminal { console.err("\r\u{1B}[K") }
        let result = LitmusResult(
            machine: MachineInfo.current(cpus: cpus), memoryModel: LitmusArchitecture.current.memoryModel,
            synchronisation: runner.synchronisation, tests: tests)
        console.out(
            output.isJSON
                ? LitmusJSON(result, request: request, check: output.check, generatedAt: Timestamp.nowUTC()).encoded()
                : LitmusReport.render(result, request: request))
        guard output.check, console.outFailure() == nil else { return ExitCode.ran }
        console.err(LitmusReport.checkSummary(result) + "\n")
        return result.forbiddenObserved.isEmpty ? ExitCode.ran : ExitCode.checkFailed
    }
}
