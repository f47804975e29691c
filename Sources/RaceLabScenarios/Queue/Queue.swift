import RaceLab
import RaceLabModel

/// `racelab queue`: producers put numbered items into one shared queue, consumers
/// take them until told to stop. Every item must be delivered exactly once, in
/// each producer's order, and every consumer must stop.
package enum QueueScenario {
    /// What can go wrong, declared once: observations count these, reports match them by id.
    package enum Anomalies {
        package static let lostItems = AnomalyKind(id: "lost-items", name: "lost items")
        package static let duplicates = AnomalyKind(id: "duplicates", name: "duplicates")
        package static let outOfOrder = AnomalyKind(id: "out-of-order", name: "out of order")
        package static let stuckConsumers = AnomalyKind(id: "stuck-consumers", name: "stuck consumers")
        package static let emptyTakes = AnomalyKind(id: "empty-takes", name: "empty takes")
    }

    package static let scenario = Scenario(
        name: "queue",
        summary: "Producers and consumers: a list as a queue vs a locked queue, sentinels, SPSC rings",
        operationName: "queue operations (puts and takes)",
        expectedLabel: "items put",
        observedLabel: "delivered",
        countsLegend: "items the producers put / items the consumers took",
        anomalies: [
            Anomalies.lostItems, Anomalies.duplicates, Anomalies.outOfOrder, Anomalies.stuckConsumers,
            Anomalies.emptyTakes,
        ],
        options: [producers, capacity, .work],
        strategies: [
            Strategy(
                name: "unsafe",
                summary: "a list, each call locked: 'if not empty, look at the first, remove it' is two steps",
                isExpectedSafe: false
            ) { request, pool in
                try run(request, pool) { consumers in
                    PerOperationLockedQueue(
                        capacity: request.integer(capacity), consumers: consumers, work: request.integer(.work))
                }
            },
            Strategy(
                name: "short-sentinels",
                summary: "the locked queue, one sentinel fewer than consumers: the last consumer waits forever",
                isExpectedSafe: false, runsInChildProcess: true
            ) { request, pool in
                try run(request, pool) { consumers in
                    ConditionQueue(capacity: request.integer(capacity), consumers: consumers, sentinels: consumers - 1)
                }
            },
            Strategy(
                name: "locked",
                summary: "one lock, two condition variables, bounded; one sentinel per consumer (queue.Queue)",
                isExpectedSafe: true
            ) { request, pool in
                try run(request, pool) { consumers in
                    ConditionQueue(capacity: request.integer(capacity), consumers: consumers, sentinels: consumers)
                }
            },
            Strategy(
                name: "spsc",
                summary: "a lock-free ring per producer, each read by one consumer; closing a ring ends it",
                isExpectedSafe: true
            ) { request, pool in
                try run(request, pool) { consumers in
                    SPSCRings(
                        producers: producerCount(request), consumers: consumers, capacity: request.integer(capacity))
                }
            },
        ],
        explanation: queueExplanation,
        unsupportedBackends: [
            .dispatch:
                "its consumers block until producers put, and Dispatch runs only about one worker per CPU at a"
                + " time: blocked consumers can hold every slot while the producers never start (a thread-pool"
                + " starvation deadlock)",
            .tasks:
                "its consumers block until producers put, and Swift's cooperative pool runs only about one task"
                + " per CPU at a time: blocked consumers can hold every thread while the producers never start"
                + " (never block a cooperative thread)",
        ],
        runLimit: RunLimit(
            milliseconds: 2_000, operations: 50_000_000,
            why: "it keeps every item each consumer takes (9 bytes an item) to check them all, so a run is bounded"),
        leastDefaultWorkers: LeastWorkers(4, why: "two producers and two consumers, so that consumers can race"))

    static let maxCapacity = 1 << 20
    static let defaultCapacity = 64

    /// `--producers P`: workers that put; the others take.
    static let producers = ScenarioOption(
        name: "producers", short: "p", values: .workers, default: nil, defaultText: "half the workers",
        help: "Workers that put items; the others take them.",
        headerLine: { option in
            let producers = producerCount(option.request)
            return "  producers   \(producers) put numbered items, \(option.request.threads - producers) take them"
        },
        brief: { producers in producers.given.map { "\($0) producers" } ?? "half the workers produce" })

    /// `--capacity N`: how many items the queue holds before a producer waits.
    static let capacity = ScenarioOption(
        name: "capacity", short: "c", values: .integer(1...maxCapacity), default: .integer(defaultCapacity),
        help: "Items the queue holds before a producer must wait (each ring, for spsc), 1 to \(maxCapacity.grouped).",
        headerLine: { capacity in "  capacity    \(capacity.integer) items" },
        brief: { capacity in capacity.integer != defaultCapacity ? "capacity \(capacity.integer)" : nil })

    /// The producers a run really has: `--producers`, or half the workers (at least one).
    static func producerCount(_ request: Request) -> Int {
        request.integer(producers, derived: max(1, request.threads / 2))
    }

    /// One run: workers 0..<P produce for as long as their budget lasts (or exactly
    /// `--iterations` items each), the last to finish tells the consumers to stop;
    /// workers P... take until they are told. Every put and every take is one
    /// operation. Afterwards, what each consumer received is checked against what
    /// each producer put.
    static func run<Queue: ProducerConsumerQueue>(
        _ request: Request, _ pool: WorkerPool, makeQueue: (Int) -> Queue
    ) throws -> Observation {
        let producers = producerCount(request)
        let consumers = request.threads - producers
        let queue = makeQueue(consumers)
        let produced = PerWorker(count: producers, 0)
        let received = PerWorker(count: consumers, [Int]())
        let emptyTakes = PerWorker(count: consumers, 0)
        let finishedProducers = PaddedAtomicSlots(count: 1)
        let stranded = PaddedAtomicSlots(count: 1)
        let timing = try pool.run(workers: request.threads, length: request.length) { worker, budget in
            if worker < producers {
                var sequence = 0
                budget.forEachOperation {
                    queue.put(QueueItem.make(producer: worker, sequence: sequence), producer: worker)
                    sequence += 1
                }
                produced[worker] = sequence
                queue.finish(producer: worker)
                if finishedProducers[0].pointee.add(1, ordering: .acquiringAndReleasing).newValue == producers {
                    queue.close()
                    // Only a queue that can strand its consumers is watched: waiting for
                    // the drain would charge it to this producer's time.
                    if queue.canStrandConsumers {
                        stranded[0].pointee.store(queue.strandedConsumers(), ordering: .relaxed)
                    }
                }
            } else {
                let consumer = worker - producers
                var items: [Int] = []
                var empty = 0
                loop: while true {
                    switch queue.take(consumer: consumer) {
                    case .item(let item): items.append(item)
                    case .emptyAfterCheck: empty += 1
                    case .nothingYet: continue
                    case .sentinel, .closed, .stranded: break loop
                    }
                }
                budget.record(operations: items.count + empty)
                received[consumer] = items
                emptyTakes[consumer] = empty
            }
        }
        return observe(
            produced: (0..<producers).map { produced[$0] }, received: (0..<consumers).map { received[$0] },
            emptyTakes: (0..<consumers).reduce(0) { $0 + emptyTakes[$1] },
            stranded: stranded[0].pointee.load(ordering: .relaxed), timing: timing)
    }

    /// What the run amounts to: every item put should have been received exactly
    /// once, and each consumer should have seen each producer's items in order.
    static func observe(
        produced: [Int], received: [[Int]], emptyTakes: Int, stranded: Int, timing: Timing
    ) -> Observation {
        var deliveries = produced.map { [UInt8](repeating: 0, count: $0) }
        var outOfOrder = 0
        for items in received {
            var last = [Int](repeating: -1, count: produced.count)
            for item in items {
                let producer = QueueItem.producer(item)
                let sequence = QueueItem.sequence(item)
                guard produced.indices.contains(producer), sequence < produced[producer] else { continue }
                if deliveries[producer][sequence] < .max { deliveries[producer][sequence] += 1 }
                if sequence < last[producer] { outOfOrder += 1 }
                last[producer] = max(last[producer], sequence)
            }
        }
        let put = produced.reduce(0, +)
        let delivered = deliveries.reduce(0) { sum, counts in sum + counts.filter { $0 > 0 }.count }
        let duplicates = deliveries.reduce(0) { sum, counts in
            sum + counts.reduce(0) { $0 + max(0, Int($1) - 1) }
        }
        return Observation(
            expected: put, observed: delivered, operations: timing.operations,
            anomalies: [
                Anomalies.lostItems.count(put - delivered), Anomalies.duplicates.count(duplicates),
                Anomalies.outOfOrder.count(outOfOrder), Anomalies.stuckConsumers.count(stranded),
                Anomalies.emptyTakes.count(emptyTakes),
            ],
            timing: timing)
    }
}

private let queueExplanation = """
    THE RACE
      A plain list used as a queue: producers append, consumers do
      "if the queue is not empty: item = queue[0]; del queue[0]". In
      free-threaded Python each list call is atomic; the three together are not:

        consumer 0                    consumer 1
        --------------------------    --------------------------
        queue not empty?  -> yes
                                      queue not empty?  -> yes
        item = queue[0]   -> 7
                                      item = queue[0]   -> 7
        del queue[0]      (7 gone)
                                      del queue[0]      (8 gone)

      Item 7 is delivered twice, item 8 never: a duplicate and a lost item. When
      only one item was left, consumer 1's delete finds the list empty (IndexError in
      Python; racelab counts an "empty take"). racelab's `unsafe` strategy does
      exactly this on a list whose every call holds a lock; `--work N` spins
      between the look and the delete to widen the gap.

      Stopping is a race of its own. The usual way is one sentinel (None) per
      consumer, put after the last item. Put one too few and the consumer that
      gets none waits forever on an empty queue: the program never exits.
      `short-sentinels` runs that bug in a child process. racelab counts the
      consumers left waiting exactly (every producer is done, the queue is
      empty, and they are still waiting for an item), then releases them so
      the child can report; the watchdog (--timeout) is the backstop.

    THE FIXES
      locked   Look and take in one critical section: one lock around a bounded
               ring, a condition variable for "not empty" (consumers wait) and
               one for "not full" (producers wait). This is what Python's
               queue.Queue is inside. One sentinel per consumer stops them all.
      spsc     Stop sharing the queue: each producer gets its own lock-free
               ring, read by exactly one consumer (producer p's by consumer
               p mod consumers). One release store publishes an item, one
               acquire load sees it; closing the ring replaces the sentinel.
               The price: consumers poll (yielding when their rings are
               empty), and with more consumers than producers some are idle.
    """
