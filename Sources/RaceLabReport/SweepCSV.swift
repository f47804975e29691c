import RaceLab
import RaceLabModel

/// `sweep.csv`: one row per run of every configuration, for spreadsheets and
/// pandas. Units are in the column names; numbers are plain (no separators),
/// with doubles written at full precision so they read back exactly.
package enum SweepCSV {
    package static func render(_ result: SweepResult) -> String {
        let anomalyKinds = StrategySummary.anomalyKinds(result.cells.flatMap(\.runs))
        let header =
            [
                "scenario", "strategy", "expected_safe", "backend", "workers", "run", "window_ms_requested",
                "iterations_per_worker",
                "operations", "expected", "observed",
            ]
            + anomalyKinds.map { "\(columnName($0.id))_count" }
            + [
                "window_ns", "ns_per_op", "ops_per_s", "workers_in_window", "max_active_workers", "overlap_pct",
                "cpu_parallelism", "max_start_skew_ns", "sleeps_per_op", "child_end", "child_ms",
            ]
        var lines = [header.joined(separator: ",")]
        let scenario = result.request.base.scenario
        for cell in result.cells {
            for (index, run) in cell.runs.enumerated() {
                // A child that crashed or hung counted nothing: its counts are empty, not 0.
                let counted = run.didCount
                func ifCounted(_ value: Int) -> String { counted ? String(value) : "" }
                let counts = anomalyKinds.map { kind in
                    run.anomalies.first { $0.id == kind.id }.map { ifCounted($0.count) } ?? ""
                }
                let childEnd = run.childEnd.map { ChildEndText.describe($0, milliseconds: nil) }
                let fields =
                    [
                        scenario, cell.strategy, String(cell.isExpectedSafe), cell.backend.rawValue,
                        String(cell.threads), String(index + 1),
                        result.request.base.length.milliseconds.map(String.init) ?? "",
                        result.request.base.length.iterations.map(String.init) ?? "",
                        ifCounted(run.operations), ifCounted(run.expected), ifCounted(run.observed),
                    ]
                    + counts
                    + [
                        run.timing.map { String($0.windowNanoseconds) } ?? "",
                        run.nsPerOp.map { String($0) } ?? "",
                        run.opsPerSecond.map { String($0) } ?? "",
                        run.timing.map { String($0.workersInWindow) } ?? "",
                        run.timing.map { String($0.maxActiveWorkers) } ?? "",
                        run.timing.map { String(100 * $0.overlapFraction) } ?? "",
                        run.timing?.cpuParallelism.map { String($0) } ?? "",
                        run.timing.map { String($0.maxStartSkewNanoseconds) } ?? "",
                        run.sleepsPerOperation.map { String($0) } ?? "",
                        childEnd ?? "",
                        run.childMilliseconds.map { String($0) } ?? "",
                    ]
                lines.append(fields.map(quoted).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "lost updates" -> "lost_updates".
    static func columnName(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + String(field.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }
}
