/// How workers are started: one pthread each, Dispatch's `concurrentPerform`, or
/// child tasks of a task group on Swift's cooperative pool.
public enum Backend: String, Codable, Sendable, CaseIterable {
    case pthread
    case dispatch
    case tasks
}

/// How long one run lasts.
public enum RunLength: Codable, Sendable, Equatable, Hashable {
    /// Time-boxed (the default): every worker runs until the window closes and counts
    /// its own operations; what should have happened is the sum of what they did.
    case timed(milliseconds: Int)
    /// `--iterations N`: every worker performs exactly N operations, so the total is
    /// known up front. The run lasts as long as the slowest worker needs.
    case fixed(iterations: Int)

    /// racelab's default window: long enough for every worker of a 2-vCPU VM to be
    /// awake and overlapping for almost all of it (idle vCPUs take longer than 50 µs
    /// to wake), short enough that five strategies finish well inside 1.5 s.
    public static let standard = RunLength.timed(milliseconds: 100)

    /// A window of `window`, in whole milliseconds (rounded up): `.timed(.milliseconds(50))`.
    public static func timed(_ window: Duration) -> RunLength {
        .timed(milliseconds: window.wholeMilliseconds)
    }

    /// The longest window racelab accepts (10 minutes).
    package static let maxMilliseconds = 600_000

    /// The window in milliseconds, for a timed run.
    public var milliseconds: Int? {
        if case .timed(let milliseconds) = self { return milliseconds }
        return nil
    }

    /// Operations per worker, for a fixed-count run.
    public var iterations: Int? {
        if case .fixed(let iterations) = self { return iterations }
        return nil
    }
}
