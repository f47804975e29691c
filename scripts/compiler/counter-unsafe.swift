// expect: accepted
// The `unsafe` counter's code: every access is an atomic, so there is no data race
// and Swift 6 compiles it without a word. The increment (load, then store) is still
// not atomic: run it and updates are lost. Data-race safety is not race-condition
// safety.
import Dispatch
import Synchronization

final class UnsafeCounter: Sendable {
    private let value = Atomic<Int>(0)

    func increment() {
        let seen = value.load(ordering: .relaxed)
        value.store(seen &+ 1, ordering: .relaxed)
    }

    var total: Int { value.load(ordering: .relaxed) }
}

let counter = UnsafeCounter()
DispatchQueue.concurrentPerform(iterations: 8) { _ in
    for _ in 0..<100_000 { counter.increment() }
}
print("counted \(counter.total) of 800000")
