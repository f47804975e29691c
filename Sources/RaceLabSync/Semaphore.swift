import CRaceLabShims
import Dispatch

/// A drop-in counting semaphore (the shape of `DispatchSemaphore`): `wait` takes one,
/// waiting while there are none; `signal` gives one back. Outside an exploration it is
/// a `DispatchSemaphore`. Inside one, both are scheduling points, a thread waiting at
/// 0 is not runnable until another signals, and a wait no one signals is a deadlock
/// ("worker 1 waits on ready").
///
///     let ready = Semaphore(0, name: "ready")
///     // producer:  items.withLock { $0.append(x) }; ready.signal()
///     // consumer:  ready.wait(); let x = items.withLock { $0.removeFirst() }
public final class Semaphore: Sendable {
    let real: DispatchSemaphore
    let initial: Int
    let object: SyncObject

    /// A semaphore holding `value` (a negative value counts as 0); `name` is what a
    /// timeline calls it.
    public init(_ value: Int, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        initial = Swift.max(0, value)
        real = DispatchSemaphore(value: initial)
        object = SyncObject(name: name, file: file, line: line)
    }

    /// The exploration this semaphore is counted in now: while an exploration runs on
    /// this thread, its `make` and `check` see the count its workers see (no
    /// scheduling point there); nil outside every exploration.
    private var counted: (any ExplorationControl)? {
        racelab_is_exploring() != 0 ? Exploration.current(runningOnly: false) : nil
    }

    /// Takes one, waiting while there are none.
    public func wait() {
        if let control = counted, !control.isRunningThread, control.take(semaphore: object.key, initial: initial) {
            return
        }
        if let control = Exploration.running {
            control.point(
                PendingStep(
                    object: object.id, label: object.label, writes: true,
                    waitsFor: .semaphore(object.key, initial: initial)))
            _ = control.take(semaphore: object.key, initial: initial)
            control.record(.semaphoreWait(object.label, didTake: true))
            return
        }
        real.wait()
    }

    /// Takes one if there is one within `timeout`; false when the time ran out. Inside an
    /// exploration time does not pass: it takes one if there is one at that step.
    public func wait(timeout: Duration) -> Bool {
        if let control = counted, !control.isRunningThread {
            return control.take(semaphore: object.key, initial: initial)
        }
        if let control = Exploration.running {
            control.point(PendingStep(object: object.id, label: object.label, writes: true))
            let didTake = control.take(semaphore: object.key, initial: initial)
            control.record(.semaphoreWait(object.label, didTake: didTake))
            return didTake
        }
        let (seconds, attoseconds) = timeout.components
        let (whole, overflow) = Swift.max(0, seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, whole < Int64(Int.max / 2) else { return real.wait(timeout: .distantFuture) == .success }
        let nanoseconds = whole + Swift.max(0, attoseconds) / 1_000_000_000
        return real.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success
    }

    /// Gives one back, waking a waiter if there is one.
    public func signal() {
        if let control = counted, !control.isRunningThread {
            return control.give(semaphore: object.key, initial: initial)
        }
        if let control = Exploration.running {
            control.point(PendingStep(object: object.id, label: object.label, writes: true))
            control.give(semaphore: object.key, initial: initial)
            control.record(.semaphoreSignal(object.label))
            return
        }
        real.signal()
    }
}
