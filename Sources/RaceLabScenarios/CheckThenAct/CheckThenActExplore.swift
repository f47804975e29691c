import RaceLab
import RaceLabExplore

/// A key that thread 0 removes while the others check it and then use it.
private final class ExploredMap: Sendable {
    let map = Shared<[Int: Int]>("map", [0: 42])
    let mutex = ExploreMutex("m")
    init(threads: Int) {}
}

extension CheckThenActScenario {
    /// Thread 0 removes the key (a read and a write of the map); every other thread
    /// checks that the key is there and then reads it, `operations` times.
    static let exploreModel = ExploreModel(
        scenario: "check-then-act",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, "check the key, then use it: two reads", make: ExploredMap.init,
                body: { state, thread, operations in
                    if thread.index == 0 { return try remove(state, thread, locked: false) }
                    for _ in 0..<operations where try thread.load(state.map)[0] != nil {
                        try thread.check(
                            try thread.load(state.map)[0] != nil, "key 0 vanished between its check and its use")
                    }
                }, check: { _, _, _ in }),
            ExploreStrategyModel(
                "locked", safe: true, "check and use under one lock", make: ExploredMap.init,
                body: { state, thread, operations in
                    if thread.index == 0 { return try remove(state, thread, locked: true) }
                    for _ in 0..<operations {
                        try thread.lock(state.mutex)
                        if try thread.load(state.map)[0] != nil {
                            try thread.check(
                                try thread.load(state.map)[0] != nil, "key 0 vanished between its check and its use")
                        }
                        try thread.unlock(state.mutex)
                    }
                }, check: { _, _, _ in }),
            ExploreStrategyModel(
                "single-lookup", safe: true, "one read: use what was found", make: ExploredMap.init,
                body: { state, thread, operations in
                    if thread.index == 0 { return try remove(state, thread, locked: false) }
                    for _ in 0..<operations {
                        if let value = try thread.load(state.map)[0] {
                            try thread.check(value == 42, "read \(value) for key 0")
                        }
                    }
                }, check: { _, _, _ in }),
        ])

    private static func remove(_ state: ExploredMap, _ thread: VirtualThread, locked: Bool) throws {
        if locked { try thread.lock(state.mutex) }
        var map = try thread.load(state.map)
        map[0] = nil
        try thread.store(state.map, map)
        if locked { try thread.unlock(state.mutex) }
    }
}
