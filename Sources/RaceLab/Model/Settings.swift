/// The value of one scenario option as a request carries it: to the scenario, to a
/// child process (as JSON), into the JSON report and into a sweep's baseline.
public enum SettingValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case text(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }

    public var description: String {
        switch self {
        case .integer(let number): String(number)
        case .text(let text): text
        }
    }
}

/// What a report needs to know about the scenario that ran: its names and labels.
/// It travels in the result, so the report layer never sees a `Scenario`.
public struct ScenarioLabels: Codable, Sendable, Equatable {
    public var name: String
    /// One line, as `racelab list` shows it.
    public var summary: String
    /// What one operation is, plural, for the report header ("increments").
    public var operationName: String
    /// Column headers of `Observation.expected` / `.observed`.
    public var expectedLabel: String
    public var observedLabel: String
    /// What those two columns hold, in words; nil: the sum of what the workers did /
    /// what the shared state ended with.
    public var countsLegend: String?
    /// Names of the anomalies, in the order observations report them; the first is the headline.
    public var anomalyNames: [String]
    /// Every strategy of the scenario, in its order (unsafe forms first).
    public var strategyOrder: [String]
    /// The header lines of the scenario's own settings ("  keys   64 distinct (zipf), seed 42").
    public var settingLines: [String]
    /// The same settings, short, for a chart subtitle ("64 keys (zipf)").
    public var settingsBrief: [String]
    /// The verdict word of an unsafe strategy that showed its bug ("DEADLOCK
    /// EXPOSED"), and of one whose child process died of it; nil: the race words.
    public var exposedWord: String?
    public var childDiedWord: String?

    public init(
        name: String, summary: String, operationName: String, expectedLabel: String, observedLabel: String,
        countsLegend: String? = nil, anomalyNames: [String], strategyOrder: [String], settingLines: [String] = [],
        settingsBrief: [String] = [],
        exposedWord: String? = nil, childDiedWord: String? = nil
    ) {
        self.exposedWord = exposedWord
        self.childDiedWord = childDiedWord
        self.name = name
        self.summary = summary
        self.operationName = operationName
        self.expectedLabel = expectedLabel
        self.observedLabel = observedLabel
        self.countsLegend = countsLegend
        self.anomalyNames = anomalyNames
        self.strategyOrder = strategyOrder
        self.settingLines = settingLines
        self.settingsBrief = settingsBrief
    }

    /// "RACE EXPOSED", or what the scenario calls it.
    public var exposed: String { exposedWord ?? "RACE EXPOSED" }
    /// "DATA RACE EXPOSED" (a child that crashed or hung of a data race), or the scenario's word.
    public var childDied: String { childDiedWord ?? "DATA RACE EXPOSED" }

    /// The headline anomaly ("lost updates").
    public var headline: String { anomalyNames.first ?? "anomalies" }
}

extension Int {
    /// 1234567 -> "1,234,567", the same on every machine (no locale): for the lines
    /// scenarios declare and the reports print.
    public var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return self < 0 ? "-" + out : out
    }
}
