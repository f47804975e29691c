import CRaceLabShims

/// What a drop-in primitive asks of the explorer running it: RaceLabExplore's scheduler
/// implements this, RaceLabSync knows nothing else of it. Called only on the explorer's
/// own OS thread, from the virtual thread it is running.
@usableFromInline
package protocol ExplorationControl: AnyObject {
    /// Whether a virtual thread is running now (false in `make` and `check`, where an
    /// operation is no scheduling point).
    var isRunningThread: Bool { get }
    /// An id for a primitive made now: 1, 2, 3 ... in each schedule, so the same
    /// object has the same id in every schedule of the same program.
    func newObjectID() -> Int
    /// The scheduling point before an operation: returns when the explorer has chosen
    /// this thread and the operation can go (its mutex free, its semaphore above 0).
    func point(_ step: PendingStep)
    /// What the operation did, for the timeline.
    func record(_ event: SyncEvent)
    /// The running thread now holds the mutex keyed `key` (`SyncObject.key`), after a
    /// `point` that waited for it.
    func acquire(mutex key: Int)
    /// Releases the mutex keyed `key`, held by the running thread.
    func release(mutex key: Int)
    /// Whether the mutex keyed `key` is free now (a try-lock).
    func isFree(mutex key: Int) -> Bool
    /// Takes one from the semaphore keyed `key` (which starts at `initial`); false at 0.
    func take(semaphore key: Int, initial: Int) -> Bool
    /// Adds one to the semaphore keyed `key`.
    func give(semaphore key: Int, initial: Int)
    /// The running thread starts waiting on the condition keyed `key` (its mutex released).
    func sleep(on condition: Int)
    /// Wakes the longest waiter on the condition keyed `key`, or all of them; returns whom.
    func wake(_ condition: Int, all: Bool) -> [Int]
    /// The running thread asks to let another run: a yield, for the fairness rule.
    func recordYield()
    /// The running thread found the real lock of `label` held by a thread of an earlier
    /// schedule that can never release it (a deadlock abandoned it): fails the schedule
    /// with a sentence and parks this thread for good (taking the lock would trap).
    func stuck(on label: SyncLabel) -> Never
}

/// What a drop-in's next operation touches and what it may wait for: the explorer
/// tells independent steps apart by `object` and `writes` (sleep sets).
@usableFromInline
package struct PendingStep: Sendable {
    /// The primitive's id.
    package var object: Int
    /// Whether the operation changes it (a store, a read-modify-write, a lock).
    package var writes: Bool
    /// What the thread waits for before it can take the step.
    package var waitsFor: Wait?
    /// The primitive's name on the timeline, for a deadlock's story.
    package var label: SyncLabel
    /// A second primitive the step touches (a condition wait releases its mutex).
    package var other: Int?

    /// What a step can wait for.
    @usableFromInline
    package enum Wait: Sendable, Equatable {
        /// The mutex (its `SyncObject.key`) to be free.
        case mutex(Int)
        /// The semaphore (its key) to be above 0 (it starts at `initial`).
        case semaphore(Int, initial: Int)
        /// A signal on the condition, then the mutex to be free (a woken wait relocking).
        case signal(condition: Int, thenMutex: Int)
    }

    /// A step that touches everything (a yield): never independent of another.
    package static let everything = -1

    @usableFromInline
    package init(object: Int, label: SyncLabel, writes: Bool, waitsFor: Wait? = nil, other: Int? = nil) {
        self.object = object
        self.other = other
        self.label = label
        self.writes = writes
        self.waitsFor = waitsFor
    }
}

/// The exploration running on this OS thread, as the drop-ins find it: set by the
/// explorer for the length of an exploration, read through a thread-local.
@usableFromInline
package enum Exploration {
    /// The explorer running a virtual thread on this OS thread now, or nil: the one
    /// question a drop-in asks before every operation. Outside every exploration it is
    /// a relaxed load of a word no one writes, and a branch.
    @inlinable @inline(__always)
    package static var running: (any ExplorationControl)? {
        guard _slowPath(racelab_is_exploring() != 0) else { return nil }
        return current(runningOnly: true)
    }

    /// The exploration on this thread (also while it runs `make`), or nil.
    @usableFromInline
    package static func current(runningOnly: Bool) -> (any ExplorationControl)? {
        guard let raw = racelab_exploration_current() else { return nil }
        let control = Unmanaged<ExplorationSlot>.fromOpaque(raw).takeUnretainedValue().control
        return !runningOnly || control.isRunningThread ? control : nil
    }

    /// An id for a primitive made now: the exploration's (the same in every schedule)
    /// inside one, a process-wide one otherwise.
    @usableFromInline
    package static func newObjectID() -> Int {
        if racelab_is_exploring() != 0, let control = current(runningOnly: false) { return control.newObjectID() }
        return Int(racelab_next_object_id())
    }

    /// Makes `control` this OS thread's exploration until `end(_:)` with what this
    /// returns (RaceLabExplore's runner: once per exploration).
    package static func begin(_ control: any ExplorationControl) -> Installed {
        let slot = Unmanaged.passRetained(ExplorationSlot(control))
        racelab_exploration_begin()
        return Installed(slot: slot, previous: racelab_exploration_set_current(slot.toOpaque()))
    }

    /// Undoes `begin`, on the thread that called it.
    package static func end(_ installed: Installed) {
        racelab_exploration_set_current(installed.previous)
        racelab_exploration_end()
        installed.slot.release()
    }

    /// What `begin` installed and what it replaced.
    package struct Installed {
        let slot: Unmanaged<ExplorationSlot>
        let previous: UnsafeMutableRawPointer?
    }
}

/// A drop-in's identity for the explorer: its id (the same in every schedule of one
/// program) and what the timeline calls it. Read only inside an exploration.
@usableFromInline
package final class SyncObject: Sendable {
    /// 1, 2, 3 ... in the order a schedule makes its primitives, the same in every
    /// schedule of one program: what tells steps on one object from steps on another
    /// across schedules (sleep sets). Two objects may share one (one made in an earlier
    /// schedule and kept); that only makes the explorer prune less.
    package let id: Int
    package let label: SyncLabel

    /// Unique while the object lives: what the explorer keys a lock's holder, a
    /// semaphore's count and a condition's sleepers by.
    package var key: Int { Int(bitPattern: UInt(bitPattern: ObjectIdentifier(self))) }

    @usableFromInline
    init(name: String?, file: StaticString, line: UInt) {
        id = Exploration.newObjectID()
        label = SyncLabel(name: name, file: file, line: line)
    }
}

/// Holds the exploration for the thread-local (a class, so one pointer reaches it).
package final class ExplorationSlot {
    let control: any ExplorationControl
    init(_ control: any ExplorationControl) { self.control = control }
}

/// Where a primitive was made, for the timeline: its name when it was given one, else
/// its file and line ("Counter.swift:12"). Made into text only when a timeline is read.
@usableFromInline
package struct SyncLabel: Sendable, CustomStringConvertible {
    @usableFromInline let name: String?
    @usableFromInline let file: StaticString
    @usableFromInline let line: UInt

    @usableFromInline
    init(name: String?, file: StaticString, line: UInt) {
        self.name = name
        self.file = file
        self.line = line
    }

    /// The name, or "File.swift:12".
    @usableFromInline
    package var description: String {
        if let name { return name }
        let path = "\(file)"
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return "\(base):\(line)"
    }
}

/// A value as the timeline shows it, kept as is until then.
///
/// `@unchecked Sendable`: made and read only on the explorer's OS thread (a drop-in's
/// value need not be `Sendable`: `Atomic`'s need not be).
@usableFromInline
package struct Shown: @unchecked Sendable, CustomStringConvertible {
    let value: Any
    @usableFromInline package init(_ value: Any) { self.value = value }

    /// An optional as its value or "nil", not "Optional(2)".
    @usableFromInline
    package var description: String {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return "\(value)" }
        return mirror.children.first.map { "\($0.value)" } ?? "nil"
    }
}

/// One operation of a drop-in, for the timeline.
@usableFromInline
package enum SyncEvent: Sendable {
    case load(SyncLabel, Shown, ordering: String)
    case store(SyncLabel, Shown, ordering: String)
    /// A read-modify-write: `name` is the operation ("wrappingAdd 1", "exchange").
    case update(SyncLabel, name: String, old: Shown, new: Shown, ordering: String)
    case compareExchange(SyncLabel, expected: Shown, desired: Shown, found: Shown, exchanged: Bool, ordering: String)
    case lock(SyncLabel)
    case tryLock(SyncLabel, didLock: Bool)
    case unlock(SyncLabel)
    case semaphoreWait(SyncLabel, didTake: Bool)
    case semaphoreSignal(SyncLabel)
    case conditionWait(SyncLabel, mutex: SyncLabel)
    case conditionWoken(SyncLabel, mutex: SyncLabel)
    case conditionSignal(SyncLabel, woken: [Int], isBroadcast: Bool)
    case yield

    /// "load count → 1 (relaxed)", "lock Cache.swift:9", ...
    package var text: String {
        func suffix(_ ordering: String) -> String { ordering == "sequentiallyConsistent" ? "" : " (\(ordering))" }
        switch self {
        case .load(let label, let value, let ordering): return "load \(label) → \(value)\(suffix(ordering))"
        case .store(let label, let value, let ordering): return "store \(label) ← \(value)\(suffix(ordering))"
        case .update(let label, let name, let old, let new, let ordering):
            return "\(name) \(label) \(old) → \(new)\(suffix(ordering))"
        case .compareExchange(let label, let expected, let desired, let found, let exchanged, let ordering):
            return
                (exchanged
                ? "cas \(label) \(expected) → \(desired)" : "cas \(label) \(expected) → \(desired): found \(found)")
                + suffix(ordering)
        case .lock(let label): return "lock \(label)"
        case .tryLock(let label, let didLock): return "tryLock \(label) → \(didLock ? "locked" : "busy")"
        case .unlock(let label): return "unlock \(label)"
        case .semaphoreWait(let label, let didTake): return didTake ? "wait \(label)" : "wait \(label) → timed out"
        case .semaphoreSignal(let label): return "signal \(label)"
        case .conditionWait(let label, let mutex): return "wait \(label), unlock \(mutex)"
        case .conditionWoken(let label, let mutex): return "woken from \(label), lock \(mutex)"
        case .conditionSignal(let label, let woken, let isBroadcast):
            return "\(isBroadcast ? "broadcast" : "signal") \(label) → "
                + (woken.isEmpty
                    ? "nobody waits"
                    : "wakes worker\(woken.count == 1 ? "" : "s") " + woken.map(String.init).joined(separator: ", "))
        case .yield: return "yield"
        }
    }
}
