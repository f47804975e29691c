import RaceLab

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
package struct Witness: Codable, Sendable, Equatable {
    /// Reads recorded (N), and the operations (increments) the workers counted.
    package var reads: Int
    package var operations: Int
    /// Distinct values read (D) and the counter's final value (F); for a keyed
    /// workload, summed over the keys (each key is a counter of its own).
    package var distinct: Int
    package var final: Int
    /// N - D and D - F; their sum is `lost`.
    package var sharedReads: Int
    package var movedBack: Int
    /// Why the log cannot account for the run; empty when it is complete.
    package var problems: [String]
    /// The first collisions, by time: one value read by two or more workers.
    package var collisions: [Collision]
    /// Who overwrote whom, the pairs that did, most first: `count` writes of `worker`
    /// were followed by a write of the same value by `by` (both read the same value;
    /// `by`'s write finished later). They add up to `sharedReads`.
    package var overwrites: [Overwrite]
    /// The same command, run without the recording: what recording does to the race.
    package var withoutRecording: Unrecorded?
    /// How many keys, each a counter of its own (the cache); nil: one counter.
    package var keys: Int?

    package var lost: Int { reads - final }
    package var isComplete: Bool { problems.isEmpty }

    /// One value read by several workers, each of whom wrote its successor.
    package struct Collision: Codable, Sendable, Equatable {
        /// The key, for a keyed workload.
        package var key: Int?
        package var value: Int
        package var reads: [Read]
    }

    /// One read and the write that followed it, in nanoseconds after the run's
    /// first recorded read.
    package struct Read: Codable, Sendable, Equatable {
        package var worker: Int
        package var readNanoseconds: UInt64
        package var writeNanoseconds: UInt64
    }

    /// Writes of `worker` that `by` wrote again.
    package struct Overwrite: Codable, Sendable, Equatable {
        package var worker: Int
        package var by: Int
        package var count: Int
    }

    /// A run of the same command without recording.
    package struct Unrecorded: Codable, Sendable, Equatable {
        package var operations: Int
        package var lost: Int

        package init(operations: Int, lost: Int) {
            self.operations = operations
            self.lost = lost
        }
    }
}

/// Every read of one witnessed run, per worker: the value read, when (just before the
/// read) and when its write was done (just after it), on the monotonic clock; for a
/// keyed workload (the cache), which key. Each key is a counter of its own.
package struct WitnessLog: Sendable {
    package var values: [[Int]]
    package var readTimes: [[UInt64]]
    package var writeTimes: [[UInt64]]
    /// The key of each read; nil: one counter (key 0).
    package var keys: [[Int]]?
    /// Increments the workers counted, and each key's final value.
    package var operations: Int
    package var finals: [Int]

    package init(
        values: [[Int]], readTimes: [[UInt64]], writeTimes: [[UInt64]], keys: [[Int]]? = nil, operations: Int,
        finals: [Int]
    ) {
        self.values = values
        self.readTimes = readTimes
        self.writeTimes = writeTimes
        self.keys = keys
        self.operations = operations
        self.finals = finals
    }

    /// One counter's log.
    package init(values: [[Int]], readTimes: [[UInt64]], writeTimes: [[UInt64]], operations: Int, final: Int) {
        self.init(
            values: values, readTimes: readTimes, writeTimes: writeTimes, operations: operations, finals: [final])
    }

    private typealias Ref = (worker: Int, index: Int)

    /// Accounts for every lost update, key by key; `collisionsShown` collisions are
    /// kept, the earliest first.
    package func account(collisionsShown: Int = 3) -> Witness {
        let workers = values.count
        let reads = values.reduce(0) { $0 + $1.count }
        var problems: [String] = []
        if reads != operations {
            problems.append("\(reads.grouped) reads recorded for \(operations.grouped) operations")
        }
        // The reads of each key, then each key on its own.
        var byKey = [[Ref]](repeating: [], count: finals.count)
        var strayKeys = 0
        for worker in 0..<workers {
            for index in values[worker].indices {
                let key = keys?[worker][index] ?? 0
                if byKey.indices.contains(key) { byKey[key].append((worker, index)) } else { strayKeys += 1 }
            }
        }
        if strayKeys > 0 {
            problems.append(
                "\(strayKeys.counted("read")) of a key outside 0 to \(finals.count - 1)")
        }
        let origin = readTimes.lazy.compactMap { $0.min() }.min() ?? 0
        var pairs: [Int: Int] = [:]  // worker * workers + by -> count
        var witness = Witness(
            reads: reads, operations: operations, distinct: 0, final: finals.reduce(0, +), sharedReads: 0, movedBack: 0,
            problems: [], collisions: [],
            overwrites: [],
            keys: keys == nil ? nil : finals.count)
        for (key, refs) in byKey.enumerated() where !refs.isEmpty || finals[key] > 0 {
            account(
                key: key, refs, origin: origin, into: &witness, pairs: &pairs, problems: &problems,
                collisionsShown: collisionsShown)
        }
        witness.sharedReads = reads - witness.distinct
        witness.overwrites = pairs.map {
            Witness.Overwrite(worker: $0.key / workers, by: $0.key % workers, count: $0.value)
        }
        .sorted { ($0.count, $1.worker, $1.by) > ($1.count, $0.worker, $0.by) }
        witness.problems = Array(problems.prefix(5)) + (problems.count > 5 ? ["and \(problems.count - 5) more"] : [])
        return witness
    }

    /// One key (one counter): its distinct values, the values at or above its final
    /// count, the checks, its collisions and who overwrote whom.
    private func account(
        key: Int, _ refs: [Ref], origin: UInt64, into witness: inout Witness, pairs: inout [Int: Int],
        problems: inout [String], collisionsShown: Int
    ) {
        let final = finals[key]
        let name = keys == nil ? "" : "key \(key): "
        let smallest = refs.lazy.map { values[$0.worker][$0.index] }.min() ?? 0
        if smallest < 0 { problems.append("\(name)a read returned \(smallest), below 0") }
        let largest = refs.lazy.map { values[$0.worker][$0.index] }.max() ?? -1
        // Reads per value, and where each value's reads start in `byValue`.
        let span = max(largest, final - 1, -1) + 1
        var count = [Int](repeating: 0, count: span)
        for ref in refs where values[ref.worker][ref.index] >= 0 { count[values[ref.worker][ref.index]] += 1 }
        witness.distinct += count.lazy.filter { $0 > 0 }.count
        let neverRead = (0..<max(0, final)).lazy.filter { count[$0] == 0 }.prefix(3).map(\.grouped)
        if !neverRead.isEmpty {
            problems.append(
                "\(name)value\(neverRead.count == 1 ? "" : "s") \(neverRead.joined(separator: ", ")) below the final"
                    + " \(final.grouped) never read (a write of v + 1 needs a read of v)")
        }
        witness.movedBack += (max(0, final)..<span).lazy.filter { count[$0] > 0 }.count

        // Group the reads by value (counting sort), then each shared value's reads by
        // the time of their writes: each write was overwritten by the next one.
        var start = [Int](repeating: 0, count: span + 1)
        for value in 0..<span { start[value + 1] = start[value] + count[value] }
        var next = start
        var byValue = [Ref](repeating: (0, 0), count: start[span])
        for ref in refs where values[ref.worker][ref.index] >= 0 {
            let value = values[ref.worker][ref.index]
            byValue[next[value]] = ref
            next[value] += 1
        }
        for value in 0..<span where count[value] > 1 {
            let group = byValue[start[value]..<start[value + 1]].sorted {
                writeTimes[$0.worker][$0.index] < writeTimes[$1.worker][$1.index]
            }
            for (earlier, later) in zip(group, group.dropFirst()) {
                pairs[earlier.worker * values.count + later.worker, default: 0] += 1
            }
            let collision = Witness.Collision(
                key: keys == nil ? nil : key, value: value,
                reads: group.map {
                    Witness.Read(
                        worker: $0.worker, readNanoseconds: readTimes[$0.worker][$0.index] &- origin,
                        writeNanoseconds: writeTimes[$0.worker][$0.index] &- origin)
                })
            let firstRead = collision.reads.map(\.readNanoseconds).min() ?? 0
            if witness.collisions.count < collisionsShown
                || firstRead < (witness.collisions.last?.reads.map(\.readNanoseconds).min() ?? 0)
            {
                witness.collisions.append(collision)
                witness.collisions.sort {
                    ($0.reads.map(\.readNanoseconds).min() ?? 0) < ($1.reads.map(\.readNanoseconds).min() ?? 0)
                }
                if witness.collisions.count > collisionsShown { witness.collisions.removeLast() }
            }
        }
    }
}
