import Synchronization

/// `count` atomic integers, each alone on its own 128-byte block: two cache lines,
/// because x86's adjacent-line prefetcher pulls lines in pairs.
///
/// `@unchecked Sendable`: the storage is a raw allocation shared across threads,
/// which is sound because every slot is an `Atomic<Int>` and is only ever
/// accessed through its atomic operations.
final class PaddedAtomicSlots: @unchecked Sendable {
    static let stride = 128
    let count: Int
    private let base: UnsafeMutableRawPointer

    init(count: Int) {
        self.count = count
        base = .allocate(byteCount: count * Self.stride, alignment: Self.stride)
        for i in 0..<count {
            (base + i * Self.stride).bindMemory(to: Atomic<Int>.self, capacity: 1)
                .initialize(to: Atomic<Int>(0))
        }
    }

    deinit { base.deallocate() }

    @inline(__always)
    subscript(index: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        (base + index * Self.stride).assumingMemoryBound(to: Atomic<Int>.self)
    }
}
