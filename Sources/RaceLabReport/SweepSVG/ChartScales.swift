#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Axis ranges, ticks, markers and number formats for the sweep chart.
extension SweepSVG {
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
