import RaceLab
import RaceLabModel

/// `racelab sweep --baseline FILE`: this sweep's median ns/op against an earlier
/// sweep.json, configuration by configuration, and, with `--max-regression R`,
/// the safe strategies that got more than R times slower.
package struct SweepComparison: Sendable {
    /// One configuration present in both sweeps.
    package struct Entry: Sendable, Equatable {
        package var strategy: String
        package var backend: Backend
        package var threads: Int
        package var isExpectedSafe: Bool
        package var baselineNsPerOp: Double
        package var currentNsPerOp: Double
        /// Above 1: slower now.
        package var ratio: Double { currentNsPerOp / baselineNsPerOp }
    }

    package let entries: [Entry]
    /// Settings that differ between the two sweeps, in words; the ratios mix
    /// those differences with any change in speed.
    package let differences: [String]
    package let baselinePath: String
    package let baseline: SweepJSON
    package let current: SweepResult

    package init(current: SweepResult, baseline: SweepJSON, baselinePath: String, build: BuildInfo = .current) {
        let old = baseline.result
        var entries: [Entry] = []
        var missing: [SweepCell] = []
        for cell in current.cells {
            guard let now = SweepReport.nsPerOp(cell) else { continue }
            guard
                let before = SweepReport.cell(old, cell.strategy, cell.backend, cell.threads).flatMap(
                    SweepReport.nsPerOp), before > 0
            else {
                missing.append(cell)
                continue
            }
            entries.append(
                Entry(
                    strategy: cell.strategy, backend: cell.backend, threads: cell.threads,
                    isExpectedSafe: cell.isExpectedSafe, baselineNsPerOp: before, currentNsPerOp: now))
        }
        self.entries = entries
        self.baselinePath = baselinePath
        self.baseline = baseline
        self.current = current
        differences = Self.differences(current, baseline, build: build, missing: missing)
    }

    /// Safe configurations whose median got slower by more than `limit` times.
    package func regressions(limit: Double) -> [Entry] {
        entries.filter { $0.isExpectedSafe && $0.ratio > limit }
    }

    /// Whether `--max-regression limit` fails: a safe strategy got slower, or no safe
    /// configuration could be compared at all (a gate that checked nothing must not pass).
    package func gateFails(limit: Double) -> Bool {
        !regressions(limit: limit).isEmpty || !entries.contains(where: \.isExpectedSafe)
    }

    package func render(maxRegression: Double?) -> String {
        let counts = current.request.threadCounts
        var lines = [
            "Compared with the baseline \(baselinePath) (\(baseline.generatedAt), racelab \(baseline.racelabVersion)):"
                + " median ns/op now / then, above 1x is slower now."
        ]
        for difference in differences { lines.append("note: \(difference)") }
        if entries.isEmpty {
            lines.append("No configuration of this sweep is in the baseline: nothing to compare.")
        } else {
            var table = TextTable(
                [.init(title: "now / baseline", isNumeric: false), .init(title: "backend", isNumeric: false)]
                    + counts.map { .init(title: "\($0) w", isNumeric: true) })
            for (strategy, backend) in SweepReport.rowKeys(current) {
                let row = entries.filter { $0.strategy == strategy && $0.backend == backend }
                guard !row.isEmpty else { continue }
                table.append(
                    [strategy, backend.rawValue]
                        + counts.map { threads in
                            row.first { $0.threads == threads }.map { Format.significant($0.ratio) + "x" } ?? "-"
                        })
            }
            lines.append(table.render())
        }
        if let maxRegression { lines += gateLines(maxRegression) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `--max-regression` concluded, in the same words `gateFails` decides by.
    private func gateLines(_ maxRegression: Double) -> [String] {
        let limit = Format.significant(maxRegression) + "x"
        let head = "Regression check (--max-regression \(limit)):"
        guard entries.contains(where: \.isExpectedSafe) else {
            return ["\(head) FAILED, it compared no safe strategy."]
        }
        let slower = regressions(limit: maxRegression)
        guard !slower.isEmpty else { return ["\(head) passed, no safe strategy is more than \(limit) slower."] }
        return ["\(head) FAILED, \(slower.count) safe configuration(s) slower than \(limit):"]
            + slower.map { entry in
                "  \(entry.strategy) (\(entry.backend.rawValue)) at \(entry.threads)"
                    + " worker\(entry.threads == 1 ? "" : "s"): \(Format.significant(entry.ratio))x,"
                    + " \(Format.significant(entry.baselineNsPerOp)) -> \(Format.significant(entry.currentNsPerOp)) ns/op"
            }
    }

    /// The scenario settings that differ, in words ("run length 100 ms windows then, 20,000 ops per worker now");
    /// worker counts, backends, strategies and runs may differ freely.
    package static func settingDifferences(now: Request, then: Request) -> [String] {
        var settings: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { settings.append("\(name) \(show(b)) then, \(show(a)) now") }
        }
        compare("run length", now.length, then.length) { RunLengthText.short($0) }
        compare("--warmup", now.warmupMilliseconds, then.warmupMilliseconds) { "\($0) ms" }
        compare("pinning", now.isPinned, then.isPinned) { $0 ? "on" : "off" }
        compare("--timeout", now.timeoutSeconds, then.timeoutSeconds) { "\(Int($0)) s" }
        // Every option the scenario declares travels in `settings`, so none can be
        // forgotten here: an option absent on one side was left to the scenario to derive.
        for name in Set(now.settings.keys).union(then.settings.keys).sorted() {
            compare("--\(name)", now.settings[name], then.settings[name]) { $0?.description ?? "its default" }
        }
        return settings
    }

    /// What differs between the sweeps besides speed: settings, machine, build, and
    /// configurations this sweep has that the baseline does not.
    static func differences(
        _ current: SweepResult, _ baseline: SweepJSON, build: BuildInfo, missing: [SweepCell]
    ) -> [String] {
        var notes: [String] = []
        let settings = settingDifferences(now: current.request.base, then: baseline.request.base)
        if !settings.isEmpty { notes.append("settings differ: " + settings.joined(separator: "; ")) }
        func describe(_ machine: MachineInfo) -> String {
            "\(machine.cpuModel ?? machine.architecture), \(machine.cpusAvailable) CPUs"
        }
        if describe(current.machine) != describe(baseline.machine) {
            notes.append("machine differs: \(describe(baseline.machine)) then, \(describe(current.machine)) now")
        }
        if baseline.build != build {
            notes.append(
                "build differs: Swift \(baseline.build.swiftVersion) \(baseline.build.configuration) then,"
                    + " Swift \(build.swiftVersion) \(build.configuration) now")
        }
        if !missing.isEmpty {
            let names = missing.map { "\($0.strategy) (\($0.backend.rawValue)) at \($0.threads) w" }
            let shown =
                names.count > 6
                ? names.prefix(6).joined(separator: ", ") + " and \(names.count - 6) more"
                : names.joined(separator: ", ")
            notes.append("not in the baseline, so not compared: \(shown)")
        }
        return notes
    }
}
