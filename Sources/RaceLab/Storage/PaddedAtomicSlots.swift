import Synchronization

/// `count` values, each alone on its own 128-byte block: two cache lines, because
/// x86's adjacent-line prefetcher pulls lines in pairs. Whoever writes one slot never
/// disturbs a reader or writer of another (no false sharing).
///
/// Storage only, not `Sendable`: each owner says why sharing it is sound
/// (`PaddedAtomicSlots`, `WorkerLog`, `StopFlag`).
package final class PaddedSlots<Element: ~Copyable> {
    package let count: Int
    private let base: UnsafeMutableRawPointer

    package init(count: Int, _ initialValue: () -> Element) {
        precondition(MemoryLayout<Element>.size <= paddedSlotStride, "a slot holds at most 128 bytes")
        self.count = count
        base = .allocate(byteCount: count * paddedSlotStride, alignment: paddedSlotStride)
        for i in 0..<count {
            (base + i * paddedSlotStride).bindMemory(to: Element.self, capacity: 1).initialize(to: initialValue())
        }
    }

    deinit {
        for i in 0..<count { self[i].deinitialize(count: 1) }
        base.deallocate()
    }

    @inline(__always)
    package subscript(index: Int) -> UnsafeMutablePointer<Element> {
        (base + index * paddedSlotStride).assumingMemoryBound(to: Element.self)
    }
}

/// The size of one `PaddedSlots` slot.
let paddedSlotStride = 128

/// `count` atomic integers on padded slots: one per worker, for counts only its
/// worker writes (the sharded counter, per-worker anomaly tallies).
///
/// `@unchecked Sendable`: the slots are shared across threads, which is sound
/// because every slot is an `Atomic<Int>` only ever accessed through its atomic
/// operations.
package final class PaddedAtomicSlots: @unchecked Sendable {
    private let slots: PaddedSlots<Atomic<Int>>

    package init(count: Int) { slots = PaddedSlots(count: count) { Atomic<Int>(0) } }

    package var count: Int { slots.count }

    @inline(__always)
    package subscript(index: Int) -> UnsafeMutablePointer<Atomic<Int>> { slots[index] }
}
