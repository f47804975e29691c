import RaceLab
import RaceLabModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The data a sweep chart draws: one series per strategy and backend.
extension SweepSVG {
    /// One line on the chart: a strategy on a backend, with a point per worker count.
    struct Series {
        var strategy: String
        var backend: Backend
        var isExpectedSafe: Bool
        var colour: String
        /// Index of the marker shape (see `marker`): the strategy's place in its scenario.
        var marker: Int
        var dash: String?
        /// (workers, median, min, max, runs) for every worker count that has data.
        var costs: [Point]
        var anomalyShares: [Point]
        /// Worker counts at which the child process of a child-process strategy died.
        var deaths: [(workers: Int, count: Int, runs: Int, how: String)]
    }

    struct Point {
        var workers: Int
        var spread: Spread
        var runs: Int
    }

    /// One series per strategy and backend. A strategy's colour comes from its place in
    /// the scenario, so it is the same in every chart of that scenario, whatever was selected.
    static func makeSeries(_ result: SweepResult, scenario: ScenarioLabels) -> [Series] {
        let keys = SweepReport.rowKeys(result)
        let order = scenario.strategyOrder
        return keys.map { strategy, backend in
            let cells = result.request.threadCounts.compactMap { SweepReport.cell(result, strategy, backend, $0) }
            let place = order.firstIndex(of: strategy) ?? 0
            let colour = palette[place % palette.count]
            return Series(
                strategy: strategy, backend: backend, isExpectedSafe: cells.first?.isExpectedSafe ?? true,
                colour: colour, marker: place, dash: backend == .pthread ? nil : "7 4",
                costs: cells.compactMap { cell in
                    Spread(cell.runs.compactMap(\.nsPerOp)).map {
                        Point(workers: cell.threads, spread: $0, runs: cell.runs.count)
                    }
                },
                anomalyShares: cells.compactMap { cell in
                    let shares = cell.runs.compactMap(\.primaryAnomalyShare).map { 100 * $0 }
                    return Spread(shares).map { Point(workers: cell.threads, spread: $0, runs: shares.count) }
                },
                deaths: cells.compactMap { cell in
                    SweepReport.childDeaths(cell).map {
                        (
                            workers: cell.threads, count: $0.count, runs: cell.runs.count,
                            how: ChildEndText.describe($0.first, milliseconds: nil)
                        )
                    }
                })
        }
    }
}
