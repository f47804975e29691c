import Synchronization

/// The shared memory of one litmus run: a batch of iterations' worth of fresh
/// locations, each an `Atomic<Int>` alone on a 64-byte cache line, and one row of
/// registers per thread for every iteration of the batch. Iteration `j` of a batch
/// uses locations nobody touched since the last reset; the leader zeroes them between
/// batches, so no iteration ever sees another's stores.
///
/// `@unchecked Sendable`: every location is an `Atomic<Int>` accessed only through its
/// atomic operations (the test's loads and stores, the leader's reads and reset between
/// batches). A register row is written by its own thread only and read by the leader
/// after the batch's barrier, whose release/acquire pair orders the write before the
/// read; the leader resets nothing until every thread has passed that barrier.
package final class LitmusMemory: @unchecked Sendable {
    /// Iterations per batch.
    package let batch: Int
    /// Locations per iteration (at least 2, so every program may name x and y).
    let locationsPerIteration: Int
    package let registersPerThread: [Int]
    private let locations: UnsafeMutableRawPointer
    private let rows: [UnsafeMutablePointer<UInt8>]
    /// Where the threads leave the sum of the values they touched before an
    /// iteration, so the optimiser keeps those loads.
    package let touchSink = Atomic<Int>(0)

    /// One cache line per location: two locations of an iteration never share a line.
    static let locationStride = 64

    package init(batch: Int, locationsPerIteration: Int, registersPerThread: [Int]) {
        self.batch = batch
        self.locationsPerIteration = max(2, locationsPerIteration)
        self.registersPerThread = registersPerThread
        let count = batch * self.locationsPerIteration
        locations = .allocate(byteCount: count * Self.locationStride, alignment: 128)
        for i in 0..<count {
            (locations + i * Self.locationStride).bindMemory(to: Atomic<Int>.self, capacity: 1)
                .initialize(to: Atomic<Int>(0))
        }
        rows = registersPerThread.map { width in
            let row = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, width) * batch)
            row.initialize(repeating: 0, count: max(1, width) * batch)
            return row
        }
    }

    deinit {
        for i in 0..<(batch * locationsPerIteration) {
            location(i / locationsPerIteration, i % locationsPerIteration).deinitialize(count: 1)
        }
        locations.deallocate()
        for row in rows { row.deallocate() }
    }

    /// Location `index` of iteration `iteration` of the batch.
    @inline(__always)
    package func location(_ iteration: Int, _ index: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        (locations + (iteration * locationsPerIteration + index) * Self.locationStride)
            .assumingMemoryBound(to: Atomic<Int>.self)
    }

    /// Thread `thread`'s registers for iteration 0 of the batch; iteration `j`'s are
    /// `registersPerThread[thread]` bytes further per iteration.
    package func row(thread: Int) -> UnsafeMutablePointer<UInt8> { rows[thread] }

    /// Zeroes the first `count` iterations' locations. The leader only, between batches.
    package func reset(count: Int) {
        for i in 0..<(count * locationsPerIteration) {
            location(i / locationsPerIteration, i % locationsPerIteration).pointee.store(0, ordering: .relaxed)
        }
    }
}
