/// The value of one scenario option as a request carries it: to the scenario, to a
/// child process (as JSON), into the JSON report and into a sweep's baseline.
package enum SettingValue: Codable, Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case text(String)

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }

    package var description: String {
        switch self {
        case .integer(let number): String(number)
        case .text(let text): text
        }
    }
}

/// What a report needs to know about the scenario that ran: its names and labels.
/// It travels in the result, so the report layer never sees a `Scenario`.
package struct ScenarioLabels: Codable, Sendable, Equatable {
    package var name: String
    /// One line, as `racelab list` shows it.
    package var summary: String
    /// What one operation is, plural, for the report header ("increments").
    package var operationName: String
    /// Column headers of `Observation.expected` / `.observed`.
    package var expectedLabel: String
    package var observedLabel: String
    /// What those two columns hold, in words; nil: the sum of what the workers did /
    /// what the shared state ended with.
    package var countsLegend: String?
    /// Names of the anomalies, in the order observations report them; the first is the headline.
    package var anomalyNames: [String]
    /// Every strategy of the scenario, in its order (unsafe forms first).
    package var strategyOrder: [String]
    /// The header lines of the scenario's own settings ("  keys   64 distinct (zipf), seed 42").
    package var settingLines: [String]
    /// The same settings, short, for a chart subtitle ("64 keys (zipf)").
    package var settingsBrief: [String]
    /// The verdict word of an unsafe strategy that showed its bug ("DEADLOCK
    /// EXPOSED"), and of one whose child process died of it; nil: the race words.
    package var exposedWord: String?
    package var childDiedWord: String?

    package init(
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
    package var exposed: String { exposedWord ?? "RACE EXPOSED" }
    /// "DATA RACE EXPOSED" (a child that crashed or hung of a data race), or the scenario's word.
    package var childDied: String { childDiedWord ?? "DATA RACE EXPOSED" }

    /// The headline anomaly ("lost updates").
    package var headline: String { anomalyNames.first ?? "anomalies" }
}

extension Int {
    /// 1234567 -> "1,234,567", the same on every machine (no locale): for the lines
    /// scenarios declare and the reports print.
    package var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return self < 0 ? "-" + out : out
    }
}
