// expect: refused
// diagnostic: stored property 'storage' of 'Sendable'-conforming class 'UnsynchronisedCache' is mutable
// The `raw` cache's code without the `@unchecked Sendable` that racelab puts on it:
// a class with a mutable dictionary, shared by threads. Swift 6's data-race checking
// refuses to compile it; racelab's copy compiles only because `@unchecked` tells the
// compiler not to look (Sources/RaceLabSync/Cache/Caches.swift, UnsynchronisedCache).
import Dispatch

final class UnsynchronisedCache: Sendable {
    private var storage: [Int: Int] = [:]

    func increment(_ key: Int) { storage[key, default: 0] &+= 1 }
}

let cache = UnsynchronisedCache()
DispatchQueue.concurrentPerform(iterations: 8) { _ in
    for key in 0..<1_000 { cache.increment(key % 7) }
}
