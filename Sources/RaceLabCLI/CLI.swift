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

/// argv -> command -> run -> print -> exit code. `main.swift` only calls this.
package enum CLI {
    package static func run(
        _ arguments: [String], console: Console = .standard, pool: WorkerPool? = nil
    ) -> Int32 {
        if let failure = console.outFailure() {
            console.err("Error: \(failure): racelab has nowhere to write its report.\n")
            return ExitCode.ioError
        }
        let code = dispatch(arguments, console: console, pool: pool)
        if let failure = console.outFailure() {
            console.err("Error: cannot write the report to standard output: \(failure). The results are lost.\n")
            return ExitCode.ioError
        }
        return code
    }

    static func dispatch(_ arguments: [String], console: Console, pool: WorkerPool?) -> Int32 {
        let command: Command
        do {
            command = try Arguments.parse(arguments)
        } catch {
            console.err(error.rendered)
            return ExitCode.usage
        }
        switch command {
        case .help(nil):
            console.out(Help.overview)
        case .help(let topic?):
            console.out(Help.text(for: topic) ?? Help.overview)
        case .version:
            console.out("racelab \(RaceLabVersion.current)\n")
        case .list(let isJSON):
            console.out(isJSON ? CatalogListing.json() : Help.list)
        case .completions(let shell):
            console.out(Completions.script(for: shell) ?? "")
        case .explain(let name):
            if name == "litmus" { console.out(LitmusReport.explainIndex(LitmusExplanations.index)) }
            if let explanation = LitmusExplanations.explanation(for: name) {
                console.out(LitmusReport.explain(explanation))
            }
            if let scenario = Catalog.scenario(named: name) {
                console.out(
                    ExplainText.scenario(name: scenario.name, summary: scenario.summary, story: scenario.explanation))
                if ExploreCatalog.model(named: scenario.name) != nil {
                    console.out(
                        "\nSEE THE INTERLEAVING:\n  racelab explore \(scenario.name)    every schedule of 2 workers running these"
                            + " strategies' own code:\n  the one that fails, step by step, and the command that replays"
                            + " it on any machine.\n")
                }
            }
        case .run(let request, let output):
            return runScenario(request, output, console: console, pool: pool)
        case .sweep(let request, let output, let outputs):
            return runSweep(request, output, outputs, console: console)
        case .child(let request):
            return ChildRunner.runAsChild(request, console: console)
        case .litmus(let request, let output):
            return runLitmus(request, output, console: console)
        case .explore(let request, let output):
            return runExplore(request, output, console: console)
        }
        return ExitCode.ran
    }

    /// Test hook: `RACELAB_THREAD_LIMIT=N` makes every pool behave as if the system
    /// refused threads beyond N, so exit 71 can be tested through the real binary.
    static var injectedThreadLimit: Int? {
        ProcessInfo.processInfo.environment["RACELAB_THREAD_LIMIT"].flatMap { Int($0) }
    }

    /// The one line for a run that could not start its workers (exit 71).
    static func osErrorLine(_ error: any Error, workers: Int) -> String {
        switch error as? RaceLabError {
        case .threadCreationFailed(let worker, let code)?:
            return "Error: could not create worker thread \(worker + 1) of \(workers):"
                + " pthread_create failed with \(String(cString: strerror(code))) (\(code)).\n"
        case .timerCreationFailed(let code)?:
            return "Error: could not create the thread that closes the measurement window:"
                + " pthread_create failed with \(String(cString: strerror(code))) (\(code)).\n"
        case .invalidArgument?, nil:
            return "Error: \(error)\n"
        }
    }

    static func runSweep(
        _ request: SweepRequest, _ output: OutputOptions, _ outputs: SweepOutputs, console: Console
    ) -> Int32 {
        guard let scenario = Catalog.scenario(named: request.base.scenario) else { return ExitCode.usage }
        var baseline: SweepJSON?
        if let path = outputs.baselinePath {
            do {
                baseline = try Baseline.load(
                    path, for: request, scenario: scenario, gated: outputs.maxRegression != nil)
            } catch {
                console.err(error.rendered)
                return ExitCode.usage
            }
        }
        if let directory = outputs.directory, case .failure(let failure) = FileIO.makeDirectory(directory) {
            // Checked before the sweep, so an unwritable --out costs nothing.
            console.err(
                UsageError(
                    "Invalid value '\(directory)' for '--out <dir>': cannot create or write it (\(failure.reason));"
                        + " expected a directory racelab may write sweep.json, sweep.csv and sweep.svg into.",
                    subcommand: SweepArguments.subcommand
                ).rendered)
            return ExitCode.usage
        }
        racelab_install_interrupt_handlers()
        let result: SweepResult
        do {
            let sweeper = Sweeper(threadLimit: injectedThreadLimit, childRunner: ChildRunner.launcher())
            result = try sweeper.run(request, scenario: scenario) {
                step, of, left in
                racelab_set_activity("racelab sweep \(scenario.name): configuration \(step) of \(of)")
                let eta = step < of ? left.map { ", about \(Format.duration($0)) left" } ?? "" : ""
                console.err(
                    console.errIsTerminal
                        ? "\rracelab sweep: \(step) of \(of) configurations\(eta)\u{1B}[K"
                        : (step == of || step % 10 == 0 ? "racelab sweep: \(step) of \(of) configurations\(eta)\n" : "")
                )
            }
            if console.errIsTerminal { console.err("\r\u{1B}[K") }
        } catch let error as LabError {
            console.err(UsageError("\(error).", subcommand: SweepArguments.subcommand).rendered)
            return ExitCode.usage
        } catch {
            console.err(osErrorLine(error, workers: request.threadCounts.last ?? 1))
            return ExitCode.osError
        }
        // The document (every cell summarised) is built only for --json and --out.
        let document =
            output.isJSON || outputs.directory != nil ? SweepJSON(result, generatedAt: Timestamp.nowUTC()) : nil
        if output.isJSON, let document {
            console.out(document.encoded())
        } else {
            console.out(SweepReport.render(result))
        }
        var code = ExitCode.ran
        if let baseline {
            let comparison = SweepComparison(
                current: result, baseline: baseline, baselinePath: outputs.baselinePath ?? "baseline")
            // With --json, stdout is the document alone; the comparison is for the person.
            let text = "\n" + comparison.render(maxRegression: outputs.maxRegression)
            if output.isJSON { console.err(text) } else { console.out(text) }
            if let limit = outputs.maxRegression, comparison.gateFails(limit: limit) {
                code = ExitCode.checkFailed
            }
        }
        if let directory = outputs.directory, let document {
            let files = [
                ("sweep.json", document.encoded()),
                ("sweep.csv", SweepCSV.render(result)),
                ("sweep.svg", SweepSVG.render(result, generatedAt: document.generatedAt)),
            ]
            var written: [String] = []
            for (name, text) in files {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                if case .failure(let failure) = FileIO.write(text, to: path) {
                    let before = written.isEmpty ? "" : " (written before it: \(written.joined(separator: ", ")))"
                    console.err("Error: cannot write '\(path)' for '--out \(directory)': \(failure.reason)\(before).\n")
                    return ExitCode.cannotCreate
                }
                written.append(path)
            }
            console.err("racelab sweep: wrote \(written.joined(separator: ", "))\n")
        }
        if output.check, result.cells.contains(where: { $0.isExpectedSafe && $0.runs.contains(where: \.hasAnomaly) }) {
            code = ExitCode.checkFailed
        }
        return code
    }

    static func runScenario(
        _ request: Request, _ output: OutputOptions, console: Console, pool: WorkerPool?
    ) -> Int32 {
        guard let scenario = Catalog.scenario(named: request.scenario) else { return ExitCode.usage }
        var pool = pool ?? WorkerPool(backend: request.backend, isPinned: request.isPinningEffective)
        pool.threadLimit = pool.threadLimit ?? injectedThreadLimit
        racelab_install_interrupt_handlers()
        let lab = Lab(pool: pool, childRunner: ChildRunner.launcher())
        let result: LabResult
        do {
            let showsProgress = console.errIsTerminal && request.runs > 1
            result = try lab.run(request, scenario: scenario) { line in
                racelab_set_activity("racelab \(request.scenario): \(line)")
                if showsProgress { console.err("\rracelab: \(line)\u{1B}[K") }
            }
            if showsProgress { console.err("\r\u{1B}[K") }
        } catch let error as LabError {
            console.err(UsageError("\(error).", subcommand: request.scenario).rendered)
            return ExitCode.usage
        } catch {
            console.err(osErrorLine(error, workers: request.threads))
            return ExitCode.osError
        }
        let check = output.check ? CheckResult(result, expectRace: output.expectRace) : nil
        let generatedAt = Timestamp.nowUTC()
        console.out(
            output.isJSON
                ? JSONReport(result, check: check, generatedAt: generatedAt).encoded()
                : TableReport.render(
                    result,
                    style: TerminalStyle(
                        isColored: output.color.isColored(
                            stdoutIsTerminal: console.outIsTerminal,
                            environment: ProcessInfo.processInfo.environment))))
        for warning in Warnings.for(result) { console.err("warning: \(warning)\n") }
        if let path = output.junitPath {
            let xml = JUnitReport.render(
                result, expectRace: output.expectRace, generatedAt: generatedAt)
            if case .failure(let failure) = FileIO.write(xml, to: path) {
                console.err("Error: cannot write '\(path)' for '--junit \(path)': \(failure.reason).\n")
                return ExitCode.cannotCreate
            }
        }
        // A report that did not reach stdout is exit 74, said once by `run`: no result line then.
        guard let check, console.outFailure() == nil else { return ExitCode.ran }
        // The last line, for passing and failing runs alike: what a CI log shows at its end.
        console.err(check.summary + "\n")
        return check.passed ? ExitCode.ran : ExitCode.checkFailed
    }
}
