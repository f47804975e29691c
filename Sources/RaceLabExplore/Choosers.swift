/// Always the lowest-numbered runnable thread: the program in thread order.
struct FirstRunnable: Chooser {
    /// `runnable` in the order to try: with `staying`, the previous thread first (no
    /// preemption), then the others. (A yield's fairness is the scheduler's: a thread
    /// that yielded is not offered while a thread it waits for can run.)
    static func ordered(_ runnable: [Int], _ previous: Int?, staying: Bool) -> [Int] {
        guard staying, let previous, runnable.contains(previous) else { return runnable }
        return [previous] + runnable.filter { $0 != previous }
    }

    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int? { runnable[0] }
}

/// Each step's thread drawn uniformly from the runnable ones.
struct RandomChooser: Chooser {
    var random: SplitMix64
    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int? {
        runnable[Int(random.next() % UInt64(runnable.count))]
    }
}

/// PCT: distinct random priorities d...d+n-1; before each of d-1 random steps the
/// thread about to run drops to priority 1, 2, ... (below every initial one); each step
/// runs the runnable thread of highest priority.
struct PCTChooser: Chooser {
    var priorities: [Int]
    /// Step -> the low priority its thread drops to.
    var changePoints: [Int: Int] = [:]

    var random: SplitMix64
    let base: Int

    init(threads: Int, depth: Int, steps: Int, random: SplitMix64) {
        var random = random
        base = max(1, depth)
        var order = Array(0..<threads)
        for i in stride(from: threads - 1, to: 0, by: -1) {
            order.swapAt(i, Int(random.next() % UInt64(i + 1)))
        }
        priorities = Array(repeating: 0, count: threads)
        for (rank, thread) in order.enumerated() { priorities[thread] = base + rank }
        var low = 1
        while changePoints.count < max(0, depth - 1) && changePoints.count < steps {
            let step = Int(random.next() % UInt64(steps))
            if changePoints[step] == nil {
                changePoints[step] = low
                low += 1
            }
        }
        self.random = random
    }

    /// A spawned thread gets a random rank among the initial priorities (the ones at
    /// or above it move up one), as PCT gives every thread a random priority.
    private mutating func admit(_ thread: Int) {
        while priorities.count <= thread {
            let rank = base + Int(random.next() % UInt64(priorities.count + 1))
            for t in priorities.indices where priorities[t] >= rank { priorities[t] += 1 }
            priorities.append(rank)
        }
    }

    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int? {
        if let last = runnable.last, last >= priorities.count { admit(last) }
        // A thread that yields drops below every other and lets them run.
        if yielded, let previous { priorities[previous] = 0 }
        var best = highest(runnable)
        if let low = changePoints[step] {
            priorities[best] = low
            best = highest(runnable)
        }
        return best
    }

    private func highest(_ runnable: [Int]) -> Int { runnable.max { priorities[$0] < priorities[$1] }! }
}

/// Follows a recorded schedule; stops (nil) where the program no longer matches it.
struct ReplayChooser: Chooser {
    let choices: [Int]
    var mismatch: String?
    /// What a choice names: a worker, or (async) a job's place in the ready queue.
    let noun: String

    init(choices: [Int], noun: String = "worker") {
        self.choices = choices
        self.noun = noun
    }

    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int? {
        guard step < choices.count else {
            mismatch = "the schedule has \(choices.count) steps, and the program goes on after them"
            return nil
        }
        let wanted = choices[step]
        guard runnable.contains(wanted) else {
            mismatch =
                "step \(step + 1): the schedule says \(noun) \(wanted), which cannot run there"
                + " (runnable: \(runnable.map(String.init).joined(separator: ", ")))"
            return nil
        }
        return wanted
    }
}

/// Depth-first over every schedule with at most `bound` preemptions, stateless: each
/// schedule is run from the start, following the prefix chosen so far, then the thread
/// that ran last (no preemption) or the lowest runnable one. After a schedule,
/// `advance` backtracks to the deepest step with an untried alternative.
///
/// With `usesSleepSets` (only without a bound: sleep sets and a preemption bound do not
/// mix soundly), Godefroid's sleep sets prune schedules that only reorder independent
/// steps of one already explored: after the subtree of choice t at a node, t sleeps in
/// its later siblings' subtrees until a step dependent on t's operation runs; a thread
/// asleep is not chosen, and a schedule whose every runnable thread is asleep stops
/// there (`lastWasAsleep`). Each class of equivalent schedules is explored once.
struct DepthFirst: Chooser {
    struct Sleeper {
        let thread: Int
        let access: Access
    }

    struct Node {
        /// The alternatives at this step, in the order tried.
        let order: [Int]
        /// What each alternative does next (parallel to `order`).
        let accesses: [Access]
        var next: Int
        /// Preemptions before this step, and whether the previous thread could go on.
        let preemptionsBefore: Int
        let previous: Int?
        let previousRunnable: Bool
        let yielded: Bool
        /// Threads asleep on entering this step.
        let asleep: [Sleeper]
    }

    let bound: Int
    let usesSleepSets: Bool
    var nodes: [Node] = []
    private var preemptions = 0
    /// Whether an alternative was left out for the bound: more schedules exist.
    private(set) var wasPruned = false
    /// Whether the last schedule stopped because every runnable thread was asleep.
    private(set) var lastWasAsleep = false

    init(bound: Int, usesSleepSets: Bool = false) {
        self.bound = bound
        self.usesSleepSets = usesSleepSets && bound == Int.max
    }

    private func cost(of choice: Int, _ node: Node) -> Int {
        node.previous != nil && choice != node.previous && node.previousRunnable && !node.yielded ? 1 : 0
    }

    mutating func choose(
        step: Int, runnable: [Int], previous: Int?, yielded: Bool, pending: [ScheduleRun.Pending?]
    ) -> Int? {
        if step == 0 {
            preemptions = 0
            lastWasAsleep = false
        }
        if step < nodes.count {
            let node = nodes[step]
            let chosen = node.order[node.next]
            preemptions += cost(of: chosen, node)
            return chosen
        }
        var asleep: [Sleeper] = []
        if usesSleepSets, step > 0 {
            let parent = nodes[step - 1]
            let ran = parent.accesses[parent.next]
            let explored = (0..<parent.next).map { Sleeper(thread: parent.order[$0], access: parent.accesses[$0]) }
            asleep = (parent.asleep + explored).filter { $0.access.isIndependent(of: ran) }
        }
        let previousRunnable = previous.map(runnable.contains) ?? false
        var order = FirstRunnable.ordered(runnable, previous, staying: !yielded)
        if !asleep.isEmpty { order.removeAll { t in asleep.contains { $0.thread == t } } }
        guard !order.isEmpty else {
            lastWasAsleep = true
            return nil
        }
        let node = Node(
            order: order, accesses: usesSleepSets ? order.map { pending[$0]?.access ?? .everything } : [],
            next: 0, preemptionsBefore: preemptions, previous: previous, previousRunnable: previousRunnable,
            yielded: yielded, asleep: asleep)
        if order.contains(where: { preemptions + cost(of: $0, node) > bound }) { wasPruned = true }
        nodes.append(node)
        preemptions += cost(of: order[0], node)
        return order[0]
    }

    /// Moves to the next schedule; false when every one within the bound was run.
    mutating func advance(after result: ScheduleResult) -> Bool {
        nodes.removeLast(max(0, nodes.count - result.choices.count))
        while var node = nodes.popLast() {
            while node.next + 1 < node.order.count {
                node.next += 1
                if node.preemptionsBefore + cost(of: node.order[node.next], node) <= bound {
                    nodes.append(node)
                    return true
                }
            }
        }
        return false
    }
}

/// A small, fast, seedable generator (SplitMix64), the same sequence on every machine.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent generator for one schedule.
    mutating func split() -> SplitMix64 { SplitMix64(seed: next()) }
}
