#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a sweep chart is drawn: frames, series, crosses for dead children, legend.
extension SweepSVG {
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

}
