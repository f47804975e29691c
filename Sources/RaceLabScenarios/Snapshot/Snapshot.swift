import RaceLab
import RaceLabModel

/// `racelab snapshot`: a two-field record whose fields always hold the same
/// version. Writers keep moving it to the next version; readers read it and check.
package enum SnapshotScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let tornReads = AnomalyKind(id: "torn-reads", name: "torn reads")
        package static let wentBackwards = AnomalyKind(id: "went-backwards", name: "went backwards")
    }

    package static let scenario = Scenario(
        name: "snapshot",
        summary: "A two-field record read while it changes: field by field vs locked, rwlock, immutable, seqlock",
        operationName: "reads and updates",
        expectedLabel: "reads",
        observedLabel: "consistent",
        countsLegend: "reads of the record / reads that saw both fields from one update",
        anomalies: [Anomalies.tornReads, Anomalies.wentBackwards],
        options: [writers, .work],
        strategies: [
            Strategy(
                name: "unsafe", summary: "each field its own atomic, written one after the other",
                isExpectedSafe: false
            ) { request, pool in try run(FieldByFieldRecord(work: request.integer(.work)), request, pool) },
            Strategy(
                name: "locked", summary: "one lock around every read and every update", isExpectedSafe: true
            ) { request, pool in try run(LockedRecord(), request, pool) },
            Strategy(
                name: "rwlock", summary: "pthread_rwlock_t: readers share it, a writer takes it alone",
                isExpectedSafe: true
            ) { request, pool in try run(ReadWriteLockedRecord(), request, pool) },
            Strategy(
                name: "immutable",
                summary: "writers publish a new immutable snapshot in one step; readers keep the one they took",
                isExpectedSafe: true
            ) { request, pool in try run(ImmutableRecord(), request, pool) },
            Strategy(
                name: "seqlock", summary: "readers take no lock: they retry when a writer was active",
                isExpectedSafe: true
            ) { request, pool in try run(SequenceLockedRecord(), request, pool) },
        ],
        explanation: snapshotExplanation)

    static let defaultWriters = 1

    /// `--writers N`: workers that update; the others read.
    static let writers = ScenarioOption(
        name: "writers", values: .workers, default: .integer(defaultWriters),
        help: "Workers that update the record; the others read it.",
        headerLine: { writers in
            "  writers     \(writers.integer) update, \(writers.request.threads - writers.integer) read"
        },
        brief: { writers in "\(writers.integer) writers" })

    /// One run: workers 0..<W update, the others read and check every read: torn
    /// (the two fields differ) or older than a version this reader already saw.
    static func run<Record: SnapshotRecord>(
        _ record: Record, _ request: Request, _ pool: WorkerPool
    ) throws -> Observation {
        let writers = request.integer(Self.writers)
        let reads = PerWorker(count: request.threads, 0)
        let torn = PerWorker(count: request.threads, 0)
        let backwards = PerWorker(count: request.threads, 0)
        let retries = PerWorker(count: request.threads, 0)
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            if worker < writers {
                budget.forEachOperation { record.update() }
                return
            }
            var newest = 0
            var tornReads = 0
            var older = 0
            var retried = 0
            budget.forEachOperation {
                let (first, second) = record.read(retries: &retried)
                if first != second { tornReads += 1 }
                if first < newest { older += 1 } else { newest = first }
            }
            reads[worker] = budget.operations
            torn[worker] = tornReads
            backwards[worker] = older
            retries[worker] = retried
        }
        let readers = writers..<request.threads
        let readCount = readers.reduce(0) { $0 + reads[$1] }
        let tornCount = readers.reduce(0) { $0 + torn[$1] }
        let retried = readers.reduce(0) { $0 + retries[$1] }
        var detail = prices(timing, writers: writers)
        if Record.self == SequenceLockedRecord.self, readCount > 0 {
            detail +=
                "; readers threw away and retried \(retried.grouped) reads"
                + " (\(percent(retried, of: readCount)) of the reads they kept)"
        }
        return Observation(
            expected: readCount, observed: readCount - tornCount, operations: timing.operations,
            anomalies: [
                Anomalies.tornReads.count(tornCount),
                Anomalies.wentBackwards.count(readers.reduce(0) { $0 + backwards[$1] }),
            ],
            timing: timing, detail: detail)
    }

    /// What a read and an update cost, apart: each side's busy time over its own
    /// operations (the table's ns/op mixes them).
    static func prices(_ timing: Timing, writers: Int) -> String {
        func price(_ workers: ArraySlice<WorkerTiming>) -> String {
            let operations = workers.reduce(0) { $0 + $1.operations }
            guard operations > 0 else { return "-" }
            let busy = workers.reduce(0.0) { $0 + Double($1.busyNanoseconds) }
            let nanoseconds = busy / Double(operations)
            if nanoseconds >= 1_000_000 { return "\((nanoseconds / 100_000).rounded() / 10) ms" }
            return nanoseconds >= 100
                ? "\(Int(nanoseconds.rounded()).grouped) ns" : "\((nanoseconds * 10).rounded() / 10) ns"
        }
        return "a read cost the readers \(price(timing.workers[writers...])), an update cost the writers"
            + " \(price(timing.workers[..<writers]))"
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}

private let snapshotExplanation = """
    THE RACE
      A record with two fields that belong together: a configuration {x, y}
      where x == y always, an account pair whose sum is fixed. A writer updates
      them one after the other, and a reader can look in between:

        writer 0                      reader 1
        --------------------------    --------------------------
        x = 8
                                      read x            -> 8
                                      read y            -> 7
        y = 8

      Reader 1 saw {8, 7}: a state that never existed, a "torn read". Every single
      access was atomic; the pair was not. Two writers can also interleave so
      that the version moves backwards ("went backwards": a reader sees an
      older version after a newer one). racelab's `unsafe` strategy keeps each
      field in its own relaxed atomic; `--work N` spins between the two stores.

    THE FIXES
      locked     One lock around every read and every update: readers wait for
                 writers and for each other.
      rwlock     pthread_rwlock_t: readers share the lock, a writer takes it
                 alone. Cheaper when reads dominate, but every read still writes
                 the lock's reader count (a shared cache line).
      immutable  Writers never change a published record: they build a new one
                 and publish it in one step (here a reference swapped under a
                 lock held for a few instructions: Swift's standard library has
                 no atomic strong reference). A reader takes the current one and
                 reads it at leisure; ARC frees an old one when its last reader
                 lets go. Python's namedtuple._replace is the same idea.
      seqlock    A sequence number, odd while a writer is at work. Readers take
                 no lock: read the number, the fields, the number again, and
                 retry if a writer was active. Cheap for readers while writers
                 are rare; the retries grow with the writers (--writers).
    """
