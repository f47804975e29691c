import RaceLab
import RaceLabModel
import RaceLabReport
import RaceLabScenarios

/// `racelab list --json`: what exists, for scripts (smoke, soak, TSan), so that no
/// script keeps its own list of scenarios and strategies.
struct CatalogListing: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var name: String
        var summary: String
        /// The fewest workers a run of this scenario needs.
        var minimumWorkers: Int
        /// The backends it runs on (`queue` refuses dispatch, and says why).
        var backends: [Backend]
        /// The options this scenario declares, besides racelab's own.
        var options: [OptionEntry]
        var strategies: [StrategyEntry]
    }

    struct OptionEntry: Codable, Equatable {
        var name: String
        /// `<n>`, `<percent>`, ...; absent for a flag, which takes no value.
        var valueName: String?
        /// As a run without the option uses it; absent when the scenario derives it from the run.
        var defaultValue: SettingValue?
        /// The words it takes; absent for a number.
        var choices: [String]?
        var help: String
    }

    struct StrategyEntry: Codable, Equatable {
        var name: String
        var summary: String
        var isExpectedSafe: Bool
        var isInDefaultSet: Bool
        var runsInChildProcess: Bool
    }

    var schemaVersion: Int
    var scenarios: [Entry]

    init() {
        schemaVersion = JSONReport.schemaVersion
        scenarios = Catalog.scenarios.map { scenario in
            Entry(
                name: scenario.name, summary: scenario.summary, minimumWorkers: scenario.minimumWorkers,
                backends: Backend.allCases.filter { scenario.unsupportedBackends[$0] == nil },
                options: scenario.options.map {
                    OptionEntry(
                        name: $0.name, valueName: $0.isFlag ? nil : $0.valueName, defaultValue: $0.defaultValue,
                        choices: $0.choices,
                        help: $0.help)
                },
                strategies: scenario.strategies.map {
                    StrategyEntry(
                        name: $0.name, summary: $0.summary, isExpectedSafe: $0.isExpectedSafe,
                        isInDefaultSet: $0.isInDefaultSet, runsInChildProcess: $0.runsInChildProcess)
                })
        }
    }

    static func json() -> String { JSONText.pretty(CatalogListing()) }
}
