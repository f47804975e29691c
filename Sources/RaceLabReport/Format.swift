import RaceLab
import RaceLabModel

/// Locale-independent number formatting for reports: the same bytes on every
/// machine, so tests and pasted runs agree.
package enum Format {
    /// 1234567 -> "1,234,567".
    package static func grouped(_ value: Int) -> String { value.grouped }

    /// Fixed decimals with a grouped integer part: 12345.678, 2 -> "12,345.68".
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return value < 0 ? "-huge" : "huge" }
        let units = Int(scaled)
        let whole = units / Int(scale)
        let fraction = units % Int(scale)
        var text = grouped(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }

    /// A timing with about three significant digits: 0.312, 4.56, 45.6, 1,234.
    static func significant(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return fixed(value, 0) }
        if magnitude >= 10 { return fixed(value, 1) }
        if magnitude >= 1 { return fixed(value, 2) }
        return fixed(value, 3)
    }

    /// Seconds for people: "340 ms" below a second, "2.50 s" above.
    package static func duration(_ seconds: Double) -> String {
        seconds < 1 ? significant(seconds * 1000) + " ms" : significant(seconds) + " s"
    }

    /// A share (0...1) as a percentage with one decimal; a share too small to show as
    /// 0.1% but not zero reads "<0.1%", never "0.0%" beside a race that showed.
    static func share(_ fraction: Double) -> String {
        fraction > 0 && fraction < 0.0005 ? "<0.1%" : fixed(100 * fraction, 1) + "%"
    }

}

/// How long a run lasted, in words, for headers and charts.
enum RunLengthText {
    /// "100 ms window per run, time-boxed: each worker counts its own increments".
    static func header(_ length: RunLength, operationName: String, threads: Int) -> String {
        switch length {
        case .timed(let milliseconds):
            return "\(Format.grouped(milliseconds)) ms window per run, time-boxed: each worker counts its own"
                + " \(operationName) (--iterations n for a fixed count)"
        case .fixed(let iterations):
            let total = threads.multipliedReportingOverflow(by: iterations).partialValue
            return "\(Format.grouped(iterations)) \(operationName) per worker (\(Format.grouped(total)) in all),"
                + " fixed count: the run lasts as long as the slowest worker"
        }
    }

    /// "100 ms windows" / "20,000 ops per worker", for a subtitle.
    static func short(_ length: RunLength) -> String {
        switch length {
        case .timed(let milliseconds): "\(Format.grouped(milliseconds)) ms windows"
        case .fixed(let iterations): "\(Format.grouped(iterations)) ops per worker"
        }
    }
}
