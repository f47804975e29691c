import RaceLab
import RaceLabExplore

/// A singleton every thread asks for: `instance` nil until built; `builds` counts builds.
private final class ExploredLazy: Sendable {
    let instance = Shared<Int?>("instance", nil)
    let builds = Shared("builds", 0)
    let mutex = ExploreMutex("m")
    init(threads: Int) {}
}

extension LazyInitScenario {
    static let exploreModel = ExploreModel(
        scenario: "lazy-init",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, "if instance is nil: build, publish", make: ExploredLazy.init,
                body: { lazy, thread, operations in
                    for _ in 0..<operations where try thread.load(lazy.instance) == nil {
                        try build(lazy, thread)
                    }
                }, check: builtOnce),
            ExploreStrategyModel(
                "double-checked", safe: true, "check, lock, check again, build, publish, unlock",
                make: ExploredLazy.init,
                body: { lazy, thread, operations in
                    for _ in 0..<operations where try thread.load(lazy.instance) == nil {
                        try thread.lock(lazy.mutex)
                        if try thread.load(lazy.instance) == nil { try build(lazy, thread) }
                        try thread.unlock(lazy.mutex)
                    }
                }, check: builtOnce),
            ExploreStrategyModel(
                "locked-always", safe: true, "lock, check, build, publish, unlock", make: ExploredLazy.init,
                body: { lazy, thread, operations in
                    for _ in 0..<operations {
                        try thread.lock(lazy.mutex)
                        if try thread.load(lazy.instance) == nil { try build(lazy, thread) }
                        try thread.unlock(lazy.mutex)
                    }
                }, check: builtOnce),
        ])

    private static func build(_ lazy: ExploredLazy, _ thread: VirtualThread) throws {
        try thread.store(lazy.builds, try thread.load(lazy.builds) + 1)
        try thread.store(lazy.instance, thread.index)
    }

    private static let builtOnce: @Sendable (ExploredLazy, Int, Int) throws -> Void = { lazy, _, _ in
        try RaceFailure.unless(lazy.builds.value == 1, "built \(lazy.builds.value) times")
    }
}
