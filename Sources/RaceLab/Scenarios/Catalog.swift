/// Every scenario racelab knows, in the order `racelab list` shows them.
public enum Catalog {
    public static let scenarios: [Scenario] = [
        CounterScenario.scenario, CacheScenario.scenario, CheckThenActScenario.scenario,
        QueueScenario.scenario, LazyInitScenario.scenario,
        SnapshotScenario.scenario, DeadlockScenario.scenario, ReentrancyScenario.scenario,
        ActorReentrancyScenario.scenario, ActorCacheScenario.scenario,
    ]

    public static func scenario(named name: String) -> Scenario? {
        scenarios.first { $0.name == name }
    }
}
