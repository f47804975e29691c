// expect: accepted
// The `unsafe` cache of `racelab actor-cache`: isolated, compiled without a word,
// and still fetching one key many times, because callers run at the await.
actor FetchingCache {
    private var values: [Int: Int] = [:]
    private(set) var fetches = 0

    func value(for key: Int) async -> Int {
        if let value = values[key] { return value }
        fetches += 1
        let version = fetches
        await Task.yield()  // the fetch: the actor is free here
        values[key] = version
        return version
    }
}

let cache = FetchingCache()
await withTaskGroup(of: Void.self) { group in
    for _ in 0..<8 {
        group.addTask { for key in 0..<10_000 { _ = await cache.value(for: key) } }
    }
}
print("\(await cache.fetches) fetches for 10000 keys")
