/// What a strategy's runs amount to, judged against what it promises and against
/// the evidence: a run whose workers never ran at the same time proves nothing.
public enum Verdict: String, Codable, Sendable {
    /// A safe strategy with no anomaly in any run, its workers running together.
    case held
    /// A safe strategy with no anomaly, but its workers never really ran at the same
    /// time (one CPU, one worker, or runs too short to overlap): weak evidence.
    case heldWeak = "held-weak"
    /// What should hold did not: a check failed (your code, under `Stress` or
    /// `Explore`), or a safe strategy of racelab's showed an anomaly (a bug in racelab
    /// or in the machine).
    case broken
    /// An unsafe strategy that showed its race in at least one run.
    case exposed
    /// An unsafe strategy that showed nothing although its workers ran together.
    case notExposed = "not-exposed"
    /// An unsafe strategy that showed nothing and whose workers never ran together:
    /// this says nothing about its safety.
    case couldNotShow = "could-not-show"

    /// The verdict on a strategy's runs: whether it promised safety, whether any run
    /// showed an anomaly, and whether its workers lacked overlap (then a clean result
    /// is weak evidence, or shows nothing at all).
    public init(isExpectedSafe: Bool, anyAnomaly: Bool, lacksOverlap: Bool = false) {
        switch (isExpectedSafe, anyAnomaly) {
        case (true, false): self = lacksOverlap ? .heldWeak : .held
        case (true, true): self = .broken
        case (false, true): self = .exposed
        case (false, false): self = lacksOverlap ? .couldNotShow : .notExposed
        }
    }

    /// The 95% upper bound on the chance per run of an anomaly after `cleanRuns` runs
    /// that showed none: 3 / `cleanRuns` (the rule of three). nil below 3 runs, where
    /// the bound would be 1 or more and says nothing.
    ///
    ///     Verdict.failureBound(cleanRuns: 100)  // 0.03: "< 3% per run, 95% confidence"
    public static func failureBound(cleanRuns: Int) -> Double? {
        cleanRuns >= 3 ? 3 / Double(cleanRuns) : nil
    }

    /// Below this share of a run with 2 or more workers active (for graded outcomes: of
    /// strides in which every worker overlapped every other), the runs are no evidence:
    /// a clean result is `.heldWeak`, "could not show". One threshold for every engine.
    public static let minimumOverlap = 0.05
    /// Below this many workers on a CPU at once, on average, they took turns: a clean
    /// result is weak evidence too.
    public static let minimumParallelism = 1.1

    /// Whether this verdict should fail `--check`.
    public var failsCheck: Bool { self == .broken }

    /// Whether a safe strategy held (with strong or weak evidence).
    public var isHeld: Bool { self == .held || self == .heldWeak }
}

/// Why a strategy's runs prove little: its workers never really ran at the same time.
package enum EvidenceGap: Equatable, Sendable {
    /// Their windows (nearly) never overlapped: the median share of the window with 2
    /// or more workers active.
    case noOverlap(overlap: Double)
    /// Their windows overlapped, but they took turns: the median number of workers on a
    /// CPU at once, below 1.1.
    case tookTurns(parallelism: Double)

    /// Why runs with these timings prove little, judged on the median run, or nil when
    /// the workers really ran together: their windows hardly overlapped (under
    /// `Verdict.minimumOverlap`), or they overlapped but took turns on the CPUs (under
    /// `Verdict.minimumParallelism` on a CPU at once). Workers that kept going to sleep
    /// waiting for each other (a lock convoy, a blocking queue's hand-offs) use little
    /// CPU too, but they did contend: that is evidence. The one rule for every engine.
    package init?(_ timings: [Timing]) {
        guard let overlap = Spread(timings.map(\.overlapFraction)) else { return nil }
        if overlap.median < Verdict.minimumOverlap || (timings.map(\.maxActiveWorkers).max() ?? 0) < 2 {
            self = .noOverlap(overlap: overlap.median)
            return
        }
        guard let parallelism = Spread(timings.compactMap(\.cpuParallelism))?.median,
            parallelism < Verdict.minimumParallelism,
            (Spread(timings.map { Double($0.waitingWorkers) })?.median ?? 0) < 2
        else { return nil }
        self = .tookTurns(parallelism: parallelism)
    }
}

/// The largest values racelab's engines accept, checked where a caller passes them.
package enum Limits {
    /// Workers in one run (and virtual threads in one exploration).
    package static let maxWorkers = 1024
    /// Runs of one stress test, or repetitions of one strategy.
    package static let maxRuns = 10_000
}
