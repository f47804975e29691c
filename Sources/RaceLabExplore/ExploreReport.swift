import RaceLab

/// One schedule: the worker chosen at each step, what every step did, how it ended.
public struct ExploreSchedule: Sendable, CustomStringConvertible {
    /// The worker that ran each step.
    public let choices: [Int]
    /// Every operation of the schedule, in order.
    public let events: [ExploreEvent]
    /// Why the schedule failed, or nil.
    public let failure: ExploreFailure?
    /// How many times a thread that could have gone on was switched away from.
    public let preemptions: Int
    /// Workers (virtual threads) in the program, spawned ones included.
    public let workers: Int
    /// For a replay: where and how the program stopped matching the schedule, or nil.
    public let mismatch: String?
    /// The timeline's column names, when they are not "worker N": an async schedule's
    /// tasks ("task 2: Task {} in task 0").
    package let columns: [String]

    init(
        choices: [Int], events: [ExploreEvent], failure: ExploreFailure?, preemptions: Int, threads: Int,
        mismatch: String?, columns: [String] = []
    ) {
        self.columns = columns
        self.choices = choices
        self.events = events
        self.failure = failure
        self.preemptions = preemptions
        self.workers = threads
        self.mismatch = mismatch
    }

    init(_ result: ScheduleResult, threads: Int, mismatch: String?) {
        self.init(
            choices: result.choices, events: result.events, failure: result.failure,
            preemptions: result.preemptions, threads: max(threads, result.threads), mismatch: mismatch,
            columns: result.columns)
    }

    /// The schedule as a string for `Explore.replay`: one digit per step ("0101") for up
    /// to 10 workers, else "v1:" and comma-separated worker numbers. (An async schedule's
    /// choices are positions in the queue of ready jobs, 0 for the oldest.)
    public var string: String {
        workers <= 10 && choices.allSatisfy({ $0 < 10 })
            ? choices.map(String.init).joined() : "v1:" + choices.map(String.init).joined(separator: ",")
    }

    /// The choices a schedule string stands for, or nil if it is not one (ASCII digits
    /// only: "２" or "٣" is not a thread number, nor is "+1").
    package static func parse(_ string: String) -> [Int]? {
        if string.hasPrefix("v1:") {
            let parts = string.dropFirst(3).split(separator: ",", omittingEmptySubsequences: false)
            guard parts.allSatisfy(\.isASCIIDigits) else { return nil }
            let numbers = parts.compactMap { Int($0) }
            return numbers.count == parts.count ? numbers : nil
        }
        guard string.isEmpty || string.isASCIIDigits else { return nil }
        return string.utf8.map { Int($0) - 48 }
    }

    /// Step by step, one column per worker:
    ///
    ///     step  worker 0             worker 1
    ///        1  load counter → 0
    ///        2                       load counter → 0
    ///
    /// With more than 8 workers, columns would be wider than any screen: one line per
    /// step names its worker instead (`step  thread  operation`).
    public var timeline: String {
        let name = { (column: Int) in column < self.columns.count ? "task \(column)" : "worker \(column)" }
        guard workers <= 8 else {
            let header = columns.isEmpty ? "step  worker  operation" : "step    task  operation"
            let rows = events.map { event in
                Self.right(String(event.step), 4) + "  " + Self.right(String(event.thread), 6) + "  " + event.text
            }
            return ([header] + rows).joined(separator: "\n")
        }
        let width = max(20, (events.map(\.text.count).max() ?? 0) + 2)
        let blank = String(repeating: " ", count: width)
        func pad(_ text: String) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        let header = "step  " + (0..<workers).map { pad(name($0)) }.joined()
        let rows = events.map { event in
            Self.right(String(event.step), 4) + "  " + String(repeating: blank, count: event.thread) + event.text
        }
        return ([header] + rows).map { line in String(line.reversed().drop { $0 == " " }.reversed()) }
            .joined(separator: "\n")
    }

    private static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    /// How the schedule ended, one line: its failure, "passed", or, for a replay that
    /// stopped matching, that it did not run to its end (never "passed").
    package var verdict: String {
        failure?.description ?? (mismatch == nil ? "passed" : "did not run to its end: the replay stopped matching")
    }

    /// The failure (or "passed"), the replay string, then the timeline (after its
    /// tasks, for an async schedule).
    public var description: String {
        let replay = "schedule \"\(string)\" (\(preemptions.counted("preemption")))"
        let mismatchLine = mismatch.map { "\nreplay stopped: \($0)" } ?? ""
        let legend = columns.enumerated().map { "task \($0.offset): \($0.element)" }.joined(separator: "\n")
        return "\(verdict)\n\(replay)\(mismatchLine)\n" + (legend.isEmpty ? "" : legend + "\n") + timeline
    }
}

/// What an exploration found: how many schedules ran, how many failed, the first failing
/// one, and exactly what the schedules cover.
public struct ExploreReport: Sendable, CustomStringConvertible {
    /// What the schedules that ran cover.
    public enum Coverage: Sendable, Equatable {
        /// Every schedule of the program: a proof for this bounded program.
        case every
        /// Every schedule with at most this many preemptions.
        case preemptions(atMost: Int)
        /// A sample (random or PCT); for PCT its depth and the steps per schedule.
        case sampled(pct: (depth: Int, steps: Int)?)
        /// An exhaustive search stopped by `Explore.scheduleLimit`: every schedule with
        /// at most `preemptionsCovered` preemptions ran, and part of the next bound's
        /// (nil: no bound was covered completely).
        case partial(preemptionsCovered: Int?, limit: Int)

        /// The same coverage (a tuple cannot be Equatable on its own).
        public static func == (a: Coverage, b: Coverage) -> Bool {
            switch (a, b) {
            case (.every, .every): true
            case (.preemptions(let x), .preemptions(let y)): x == y
            case (.sampled(let x), .sampled(let y)): x?.depth == y?.depth && x?.steps == y?.steps
            case (.partial(let x, let m), .partial(let y, let n)): x == y && m == n
            default: false
            }
        }
    }

    /// How the schedules were chosen.
    public let search: Explore.Search
    /// Virtual threads in the program (a `RaceTest`'s workers).
    public let workers: Int
    /// Schedules run.
    public let explored: Int
    /// Schedules that failed.
    public let failed: Int
    /// The first failing schedule, with its timeline, or nil.
    public let firstFailure: ExploreSchedule?
    /// What the schedules cover (see `Coverage`).
    public let coverage: Coverage
    /// False when the exploration stopped at its first failure (so `explored` and
    /// `failed` count only the schedules up to it).
    public let isFinished: Bool
    /// Whether equivalent schedules were pruned (sleep sets): `explored` then counts
    /// one schedule of each class that only reorders independent steps, not every
    /// interleaving. Off with `Explore.prunesEquivalentSchedules` false or a bound.
    public let isPruned: Bool
    /// Schedules started and cut short as equivalent to one explored; not counted in
    /// `explored` (most equivalent schedules are never started at all).
    public let pruned: Int
    /// Steps run over every schedule: operations on the primitives, or, for async code,
    /// jobs. With the time an exploration took, its speed.
    public let steps: Int

    init(
        search: Explore.Search, workers: Int, explored: Int, failed: Int, firstFailure: ExploreSchedule?,
        coverage: Coverage, isFinished: Bool, isPruned: Bool = false, pruned: Int = 0, steps: Int = 0
    ) {
        self.steps = steps
        self.isPruned = isPruned
        self.search = search
        self.workers = workers
        self.explored = explored
        self.failed = failed
        self.firstFailure = firstFailure
        self.coverage = coverage
        self.isFinished = isFinished
        self.pruned = pruned
    }

    /// True when no schedule failed.
    public var passed: Bool { failed == 0 }

    /// racelab's verdict, as a stress test has one: `.held` when no schedule failed
    /// (`coverage` says how far that goes: every schedule, a bound, or a sample),
    /// `.broken` when one did.
    public var verdict: Verdict { failed == 0 ? .held : .broken }

    /// What the schedules cover, in words: "every schedule of this program", "every
    /// schedule with at most 2 preemptions", "PCT, depth 2, seed 1: ...".
    public var scope: String {
        let scope: String
        switch coverage {
        case .every:
            scope = isPruned ? "every schedule, up to reordering independent steps" : "every schedule of this program"
        case .preemptions(let bound): scope = "every schedule with at most \(bound.counted("preemption"))"
        case .partial(let covered, let limit):
            scope =
                "stopped at the limit of \(limit.grouped) schedules"
                + (covered.map { ": every schedule with at most \($0.counted("preemption")) ran" }
                    ?? " before every schedule ran")
        case .sampled(let pct):
            switch search {
            case .random(_, let seed): scope = "random schedules, seed \(seed)"
            case .pct(_, let depth, let seed):
                let k = pct?.steps ?? 1
                let perSchedule = pctBound ?? 0
                scope =
                    "PCT, depth \(depth), seed \(seed): finds a bug of depth <= \(depth) with p >= 1/(n k^(d-1))"
                    + " = \(Self.short(perSchedule)) per schedule (n = \(workers), k = \(k) steps)"
            default: scope = "sampled"
            }
        }
        return scope
    }

    /// "all 6 schedules pass (every schedule of this program)", or the first failure
    /// with its replay string and timeline.
    public var description: String {
        let cut = pruned == 0 ? "" : "; \(pruned.grouped) more cut short as equivalent"
        guard let first = firstFailure else {
            return "all \(explored) schedules pass (\(scope)\(cut))"
        }
        let counted =
            isFinished
            ? "\(failed) of \(explored) schedules failed (\(scope)\(cut))"
            : "failed in schedule \(explored) (\(scope)); stopped at the first failure"
        return "\(counted)\nfirst failure: \(first)"
    }

    /// The probability PCT guarantees per schedule for a bug of its depth, or nil.
    public var pctBound: Double? {
        guard case .sampled(let pct?) = coverage else { return nil }
        return 1 / (Double(workers) * pow(Double(pct.steps), Double(pct.depth - 1)))
    }

    /// Two significant digits: "0.031", "0.0088"; below 0.0001, "3.1e-7".
    private static func short(_ value: Double) -> String {
        guard value < 1 else { return "1" }
        guard value > 0 else { return "0" }
        var mantissa = value
        var magnitude = 0
        while mantissa < 1 {
            mantissa *= 10
            magnitude -= 1
        }
        guard magnitude >= -4 else { return "\((mantissa * 10).rounded() / 10)e\(magnitude)" }
        let decimals = 1 - magnitude
        let digits = String(Int((value * pow(10, Double(decimals))).rounded()))
        return "0." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    for _ in 0..<max(0, Int(exponent)) { result *= base }
    return result
}
