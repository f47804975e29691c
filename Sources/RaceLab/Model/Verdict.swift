/// What a strategy's runs amount to, judged against what it promises and against
/// the evidence: a run whose workers never ran at the same time proves nothing.
package enum Verdict: String, Codable, Sendable {
    /// A safe strategy with no anomaly in any run, its workers running together.
    case held
    /// A safe strategy with no anomaly, but its workers never really ran at the same
    /// time (one CPU, one worker, or runs too short to overlap): weak evidence.
    case heldWeak = "held-weak"
    /// A safe strategy that showed an anomaly: a bug in racelab or in the machine.
    case broken
    /// An unsafe strategy that showed its race in at least one run.
    case exposed
    /// An unsafe strategy that showed nothing although its workers ran together.
    case notExposed = "not-exposed"
    /// An unsafe strategy that showed nothing and whose workers never ran together:
    /// this says nothing about its safety.
    case couldNotShow = "could-not-show"

    package init(isExpectedSafe: Bool, anyAnomaly: Bool, lacksOverlap: Bool = false) {
        switch (isExpectedSafe, anyAnomaly) {
        case (true, false): self = lacksOverlap ? .heldWeak : .held
        case (true, true): self = .broken
        case (false, true): self = .exposed
        case (false, false): self = lacksOverlap ? .couldNotShow : .notExposed
        }
    }

    /// Whether this verdict should fail `--check`.
    package var failsCheck: Bool { self == .broken }

    /// Whether a safe strategy held (with strong or weak evidence).
    package var isHeld: Bool { self == .held || self == .heldWeak }
}
