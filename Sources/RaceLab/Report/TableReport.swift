/// The report for people: a header that says what ran where, a table with one row
/// per strategy (medians when there were several runs), a spread table for
/// repeated runs, one verdict sentence per strategy, and a legend.
public enum TableReport {
    public static func render(_ result: LabResult, scenario: Scenario) -> String {
        let summaries = result.strategies.map(StrategySummary.init)
        var sections = [header(result, scenario: scenario, summaries: summaries)]
        sections.append(mainTable(result, scenario: scenario, summaries: summaries).render())
        if result.strategies.contains(where: { $0.runs.count > 1 }) {
            sections.append(
                "Spread over the runs (min / median / max):\n"
                    + spreadTable(result, scenario: scenario, summaries: summaries).render())
        }
        let remedy = VerdictText.overlapRemedy(result.request, cpusAvailable: result.machine.cpusAvailable)
        sections.append(
            zip(result.strategies, summaries)
                .map { VerdictText.sentence($0, $1, scenario: scenario, overlapRemedy: remedy) }
                .joined(separator: "\n"))
        sections.append(legend(result))
        return sections.joined(separator: "\n\n") + "\n"
    }

    static func header(_ result: LabResult, scenario: Scenario, summaries: [StrategySummary]) -> String {
        let request = result.request
        let machine = result.machine
        let peaks = summaries.compactMap(\.peakConcurrentWorkers)
        let low = Int(peaks.map(\.min).min() ?? 0)
        let high = Int(peaks.map(\.max).max() ?? 0)
        var peakText = low == high ? "\(high)" : "\(low) to \(high)"
        if request.backend == .dispatch, high < request.threads {
            peakText += " (Dispatch runs about one worker per CPU at a time)"
        }
        let placement: String
        switch (request.backend, request.isPinned) {
        case (.pthread, true): placement = "pthread, pinned: worker i on allowed CPU (i mod \(machine.cpusAvailable))"
        case (.pthread, false): placement = "pthread, not pinned (--no-pin): the scheduler places workers"
        case (.dispatch, _): placement = "dispatch (concurrentPerform; its threads are not pinned)"
        }
        let cpuList = machine.cpuIDs.map(String.init).joined(separator: ",")
        let total = request.threads * request.iterations
        let lines =
            [
                "racelab \(RaceLabVersion.current) — \(scenario.name): \(scenario.summary)",
                "  workers     \(request.threads) requested, peak \(peakText) running at once",
                "  backend     \(placement)",
                "  CPUs        \(machine.cpusAvailable) available to this process (\(cpuList)) of \(machine.cpusOnline) online",
                "  iterations  \(Format.grouped(request.iterations)) \(scenario.iterationsMeaning)"
                    + " (\(Format.grouped(total)) in all)",
                runsLine(result),
            ] + scenario.headerLines(request)
        return lines.joined(separator: "\n")
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

    static func mainTable(_ result: LabResult, scenario: Scenario, summaries: [StrategySummary]) -> TextTable {
        var columns: [TextTable.Column] = [
            .init(title: "strategy", isNumeric: false), .init(title: "safe", isNumeric: false),
            .init(title: scenario.expectedLabel, isNumeric: true),
            .init(title: scenario.observedLabel, isNumeric: true),
        ]
        for (i, name) in scenario.anomalyNames.enumerated() {
            columns.append(.init(title: name, isNumeric: true))
            if i == 0 { columns.append(.init(title: "%", isNumeric: true)) }
        }
        columns += [
            .init(title: "overlap", isNumeric: true),
            .init(title: "wall ms", isNumeric: true), .init(title: "ns/op", isNumeric: true),
            .init(title: "Mops/s", isNumeric: true), .init(title: "verdict", isNumeric: false),
        ]
        var table = TextTable(columns)
        for (outcome, summary) in zip(result.strategies, summaries) {
            var row = [outcome.name, outcome.isExpectedSafe ? "yes" : "no", Format.grouped(summary.expected)]
            if let ended = outcome.runs.last, let end = ended.childEnd, end != .finished {
                row.append(ChildEndText.describe(end, milliseconds: ended.childMilliseconds))
                for i in scenario.anomalyNames.indices { row += i == 0 ? ["-", "-"] : ["-"] }
            } else {
                row.append(medianInt(summary.observed))
                for (i, anomaly) in summary.anomalies.enumerated() {
                    row.append(medianInt(anomaly.spread))
                    if i == 0 { row.append(Format.percent(Int(anomaly.spread.median), of: summary.expected)) }
                }
            }
            row.append(summary.overlapFraction.map { Format.fixed(100 * $0.median, 0) + "%" } ?? "-")
            row.append(summary.wallNanoseconds.map { Format.significant($0.median / 1e6) } ?? "-")
            row.append(summary.nsPerOp.map { Format.significant($0.median) } ?? "-")
            row.append(summary.opsPerSecond.map { Format.significant($0.median / 1e6) } ?? "-")
            row.append(label(outcome.verdict, weak: VerdictText.lacksOverlap(summary)))
            table.append(row)
        }
        return table
    }

    static func spreadTable(_ result: LabResult, scenario: Scenario, summaries: [StrategySummary]) -> TextTable {
        var table = TextTable([
            .init(title: "strategy", isNumeric: false),
            .init(title: "runs with \(scenario.anomalyNames.first ?? "anomaly")", isNumeric: true),
            .init(title: scenario.anomalyNames.first ?? "anomalies", isNumeric: true),
            .init(title: "wall ms", isNumeric: true), .init(title: "ns/op", isNumeric: true),
        ])
        for (outcome, summary) in zip(result.strategies, summaries) {
            table.append([
                outcome.name, "\(summary.runsWithAnomaly) of \(summary.runs)",
                triple(summary.primaryAnomaly) { Format.grouped(Int($0)) },
                triple(summary.wallNanoseconds) { Format.significant($0 / 1e6) },
                triple(summary.nsPerOp) { Format.significant($0) },
            ])
        }
        return table
    }

    static func legend(_ result: LabResult) -> String {
        """
        overlap: share of the wall time during which 2 or more workers ran at once (medians).
        wall ms: from the start gate's release to the last worker's finish.
        ns/op:   wall time x workers / operations: what one operation costs one worker.
        Mops/s:  million operations per second, all workers together.
        """
    }

    static func label(_ verdict: Verdict, weak: Bool) -> String {
        switch verdict {
        case .held: weak ? "held (weak)" : "held"
        case .broken: "BROKEN"
        case .exposed: "RACE EXPOSED"
        case .notExposed: weak ? "COULD NOT SHOW" : "not shown"
        }
    }

    private static func medianInt(_ spread: Spread?) -> String {
        spread.map { Format.grouped(Int($0.median)) } ?? "-"
    }

    private static func triple(_ spread: Spread?, _ format: (Double) -> String) -> String {
        guard let spread else { return "-" }
        return "\(format(spread.min)) / \(format(spread.median)) / \(format(spread.max))"
    }
}
