import RaceLab

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
    /// The anomalies the scenario declares, in table order; the first is the headline.
    package var anomalies: [AnomalyKind]
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
        countsLegend: String? = nil, anomalies: [AnomalyKind], strategyOrder: [String], settingLines: [String] = [],
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
        self.anomalies = anomalies
        self.strategyOrder = strategyOrder
        self.settingLines = settingLines
        self.settingsBrief = settingsBrief
    }

    private enum CodingKeys: String, CodingKey {
        case name, summary, operationName, expectedLabel, observedLabel, countsLegend, anomalies, anomalyNames
        case strategyOrder, settingLines, settingsBrief, exposedWord, childDiedWord
    }

    /// `anomalyNames` stays in the JSON as schema 3 had it; `anomalies` (id and name)
    /// was added within schema 3, so a document without it still reads, with the ids
    /// it was written with (the names, lower-case, hyphenated).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        summary = try c.decode(String.self, forKey: .summary)
        operationName = try c.decode(String.self, forKey: .operationName)
        expectedLabel = try c.decode(String.self, forKey: .expectedLabel)
        observedLabel = try c.decode(String.self, forKey: .observedLabel)
        countsLegend = try c.decodeIfPresent(String.self, forKey: .countsLegend)
        if let kinds = try c.decodeIfPresent([AnomalyKind].self, forKey: .anomalies) {
            anomalies = kinds
        } else {
            anomalies = try c.decode([String].self, forKey: .anomalyNames).map { name in
                AnomalyKind(id: AnomalyKind.legacyID(name), name: name)
            }
        }
        strategyOrder = try c.decode([String].self, forKey: .strategyOrder)
        settingLines = try c.decode([String].self, forKey: .settingLines)
        settingsBrief = try c.decode([String].self, forKey: .settingsBrief)
        exposedWord = try c.decodeIfPresent(String.self, forKey: .exposedWord)
        childDiedWord = try c.decodeIfPresent(String.self, forKey: .childDiedWord)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(summary, forKey: .summary)
        try c.encode(operationName, forKey: .operationName)
        try c.encode(expectedLabel, forKey: .expectedLabel)
        try c.encode(observedLabel, forKey: .observedLabel)
        try c.encodeIfPresent(countsLegend, forKey: .countsLegend)
        try c.encode(anomalies, forKey: .anomalies)
        try c.encode(anomalies.map(\.name), forKey: .anomalyNames)
        try c.encode(strategyOrder, forKey: .strategyOrder)
        try c.encode(settingLines, forKey: .settingLines)
        try c.encode(settingsBrief, forKey: .settingsBrief)
        try c.encodeIfPresent(exposedWord, forKey: .exposedWord)
        try c.encodeIfPresent(childDiedWord, forKey: .childDiedWord)
    }

    /// "RACE EXPOSED", or what the scenario calls it.
    package var exposed: String { exposedWord ?? "RACE EXPOSED" }
    /// "DATA RACE EXPOSED" (a child that crashed or hung of a data race), or the scenario's word.
    package var childDied: String { childDiedWord ?? "DATA RACE EXPOSED" }

    /// The headline anomaly ("lost updates").
    package var headline: String { anomalies.first?.name ?? "anomalies" }
}
