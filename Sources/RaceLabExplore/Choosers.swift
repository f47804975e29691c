/// Always the lowest-numbered runnable thread: the program in thread order.
struct FirstRunnable: Chooser {
    /// `runnable` in the order to try: with `staying`, the previous thread first (no
    /// preemption), then the others. (A yield's fairness is the scheduler's: a thread
    /// that yielded is not offered while a thread it waits for can run.)
    static func ordered(_ runnable: [Int], _ previous: Int?, staying: Bool) -> [Int] {
        guard staying, let previous, runnable.contains(previous) else { return runnable }
        return [previous] + runnable.filter { $0 != previous }
    }

    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int? { runnable[0] }
}

/// Each step's thread drawn uniformly from the runnable ones.
struct RandomChooser: Chooser {
    var random: SplitMix64
    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int? {
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

    init(threads: Int, depth: Int, steps: Int, random: SplitMix64) {
        var random = random
        var order = Array(0..<threads)
        for i in stride(from: threads - 1, to: 0, by: -1) {
            order.swapAt(i, Int(random.next() % UInt64(i + 1)))
        }
        priorities = Array(repeating: 0, count: threads)
        for (rank, thread) in order.enumerated() { priorities[thread] = max(1, depth) + rank }
        var low = 1
        while changePoints.count < max(0, depth - 1) && changePoints.count < steps {
            let step = Int(random.next() % UInt64(steps))
            if changePoints[step] == nil {
                changePoints[step] = low
                low += 1
            }
        }
    }

    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int? {
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

    init(choices: [Int]) { self.choices = choices }

    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int? {
        guard step < choices.count else {
            mismatch = "the schedule has \(choices.count) steps, and the program goes on after them"
            return nil
        }
        let wanted = choices[step]
        guard runnable.contains(wanted) else {
            mismatch =
                "step \(step + 1): the schedule says thread \(wanted), which cannot run there"
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
struct DepthFirst: Chooser {
    struct Node {
        /// The alternatives at this step, in the order tried.
        let order: [Int]
        var next: Int
        /// Preemptions before this step, and whether the previous thread could go on.
        let preemptionsBefore: Int
        let previous: Int?
        let previousRunnable: Bool
        let yielded: Bool
    }

    let bound: Int
    var nodes: [Node] = []
    /// Steps the next schedule must follow: the choices of `nodes`.
    private var depth = 0
    private var preemptions = 0
    /// Whether an alternative was left out for the bound: more schedules exist.
    private(set) var wasPruned = false

    init(bound: Int) { self.bound = bound }

    private func cost(of choice: Int, _ node: Node) -> Int {
        node.previous != nil && choice != node.previous && node.previousRunnable && !node.yielded ? 1 : 0
    }

    mutating func choose(step: Int, runnable: [Int], previous: Int?, yielded: Bool) -> Int? {
        if step == 0 {
            depth = 0
            preemptions = 0
        }
        let chosen: Int
        if step < nodes.count {
            let node = nodes[step]
            chosen = node.order[node.next]
            preemptions += cost(of: chosen, node)
        } else {
            let previousRunnable = previous.map(runnable.contains) ?? false
            let order = FirstRunnable.ordered(runnable, previous, staying: !yielded)
            let node = Node(
                order: order, next: 0, preemptionsBefore: preemptions, previous: previous,
                previousRunnable: previousRunnable, yielded: yielded)
            if order.contains(where: { preemptions + cost(of: $0, node) > bound }) { wasPruned = true }
            nodes.append(node)
            chosen = order[0]
            preemptions += cost(of: chosen, node)
        }
        depth = step + 1
        return chosen
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
