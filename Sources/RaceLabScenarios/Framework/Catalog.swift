/// Every scenario racelab knows, in the order `racelab list` shows them.
package enum Catalog {
    package static let scenarios: [Scenario] = [
        CounterScenario.scenario, CacheScenario.scenario, CheckThenActScenario.scenario,
        QueueScenario.scenario, LazyInitScenario.scenario,
        SnapshotScenario.scenario, DeadlockScenario.scenario, ReentrancyScenario.scenario,
        ActorReentrancyScenario.scenario, ActorCacheScenario.scenario,
    ]

    package static func scenario(named name: String) -> Scenario? {
        scenarios.first { $0.name == name }
    }
}
