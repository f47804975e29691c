/// What `--witness` saw behind the unsafe counter's lost updates: every read every
/// worker made, reconstructed into an account of every lost update.
///
/// With N reads in all, D distinct values read and a final count F, the updates lost
/// are N - F, and they split exactly into
/// - N - D: reads of a value another read had already returned (two workers read 41;
///   both wrote 42), and
/// - D - F: values at or above F that were read (a stale write moved the counter back
///   below them, and nobody counted them again).
/// The split holds only if the log is complete: as many reads recorded as operations,
/// and every value from 0 to F - 1 read at least once (a write of v + 1 needs a read
/// of v). `problems` says which check failed; `--check` fails on any.
public struct Witness: Codable, Sendable, Equatable {
    /// Reads recorded (N), and the operations the workers counted.
    public var reads: Int
    public var operations: Int
    /// Distinct values read (D) and the counter's final value (F).
    public var distinct: Int
    public var final: Int
    /// N - D and D - F; their sum is `lost`.
    public var sharedReads: Int
    public var movedBack: Int
    /// Why the log cannot account for the run; empty when it is complete.
    public var problems: [String]
    /// The first collisions, by time: one value read by two or more workers.
    public var collisions: [Collision]
    /// `overwritten[a][b]`: writes of worker a overwritten by worker b (both wrote the
    /// same successor of a value they both read; b's write came later).
    public var overwritten: [[Int]]
    /// The same fixed count, run without the recording: what recording does to the race.
    public var withoutRecording: Unrecorded?

    public var lost: Int { reads - final }
    public var isComplete: Bool { problems.isEmpty }

    /// One value read by several workers, each of whom wrote its successor.
    public struct Collision: Codable, Sendable, Equatable {
        public var value: Int
        public var reads: [Read]
    }

    /// One read and the write that followed it, in nanoseconds after the run's
    /// first recorded read.
    public struct Read: Codable, Sendable, Equatable {
        public var worker: Int
        public var readNanoseconds: UInt64
        public var writeNanoseconds: UInt64
    }

    /// A run of the same fixed count without recording.
    public struct Unrecorded: Codable, Sendable, Equatable {
        public var operations: Int
        public var lost: Int
    }
}

/// Every read of one witnessed run, per worker: the value read, when (just before the
/// read) and when its write was done (just after the store), on the monotonic clock.
public struct WitnessLog: Sendable {
    public var values: [[Int]]
    public var readTimes: [[UInt64]]
    public var writeTimes: [[UInt64]]
    /// What the workers counted, and the counter's final value.
    public var operations: Int
    public var final: Int

    public init(values: [[Int]], readTimes: [[UInt64]], writeTimes: [[UInt64]], operations: Int, final: Int) {
        self.values = values
        self.readTimes = readTimes
        self.writeTimes = writeTimes
        self.operations = operations
        self.final = final
    }

    /// Accounts for every lost update; `collisionsShown` collisions are kept, the
    /// earliest first.
    public func account(collisionsShown: Int = 3) -> Witness {
        let workers = values.count
        let reads = values.reduce(0) { $0 + $1.count }
        var problems: [String] = []
        if reads != operations {
            problems.append("\(reads.grouped) reads recorded for \(operations.grouped) operations")
        }
        let largest = values.lazy.compactMap { $0.max() }.max() ?? -1
        let smallest = values.lazy.compactMap { $0.min() }.min() ?? 0
        if smallest < 0 { problems.append("a read returned \(smallest), below 0") }
        // Reads per value, and where each value's reads start in `byValue`.
        let span = max(largest, final - 1, -1) + 1
        var count = [Int](repeating: 0, count: span)
        for log in values { for value in log where value >= 0 { count[value] += 1 } }
        var distinct = 0
        var neverRead: [Int] = []
        for value in 0..<span where count[value] > 0 { distinct += 1 }
        for value in 0..<max(0, final) where count[value] == 0 {
            neverRead.append(value)
            if neverRead.count == 3 { break }
        }
        if !neverRead.isEmpty {
            let shown = neverRead.map(\.grouped).joined(separator: ", ")
            problems.append(
                "value\(neverRead.count == 1 ? "" : "s") \(shown) below the final \(final.grouped) never read"
                    + " (a write of v + 1 needs a read of v)")
        }
        let movedBack = (max(0, final)..<span).filter { count[$0] > 0 }.count

        // Group the reads by value (counting sort), then each shared value's reads by
        // the time of their writes: each write was overwritten by the next one.
        let origin = readTimes.lazy.compactMap { $0.min() }.min() ?? 0
        var start = [Int](repeating: 0, count: span + 1)
        for value in 0..<span { start[value + 1] = start[value] + count[value] }
        var next = start
        var byValue = [(worker: Int, index: Int)](repeating: (0, 0), count: start[span])
        for (worker, log) in values.enumerated() {
            for (index, value) in log.enumerated() where value >= 0 {
                byValue[next[value]] = (worker, index)
                next[value] += 1
            }
        }
        var overwritten = [[Int]](repeating: [Int](repeating: 0, count: workers), count: workers)
        var collisions: [Witness.Collision] = []
        for value in 0..<span where count[value] > 1 {
            let group = byValue[start[value]..<start[value + 1]].sorted {
                writeTimes[$0.worker][$0.index] < writeTimes[$1.worker][$1.index]
            }
            for (earlier, later) in zip(group, group.dropFirst()) {
                overwritten[earlier.worker][later.worker] += 1
            }
            let collision = Witness.Collision(
                value: value,
                reads: group.map {
                    Witness.Read(
                        worker: $0.worker, readNanoseconds: readTimes[$0.worker][$0.index] &- origin,
                        writeNanoseconds: writeTimes[$0.worker][$0.index] &- origin)
                })
            collisions.append(collision)
            collisions.sort {
                ($0.reads.map(\.readNanoseconds).min() ?? 0) < ($1.reads.map(\.readNanoseconds).min() ?? 0)
            }
            if collisions.count > collisionsShown { collisions.removeLast() }
        }
        return Witness(
            reads: reads, operations: operations, distinct: distinct, final: final, sharedReads: reads - distinct,
            movedBack: movedBack, problems: problems, collisions: collisions, overwritten: overwritten)
    }
}
