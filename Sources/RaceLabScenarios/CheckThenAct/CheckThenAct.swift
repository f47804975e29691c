import RaceLab
import RaceLabModel

/// `racelab check-then-act`: free-threaded Python's KeyError. Writers keep
/// inserting and removing a few keys; readers check that a key is there and then
/// use it, and count each time it vanished in between. Writers insert with
/// put-if-absent and count each insert that silently replaced another's.
package enum CheckThenActScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let vanishedAfterCheck = AnomalyKind(id: "vanished-after-check", name: "vanished after check")
        package static let overwrittenInserts = AnomalyKind(id: "overwritten-inserts", name: "overwritten inserts")
    }

    package static let scenario = Scenario(
        name: "check-then-act",
        summary: "if key in dict: use dict[key], while others insert and remove",
        operationName: "operations",
        expectedLabel: "checks",
        observedLabel: "consistent",
        countsLegend: "checks that found the key / of those, the ones whose act still found it",
        anomalies: [Anomalies.vanishedAfterCheck, Anomalies.overwrittenInserts],
        options: [.work, keys, .seed, writers],
        strategies: [
            Strategy(
                name: "unsafe",
                summary: "each operation locked on its own; the check and the act are separate",
                isExpectedSafe: false
            ) { request, pool in try run(SeparateCheckDictionary(work: request.integer(.work)), request, pool) },
            Strategy(
                name: "locked", summary: "check and act inside one critical section", isExpectedSafe: true
            ) { request, pool in try run(CriticalSectionDictionary(), request, pool) },
            Strategy(
                name: "single-lookup",
                summary: "ask once: `if let v = dict[k]` and an atomic insert-if-absent",
                isExpectedSafe: true
            ) { request, pool in try run(SingleLookupDictionary(), request, pool) },
        ],
        explanation: checkThenActExplanation)

    static let keys = ScenarioOption.keys(default: 4)

    /// `--writers N`: workers that insert and remove; the others check-then-act.
    static let writers = ScenarioOption(
        name: "writers", values: .workers, default: nil, defaultText: "half the workers",
        help: "Workers that insert and remove; the others check-then-act.",
        headerLine: { option in
            let writers = writerCount(option.request)
            return "  writers     \(writers) insert/remove, \(option.request.threads - writers) check-then-act"
        },
        brief: { writers in writers.given.map { "\($0) writers" } ?? "half the workers write" })

    /// The writers a run really has: `--writers`, or half the workers (at least one),
    /// whatever the worker count, so a sweep keeps the same proportion.
    static func writerCount(_ request: Request) -> Int {
        request.integer(writers, derived: max(1, request.threads / 2))
    }

    /// One run: workers 0..<writers toggle keys, the rest read. Every reader
    /// operation is one check.
    static func run<Dictionary: CheckThenActDictionary>(
        _ dictionary: Dictionary, _ request: Request, _ pool: WorkerPool
    ) throws -> Observation {
        let writers = writerCount(request)
        let seed = UInt64(request.integer(.seed))
        let keyCount = request.integer(keys)
        let vanished = PaddedAtomicSlots(count: request.threads)
        let overwritten = PaddedAtomicSlots(count: request.threads)
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            var keys = KeyStream(seed: seed, worker: worker, keys: keyCount, readPercent: 0, zipf: nil)
            var tally = 0
            if worker < writers {
                budget.forEachOperation {
                    if !dictionary.toggle(keys.next().key, token: worker + 1) { tally += 1 }
                }
                overwritten[worker].pointee.store(tally, ordering: .relaxed)
            } else {
                var seen = 0
                budget.forEachOperation {
                    switch dictionary.checkThenUse(keys.next().key) {
                    case .absent: break
                    case .used(let value): seen &+= value
                    case .vanished: tally += 1
                    }
                }
                blackHole(seen)
                vanished[worker].pointee.store(tally, ordering: .relaxed)
            }
        }
        func sum(_ slots: PaddedAtomicSlots) -> Int {
            (0..<slots.count).reduce(0) { $0 + slots[$1].pointee.load(ordering: .relaxed) }
        }
        let checks = timing.workers[writers...].reduce(0) { $0 + $1.operations }
        let vanishedCount = sum(vanished)
        return Observation(
            expected: checks, observed: checks - vanishedCount,
            operations: timing.operations,
            anomalies: [
                Anomalies.vanishedAfterCheck.count(vanishedCount), Anomalies.overwrittenInserts.count(sum(overwritten)),
            ],
            timing: timing)
    }
}

private let checkThenActExplanation = """
    THE RACE
      "Look before you leap": check that the key is there, then use it. Each step
      is safe on its own; the gap between them is not:

        reader 0                          writer 1
        ------------------------------    ------------------------------
        if d.contains(k)        -> true
                                          d.removeValue(forKey: k)
        use(d[k])               -> nil: the key vanished (Python: KeyError)

      The same gap breaks put-if-absent between two writers:

        writer 0                          writer 2
        ------------------------------    ------------------------------
        if !d.contains(k)       -> true
                                          if !d.contains(k)       -> true
        d[k] = a                          
                                          d[k] = c    (0's insert silently lost)

      racelab counts both: "vanished after check" (it never force-unwraps, so no
      crash, just a count) and "overwritten inserts" (needs 2 or more --writers).

    THE FIXES
      locked          Do the check and the act inside one critical section:
                      nobody can remove the key between them.
      single-lookup   Don't check at all: ask once (`if let v = d[k]`), and
                      insert with one atomic insert-if-absent that reports
                      whether it inserted. One locked operation, no gap. Python's
                      equivalents are d.get(k) and d.setdefault(k, v).
    """
