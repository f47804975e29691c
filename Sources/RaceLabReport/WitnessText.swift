import RaceLab
import RaceLabModel

/// The `--witness` section of the table report: the first collisions as a timeline,
/// the account of every lost update, the log's own checks, who overwrote whom, and
/// what the recording did to the race.
enum WitnessText {
    /// `run`: which run of how many the witness comes from, when there were several.
    static func render(_ name: String, _ witness: Witness, workers: Int, run: (index: Int, of: Int)? = nil) -> String {
        let which = run.map { " (run \($0.index) of \($0.of): the median run by lost updates)" } ?? ""
        var lines = [
            "\(name), witnessed\(which): every increment's read recorded (\(witness.reads.grouped) reads; times in µs"
                + " after the first read, on the monotonic clock; a write's time is when its store instruction had"
                + " finished, and other CPUs may see it a little later, so the order of close writes is approximate)"
        ]
        lines += witness.collisions.flatMap(timeline)
        lines.append("")
        lines += account(witness)
        let overwrites = self.overwrites(witness, workers: workers)
        if !overwrites.isEmpty {
            lines.append("")
            lines += overwrites
        }
        if let unwatched = witness.withoutRecording {
            lines.append("")
            lines.append(
                "Recording changes what it records (two clock reads and a few stores per increment, and a shorter"
                    + " run): the same command, without and with it:")
            lines.append(
                "  lost without recording  \(rate(unwatched.lost, unwatched.operations))"
                    + "    with recording  \(rate(witness.lost, witness.reads))")
        }
        return lines.joined(separator: "\n")
    }

    /// One collision as columns, one per worker that read the value.
    static func timeline(_ collision: Witness.Collision) -> [String] {
        let value = collision.value
        let key = collision.key.map { "key \($0), " } ?? ""
        let cells = collision.reads.sorted { $0.readNanoseconds < $1.readNanoseconds }.map { read in
            [
                "worker \(read.worker)",
                "read \(value.grouped) at +\(micro(read.readNanoseconds))",
                "wrote \((value + 1).grouped) at +\(micro(read.writeNanoseconds))",
            ]
        }
        let width = cells.flatMap { $0 }.map(\.count).max() ?? 0
        let rows = (0..<3).map { row in
            "    "
                + cells.map { $0[row] + String(repeating: " ", count: width - $0[row].count) }.joined(separator: "  ")
        }
        let lost = collision.reads.count - 1
        let workers = Set(collision.reads.map(\.worker)).count
        let by = workers == collision.reads.count ? "by \(workers) workers" : "\(collision.reads.count) times"
        return [
            "  \(key)value \(value.grouped) was read \(by); each read wrote \((value + 1).grouped):"
                + " \(lost.counted("update")) lost"
        ] + rows.map { $0.trimmingTrailingSpaces }
    }

    static func account(_ witness: Witness) -> [String] {
        let n = witness.reads.grouped
        let d = witness.distinct.grouped
        let f = witness.final.grouped
        let keyed = witness.keys.map {
            $0 == 1
                ? "The one key is a counter of its own."
                : "Each of the \($0.grouped) keys is a counter of its own; every figure below is summed over the keys."
        }
        let headline =
            witness.isComplete
            ? "Every lost update accounted for" : "The lost updates, as far as an INCOMPLETE log can tell"
        var lines =
            (keyed.map { [$0] } ?? []) + [
                "\(headline): lost = reads - final = \(n) - \(f) = \(witness.lost.grouped)",
                "  = \(witness.sharedReads.grouped)  reads - distinct values read (\(n) - \(d)): reads of a value read"
                    + " before (by another worker at the same moment, or again after a stale write moved the counter back);"
                    + " each wrote a successor already written",
                "  + \(witness.movedBack.grouped)  distinct values read - final (\(d) - \(f)): values at or above the final"
                    + " count that were read; a stale write moved the counter back below them",
            ]
        if witness.isComplete {
            lines.append(
                "  log complete: \(n) reads recorded for \(witness.operations.grouped) increments, and every value"
                    + (witness.keys == nil
                        ? " from 0 to \((witness.final - 1).grouped) was read"
                        : " below each key's final count was read"))
        } else {
            lines.append(
                "  LOG INCOMPLETE, the split above does not hold: " + witness.problems.joined(separator: "; ")
                    + " (a racelab bug; --check fails)")
        }
        return lines
    }

    /// Who overwrote whom: a matrix for up to 8 workers, else the 10 pairs that did
    /// it most. Nothing for one worker.
    static func overwrites(_ witness: Witness, workers: Int) -> [String] {
        guard workers > 1, !witness.overwrites.isEmpty else { return [] }
        let intro =
            "Who overwrote whom: a value written more than once, by the worker who wrote it and the worker who wrote"
            + " the same value next, clobbering it (a worker after itself: it wrote a value again after a stale write"
            + " moved the counter back); they add up to the \(witness.sharedReads.grouped) above:"
        if workers > 8 {
            var table = TextTable([
                .init(title: "writes of", isNumeric: false), .init(title: "written again by", isNumeric: false),
                .init(title: "times", isNumeric: true),
            ])
            for pair in witness.overwrites.prefix(10) {
                table.append(["w\(pair.worker)", "w\(pair.by)", pair.count.grouped])
            }
            let rest = witness.overwrites.count - 10
            return [intro + " (the 10 pairs that did it most)"]
                + table.render(indent: "  ").split(separator: "\n").map(String.init)
                + (rest > 0 ? ["  and \(rest.grouped) more pairs (all of them in --json)"] : [])
        }
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: workers), count: workers)
        for pair in witness.overwrites where pair.worker < workers && pair.by < workers {
            matrix[pair.worker][pair.by] = pair.count
        }
        var table = TextTable(
            [.init(title: "writes of", isNumeric: false)]
                + (0..<workers).map { .init(title: "by w\($0)", isNumeric: true) }
                + [.init(title: "total", isNumeric: true)])
        for (worker, row) in matrix.enumerated() {
            table.append(["w\(worker)"] + row.map(\.grouped) + [row.reduce(0, +).grouped])
        }
        return [intro] + table.render(indent: "  ").split(separator: "\n").map(String.init)
    }

    private static func micro(_ nanoseconds: UInt64) -> String {
        let micro = Double(nanoseconds) / 1000
        let text = String(Int((micro * 1000).rounded()))
        let padded = String(repeating: "0", count: max(0, 4 - text.count)) + text
        return "\(Int(padded.dropLast(3))!.grouped).\(padded.suffix(3)) µs"
    }

    private static func rate(_ lost: Int, _ operations: Int) -> String {
        operations > 0
            ? "\(Format.share(Double(lost) / Double(operations))) (\(lost.grouped) of \(operations.grouped))" : "-"
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
