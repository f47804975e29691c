import RaceLab
import RaceLabModel

/// The one-sentence verdicts under the table (and in the JSON): what happened and,
/// when the race did not show, what to do next.
enum VerdictText {
    /// The rule of three (`Verdict.failureBound`) in words, from 3 clean runs on.
    static func ruleOfThree(_ runs: Int) -> String? {
        Verdict.failureBound(cleanRuns: runs).map {
            "chance per run < \(Format.significant(100 * $0))% at 95% confidence"
        }
    }

    /// What to change when the workers never ran at once, for this request on this machine.
    static func overlapRemedy(_ request: Request, cpusAvailable: Int) -> String {
        let longer: String
        switch request.length {
        case .timed(let milliseconds):
            longer = "--duration \(min(RunLength.maxMilliseconds, max(1_000, milliseconds * 10)))"
        case .fixed(let iterations):
            // Fixed counts that are too short for a VM to wake both CPUs: a window is the cure.
            let tenfold = iterations.multipliedReportingOverflow(by: 10)
            longer =
                iterations < 1_000_000
                ? "drop --iterations for the default 100 ms window"
                : tenfold.overflow || tenfold.partialValue > 1_000_000_000
                    ? "more --iterations" : "--iterations \(tenfold.partialValue)"
        }
        if request.threads < 2 { return "run 2 or more workers (--threads 2)" }
        if cpusAvailable < 2 { return "give racelab 2 or more CPUs: only 1 is available to it" }
        switch request.backend {
        case .dispatch, .tasks:
            let pool = request.backend == .dispatch ? "Dispatch's" : "The cooperative pool's"
            return "\(pool) threads cannot be pinned and the scheduler ran them one after another;"
                + " use --backend pthread (pinned), or run longer (\(longer)) to outlast a scheduler time slice"
        case .pthread where !request.isPinned:
            return "drop --no-pin so each worker gets its own CPU, or run longer (\(longer))"
        case .pthread:
            return "other programs may be keeping these CPUs busy; run longer (\(longer)) or retry (--until-exposed)"
        }
    }

    /// Why a clean run is weak evidence, in the measured figures.
    static func weakEvidence(_ gap: EvidenceGap) -> String {
        switch gap {
        case .noOverlap(let overlap):
            return "weak evidence: the workers never ran at the same time, overlap \(Format.fixed(100 * overlap, 1))%"
        case .tookTurns(let parallelism):
            return "weak evidence: the workers took turns, \(Format.fixed(parallelism, 2)) on a CPU at once on average;"
                + " the CPUs were busy with other programs, or there are too few"
        }
    }

    /// What a strategy's timing means when its workers spent the window asleep in the
    /// kernel waiting for each other (a lock convoy); nil when they did not. Judged on
    /// the median run: at least two workers slept for every other operation or more.
    static func convoyNote(_ outcome: StrategyOutcome, _ summary: StrategySummary, scenario: ScenarioLabels) -> String?
    {
        guard let sleeping = summary.sleepingWorkers?.median, sleeping >= 2,
            let nsPerOp = summary.nsPerOp?.median, let inWindow = summary.workersInWindow?.median
        else { return nil }
        let busiest = summary.busiestWorkerShare.map {
            "; the busiest worker did \(Format.fixed(100 * $0.median, 1))% of all \(scenario.operationName)"
        }
        return "\(outcome.name): lock convoy — \(Int(sleeping)) of \(Int(inWindow)) workers went to sleep in the kernel"
            + " for at least every other one of their \(scenario.operationName)\(busiest ?? "")."
            + " \(Format.significant(nsPerOp)) ns/op is its true cost in this window; a convoy deepens as it"
            + " settles (--duration 2000 shows more of it)"
    }

    /// The verdict in a word or two, as the table's last column shows it. An exposure
    /// by a child process that died (a crash, a hang) is a data race, unless the
    /// scenario says what else it is.
    static func label(_ outcome: StrategyOutcome, _ scenario: ScenarioLabels) -> String {
        switch outcome.verdict {
        case .held: "held"
        case .heldWeak: "held (weak)"
        case .broken: "BROKEN"
        case .exposed: outcome.runs.contains(where: { !$0.didCount }) ? scenario.childDied : scenario.exposed
        case .notExposed: "not shown"
        case .couldNotShow: "COULD NOT SHOW"
        }
    }

    /// What a strategy's run said beyond its counts ("readers retried 1,234 reads"),
    /// from the first run that said anything.
    static func detailNote(_ outcome: StrategyOutcome) -> String? {
        guard let index = outcome.runs.firstIndex(where: { $0.detail != nil }),
            let detail = outcome.runs[index].detail
        else { return nil }
        let which = outcome.runs.count > 1 ? " (run \(index + 1) of \(outcome.runs.count))" : ""
        return "\(outcome.name)\(which): \(detail)"
    }

    /// The anomalies after the headline that a run did show: "duplicates: 2,109".
    static func otherAnomalies(_ run: Observation) -> [String] {
        run.anomalies.dropFirst().filter { $0.count > 0 }.map { "\($0.name): \(Format.grouped($0.count))" }
    }

    /// The sentence under the table. `paint` marks its verdict words (the table report
    /// colours them on a terminal).
    static func sentence(
        _ outcome: StrategyOutcome, _ summary: StrategySummary, scenario: ScenarioLabels, overlapRemedy: String,
        paint: (String) -> String = { $0 }
    ) -> String {
        let name = outcome.name
        let runs = summary.runs
        let expected = Format.grouped(summary.expected)
        let headline = scenario.headline
        let median = Int(summary.primaryAnomaly?.median ?? 0)
        let ofRuns = runs > 1 ? " in \(Format.grouped(summary.runsWithAnomaly)) of \(Format.grouped(runs)) runs" : ""
        let medianNote = runs > 1 ? " (median run)" : ""
        if let ended = outcome.runs.first(where: { !$0.didCount }), let end = ended.childEnd {
            let how = ChildEndText.describe(end, milliseconds: ended.childMilliseconds)
            if end == .unreadableReport {
                return
                    "\(name): \(paint("NO RESULT")) — the child process \(how): a racelab bug, please report it with the"
                    + " --json output"
            }
            let said = ended.childMessage.map { " (\($0))" } ?? ""
            let ofRunsEnded = runs > 1 ? " in \(summary.runsWithAnomaly) of \(runs) runs, first:" : ""
            return
                "\(name): \(paint(label(outcome, scenario))) — the child process\(ofRunsEnded) \(how)\(said); racelab carried on"
        }
        switch outcome.verdict {
        case .exposed:
            let first =
                outcome.firstAnomaly.flatMap { first in
                    runs > 1
                        ? "; first at run \(Format.grouped(first.run)), \(Format.duration(first.seconds)) after racelab started"
                        : nil
                } ?? ""
            // One real run's figures (the run whose share is the median), so that the
            // count, the total and the share in the sentence agree with each other.
            guard let median = outcome.medianRunIndex() else { return "\(name): \(paint(scenario.exposed))\(ofRuns)" }
            let middle = outcome.runs[median]
            let others = otherAnomalies(middle)
            if middle.primaryAnomalyCount == 0, !others.isEmpty {
                // The race showed as something else (consumers left waiting, not items lost).
                return
                    "\(name): \(paint(scenario.exposed))\(ofRuns) — \(others.joined(separator: ", "))\(medianNote);"
                    + " \(headline): 0\(first)"
            }
            let also = others.isEmpty ? "" : "; also " + others.joined(separator: ", ")
            return
                "\(name): \(paint(scenario.exposed))\(ofRuns) — \(headline): \(Format.grouped(middle.primaryAnomalyCount)) of"
                + " \(Format.grouped(middle.expected)) (\(Format.share(middle.primaryAnomalyShare ?? 0)))\(also)"
                + "\(medianNote)\(first)"
        case .held, .heldWeak:
            let observed = Format.grouped(Int(summary.observed?.median ?? 0))
            let every = runs > 1 ? " in \(Format.grouped(runs)) of \(Format.grouped(runs)) runs" : ""
            let weak = outcome.evidenceGap.map { " (\(weakEvidence($0)))" } ?? ""
            let bound = ruleOfThree(runs).map { "; failure \($0)" } ?? ""
            return
                "\(name): \(paint("integrity held"))\(every)\(weak) — \(scenario.observedLabel) \(observed) of \(expected)\(bound)"
        case .broken:
            let worst = outcome.runs.max {
                $0.anomalies.map(\.count).reduce(0, +) < $1.anomalies.map(\.count).reduce(0, +)
            }
            let others = worst.map(otherAnomalies) ?? []
            let shown =
                median == 0 && !others.isEmpty
                ? others.joined(separator: ", ") + (runs > 1 ? " (worst run)" : "")
                : "\(headline): \(Format.grouped(median)) of \(expected)\(medianNote)"
            return
                "\(name): \(paint("BROKEN"))\(ofRuns) — \(shown)."
                + " A safe strategy must never lose: please report this with the --json output"
        case .couldNotShow:
            let why = outcome.evidenceGap.map(weakEvidence) ?? "its workers never ran at the same time"
            return
                "\(name): \(paint("COULD NOT SHOW")) the race — \(why), so this says nothing about its safety; \(overlapRemedy)"
        case .notExposed:
            let bound = ruleOfThree(runs).map { " (\($0))" } ?? ""
            return
                "\(name): \(paint("race not shown")) this time — no \(headline) in \(runs == 1 ? "this run" : "\(runs) runs")\(bound)."
                + (outcome.note.map { " " + $0 }
                    ?? " To make it show: more workers (--threads), a longer window (--duration), or a wider gap (--work 50)")
        }
    }
}

/// How a child process ended, in words: "crashed: SIGSEGV after 3 ms".
package enum ChildEndText {
    package static func describe(_ end: ChildEnd, milliseconds: Double?) -> String {
        let after = milliseconds.map { " after \(Format.significant($0)) ms" } ?? ""
        switch end {
        case .finished: return "finished\(after)"
        case .exited(let code): return "exited \(code)\(after)"
        case .crashed(let signal): return "crashed: \(signalName(signal))\(after)"
        case .hung(let timeout): return "hung: killed after \(Format.significant(timeout)) s"
        case .unreadableReport: return "exited 0 with a report racelab could not read\(after)"
        }
    }

    package static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
            7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
