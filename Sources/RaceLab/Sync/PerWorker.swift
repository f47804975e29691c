/// Values each owned by one worker: written only by that worker during a run and
/// read after the pool has joined every worker thread (the join orders the writes
/// before the reads).
///
/// `@unchecked Sendable`: shared across threads, sound because no slot is ever
/// touched by two threads at once (see above).
final class PerWorker<Value>: @unchecked Sendable {
    private let values: UnsafeMutablePointer<Value>
    let count: Int

    init(count: Int, _ initial: Value) {
        self.count = count
        values = .allocate(capacity: count)
        values.initialize(repeating: initial, count: count)
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
    }

    subscript(worker: Int) -> Value {
        get { values[worker] }
        set { values[worker] = newValue }
    }

    /// Changes worker `worker`'s value in place (no copy of a dictionary or array).
    @inline(__always)
    func modify<Result>(_ worker: Int, _ body: (inout Value) -> Result) -> Result { body(&values[worker]) }
}
