import CRaceLabShims
import Synchronization

/// The slow source a cache fetches from: `--work` spin steps of preparing the
/// request, then a suspension point (the network). Each fetch returns a new version,
/// so two fetches of one key give two different values. The source itself counts
/// the fetches it served and the distinct keys, so a cache's own bookkeeping cannot
/// hide a duplicate fetch.
package final class SlowSource: Sendable {
    let workSteps: Int64
    private let served = Mutex<(fetches: Int, keys: Set<Int>)>((0, []))

    package init(workSteps: Int64) { self.workSteps = workSteps }

    func fetch(_ key: Int) async -> Int {
        let version = served.withLock { served in
            served.fetches += 1
            served.keys.insert(key)
            return served.fetches
        }
        if workSteps > 0 { racelab_spin(workSteps) }
        await Task.yield()
        return version
    }

    /// Fetches served so far, and the distinct keys they were for.
    package var tally: (fetches: Int, keys: Int) { served.withLock { ($0.fetches, $0.keys.count) } }
}

/// A cache actor that fetches a missing value with an await. Every access to its
/// dictionary is isolated, so there is no data race; but the await gives the actor
/// up, and each strategy decides what a caller that arrives meanwhile does.
package protocol FetchingCache: Actor {
    func value(for key: Int) async -> Int
    /// Stores that replaced a value already stored (the source counts the fetches).
    var overwritten: Int { get }
}

/// Check, await the fetch, store. Every caller that misses while the first fetch is
/// in flight fetches again (duplicate fetches). What it does with its value after the
/// await is the strategy:
/// - `overwrite` (unsafe): store it, so the slower fetch overwrites the value the
///   faster one stored and its callers already returned;
/// - `keepFirst` (recheck): check again and keep a value stored meanwhile: no
///   overwrite, every caller of a key sees one value, but it has fetched all the
///   same: the recheck comes after the cost.
package actor FetchOnMissCache: FetchingCache {
    package enum AfterFetch: Sendable {
        case overwrite
        case keepFirst
    }

    private var values: [Int: Int] = [:]
    private let source: SlowSource
    private let afterFetch: AfterFetch
    package private(set) var overwritten = 0

    package init(source: SlowSource, afterFetch: AfterFetch) {
        self.source = source
        self.afterFetch = afterFetch
    }

    package func value(for key: Int) async -> Int {
        if let value = values[key] { return value }
        let fetched = await source.fetch(key)
        if let stored = values[key] {
            if afterFetch == .keepFirst { return stored }
            overwritten += 1
        }
        values[key] = fetched
        return fetched
    }
}

/// The first caller stores the fetch's `Task` before it awaits; a caller that
/// arrives while it is in flight awaits that same task. One fetch per key, one value.
package actor InFlightCache: FetchingCache {
    private enum Entry {
        case fetching(Task<Int, Never>)
        case ready(Int)
    }

    private var entries: [Int: Entry] = [:]
    private let source: SlowSource
    package private(set) var overwritten = 0

    package init(source: SlowSource) { self.source = source }

    package func value(for key: Int) async -> Int {
        switch entries[key] {
        case .ready(let value):
            return value
        case .fetching(let task):
            return await task.value
        case nil:
            let source = source
            let task = Task { await source.fetch(key) }
            entries[key] = .fetching(task)
            let value = await task.value
            // Only the first caller stores, so the entry is still this task's: a
            // ready value here would be an overwrite, counted like the others'.
            if case .ready = entries[key] { overwritten += 1 }
            entries[key] = .ready(value)
            return value
        }
    }
}
