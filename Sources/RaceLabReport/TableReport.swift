import RaceLab
import RaceLabModel

/// The report for people: a header that says what ran where, a table with one row
/// per strategy (medians when there were several runs), a spread table for
/// repeated runs, one verdict sentence per strategy, and a legend.
package enum TableReport {
    package static func render(_ result: LabResult, style: TerminalStyle = .plain) -> String {
        let scenario = result.scenario
        let summaries = result.strategies.map(StrategySummary.init)
        var sections = [header(result, scenario: scenario, summaries: summaries)]
        var table = mainTable(result, scenario: scenario, summaries: summaries)
        if style.isColored {
            let verdictColumn = table.columns.count - 1
            table.decorate = { row, column, cell in
                column == verdictColumn ? style.paint(cell, as: result.strategies[row].verdict) : cell
            }
        }
        sections.append(table.render())
        if result.strategies.contains(where: { $0.runs.count > 1 }) {
            sections.append(
                "Spread over the runs (min / median / max):\n"
                    + spreadTable(result, scenario: scenario, summaries: summaries).render())
        }
        let remedy = VerdictText.overlapRemedy(result.request, cpusAvailable: result.machine.cpusAvailable)
        sections.append(
            zip(result.strategies, summaries)
                .map { outcome, summary in
                    VerdictText.sentence(outcome, summary, scenario: scenario, overlapRemedy: remedy) {
                        style.paint($0, as: outcome.verdict)
                    }
                }
                .joined(separator: "\n"))
        let notes = zip(result.strategies, summaries).flatMap { outcome, summary in
            [VerdictText.detailNote(outcome), VerdictText.convoyNote(outcome, summary, scenario: scenario)]
                .compactMap { $0 }
        }
        if !notes.isEmpty { sections.append(notes.joined(separator: "\n")) }
        for outcome in result.strategies {
            // The median run, the one the verdict sentence quotes.
            guard let index = outcome.medianRunIndex(where: { $0.witness != nil }) else { continue }
            let run = outcome.runs[index]
            sections.append(
                WitnessText.render(
                    outcome.name, run.witness!, workers: run.timing?.workers.count ?? result.request.threads,
                    run: outcome.runs.count > 1 ? (index + 1, outcome.runs.count) : nil))
        }
        sections.append(legend(result, scenario: scenario))
        return sections.joined(separator: "\n\n") + "\n"
    }

    static func header(_ result: LabResult, scenario: ScenarioLabels, summaries: [StrategySummary]) -> String {
        let request = result.request
        let machine = result.machine
        let placement: String
        switch (request.backend, request.isPinned) {
        case (.pthread, true): placement = "pthread, pinned: worker i on allowed CPU (i mod \(machine.cpusAvailable))"
        case (.pthread, false): placement = "pthread, not pinned (--no-pin): the scheduler places workers"
        case (.dispatch, _): placement = "dispatch (concurrentPerform; its threads are not pinned)"
        case (.tasks, _):
            placement = "tasks (child tasks of a task group on Swift's cooperative pool; its threads are not pinned)"
        }
        let cpuList = machine.cpuIDs.map(String.init).joined(separator: ",")
        let warmup =
            request.warmupMilliseconds > 0
            ? "  warm-up     \(Format.grouped(request.warmupMilliseconds)) ms per strategy before its first run, not measured"
            : "  warm-up     none (--warmup 0)"
        let lines =
            [
                "racelab \(RaceLabVersion.current) — \(scenario.name): \(scenario.summary)",
                workersLine(result, summaries: summaries),
                "  backend     \(placement)",
                "  CPUs        \(machine.cpusAvailable) available to this process (\(cpuList)) of \(machine.cpusOnline) online",
                "  length      "
                    + RunLengthText.header(
                        request.length, operationName: scenario.operationName, threads: request.threads),
                warmup,
                runsLine(result),
            ] + scenario.settingLines
        return lines.joined(separator: "\n")
    }

    /// How many workers were asked for and how many really ran inside the window.
    static func workersLine(_ result: LabResult, summaries: [StrategySummary]) -> String {
        let request = result.request
        let inWindow = summaries.compactMap(\.workersInWindow)
        let low = Int(inWindow.map(\.min).min() ?? 0)
        let high = Int(inWindow.map(\.max).max() ?? 0)
        guard !inWindow.isEmpty else { return "  workers     \(request.threads)" }
        var text = "  workers     \(request.threads) requested, "
        text += low == high ? "\(high)" : "\(low) to \(high)"
        text += " ran inside the window"
        if request.backend != .pthread, high < request.threads {
            let pool = request.backend == .dispatch ? "Dispatch" : "Swift's cooperative pool"
            text += " (\(pool) runs about one worker per CPU at a time; the rest found the window closed)"
        } else if request.threads > result.machine.cpusAvailable, request.isPinningEffective {
            let share = (request.threads + result.machine.cpusAvailable - 1) / result.machine.cpusAvailable
            text += " (up to \(share) take turns on each CPU)"
        }
        return text
    }

    static func runsLine(_ result: LabResult) -> String {
        let request = result.request
        guard let budget = request.untilExposedBudgetSeconds else {
            return "  runs        \(request.runs)"
                + (request.runs > 1 ? " per strategy, interleaved; table shows medians" : "")
        }
        let counts = result.strategies.map { "\($0.name) \($0.runs.count)" }.joined(separator: ", ")
        return "  runs        until each unsafe strategy's first anomaly, the rest for the budget"
            + " (\(Format.significant(budget)) s): \(counts)"
    }

    static func mainTable(_ result: LabResult, scenario: ScenarioLabels, summaries: [StrategySummary]) -> TextTable {
        var columns: [TextTable.Column] = [
            .init(title: "strategy", isNumeric: false), .init(title: "safe", isNumeric: false),
            .init(title: scenario.expectedLabel, isNumeric: true),
            .init(title: scenario.observedLabel, isNumeric: true),
        ]
        for (i, kind) in scenario.anomalies.enumerated() {
            columns.append(.init(title: kind.name, isNumeric: true))
            if i == 0 { columns.append(.init(title: "%", isNumeric: true)) }
        }
        columns += [
            .init(title: "parallel", isNumeric: true), .init(title: "skew µs", isNumeric: true),
            .init(title: "window ms", isNumeric: true), .init(title: "ns/op", isNumeric: true),
            .init(title: "Mops/s", isNumeric: true), .init(title: "verdict", isNumeric: false),
        ]
        var table = TextTable(columns)
        for (outcome, summary) in zip(result.strategies, summaries) {
            // A child that died counted nothing, so nothing was expected of it either.
            var row = [
                outcome.name, outcome.isExpectedSafe ? "yes" : "no",
                outcome.runs.contains(where: \.didCount) ? Format.grouped(summary.expected) : "-",
            ]
            if let ended = outcome.runs.last, let end = ended.childEnd, end != .finished {
                row.append(ChildEndText.describe(end, milliseconds: ended.childMilliseconds))
                for i in scenario.anomalies.indices { row += i == 0 ? ["-", "-"] : ["-"] }
            } else {
                row.append(medianInt(summary.observed))
                // Each declared column gets the observation's count of that id, never
                // whatever happens to stand at the same position.
                for (i, kind) in scenario.anomalies.enumerated() {
                    row.append(summary.anomalies.first { $0.id == kind.id }.map { medianInt($0.spread) } ?? "-")
                    if i == 0 {
                        row.append(summary.primaryAnomalyShare.map { Format.share($0.median) } ?? "-")
                    }
                }
            }
            row.append(summary.cpuParallelism.map { Format.fixed($0.median, 2) } ?? "-")
            row.append(summary.maxStartSkewNanoseconds.map { Format.significant($0.median / 1e3) } ?? "-")
            row.append(summary.windowNanoseconds.map { Format.significant($0.median / 1e6) } ?? "-")
            row.append(summary.nsPerOp.map { Format.significant($0.median) } ?? "-")
            row.append(summary.opsPerSecond.map { Format.significant($0.median / 1e6) } ?? "-")
            row.append(VerdictText.label(outcome, scenario))
            table.append(row)
        }
        return table
    }

    static func spreadTable(_ result: LabResult, scenario: ScenarioLabels, summaries: [StrategySummary]) -> TextTable {
        var table = TextTable([
            .init(title: "strategy", isNumeric: false),
            .init(title: "runs with \(scenario.anomalies.first?.name ?? "anomaly")", isNumeric: true),
            .init(title: scenario.headline, isNumeric: true),
            .init(title: "window ms", isNumeric: true), .init(title: "ns/op", isNumeric: true),
        ])
        for (outcome, summary) in zip(result.strategies, summaries) {
            table.append([
                outcome.name, "\(summary.runsWithAnomaly) of \(summary.runs)",
                triple(summary.primaryAnomaly) { Format.grouped(Int($0)) },
                triple(summary.windowNanoseconds) { Format.significant($0 / 1e6) },
                triple(summary.nsPerOp) { Format.significant($0) },
            ])
        }
        return table
    }

    static func legend(_ result: LabResult, scenario: ScenarioLabels) -> String {
        let anomalies = scenario.anomalies.map(\.name).joined(separator: ", ")
        let counts =
            scenario.countsLegend.map { $0 + "." }
            ?? "what a correct run ends with (the sum of what the workers did) / what it really ended with."
        return """
            \(scenario.expectedLabel) / \(scenario.observedLabel): \(counts)
            \(anomalies): what went wrong; 'racelab explain \(scenario.name)' shows how it happens.
            All workers start together at a shared start time; every figure is measured from it (medians over runs).
            parallel:  workers on a CPU at once, on average: their CPU time / the window (2.00 on 2 CPUs: truly parallel).
            skew µs:   how late the last worker began after the shared start (with more workers than CPUs,
                       that includes waiting for a turn on a CPU); not charged to ns/op.
            window ms: from the shared start to the last worker's stop.
            ns/op:     each worker's time from its own start to its stop, summed, / all operations:
                       what one operation costs one worker (window x workers / operations when none starts late).
            Mops/s:    million operations per second, all workers together, over the window.
            """
    }

    private static func medianInt(_ spread: Spread?) -> String {
        spread.map { Format.grouped(Int($0.median)) } ?? "-"
    }

    private static func triple(_ spread: Spread?, _ format: (Double) -> String) -> String {
        guard let spread else { return "-" }
        return "\(format(spread.min)) / \(format(spread.median)) / \(format(spread.max))"
    }
}
