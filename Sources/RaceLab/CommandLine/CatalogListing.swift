/// `racelab list --json`: what exists, for scripts (smoke, soak, TSan), so that no
/// script keeps its own list of scenarios and strategies.
struct CatalogListing: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var name: String
        var summary: String
        /// The fewest workers a run of this scenario needs.
        var minimumWorkers: Int
        /// Long names of the options this scenario takes besides the common ones.
        var options: [String]
        var strategies: [StrategyEntry]
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
                options: Options.all.filter { spec in spec.scope.map(scenario.options.contains) ?? false }.map(\.long),
                strategies: scenario.strategies.map {
                    StrategyEntry(
                        name: $0.name, summary: $0.summary, isExpectedSafe: $0.isExpectedSafe,
                        isInDefaultSet: $0.isInDefaultSet, runsInChildProcess: $0.runsInChildProcess)
                })
        }
    }

    static func json() -> String { JSONText.pretty(CatalogListing()) }
}
