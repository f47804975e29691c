import RaceLab
import RaceLabModel

/// Things a reader should know that are not results: printed on stderr so
/// `--json > file` stays clean.
package enum Warnings {
    package static func `for`(_ result: LabResult) -> [String] {
        var warnings: [String] = []
        if result.machine.cpusAvailable < 2, result.request.threads > 1 {
            warnings.append(
                "only 1 CPU is available to this process, so workers take turns instead of running"
                    + " in parallel: a race shows only where the scheduler preempts a worker mid-operation,"
                    + " and a clean run is weak evidence.")
        }
        let blind = result.strategies.filter {
            $0.verdict == .couldNotShow
        }
        if !blind.isEmpty, result.machine.cpusAvailable >= 2 || result.request.threads < 2 {
            warnings.append(
                "the workers of \(blind.map(\.name).joined(separator: ", ")) never ran at the same time,"
                    + " so this run could not show a race.")
        }
        if result.request.backend == .pthread, !result.request.isPinned, result.hasUnsafeStrategy,
            !result.anyUnsafeStrategyExposed
        {
            warnings.append(
                "unpinned (--no-pin) runs on few CPUs often run workers one after another; try without --no-pin.")
        }
        return warnings
    }
}
