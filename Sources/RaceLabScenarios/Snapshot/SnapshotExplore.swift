import RaceLab
import RaceLabExplore

/// A record {x, y} that thread 0 moves from {n, n} to {n+1, n+1}; the others read it.
private final class ExploredRecord: Sendable {
    let x = Shared("x", 0)
    let y = Shared("y", 0)
    let pair = Shared("record", Pair(x: 0, y: 0))
    let mutex = ExploreMutex("m")
    init(threads: Int) {}
}

private struct Pair: Sendable, CustomStringConvertible {
    let x: Int
    let y: Int
    var description: String { "{\(x), \(y)}" }
}

extension SnapshotScenario {
    static let exploreModel = ExploreModel(
        scenario: "snapshot",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, "write x, then y; read x, then y", make: ExploredRecord.init,
                body: { record, thread, operations in
                    for n in 1...operations { try fieldByField(record, thread, n) }
                }, check: { _, _, _ in }),
            ExploreStrategyModel(
                "locked", safe: true, "the same under one lock", make: ExploredRecord.init,
                body: { record, thread, operations in
                    for n in 1...operations {
                        try thread.lock(record.mutex)
                        try fieldByField(record, thread, n)
                        try thread.unlock(record.mutex)
                    }
                }, check: { _, _, _ in }),
            ExploreStrategyModel(
                "immutable", safe: true, "publish a new record in one store", make: ExploredRecord.init,
                body: { record, thread, operations in
                    for n in 1...operations {
                        if thread.index == 0 {
                            try thread.store(record.pair, Pair(x: n, y: n))
                        } else {
                            let pair = try thread.load(record.pair)
                            try thread.check(pair.x == pair.y, "read a torn record \(pair)")
                        }
                    }
                }, check: { _, _, _ in }),
        ])

    /// Thread 0 writes x, then y, both n; the others read x, then y, and check they match.
    private static func fieldByField(_ record: ExploredRecord, _ thread: VirtualThread, _ n: Int) throws {
        if thread.index == 0 {
            try thread.store(record.x, n)
            try thread.store(record.y, n)
        } else {
            let x = try thread.load(record.x)
            let y = try thread.load(record.y)
            try thread.check(x == y, "read a torn record {\(x), \(y)}")
        }
    }
}
