import CRaceLabShims
import Synchronization

/// A drop-in for `Synchronization.Atomic`: the same operations, names and orderings,
/// so a type written with `Atomic` moves here by its import alone. Outside an
/// exploration it *is* a `Synchronization.Atomic` (each operation inlined into your
/// code, plus one relaxed load of a word no one writes and a branch). Inside one
/// (`Explore`), each operation is a scheduling point, and what it read or wrote is on
/// the timeline.
///
///     import RaceLabSync              // instead of: import Synchronization
///     final class Hits: Sendable {
///         let count = Atomic(0)
///         func hit() { count.wrappingAdd(1, ordering: .relaxed) }
///     }
///
/// The timeline names it by `name`, or by the file and line that made it
/// ("Hits.swift:3"). It costs one small allocation when made (its name and id), and
/// is 16 bytes. Explorations are sequentially consistent: an ordering is on the
/// timeline but weaker ones are not yet explored. Sizes 8 to 64 bits (every integer,
/// `Bool`, pointers, your `AtomicRepresentable` types of those sizes).
public struct Atomic<Value: AtomicRepresentable>: ~Copyable {
    @usableFromInline let storage: Synchronization.Atomic<Value>
    /// Its id and label, behind one reference: the atomic is 16 bytes, so two of them
    /// still share a cache line as two `Synchronization.Atomic`s do (measured: with the
    /// label inline, 56 bytes, a record of two fields read and written together took
    /// twice as long: two lines bounced instead of one).
    @usableFromInline let object: SyncObject

    /// An atomic holding `initialValue`; `name` is what a timeline calls it.
    public init(_ initialValue: consuming Value, name: String? = nil, file: StaticString = #fileID, line: UInt = #line)
    {
        storage = Synchronization.Atomic(initialValue)
        object = SyncObject(name: name, file: file, line: line)
    }

    @usableFromInline var label: SyncLabel { object.label }

    /// An operation inside an exploration: the scheduling point, the operation, the event.
    @usableFromInline
    func explored<R>(
        _ control: any ExplorationControl, writes: Bool, _ operation: () -> R, event: (R) -> SyncEvent
    ) -> R {
        control.point(PendingStep(object: object.id, label: object.label, writes: writes))
        let result = operation()
        control.record(event(result))
        return result
    }

    /// A compare-exchange's one ordering for a success and a failure ordering: never
    /// weaker than either.
    @inlinable
    static func combined(_ success: AtomicUpdateOrdering, _ failure: AtomicLoadOrdering) -> AtomicUpdateOrdering {
        switch (success, failure) {
        case (_, .sequentiallyConsistent): .sequentiallyConsistent
        case (.relaxed, .acquiring): .acquiring
        case (.releasing, .acquiring): .acquiringAndReleasing
        default: success
        }
    }
}

extension Atomic: @unchecked Sendable where Value: Sendable {}

/// Synchronization's protocol and orderings, under RaceLabSync's name: a file that
/// imports RaceLabSync alone (not Synchronization, whose `Atomic` and `Mutex` would then
/// be ambiguous) can still conform a type of its own and name an ordering.
public typealias AtomicRepresentable = Synchronization.AtomicRepresentable
/// Synchronization's load orderings: `.relaxed`, `.acquiring`, `.sequentiallyConsistent`.
public typealias AtomicLoadOrdering = Synchronization.AtomicLoadOrdering
/// Synchronization's store orderings: `.relaxed`, `.releasing`, `.sequentiallyConsistent`.
public typealias AtomicStoreOrdering = Synchronization.AtomicStoreOrdering
/// Synchronization's read-modify-write orderings.
public typealias AtomicUpdateOrdering = Synchronization.AtomicUpdateOrdering
