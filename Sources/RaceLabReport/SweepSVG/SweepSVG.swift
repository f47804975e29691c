import RaceLab
import RaceLabModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `sweep.svg`: a self-contained chart of a sweep, written by hand (no packages).
///
/// Two panels side by side, workers on a log2 x axis in both: the median ns/op of
/// every strategy on a log y axis, with min-max whiskers over the runs; and the
/// median share of the headline anomaly (lost updates, ...) for the unsafe
/// strategies, with the same whiskers. One colour per strategy, one dash pattern
/// per backend, a legend under the panels, and a title that says what ran where.
/// Every point has a tooltip with its numbers.
package enum SweepSVG {
    static let width = 1000.0
    static let plotTop = 126.0
    static let plotHeight = 320.0
    /// Left and right plot areas: x of the left edge, and the width.
    static let panels = [(x: 80.0, width: 380.0), (x: 580.0, width: 380.0)]
    /// Okabe-Ito colours, ordered so that a scenario's first five strategies get the five
    /// most distinct ones (vermillion, blue, green, purple, black: no two oranges), all
    /// distinguishable with the common colour blindnesses. Each strategy also gets its
    /// own marker shape, so the chart reads in grey too.
    static let palette = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#000000", "#56B4E9", "#E69F00", "#999999"]

    static func subtitle(_ result: SweepResult, scenario: ScenarioLabels, generatedAt: String) -> String {
        let base = result.request.base
        let backends = result.request.backends.map { backend in
            backend == .pthread ? (base.isPinned ? "pthread (pinned)" : "pthread (not pinned)") : backend.rawValue
        }
        var settings = [RunLengthText.short(base.length)]
        settings += scenario.settingsBrief
        let runs = base.runs == 1 ? "1 run per point" : "\(base.runs) runs per point, round-robin"
        return "backend \(backends.joined(separator: ", ")) · \(settings.joined(separator: ", ")) · \(runs)"
    }

    static func machineLine(_ machine: MachineInfo, generatedAt: String) -> String {
        "\(machine.cpuModel ?? machine.architecture) · \(machine.cpusAvailable) CPUs available of"
            + " \(machine.cpusOnline) online · \(machine.kernel) · racelab \(RaceLabVersion.current) · \(generatedAt)"
    }

    package static func render(_ result: SweepResult, generatedAt: String) -> String {
        let scenario = result.scenario
        let series = makeSeries(result, scenario: scenario)
        let counts = result.request.threadCounts
        let anomaly = scenario.headline
        let legendRows = (series.count + (series.contains { !$0.deaths.isEmpty } ? 1 : 0) + 3) / 4
        let height = plotTop + plotHeight + 62 + Double(legendRows) * 22
        var svg = SVGWriter(width: width, height: height)
        svg.raw("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
        svg.text(
            "racelab sweep \(scenario.name): cost per operation and \(anomaly) by worker count", x: 24, y: 30,
            attributes: "class=\"title\" font-size=\"18\" font-weight=\"bold\"")
        svg.text(
            subtitle(result, scenario: scenario, generatedAt: generatedAt), x: 24, y: 52,
            attributes: "font-size=\"12\" fill=\"#444\"")
        svg.text(
            machineLine(result.machine, generatedAt: generatedAt), x: 24, y: 70,
            attributes: "font-size=\"12\" fill=\"#444\"")

        // Panel 1: ns/op, log scale.
        let costValues = series.flatMap { $0.costs.flatMap { [$0.spread.min, $0.spread.max] } }.filter { $0 > 0 }
        let costAxis = LogAxis(values: costValues)
        let left = panels[0]
        drawFrame(
            &svg, panel: left, counts: counts, title: "median ns per operation (whiskers: min to max of the runs)",
            yLabel: "ns per operation (log scale)", yTicks: costAxis.ticks.map { ($0, costAxis.fraction($0)) })
        for (index, line) in series.enumerated() {
            drawSeries(
                &svg, line, points: line.costs, panel: left, counts: counts, offset: dodge(index, of: series.count),
                panelName: "ns-per-op", y: { costAxis.fraction($0) },
                describe: { "\(Format.significant($0)) ns/op" })
        }
        if costValues.isEmpty { svg.noData(in: left, top: plotTop, height: plotHeight, "no timings in this sweep") }

        // Panel 2: the headline anomaly as % of expected, unsafe strategies only.
        let right = panels[1]
        let unsafe = series.filter { !$0.isExpectedSafe }
        let shareTop = niceCeiling(unsafe.flatMap { $0.anomalyShares.map(\.spread.max) }.max() ?? 0)
        drawFrame(
            &svg, panel: right, counts: counts, title: "unsafe strategies: \(anomaly), % of expected",
            yLabel: "\(anomaly) (% of expected)",
            yTicks: (0...divisions(shareTop)).map { Double($0) * shareTop / Double(divisions(shareTop)) }
                .map { ($0, $0 / shareTop) })
        for (index, line) in series.enumerated() where !line.isExpectedSafe {
            drawSeries(
                &svg, line, points: line.anomalyShares, panel: right, counts: counts,
                offset: dodge(index, of: series.count), panelName: "anomaly-percent", y: { $0 / shareTop },
                describe: { "\(Format.fixed($0, 1))% \(anomaly)" })
            drawDeaths(&svg, line, panel: right, counts: counts, offset: dodge(index, of: series.count))
        }
        if unsafe.isEmpty {
            svg.noData(in: right, top: plotTop, height: plotHeight, "no unsafe strategy in this sweep")
        }

        drawLegend(&svg, series, top: plotTop + plotHeight + 66, showsBackend: result.request.backends.count > 1)
        return svg.finished()
    }
}
