import CRaceLabShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A primitive as the explorer knows it: its `SyncObject`'s id, key and label.
package protocol ExploredPrimitive: Sendable {
    var object: SyncObject { get }
}

extension ExploredPrimitive {
    package var id: Int { object.id }
    package var key: Int { object.key }
    package var label: SyncLabel { object.label }
}

/// The explorer's side of a lock of any kind: `Mutex` here, and racelab's own
/// pthread-based locks, each hold one. Inside an exploration, locking is a scheduling
/// point where a thread waits while another holds the lock, and unlocking is one too;
/// the real lock is then the caller's business (a pthread mutex is not taken at all:
/// one OS thread runs every virtual thread, and this lock already excludes them).
@usableFromInline
package struct ExploredLock: ExploredPrimitive {
    package let object: SyncObject

    /// A lock named `name` (nil: its file and line) for the timeline.
    package init(name: String?, file: StaticString, line: UInt) {
        object = SyncObject(name: name, file: file, line: line)
    }

    /// Waits until the lock is free, then holds it.
    package func lock(_ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true, waitsFor: .mutex(key)))
        control.acquire(mutex: key)
        control.record(.lock(label))
    }

    /// Holds the lock if it is free now; whether it does.
    package func tryLock(_ control: any ExplorationControl) -> Bool {
        control.point(PendingStep(object: id, label: label, writes: true))
        let isFree = control.isFree(mutex: key)
        if isFree { control.acquire(mutex: key) }
        control.record(.tryLock(label, didLock: isFree))
        return isFree
    }

    /// Lets go of the lock.
    package func unlock(_ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true))
        control.release(mutex: key)
        control.record(.unlock(label))
    }
}

/// The explorer's side of a condition variable used with an `ExploredLock`: a wait
/// unlocks and sleeps in one step, and, once signalled, relocks in another (waiting
/// while someone else holds the lock). No spurious wakeups; a signal wakes the thread
/// that waited longest; a wait nobody signals is a deadlock, named.
package struct ExploredCondition: ExploredPrimitive {
    package let object: SyncObject

    /// A condition named `name` (nil: its file and line) for the timeline.
    package init(name: String?, file: StaticString, line: UInt) {
        object = SyncObject(name: name, file: file, line: line)
    }

    /// Releases `lock` (held by this thread), sleeps until signalled, relocks it.
    package func wait(releasing lock: ExploredLock, _ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true, other: lock.id))
        control.release(mutex: lock.key)
        control.sleep(on: key)
        control.record(.conditionWait(label, mutex: lock.label))
        control.point(
            PendingStep(
                object: lock.id, label: label, writes: true, waitsFor: .signal(condition: key, thenMutex: lock.key),
                other: id))
        control.acquire(mutex: lock.key)
        control.record(.conditionWoken(label, mutex: lock.label))
    }

    /// Wakes the thread that has waited longest, or every one.
    package func signal(all: Bool, _ control: any ExplorationControl) {
        control.point(PendingStep(object: id, label: label, writes: true))
        let woken = control.wake(key, all: all)
        control.record(.conditionSignal(label, woken: woken, isBroadcast: all))
    }
}

/// Lets other threads run: `sched_yield()` outside an exploration; inside one, a
/// scheduling point after which the explorer prefers another worker (CHESS's fairness
/// rule), so a spin-wait that yields ends in every schedule the explorer keeps instead
/// of spinning while the worker it waits for is never chosen. Put it in a back-off
/// loop where you would put `sched_yield()`.
public func yieldThread() {
    if let control = Exploration.running {
        control.point(PendingStep(object: PendingStep.everything, label: yieldLabel, writes: true))
        control.recordYield()
        return
    }
    sched_yield()
}

private let yieldLabel = SyncLabel(name: "yield", file: #fileID, line: #line)

/// A spin-wait's hint: the CPU's pause instruction outside an exploration (as
/// `racelab_cpu_relax`, x86's `pause`); inside one, a yield, so the explorer lets the
/// worker being waited for run (see `yieldThread`). Put it in a spin loop's body.
@inlinable @inline(__always)
public func spinLoopHint() {
    if Exploration.running != nil { return yieldThread() }
    racelab_cpu_relax()
}
