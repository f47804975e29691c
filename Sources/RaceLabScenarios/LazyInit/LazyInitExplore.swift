import RaceLab
import RaceLabExplore
import RaceLabModel

/// `racelab explore lazy-init`: the strategies' own lazy instances (LazyInstances.swift)
/// on the drop-ins; every worker asks for the instance `operations` times, and it must
/// be built once. relaxed-publication needs the weak memory model (its race is a
/// reordering, not an interleaving); static-let and pthread-once run the runtime's and
/// the C library's code, which the explorer does not see.
extension LazyInitScenario {
    static let exploreModel = ExploreModel(
        scenario: "lazy-init",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "UncheckedLazy: if the instance is nil, build, publish") {
                threads, _ in
                buildingOnce(threads) { UncheckedLazy(table: $0) }
            },
            ExploreStrategyModel(
                "double-checked", safe: true, "DoubleCheckedLazy: check, lock, check again, build, publish, unlock"
            ) { threads, _ in
                buildingOnce(threads) { DoubleCheckedLazy(table: $0, relaxed: false) }
            },
            ExploreStrategyModel("locked-always", safe: true, "AlwaysLockedLazy: lock, check, build, publish, unlock") {
                threads, _ in
                buildingOnce(threads) { AlwaysLockedLazy(table: $0) }
            },
        ],
        notExplored: [
            ("relaxed-publication", "its race is a reordering (weak memory), not an interleaving"),
            ("static-let, pthread-once", "the runtime's and the C library's once, which the explorer does not see"),
        ])

    /// The table and the lazy instance, for the check.
    final class Explored<Lazy: LazyInstance>: Sendable {
        let table: InstanceTable
        let lazy: Lazy
        init(_ table: InstanceTable, _ lazy: Lazy) {
            self.table = table
            self.lazy = lazy
        }
    }

    private static func buildingOnce<Lazy: LazyInstance>(
        _ threads: Int, _ make: @escaping @Sendable (InstanceTable) -> Lazy
    ) -> RaceTest<Explored<Lazy>> {
        RaceTest {
            let table = InstanceTable(capacity: threads, work: 0)
            return Explored(table, make(table))
        } body: { state, _, _ in
            _ = state.lazy.instance()
        } check: { state, _ in
            try RaceFailure.unless(state.table.builds == 1, "built \(state.table.builds) times")
        }
    }
}
