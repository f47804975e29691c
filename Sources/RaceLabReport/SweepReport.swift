import RaceLab
import RaceLabModel

/// The sweep for people: median ns/op per strategy and worker count, the lost %
/// of unsafe strategies, the price of safety, and a terminal chart.
package enum SweepReport {
    package static func render(_ result: SweepResult) -> String {
        let scenario = result.scenario
        let request = result.request
        let counts = request.threadCounts
        let rows = rowKeys(result)
        var sections: [String] = []
        let cpus = result.machine.cpuIDs.map(String.init).joined(separator: ",")
        sections.append(
            [
                "racelab \(RaceLabVersion.current) — sweep \(scenario.name): \(scenario.summary)",
                "  workers     \(counts.map(String.init).joined(separator: ", "))",
                "  backends    \(request.backends.map(\.rawValue).joined(separator: ", "))"
                    + (request.base.isPinned ? " (pthread workers pinned)" : " (not pinned)"),
                "  CPUs        \(result.machine.cpusAvailable) available (\(cpus)) of \(result.machine.cpusOnline) online",
                "  length      "
                    + RunLengthText.header(
                        request.base.length, operationName: scenario.operationName, threads: counts.last ?? 1),
                "  runs        \(request.base.runs) per configuration, round-robin; every figure is a median",
            ].joined(separator: "\n"))

        var table = TextTable(
            [.init(title: "median ns/op", isNumeric: false), .init(title: "backend", isNumeric: false)]
                + counts.map { .init(title: "\($0) w", isNumeric: true) })
        for (strategy, backend) in rows {
            let cells = counts.map { cell(result, strategy, backend, $0) }
            table.append(
                [strategy, backend.rawValue] + cells.map { $0.flatMap(nsPerOp).map(Format.significant) ?? "-" })
            if cells.contains(where: { $0?.isExpectedSafe == false }) {
                table.append(
                    ["  \(scenario.headline) %", backend.rawValue]
                        + cells.map { $0.flatMap(anomalyPercent) ?? "-" })
            }
        }
        sections.append(table.render())
        sections.append(priceOfSafety(result, rows: rows))
        sections.append(chart(result, rows: rows))
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// Strategy and backend of every row, in scenario order.
    static func rowKeys(_ result: SweepResult) -> [(String, Backend)] {
        var keys: [(String, Backend)] = []
        for cell in result.cells where !keys.contains(where: { $0.0 == cell.strategy && $0.1 == cell.backend }) {
            keys.append((cell.strategy, cell.backend))
        }
        return keys
    }

    static func cell(_ result: SweepResult, _ strategy: String, _ backend: Backend, _ threads: Int) -> SweepCell? {
        result.cells.first { $0.strategy == strategy && $0.backend == backend && $0.threads == threads }
    }

    /// Median ns/op, from the same summary a single run's table uses.
    static func nsPerOp(_ cell: SweepCell) -> Double? { cell.summary.nsPerOp?.median }

    /// The headline anomaly's median as a share of the expected total, as the run table
    /// shows it; for a child-process strategy whose child died, how many runs it died in.
    static func anomalyPercent(_ cell: SweepCell) -> String? {
        if let died = childDeaths(cell) { return "\(died.how) \(died.count)/\(cell.runs.count)" }
        return cell.summary.primaryAnomalyShare.map { Format.share($0.median) }
    }

    /// Runs whose child process crashed, hung or exited without reporting, and the
    /// word for the first of them ("crashed", "hung", "died"); nil if there were none.
    static func childDeaths(_ cell: SweepCell) -> (count: Int, how: String, first: ChildEnd)? {
        let ends = cell.runs.compactMap(\.childEnd).filter { $0 != .finished }
        guard let first = ends.first else { return nil }
        let how: String
        switch first {
        case .crashed: how = "crashed"
        case .hung: how = "hung"
        case .exited, .unreadableReport, .finished: how = "died"
        }
        return (ends.count, how, first)
    }

    /// Each safe strategy's cost as a multiple of the unsafe one and of the cheapest
    /// safe one, per worker count; then the cheapest correct fix at the top count.
    static func priceOfSafety(_ result: SweepResult, rows: [(String, Backend)]) -> String {
        guard result.cells.contains(where: \.isExpectedSafe) else {
            return "Price of safety: no safe strategy in this sweep (add one with --strategy)."
        }
        let counts = result.request.threadCounts
        var table = TextTable(
            [.init(title: "price of safety", isNumeric: false), .init(title: "backend", isNumeric: false)]
                + counts.map { .init(title: "\($0) w", isNumeric: true) })
        var lines: [String] = []
        for backend in result.request.backends {
            func safeCosts(_ threads: Int) -> [(String, Double)] {
                rows.filter { $0.1 == backend }.compactMap { strategy, _ in
                    guard let c = cell(result, strategy, backend, threads), c.isExpectedSafe,
                        !c.runs.contains(where: \.hasAnomaly), let cost = nsPerOp(c)
                    else { return nil }
                    return (strategy, cost)
                }
            }
            func unsafeCost(_ threads: Int) -> Double? {
                result.cells.first { $0.backend == backend && $0.threads == threads && !$0.isExpectedSafe }
                    .flatMap(nsPerOp)
            }
            // Each worker count's safe costs, worked out once for all rows.
            let costs = counts.map(safeCosts)
            for (strategy, rowBackend) in rows where rowBackend == backend {
                guard result.cells.contains(where: { $0.strategy == strategy && $0.isExpectedSafe }) else { continue }
                table.append(
                    [strategy, backend.rawValue]
                        + zip(counts, costs).map { threads, safe in
                            guard let own = safe.first(where: { $0.0 == strategy })?.1,
                                let cheapest = safe.map(\.1).min()
                            else { return "-" }
                            let vsUnsafe = unsafeCost(threads).map { Format.significant(own / $0) + "x" } ?? "-"
                            return "\(vsUnsafe) / \(Format.significant(own / cheapest))x"
                        })
            }
            if let top = counts.last, let best = costs.last?.min(by: { $0.1 < $1.1 }) {
                let vsUnsafe = unsafeCost(top).map { ", \(Format.significant(best.1 / $0))x the unsafe code" } ?? ""
                lines.append(
                    "Cheapest correct fix at \(top) workers (\(backend.rawValue)): \(best.0),"
                        + " \(Format.significant(best.1)) ns/op\(vsUnsafe).")
            }
        }
        return "Price of safety: median ns/op as a multiple of the unsafe strategy / of the cheapest safe one"
            + " (a strategy that lost anything is left out).\n" + table.render() + "\n\n"
            + lines.joined(separator: "\n")
    }

    /// One line per strategy: median ns/op across worker counts on a shared log scale.
    static func chart(_ result: SweepResult, rows: [(String, Backend)]) -> String {
        let levels: [Character] =
            result.request.isASCII ? Array("_.:-=+*#%@") : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let counts = result.request.threadCounts
        let values = result.cells.compactMap(nsPerOp).filter { $0 > 0 }
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = max(log(high) - log(low), 1e-9)
        var lines = [
            "ns/op by workers (\(counts.map(String.init).joined(separator: ", "))), log scale"
                + " \(Format.significant(low)) to \(Format.significant(high)) ns/op:"
        ]
        let width = (rows.map { $0.0.count + $0.1.rawValue.count + 3 }.max() ?? 10) + 1
        for (strategy, backend) in rows {
            let series = counts.map { cell(result, strategy, backend, $0).flatMap(nsPerOp) }
            let bars = series.map { value -> String in
                guard let value, value > 0 else { return "   " }
                let level = Int(((log(value) - log(low)) / span * Double(levels.count - 1)).rounded())
                return String(repeating: levels[min(max(level, 0), levels.count - 1)], count: 3)
            }
            let label = "\(strategy) (\(backend.rawValue))"
            let first = series.compactMap { $0 }.first.map(Format.significant) ?? "-"
            let last = series.compactMap { $0 }.last.map(Format.significant) ?? "-"
            lines.append(
                "  " + label + String(repeating: " ", count: max(1, width - label.count)) + bars.joined(separator: " ")
                    + "  \(first) -> \(last)")
        }
        return lines.joined(separator: "\n")
    }
}

extension SweepCell {
    /// The cell's runs summarised exactly as a single run's strategy is.
    var summary: StrategySummary {
        StrategySummary(
            StrategyOutcome(
                name: strategy, summary: "", isExpectedSafe: isExpectedSafe, runsInChildProcess: false, runs: runs))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
