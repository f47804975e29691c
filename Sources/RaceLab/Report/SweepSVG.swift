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
public enum SweepSVG {
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

    public static func render(_ result: SweepResult, scenario: Scenario, generatedAt: String) -> String {
        let series = makeSeries(result, scenario: scenario)
        let counts = result.request.threadCounts
        let anomaly = scenario.anomalyNames.first ?? "anomalies"
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

    /// One series per strategy and backend. A strategy's colour comes from its place in
    /// the scenario, so it is the same in every chart of that scenario, whatever was selected.
    static func makeSeries(_ result: SweepResult, scenario: Scenario) -> [Series] {
        let keys = SweepReport.rowKeys(result)
        let order = scenario.strategies.map(\.name)
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
                    let finished = cell.runs.filter { ($0.childEnd ?? .finished) == .finished && $0.expected > 0 }
                    return Spread(finished.map { 100 * Double($0.primaryAnomalyCount) / Double($0.expected) }).map {
                        Point(workers: cell.threads, spread: $0, runs: finished.count)
                    }
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

    static func subtitle(_ result: SweepResult, scenario: Scenario, generatedAt: String) -> String {
        let base = result.request.base
        let backends = result.request.backends.map { backend in
            backend == .pthread ? (base.isPinned ? "pthread (pinned)" : "pthread (not pinned)") : backend.rawValue
        }
        var settings = [RunLengthText.short(base.length)]
        settings += scenario.settingsSummary(base)
        let runs = base.runs == 1 ? "1 run per point" : "\(base.runs) runs per point, round-robin"
        return "backend \(backends.joined(separator: ", ")) · \(settings.joined(separator: ", ")) · \(runs)"
    }

    static func machineLine(_ machine: MachineInfo, generatedAt: String) -> String {
        "\(machine.cpuModel ?? machine.architecture) · \(machine.cpusAvailable) CPUs available of"
            + " \(machine.cpusOnline) online · \(machine.kernel) · racelab \(RaceLabVersion.current) · \(generatedAt)"
    }

    /// Where worker count `n` sits across the panel (0...1): log2 spacing, so 1, 2, 4, 8 are
    /// evenly apart, with a margin so the end points stay clear of the frame.
    static func xFraction(_ n: Int, counts: [Int]) -> Double {
        guard let low = counts.first, let high = counts.last, high > low else { return 0.5 }
        let margin = 0.05
        let along = (log2(Double(n)) - log2(Double(low))) / (log2(Double(high)) - log2(Double(low)))
        return margin + along * (1 - 2 * margin)
    }

    /// The worker counts that get a label: the first and the last always, the others
    /// where they are at least 22 px from a labelled neighbour.
    static func labelledCounts(_ counts: [Int], width: Double) -> [Int] {
        guard let last = counts.last else { return [] }
        let lastX = xFraction(last, counts: counts) * width
        var labelled: [Int] = []
        var previousX = -Double.infinity
        for count in counts.dropLast() {
            let x = xFraction(count, counts: counts) * width
            if x - previousX >= 22, lastX - x >= 22 {
                labelled.append(count)
                previousX = x
            }
        }
        return labelled + [last]
    }

    /// Sideways nudge in pixels, so whiskers of different series at one worker count do not hide each other.
    static func dodge(_ index: Int, of count: Int) -> Double {
        (Double(index) - Double(count - 1) / 2) * min(3, 16 / Double(max(count, 1)))
    }

    static func drawFrame(
        _ svg: inout SVGWriter, panel: (x: Double, width: Double), counts: [Int], title: String, yLabel: String,
        yTicks: [(value: Double, fraction: Double)]
    ) {
        let bottom = plotTop + plotHeight
        svg.text(title, x: panel.x, y: plotTop - 24, attributes: "font-size=\"13\" font-weight=\"bold\"")
        svg.raw(
            "<rect x=\"\(n(panel.x))\" y=\"\(n(plotTop))\" width=\"\(n(panel.width))\" height=\"\(n(plotHeight))\""
                + " fill=\"none\" stroke=\"#888\"/>")
        for tick in yTicks {
            let y = bottom - tick.fraction * plotHeight
            svg.raw(
                "<line x1=\"\(n(panel.x))\" y1=\"\(n(y))\" x2=\"\(n(panel.x + panel.width))\" y2=\"\(n(y))\""
                    + " stroke=\"#e3e3e3\"/>")
            svg.text(
                tickLabel(tick.value), x: panel.x - 6, y: y + 4,
                attributes: "class=\"tick\" font-size=\"11\" text-anchor=\"end\"")
        }
        for count in counts {
            let x = panel.x + xFraction(count, counts: counts) * panel.width
            svg.raw(
                "<line x1=\"\(n(x))\" y1=\"\(n(plotTop))\" x2=\"\(n(x))\" y2=\"\(n(bottom))\" stroke=\"#f0f0f0\"/>")
        }
        for count in labelledCounts(counts, width: panel.width) {
            let x = panel.x + xFraction(count, counts: counts) * panel.width
            svg.text(
                "\(count)", x: x, y: bottom + 16, attributes: "class=\"tick\" font-size=\"11\" text-anchor=\"middle\"")
        }
        svg.text(
            "workers (threads), log scale", x: panel.x + panel.width / 2, y: bottom + 36,
            attributes: "class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"")
        let middle = plotTop + plotHeight / 2
        svg.text(
            yLabel, x: panel.x - 52, y: middle,
            attributes:
                "class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\""
                + " transform=\"rotate(-90 \(n(panel.x - 52)) \(n(middle)))\"")
    }

    static func drawSeries(
        _ svg: inout SVGWriter, _ line: Series, points: [Point], panel: (x: Double, width: Double), counts: [Int],
        offset: Double, panelName: String, y: (Double) -> Double, describe: (Double) -> String
    ) {
        let bottom = plotTop + plotHeight
        func position(_ point: Point, _ value: Double) -> (x: Double, y: Double) {
            let fraction = min(1, max(0, y(value)))
            return (
                panel.x + xFraction(point.workers, counts: counts) * panel.width + offset,
                bottom - fraction * plotHeight
            )
        }
        let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        svg.raw(
            "<g class=\"series\" data-panel=\"\(panelName)\" data-strategy=\"\(XMLText.escaped(line.strategy))\""
                + " data-backend=\"\(line.backend.rawValue)\" stroke=\"\(line.colour)\" fill=\"\(line.colour)\">")
        let medians = points.map { position($0, $0.spread.median) }
        if medians.count > 1 {
            svg.raw(
                "<polyline fill=\"none\" stroke-width=\"2\"\(dash) points=\""
                    + medians.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ") + "\"/>")
        }
        for (point, median) in zip(points, medians) {
            let low = position(point, point.spread.min).y
            let high = position(point, point.spread.max).y
            if high < low - 0.5 {
                svg.raw(
                    "<path fill=\"none\" stroke-width=\"1.2\" d=\"M\(n(median.x)),\(n(low))V\(n(high))"
                        + "M\(n(median.x - 3)),\(n(low))h6M\(n(median.x - 3)),\(n(high))h6\"/>")
            }
            let tip =
                "\(line.strategy) (\(line.backend.rawValue)), \(point.workers) workers: median"
                + " \(describe(point.spread.median)); min \(describe(point.spread.min)),"
                + " max \(describe(point.spread.max)); \(point.runs) runs"
            svg.raw(
                marker(
                    line.marker, x: median.x, y: median.y, attributes: "stroke=\"#fff\" stroke-width=\"0.8\"",
                    title: XMLText.escaped(tip)))
        }
        svg.raw("</g>")
    }

    /// A cross just above the anomaly panel wherever the child process died:
    /// memory corruption has no "% lost" to plot, but it must not look like 0%.
    static func drawDeaths(
        _ svg: inout SVGWriter, _ line: Series, panel: (x: Double, width: Double), counts: [Int], offset: Double
    ) {
        guard !line.deaths.isEmpty else { return }
        svg.raw(
            "<g class=\"deaths\" data-strategy=\"\(XMLText.escaped(line.strategy))\""
                + " data-backend=\"\(line.backend.rawValue)\" stroke=\"\(line.colour)\" stroke-width=\"2.2\">")
        for death in line.deaths {
            let x = panel.x + xFraction(death.workers, counts: counts) * panel.width + offset
            let y = plotTop - 9  // in the strip between the panel title and the frame
            let tip =
                "\(line.strategy) (\(line.backend.rawValue)), \(death.workers) workers: the child process"
                + " \(death.how) in \(death.count) of \(death.runs) runs"
            svg.raw(
                "<path d=\"M\(n(x - 5)),\(n(y - 5))l10,10m0,-10l-10,10\"><title>\(XMLText.escaped(tip))</title></path>"
            )
        }
        svg.raw("</g>")
    }

    static func drawLegend(_ svg: inout SVGWriter, _ series: [Series], top: Double, showsBackend: Bool) {
        svg.raw("<g class=\"legend\" font-size=\"12\">")
        for (index, line) in series.enumerated() {
            let x = 80 + Double(index % 4) * 220
            let y = top + Double(index / 4) * 22
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            svg.raw(
                "<line x1=\"\(n(x))\" y1=\"\(n(y - 4))\" x2=\"\(n(x + 28))\" y2=\"\(n(y - 4))\""
                    + " stroke=\"\(line.colour)\" stroke-width=\"2\"\(dash)/>"
                    + marker(line.marker, x: x + 14, y: y - 4, attributes: "fill=\"\(line.colour)\"", title: nil))
            var tags = showsBackend ? [line.backend.rawValue] : []
            if !line.isExpectedSafe, line.strategy != "unsafe" { tags.append("unsafe") }
            let label = line.strategy + (tags.isEmpty ? "" : " (\(tags.joined(separator: ", ")))")
            svg.text(label, x: x + 34, y: y, attributes: "")
        }
        if series.contains(where: { !$0.deaths.isEmpty }) {
            let x = 80 + Double(series.count % 4) * 220
            let y = top + Double(series.count / 4) * 22
            svg.raw(
                "<path d=\"M\(n(x + 9)),\(n(y - 9))l10,10m0,-10l-10,10\" stroke=\"#444\" stroke-width=\"2.2\"/>")
            svg.text("child process crashed or hung", x: x + 34, y: y, attributes: "")
        }
        svg.raw("</g>")
    }

    /// 1, 2, 5 x 10^k at or above `value` (at least 1): the top of a linear % axis.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        var decade = 1.0
        while decade * 10 < value { decade *= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where step * decade >= value { return min(100, step * decade) }
        return 100
    }

    /// How many steps a linear axis from 0 to `top` (a niceCeiling) gets: round ticks,
    /// 0-25-50-75-100 for a full percentage, 0-0.5-1-1.5-2 for 2, fifths otherwise.
    static func divisions(_ top: Double) -> Int {
        var lead = top
        while lead >= 10 { lead /= 10 }
        return top == 100 || lead == 2 ? 4 : 5
    }

    /// A point's marker: circle, square, triangle, diamond, inverted triangle, then again.
    static func marker(_ kind: Int, x: Double, y: Double, attributes: String, title: String?) -> String {
        let inner = title.map { "<title>\($0)</title>" } ?? ""
        let shape: String
        switch kind % 5 {
        case 0: return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3.8\" \(attributes)>\(inner)</circle>"
        case 1: shape = "M\(n(x - 3.4)),\(n(y - 3.4))h6.8v6.8h-6.8z"
        case 2: shape = "M\(n(x)),\(n(y - 4.6))l4.4,7.8h-8.8z"
        case 3: shape = "M\(n(x)),\(n(y - 4.8))l4.8,4.8l-4.8,4.8l-4.8,-4.8z"
        default: shape = "M\(n(x)),\(n(y + 4.6))l4.4,-7.8h-8.8z"
        }
        return "<path d=\"\(shape)\" \(attributes)>\(inner)</path>"
    }

    /// Tick labels in one style from 1 to millions: 1, 10, 100, 1k, 10k, 100k, 1M.
    static func tickLabel(_ value: Double) -> String {
        if value >= 1_000_000 { return tickLabel(value / 1_000_000) + "M" }
        if value >= 1_000 { return tickLabel(value / 1_000) + "k" }
        if value == value.rounded() { return String(Int(value)) }
        return Format.significant(value).replacing(/0+$/, with: "")
    }

    /// Coordinates with at most one decimal: smaller files, same picture.
    static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// A log10 axis covering some positive values, with ticks at 1, 2, 5 x 10^k when
/// it spans few decades and at powers of ten when it spans many.
struct LogAxis {
    let low: Double
    let high: Double
    let ticks: [Double]

    init(values: [Double]) {
        let smallest = values.min() ?? 1
        let largest = values.max() ?? 10
        var lowDecade = floor(log10(smallest))
        var highDecade = ceil(log10(largest))
        if highDecade <= lowDecade { highDecade = lowDecade + 1 }
        if !lowDecade.isFinite || !highDecade.isFinite {
            lowDecade = 0
            highDecade = 1
        }
        low = pow(10, lowDecade)
        high = pow(10, highDecade)
        let steps: [Double] = highDecade - lowDecade <= 3 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        var decade = lowDecade
        while decade <= highDecade {
            for step in steps {
                let value = step * pow(10, decade)
                if value <= high * 1.0001 { ticks.append(value) }
            }
            decade += 1
        }
        self.ticks = ticks
    }

    /// Where `value` sits between the bottom (0) and top (1) of the axis.
    func fraction(_ value: Double) -> Double {
        guard value > 0 else { return 0 }
        return (log10(value) - log10(low)) / (log10(high) - log10(low))
    }
}

/// Builds an SVG document as text, escaping what it is given.
struct SVGWriter {
    private var parts: [String]

    init(width: Double, height: Double) {
        let w = SweepSVG.n(width)
        let h = SweepSVG.n(height)
        parts = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\""
                + " font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
        ]
    }

    mutating func raw(_ element: String) { parts.append(element) }

    mutating func text(_ content: String, x: Double, y: Double, attributes: String) {
        let extra = attributes.isEmpty ? "" : " " + attributes
        parts.append("<text x=\"\(SweepSVG.n(x))\" y=\"\(SweepSVG.n(y))\"\(extra)>\(XMLText.escaped(content))</text>")
    }

    mutating func noData(in panel: (x: Double, width: Double), top: Double, height: Double, _ message: String) {
        text(
            message, x: panel.x + panel.width / 2, y: top + height / 2,
            attributes: "font-size=\"13\" fill=\"#777\" text-anchor=\"middle\"")
    }

    func finished() -> String { (parts + ["</svg>"]).joined(separator: "\n") + "\n" }

}
