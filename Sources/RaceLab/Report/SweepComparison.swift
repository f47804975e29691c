/// `racelab sweep --baseline FILE`: this sweep's median ns/op against an earlier
/// sweep.json, configuration by configuration, and, with `--max-regression R`,
/// the safe strategies that got more than R times slower.
public struct SweepComparison: Sendable {
    /// One configuration present in both sweeps.
    public struct Entry: Sendable, Equatable {
        public var strategy: String
        public var backend: Backend
        public var threads: Int
        public var isExpectedSafe: Bool
        public var baselineNsPerOp: Double
        public var currentNsPerOp: Double
        /// Above 1: slower now.
        public var ratio: Double { currentNsPerOp / baselineNsPerOp }
    }

    public let entries: [Entry]
    /// Settings that differ between the two sweeps, in words; the ratios mix
    /// those differences with any change in speed.
    public let differences: [String]
    public let baselinePath: String
    public let baseline: SweepJSON

    public init(current: SweepResult, baseline: SweepJSON, baselinePath: String, build: BuildInfo = .current) {
        let old = baseline.result
        var entries: [Entry] = []
        for cell in current.cells {
            guard let now = SweepReport.nsPerOp(cell),
                let before = SweepReport.cell(old, cell.strategy, cell.backend, cell.threads).flatMap(
                    SweepReport.nsPerOp),
                before > 0
            else { continue }
            entries.append(
                Entry(
                    strategy: cell.strategy, backend: cell.backend, threads: cell.threads,
                    isExpectedSafe: cell.isExpectedSafe, baselineNsPerOp: before, currentNsPerOp: now))
        }
        self.entries = entries
        self.baselinePath = baselinePath
        self.baseline = baseline
        differences = Self.differences(current, baseline, build: build)
    }

    /// Safe configurations whose median got slower by more than `limit` times.
    public func regressions(limit: Double) -> [Entry] {
        entries.filter { $0.isExpectedSafe && $0.ratio > limit }
    }

    public func render(maxRegression: Double?) -> String {
        let counts = Array(Set(entries.map(\.threads))).sorted()
        var lines = [
            "Compared with the baseline \(baselinePath) (\(baseline.generatedAt), racelab \(baseline.racelabVersion)):"
                + " median ns/op now / then, above 1x is slower now."
        ]
        for difference in differences { lines.append("note: \(difference)") }
        guard !entries.isEmpty else {
            lines.append("No configuration of this sweep is in the baseline: nothing to compare.")
            return lines.joined(separator: "\n") + "\n"
        }
        var table = TextTable(
            [.init(title: "now / baseline", isNumeric: false), .init(title: "backend", isNumeric: false)]
                + counts.map { .init(title: "\($0) w", isNumeric: true) })
        var rows: [(String, Backend)] = []
        for entry in entries where !rows.contains(where: { $0.0 == entry.strategy && $0.1 == entry.backend }) {
            rows.append((entry.strategy, entry.backend))
        }
        for (strategy, backend) in rows {
            table.append(
                [strategy, backend.rawValue]
                    + counts.map { threads in
                        entries.first { $0.strategy == strategy && $0.backend == backend && $0.threads == threads }
                            .map { Format.significant($0.ratio) + "x" } ?? "-"
                    })
        }
        lines.append(table.render())
        if let maxRegression {
            let limit = Format.significant(maxRegression) + "x"
            let slower = regressions(limit: maxRegression)
            if slower.isEmpty {
                lines.append(
                    "Regression check (--max-regression \(limit)): passed, no safe strategy is more than \(limit) slower."
                )
            } else {
                lines.append(
                    "Regression check (--max-regression \(limit)): FAILED, \(slower.count) safe configuration(s) slower than \(limit):"
                )
                for entry in slower {
                    lines.append(
                        "  \(entry.strategy) (\(entry.backend.rawValue)) at \(entry.threads) worker\(entry.threads == 1 ? "" : "s"):"
                            + " \(Format.significant(entry.ratio))x, \(Format.significant(entry.baselineNsPerOp))"
                            + " -> \(Format.significant(entry.currentNsPerOp)) ns/op")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What differs between the sweeps besides speed: settings, machine, build.
    static func differences(_ current: SweepResult, _ baseline: SweepJSON, build: BuildInfo) -> [String] {
        let now = current.request.base
        let then = baseline.request.base
        var settings: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { settings.append("\(name) \(show(b)) then, \(show(a)) now") }
        }
        compare("--iterations", now.iterations, then.iterations) { Format.grouped($0) }
        compare("--work", now.work, then.work) { String($0) }
        compare("--keys", now.keys, then.keys) { Format.grouped($0) }
        compare("--distribution", now.distribution, then.distribution) { $0.rawValue }
        compare("--seed", now.seed, then.seed) { String($0) }
        compare("--stripes", now.stripes, then.stripes) { String($0) }
        compare("--read-ratio", now.readRatio, then.readRatio) { "\($0)%" }
        compare("--writers", now.writers, then.writers) { $0.map(String.init) ?? "half" }
        compare("pinning", now.isPinned, then.isPinned) { $0 ? "on" : "off" }
        var notes: [String] = []
        if !settings.isEmpty { notes.append("settings differ: " + settings.joined(separator: "; ")) }
        let machineNow =
            "\(current.machine.cpuModel ?? current.machine.architecture), \(current.machine.cpusAvailable) CPUs"
        let machineThen =
            "\(baseline.machine.cpuModel ?? baseline.machine.architecture), \(baseline.machine.cpusAvailable) CPUs"
        if machineNow != machineThen { notes.append("machine differs: \(machineThen) then, \(machineNow) now") }
        if baseline.build != build {
            notes.append(
                "build differs: Swift \(baseline.build.swiftVersion) \(baseline.build.configuration) then,"
                    + " Swift \(build.swiftVersion) \(build.configuration) now")
        }
        return notes
    }
}
