import RaceLab
import RaceLabExplore

/// A queue as a list: thread 0 produces `operations` items, then a sentinel (-1) per
/// consumer; threads 1...threads consume until they take a sentinel.
private final class ExploredQueue: Sendable {
    let items: Shared<[Int]>
    let taken = Shared<[Int]>("taken", [])
    let produced = Shared("produced", false)
    let mutex = ExploreMutex("m")
    let notEmpty = ExploreCondition("notEmpty")
    /// Every thread but the producer.
    let consumers: Int
    init(threads: Int, holding items: [Int]) {
        consumers = threads
        self.items = Shared("queue", items)
    }

    convenience init(threads: Int) { self.init(threads: threads, holding: []) }

    /// A queue already holding `operations` items and a sentinel per consumer.
    @Sendable static func filled(threads: Int, operations: Int) -> ExploredQueue {
        ExploredQueue(threads: threads, holding: Array(1...operations) + Array(repeating: -1, count: threads))
    }
}

extension QueueScenario {
    static let exploreModel = ExploreModel(
        scenario: "queue",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false,
                "the items and a sentinel per consumer queued first; a take is three calls, each atomic:"
                    + " is it empty, look at the first, remove it",
                makeFor: ExploredQueue.filled,
                body: { queue, thread, operations in
                    while true {
                        try thread.check(
                            !(try thread.load(queue.items).isEmpty),  // isEmpty()
                            "the queue is empty before this consumer got a sentinel: another consumer removed it,"
                                + " this one would wait forever")
                        let first = try thread.load(queue.items).first  // first()
                        try thread.check(first != nil, "the queue was empty when it looked at the first item")
                        let before = try thread.update(queue.items) { Array($0.dropFirst()) }  // removeFirst()
                        try thread.check(!before.isEmpty, "the queue was empty when it removed the first item")
                        if first == -1 { return }
                        try thread.update(queue.taken) { $0 + [first ?? 0] }
                    }
                }, check: everyItemOnce),
            ExploreStrategyModel(
                "short-sentinels", safe: false, withProducer: true,
                "the locked queue, one sentinel fewer than consumers", make: ExploredQueue.init,
                body: { queue, thread, operations in
                    try locked(queue, thread, operations, sentinels: queue.consumers - 1)
                }, check: everyItemOnce),
            ExploreStrategyModel(
                "locked", safe: true, withProducer: true,
                "one lock, wait on notEmpty in a while, one sentinel per consumer", make: ExploredQueue.init,
                body: { queue, thread, operations in
                    try locked(queue, thread, operations, sentinels: queue.consumers)
                }, check: everyItemOnce),
        ])

    /// The producer puts under the lock and signals; a consumer waits while the queue is empty.
    private static func locked(_ queue: ExploredQueue, _ thread: VirtualThread, _ operations: Int, sentinels: Int)
        throws
    {
        if thread.index == 0 {
            for item in Array(1...operations) + Array(repeating: -1, count: sentinels) {
                try thread.lock(queue.mutex)
                try thread.update(queue.items) { $0 + [item] }
                try thread.signal(queue.notEmpty)
                try thread.unlock(queue.mutex)
            }
            return
        }
        while true {
            try thread.lock(queue.mutex)
            while try thread.load(queue.items).isEmpty { try thread.wait(queue.notEmpty, releasing: queue.mutex) }
            let item = try thread.update(queue.items) { Array($0.dropFirst()) }[0]
            try thread.unlock(queue.mutex)
            if item == -1 { return }
            try thread.update(queue.taken) { $0 + [item] }
        }
    }

    private static let everyItemOnce: @Sendable (ExploredQueue, Int, Int) throws -> Void = {
        queue, _, operations in
        let taken = queue.taken.value.sorted()
        try RaceFailure.unless(
            taken == Array(1...operations),
            "items taken \(taken), not each of 1...\(operations) once")
    }
}
