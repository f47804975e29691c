import Synchronization

/// The user's own type under test: a hit counter whose `hit` is a load and a store,
/// not one atomic read-modify-write (the bug), or, with `isFixed`, one `add`.
final class HitCounter: Sendable {
    private let hits = Atomic<Int>(0)
    private let isFixed: Bool

    init(isFixed: Bool) { self.isFixed = isFixed }

    func hit() {
        if isFixed {
            hits.add(1, ordering: .relaxed)
        } else {
            hits.store(hits.load(ordering: .relaxed) + 1, ordering: .relaxed)
        }
    }

    var total: Int { hits.load(ordering: .relaxed) }
}
