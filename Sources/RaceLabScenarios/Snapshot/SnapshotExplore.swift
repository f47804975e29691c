import RaceLab
import RaceLabExplore
import RaceLabModel

/// `racelab explore snapshot`: the strategies' own records (Snapshots.swift). Worker 0
/// updates the record `operations` times; every other worker reads it as often and
/// checks that both fields hold the same version. rwlock's pthread_rwlock_t is not
/// seen by the explorer, so it is not explored.
extension SnapshotScenario {
    static let exploreModel = ExploreModel(
        scenario: "snapshot",
        strategies: [
            ExploreStrategyModel("unsafe", safe: false, "FieldByFieldRecord: write first, then second; read both") {
                _, _ in
                untorn { FieldByFieldRecord(work: 0) }
            },
            ExploreStrategyModel("locked", safe: true, "LockedRecord: one lock around every read and update") {
                _, _ in
                untorn { LockedRecord() }
            },
            ExploreStrategyModel("immutable", safe: true, "ImmutableRecord: publish a new snapshot in one swap") {
                _, _ in
                untorn { ImmutableRecord() }
            },
            ExploreStrategyModel(
                "seqlock", safe: true, preemptionBound: 3,
                "SequenceLockedRecord: readers retry when a writer was active"
            ) { _, _ in
                untorn { SequenceLockedRecord() }
            },
        ],
        notExplored: [("rwlock", "pthread_rwlock_t is not seen by the explorer")])

    private static func untorn<Record: SnapshotRecord>(_ make: @escaping @Sendable () -> Record) -> RaceTest<Record> {
        RaceTest {
            make()
        } body: { record, worker, _ in
            if worker == 0 {
                record.update()
            } else {
                var retries = 0
                let (first, second) = record.read(retries: &retries)
                try RaceFailure.unless(first == second, "read a torn record {\(first), \(second)}")
            }
        }
    }
}
