import Synchronization

/// One sample of a litmus test: its two locations and every thread's registers, fresh
/// for each sample (`OutcomeStress` makes one per sample). Small on purpose: the
/// locations and registers share the object's cache line, as a user's own outcome
/// test's state does.
///
/// Sendable without `@unchecked`: every field is an atomic. A thread writes only its
/// own registers; the arbiter reads them after the stride's barrier, whose
/// release/acquire pair orders the writes before the reads.
package final class LitmusCell: Sendable {
    package let x = Atomic<Int>(0)
    package let y = Atomic<Int>(0)
    private let r0 = Atomic<UInt8>(0)
    private let r1 = Atomic<UInt8>(0)
    private let r2 = Atomic<UInt8>(0)
    private let r3 = Atomic<UInt8>(0)
    private let r4 = Atomic<UInt8>(0)
    private let r5 = Atomic<UInt8>(0)
    private let r6 = Atomic<UInt8>(0)
    private let r7 = Atomic<UInt8>(0)

    package init() {}

    /// Stores the low byte of `value` (every test's values are 0, 1 or 2) as the
    /// `index`-th load of `thread` (up to 4 threads of 2 loads each).
    @inline(__always)
    package func record(_ value: Int, thread: Int, index: Int) {
        let byte = UInt8(truncatingIfNeeded: value)
        switch thread &* 2 &+ index {
        case 0: r0.store(byte, ordering: .relaxed)
        case 1: r1.store(byte, ordering: .relaxed)
        case 2: r2.store(byte, ordering: .relaxed)
        case 3: r3.store(byte, ordering: .relaxed)
        case 4: r4.store(byte, ordering: .relaxed)
        case 5: r5.store(byte, ordering: .relaxed)
        case 6: r6.store(byte, ordering: .relaxed)
        default: r7.store(byte, ordering: .relaxed)
        }
    }

    /// The `index`-th load of `thread`, for the arbiter.
    package func register(thread: Int, index: Int) -> Int {
        let value: UInt8
        switch thread &* 2 &+ index {
        case 0: value = r0.load(ordering: .relaxed)
        case 1: value = r1.load(ordering: .relaxed)
        case 2: value = r2.load(ordering: .relaxed)
        case 3: value = r3.load(ordering: .relaxed)
        case 4: value = r4.load(ordering: .relaxed)
        case 5: value = r5.load(ordering: .relaxed)
        case 6: value = r6.load(ordering: .relaxed)
        default: value = r7.load(ordering: .relaxed)
        }
        return Int(value)
    }
}
