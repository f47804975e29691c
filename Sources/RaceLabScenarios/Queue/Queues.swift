import CRaceLabShims
import RaceLab
import RaceLabModel
import RaceLabSync
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a consumer got from a queue.
package enum Take: Equatable {
    /// An item (producer and sequence packed by `QueueItem`).
    case item(Int)
    /// A stop message: this consumer is done.
    case sentinel
    /// It saw an item, but the queue was empty when it went to take it (unsafe only).
    case emptyAfterCheck
    /// Nothing there this time; ask again (polling queues).
    case nothingYet
    /// The queue is closed and drained: nothing more will come.
    case closed
    /// It waited for an item that will never come, and racelab released it.
    case stranded
}

/// A queue from producers to consumers, as the queue scenario drives it.
package protocol ProducerConsumerQueue: AnyObject, Sendable {
    /// Puts one item, waiting while a bounded queue is full.
    func put(_ item: Int, producer: Int)
    /// Takes one item for `consumer`, waiting if the queue blocks.
    func take(consumer: Int) -> Take
    /// Called by each producer when it has put its last item.
    func finish(producer: Int)
    /// Called once, by the last producer to finish: tell the consumers to stop
    /// (sentinels, or a closed flag).
    func close()
    /// Whether consumers can be left waiting forever (too few stop messages).
    var canStrandConsumers: Bool { get }
    /// After `close`: waits until every consumer has stopped or is waiting for an
    /// item that cannot come, releases those, and returns how many there were.
    func strandedConsumers() -> Int
}

extension ProducerConsumerQueue {
    package func finish(producer: Int) {}
    package var canStrandConsumers: Bool { false }
    package func strandedConsumers() -> Int { 0 }
}

/// An item as it travels: the producer in the high bits, its sequence number in
/// the low 40 (a trillion items per producer).
package enum QueueItem {
    static let sentinel = -1
    package static func make(producer: Int, sequence: Int) -> Int { producer << 40 | sequence }
    package static func producer(_ item: Int) -> Int { item >> 40 }
    package static func sequence(_ item: Int) -> Int { item & (1 << 40 - 1) }
}

/// Deliberately racy: a list where each operation is locked on its own, used the
/// way Python code uses a plain list as a queue: "if the queue is not empty, look
/// at the first item, then remove it". Two consumers can look at the same first
/// item (both deliver it: a duplicate), and each then removes one: the second
/// removes an item nobody looked at (lost), or finds the list already empty.
/// No data race, only a race condition: every access holds the lock.
package final class PerOperationLockedQueue: ProducerConsumerQueue {
    private let items = Locked(Deque(), name: "queue")
    private let isClosed = RaceLabSync.Atomic<Bool>(false, name: "closed")
    private let capacity: Int
    private let consumers: Int
    private let workSteps: Int64

    package init(capacity: Int, consumers: Int, work: Int) {
        self.capacity = capacity
        self.consumers = consumers
        workSteps = Int64(work)
    }

    package func put(_ item: Int, producer: Int) {
        // Check-then-act here too, but between producers only: it may overfill by a few.
        while items.withLock({ $0.count }) >= capacity { yieldThread() }
        items.withLock { $0.append(item) }
    }

    package func take(consumer: Int) -> Take {
        guard items.withLock({ $0.count }) > 0 else {
            // A consumer that missed its sentinel (another took it) still stops.
            if isClosed.load(ordering: .acquiring), items.withLock({ $0.count }) == 0 { return .closed }
            yieldThread()
            return .nothingYet
        }
        guard let first = items.withLock({ $0.first }) else { return .emptyAfterCheck }
        if workSteps > 0 { racelab_spin(workSteps) }
        guard items.withLock({ $0.removeFirst() }) != nil else { return .emptyAfterCheck }
        return first == QueueItem.sentinel ? .sentinel : .item(first)
    }

    package func close() {
        for _ in 0..<consumers { items.withLock { $0.append(QueueItem.sentinel) } }
        isClosed.store(true, ordering: .releasing)
    }

}

/// The fix: one lock and two condition variables around a bounded ring (what
/// Python's `queue.Queue(maxsize)` is inside). A consumer waits while it is empty,
/// a producer while it is full; one sentinel per consumer stops them.
///
/// With `sentinels` fewer than consumers it is the classic shutdown bug: the
/// consumers that get no sentinel wait forever. `strandedConsumers` counts them
/// exactly (they wait on an empty queue that nobody will put into again) and then
/// releases them, so the child process running the bug can report.
///
/// `@unchecked Sendable`: the ring and counters are shared across threads, which is
/// sound because every access holds `mutex`.
package final class ConditionQueue: ProducerConsumerQueue, @unchecked Sendable {
    private let mutex = PthreadMutex(name: "m")
    private let notEmpty = PthreadCondition(name: "notEmpty")
    private let notFull = PthreadCondition(name: "notFull")
    /// Signalled when a consumer stops or starts waiting: `strandedConsumers` watches.
    private let settled = PthreadCondition(name: "settled")
    private let ring: UnsafeMutablePointer<Int>
    private let capacity: Int
    private let consumers: Int
    private let sentinels: Int
    // Guarded by `mutex`:
    private var head = 0
    private var count = 0
    private var waitingConsumers = 0
    private var stoppedConsumers = 0
    private var isReleased = false

    package init(capacity: Int, consumers: Int, sentinels: Int) {
        self.capacity = capacity
        self.consumers = consumers
        self.sentinels = sentinels
        ring = .allocate(capacity: capacity)
    }

    deinit { ring.deallocate() }

    package func put(_ item: Int, producer: Int) {
        _ = mutex.lock()
        while count == capacity { notFull.wait(mutex) }
        ring[(head + count) % capacity] = item
        count += 1
        notEmpty.signal()
        mutex.unlock()
    }

    package func take(consumer: Int) -> Take {
        _ = mutex.lock()
        defer { mutex.unlock() }
        while count == 0 {
            if isReleased {
                stoppedConsumers += 1
                return .stranded
            }
            waitingConsumers += 1
            settled.signal()
            notEmpty.wait(mutex)
            waitingConsumers -= 1
        }
        let item = ring[head]
        head = (head + 1) % capacity
        count -= 1
        notFull.signal()
        guard item != QueueItem.sentinel else {
            stoppedConsumers += 1
            settled.signal()
            return .sentinel
        }
        return .item(item)
    }

    package func close() {
        for _ in 0..<sentinels { put(QueueItem.sentinel, producer: -1) }
    }

    package var canStrandConsumers: Bool { sentinels < consumers }

    package func strandedConsumers() -> Int {
        _ = mutex.lock()
        defer { mutex.unlock() }
        // Settled: nothing left to take, and every consumer stopped or waits. No
        // producer is left to put anything, so the waiting ones would wait forever.
        while !(count == 0 && stoppedConsumers + waitingConsumers == consumers) { settled.wait(mutex) }
        let stranded = waitingConsumers
        isReleased = true
        notEmpty.broadcast()
        return stranded
    }
}

/// Stop sharing the queue: one lock-free single-producer/single-consumer ring per
/// producer, each read by exactly one consumer (producer p's by consumer p mod C).
/// The producer publishes a slot with a release store of `tail`; the consumer reads
/// it after an acquire load, and hands the slot back with a release store of
/// `head`. A producer's end is a closed flag on its ring, not a sentinel. Consumers
/// poll their rings (yielding when all are empty); with more consumers than
/// producers, some have nothing to do.
///
/// `@unchecked Sendable`: the slots are plain memory shared across threads, which is
/// sound because each slot is written only by its ring's producer before the release
/// store of `tail` that publishes it, and read only by its ring's consumer after the
/// acquire load that sees it.
package final class SPSCRings: ProducerConsumerQueue, @unchecked Sendable {
    private let producers: Int
    private let consumers: Int
    private let capacity: Int
    private let slots: UnsafeMutablePointer<Int>
    /// Per ring: head (consumer's), tail (producer's) and closed, each on its own line.
    private let heads: PaddedAtomicSlots
    private let tails: PaddedAtomicSlots
    private let closed: PaddedAtomicSlots
    /// Per consumer: the ring its next look starts at, so that no ring waits behind
    /// another (written by its consumer only).
    private let cursors: PaddedAtomicSlots

    package init(producers: Int, consumers: Int, capacity: Int) {
        self.producers = producers
        self.consumers = consumers
        self.capacity = capacity
        slots = .allocate(capacity: producers * capacity)
        heads = PaddedAtomicSlots(count: producers)
        tails = PaddedAtomicSlots(count: producers)
        closed = PaddedAtomicSlots(count: producers)
        cursors = PaddedAtomicSlots(count: consumers)
    }

    deinit { slots.deallocate() }

    package func put(_ item: Int, producer: Int) {
        let tail = tails[producer].pointee.load(ordering: .relaxed)
        while tail - heads[producer].pointee.load(ordering: .acquiring) == capacity { sched_yield() }
        slots[producer * capacity + tail % capacity] = item
        tails[producer].pointee.store(tail + 1, ordering: .releasing)
    }

    /// Producers close their own rings (`finish(producer:)`); nothing to do at the end.
    package func close() {}

    /// Producer `producer` is done: its ring's consumer stops once it is drained.
    package func finish(producer: Int) { closed[producer].pointee.store(1, ordering: .releasing) }

    /// `consumer` counts consumers only (0..<consumers), not workers.
    package func take(consumer: Int) -> Take {
        // Its rings are consumer, consumer + C, consumer + 2C, ...: start each look
        // one ring further on.
        let owned = consumer < producers ? (producers - 1 - consumer) / consumers + 1 : 0
        let start = cursors[consumer].pointee.load(ordering: .relaxed)
        var allClosed = true
        for step in 0..<owned {
            let index = (start + step) % owned
            let ring = consumer + index * consumers
            // Closed first, then tail: an item published before the close is seen.
            let isClosed = closed[ring].pointee.load(ordering: .acquiring) == 1
            let head = heads[ring].pointee.load(ordering: .relaxed)
            if tails[ring].pointee.load(ordering: .acquiring) != head {
                let item = slots[ring * capacity + head % capacity]
                heads[ring].pointee.store(head + 1, ordering: .releasing)
                cursors[consumer].pointee.store((index + 1) % owned, ordering: .relaxed)
                return .item(item)
            }
            if !isClosed { allClosed = false }
        }
        if allClosed { return .closed }
        sched_yield()
        return .nothingYet
    }

}

/// A growable FIFO of Ints for the unsafe queue (guarded by its `Locked`).
struct Deque {
    private var storage: [Int] = []
    private var head = 0

    var count: Int { storage.count - head }
    var first: Int? { head < storage.count ? storage[head] : nil }

    mutating func append(_ item: Int) { storage.append(item) }

    mutating func removeFirst() -> Int? {
        guard head < storage.count else { return nil }
        let item = storage[head]
        head += 1
        if head >= 4096, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return item
    }
}
