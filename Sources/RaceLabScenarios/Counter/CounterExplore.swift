import RaceLab
import RaceLabExplore

/// The counter on the explorer's primitives: each thread increments `operations` times.
private final class ExploredCounter: Sendable {
    let value = Shared("counter", 0)
    let mutex = ExploreMutex("m")
    let slots: [Shared<Int>]
    init(threads: Int) { slots = (0..<threads).map { Shared("slot\($0)", 0) } }
}

extension CounterScenario {
    static let exploreModel = ExploreModel(
        scenario: "counter",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, "load, then store load + 1", make: ExploredCounter.init,
                body: { counter, thread, operations in
                    for _ in 0..<operations {
                        let value = try thread.load(counter.value)
                        try thread.store(counter.value, value + 1)
                    }
                }, check: total),
            ExploreStrategyModel(
                "mutex", safe: true, "lock, load, store load + 1, unlock", make: ExploredCounter.init,
                body: { counter, thread, operations in
                    for _ in 0..<operations {
                        try thread.lock(counter.mutex)
                        let value = try thread.load(counter.value)
                        try thread.store(counter.value, value + 1)
                        try thread.unlock(counter.mutex)
                    }
                }, check: total),
            ExploreStrategyModel(
                "atomic", safe: true, "one read-modify-write (update)", make: ExploredCounter.init,
                body: { counter, thread, operations in
                    for _ in 0..<operations { try thread.update(counter.value) { $0 + 1 } }
                }, check: total),
            ExploreStrategyModel(
                "sharded", safe: true, "each thread its own slot, summed after", make: ExploredCounter.init,
                body: { counter, thread, operations in
                    let slot = counter.slots[thread.index]
                    for _ in 0..<operations { try thread.store(slot, try thread.load(slot) + 1) }
                },
                check: { counter, threads, operations in
                    let sum = counter.slots.reduce(0) { $0 + $1.value }
                    try RaceFailure.unless(
                        sum == threads * operations, "the slots sum to \(sum), not \(threads * operations)")
                }),
        ])

    private static let total: @Sendable (ExploredCounter, Int, Int) throws -> Void = { counter, threads, operations in
        let expected = threads * operations
        let lost = expected - counter.value.value
        try RaceFailure.unless(
            lost == 0, "counter is \(counter.value.value), not \(expected): \(lost.counted("update")) lost")
    }
}
