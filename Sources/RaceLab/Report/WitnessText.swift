/// The `--witness` section of the table report: the first collisions as a timeline,
/// the account of every lost update, the log's own checks, who overwrote whom, and
/// what the recording did to the race.
enum WitnessText {
    static func render(_ name: String, _ witness: Witness) -> String {
        var lines = [
            "\(name), witnessed: every read recorded (\(witness.reads.grouped) reads;"
                + " times in µs after the first read, on the monotonic clock)"
        ]
        lines += witness.collisions.flatMap(timeline)
        lines.append("")
        lines += account(witness)
        lines.append("")
        lines += matrix(witness.overwritten)
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
        return [
            "  \(key)value \(value.grouped) was read by \(collision.reads.count) workers; each wrote"
                + " \((value + 1).grouped): \(lost) update\(lost == 1 ? "" : "s") lost"
        ] + rows.map { $0.trimmingTrailingSpaces }
    }

    static func account(_ witness: Witness) -> [String] {
        let n = witness.reads.grouped
        let d = witness.distinct.grouped
        let f = witness.final.grouped
        let keyed =
            witness.keys.map {
                "Each of the \($0.grouped) keys is a counter of its own; every figure below is summed over the keys."
            }
        var lines =
            (keyed.map { [$0] } ?? []) + [
                "Every lost update accounted for: lost = reads - final = \(n) - \(f) = \(witness.lost.grouped)",
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

    /// Rows: whose write was overwritten; columns: by whom.
    static func matrix(_ overwritten: [[Int]]) -> [String] {
        let workers = overwritten.count
        guard workers > 0 else { return [] }
        var table = TextTable(
            [.init(title: "writes of", isNumeric: false)]
                + (0..<workers).map { .init(title: "w\($0)", isNumeric: true) }
                + [.init(title: "total", isNumeric: true)])
        for (worker, row) in overwritten.enumerated() {
            table.append(["w\(worker)"] + row.map(\.grouped) + [row.reduce(0, +).grouped])
        }
        return [
            "Who overwrote whom: each value written more than once, by the worker who wrote it (row) and the worker"
                + " who wrote the same value next (column), clobbering it; on the diagonal a worker wrote a value"
                + " again after a stale write moved the counter back:"
        ] + table.render(indent: "  ").split(separator: "\n").map(String.init)
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
