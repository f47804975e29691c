import RaceLab
import RaceLabExplore
import RaceLabModel
import Synchronization

/// `racelab explore queue`: the strategies' own queues (Queues.swift). unsafe's queue
/// holds `operations` items and a sentinel per consumer from the start, and every
/// worker consumes; the locked queues have a producer, worker 0, that puts the items
/// one per operation and then the sentinels, and consumers, workers 1...threads. unsafe's
/// consumers poll (a take that finds the queue empty yields and asks again), so its
/// schedules grow fast (about a million at 3 x 1): it is explored up to 3 preemptions,
/// where its failures are. spsc polls too, and its rings are not drop-ins: it is not
/// explored.
extension QueueScenario {
    static let exploreModel = ExploreModel(
        scenario: "queue",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, preemptionBound: 3,
                "PerOperationLockedQueue, filled first: a take is three locked calls (count, first, removeFirst)"
            ) { threads, operations in
                consuming(producer: false, operations) {
                    let queue = PerOperationLockedQueue(capacity: operations + threads, consumers: threads, work: 0)
                    for item in 1...operations { queue.put(item, producer: 0) }
                    queue.close()
                    return queue
                }
            },
            ExploreStrategyModel(
                "short-sentinels", safe: false, withProducer: true,
                "ConditionQueue with one sentinel fewer than consumers"
            ) { threads, operations in
                consuming(producer: true, operations) {
                    ConditionQueue(capacity: operations + threads, consumers: threads, sentinels: threads - 1)
                }
            },
            ExploreStrategyModel(
                "locked", safe: true, withProducer: true,
                "ConditionQueue: one lock, wait on notEmpty in a while, a sentinel per consumer"
            ) { threads, operations in
                consuming(producer: true, operations) {
                    ConditionQueue(capacity: operations + threads, consumers: threads, sentinels: threads)
                }
            },
        ],
        notExplored: [("spsc", "lock-free rings of plain memory, polled: not drop-ins")])

    /// The queue and what its consumers took (test bookkeeping, not a scheduling point).
    final class Explored<Queue: ProducerConsumerQueue>: Sendable {
        let queue: Queue
        let taken = Mutex<[Int]>([])
        init(_ queue: Queue) { self.queue = queue }
    }

    /// With a producer, worker 0 puts item `iteration + 1` each operation and closes the
    /// queue after the last; every consumer takes until its sentinel, in its first
    /// operation. Each item must be taken exactly once.
    private static func consuming<Queue: ProducerConsumerQueue>(
        producer: Bool, _ operations: Int, _ make: @escaping @Sendable () -> Queue
    ) -> RaceTest<Explored<Queue>> {
        RaceTest {
            Explored(make())
        } body: { state, worker, iteration in
            if producer && worker == 0 {
                state.queue.put(iteration + 1, producer: 0)
                if iteration == operations - 1 { state.queue.close() }
                return
            }
            guard iteration == 0 else { return }
            while true {
                switch state.queue.take(consumer: worker) {
                case .item(let item): state.taken.withLock { $0.append(item) }
                case .sentinel, .closed, .stranded: return
                case .nothingYet: continue
                case .emptyAfterCheck:
                    throw RaceFailure("the queue was empty when it removed the item it had looked at")
                }
            }
        } check: { state, _ in
            let taken = state.taken.withLock { $0 }.sorted()
            try RaceFailure.unless(
                taken == Array(1...operations), "items taken \(taken), not each of 1...\(operations) once")
        }
    }
}
