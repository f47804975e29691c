import CRaceLabShims
// The drop-in Atomic: the real one under `racelab snapshot`, a scheduling point under
// `racelab explore snapshot`.
import RaceLabSync
import Synchronization

/// A record of two fields with an invariant: both always hold the same version. A
/// writer moves both to the next version; a reader reads both and checks.
package protocol SnapshotRecord: AnyObject, Sendable {
    /// Moves both fields to the next version.
    func update()
    /// Both fields, as this read saw them. `retries` counts reads thrown away and
    /// made again (a sequence lock's price); other records leave it alone.
    func read(retries: inout Int) -> (first: Int, second: Int)
}

/// Deliberately racy: each field its own atomic, written one after the other. A reader
/// between the two stores sees a torn record (the new first field, the old second);
/// two writers can also interleave and move the version backwards. No undefined
/// behaviour: a race condition only.
package final class FieldByFieldRecord: SnapshotRecord {
    private let first = RaceLabSync.Atomic<Int>(0, name: "first")
    private let second = RaceLabSync.Atomic<Int>(0, name: "second")
    private let workSteps: Int64

    package init(work: Int) { workSteps = Int64(work) }

    @inline(__always)
    package func update() {
        let next = first.load(ordering: .relaxed) &+ 1
        first.store(next, ordering: .relaxed)
        if workSteps > 0 { racelab_spin(workSteps) }
        second.store(next, ordering: .relaxed)
    }

    @inline(__always)
    package func read(retries: inout Int) -> (first: Int, second: Int) {
        let a = first.load(ordering: .relaxed)
        let b = second.load(ordering: .relaxed)
        return (a, b)
    }
}

/// One lock for readers and writers.
package final class LockedRecord: SnapshotRecord {
    package init() {}
    private let fields = Locked((first: 0, second: 0), name: "m")

    @inline(__always)
    package func update() {
        fields.withLock { fields in
            fields.first &+= 1
            fields.second = fields.first
        }
    }

    @inline(__always)
    package func read(retries: inout Int) -> (first: Int, second: Int) { fields.withLock { $0 } }
}

/// A read-write lock: readers share it, a writer takes it alone.
package final class ReadWriteLockedRecord: SnapshotRecord {
    package init() {}
    private let fields = ReadWriteLocked((first: 0, second: 0))

    @inline(__always)
    package func update() {
        fields.write { fields in
            fields.first &+= 1
            fields.second = fields.first
        }
    }

    @inline(__always)
    package func read(retries: inout Int) -> (first: Int, second: Int) { fields.read { $0 } }
}

/// Immutability: a writer builds a new, immutable snapshot and publishes it in one
/// step; a reader takes the current one and reads it at leisure: nobody can change it
/// under the reader. The swap is a reference assignment under a lock held for a few
/// instructions, because the standard library has no atomic strong reference (an
/// unmanaged pointer would need hazard pointers or epochs to free old snapshots
/// safely). ARC is the reclamation: an old snapshot lives as long as a reader holds it.
package final class ImmutableRecord: SnapshotRecord {
    package init() {}
    /// Immutable: `let` fields, so a published snapshot is never written again.
    final class Snapshot: Sendable {
        let first: Int
        let second: Int

        init(version: Int) {
            first = version
            second = version
        }
    }

    private let current = Locked(Snapshot(version: 0), name: "current")

    @inline(__always)
    package func update() {
        // Build outside the lock; publish only if nobody published meanwhile.
        var seen = current.withLock { $0 }
        while true {
            let next = Snapshot(version: seen.first &+ 1)
            let published = current.withLock { value -> Snapshot? in
                guard value === seen else { return value }
                value = next
                return nil
            }
            guard let newer = published else { return }
            seen = newer
        }
    }

    @inline(__always)
    package func read(retries: inout Int) -> (first: Int, second: Int) {
        let snapshot = current.withLock { $0 }
        return (snapshot.first, snapshot.second)
    }
}

/// A sequence lock: a writer makes the sequence odd, writes, makes it even again;
/// a reader reads the sequence, the fields, the sequence again, and retries when a
/// writer was active (odd) or finished in between (changed). Readers never block a
/// writer and take no lock: their price is the retries, which grow with the writers.
/// Fields are relaxed atomics ordered by fences (the C++ seqlock recipe), so a
/// reader that races a writer reads values it then throws away, never undefined
/// behaviour.
package final class SequenceLockedRecord: SnapshotRecord {
    package init() {}
    private let sequence = RaceLabSync.Atomic<Int>(0, name: "sequence")
    private let first = RaceLabSync.Atomic<Int>(0, name: "first")
    private let second = RaceLabSync.Atomic<Int>(0, name: "second")

    @inline(__always)
    package func update() {
        var start = sequence.load(ordering: .relaxed)
        while true {
            if start & 1 == 0 {
                let (exchanged, original) = sequence.compareExchange(
                    expected: start, desired: start &+ 1, ordering: .acquiring)
                if exchanged { break }
                start = original
            } else {
                spinLoopHint()
                start = sequence.load(ordering: .relaxed)
            }
        }
        atomicMemoryFence(ordering: .releasing)
        let next = first.load(ordering: .relaxed) &+ 1
        first.store(next, ordering: .relaxed)
        second.store(next, ordering: .relaxed)
        sequence.store(start &+ 2, ordering: .releasing)
    }

    @inline(__always)
    package func read(retries: inout Int) -> (first: Int, second: Int) {
        while true {
            let before = sequence.load(ordering: .acquiring)
            if before & 1 == 0 {
                let a = first.load(ordering: .relaxed)
                let b = second.load(ordering: .relaxed)
                atomicMemoryFence(ordering: .acquiring)
                if sequence.load(ordering: .relaxed) == before { return (a, b) }
            } else {
                spinLoopHint()
            }
            retries += 1
        }
    }
}
