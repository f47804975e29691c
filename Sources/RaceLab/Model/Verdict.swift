/// What a strategy's runs amount to, judged against what it promises.
public enum Verdict: String, Codable, Sendable {
    /// A safe strategy with no anomaly in any run.
    case held
    /// A safe strategy that showed an anomaly: a bug in racelab or in the machine.
    case broken
    /// An unsafe strategy that showed its race in at least one run.
    case exposed
    /// An unsafe strategy that showed nothing this time.
    case notExposed = "not-exposed"

    public init(isExpectedSafe: Bool, anyAnomaly: Bool) {
        switch (isExpectedSafe, anyAnomaly) {
        case (true, false): self = .held
        case (true, true): self = .broken
        case (false, true): self = .exposed
        case (false, false): self = .notExposed
        }
    }

    /// Whether this verdict should fail `--check`.
    public var failsCheck: Bool { self == .broken }
}
