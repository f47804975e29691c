/// Values each owned by one worker, each on its own padded slot: written only by
/// that worker during a run (no line shared with another worker's value) and read
/// after the pool has joined every worker thread (the join orders the writes before
/// the reads).
///
/// `@unchecked Sendable`: shared across threads, sound because no slot is ever
/// touched by two threads at once (see above), and the values are Sendable.
package final class PerWorker<Value: Sendable>: @unchecked Sendable {
    private let slots: PaddedSlots<Value>

    package init(count: Int, _ initial: Value) { slots = PaddedSlots(count: count) { initial } }

    package var count: Int { slots.count }

    package subscript(worker: Int) -> Value {
        get { slots[worker].pointee }
        set { slots[worker].pointee = newValue }
    }

    /// Changes worker `worker`'s value in place (no copy of a dictionary or array).
    @inline(__always)
    package func modify<Result>(_ worker: Int, _ body: (inout Value) -> Result) -> Result {
        body(&slots[worker].pointee)
    }
}
