import RaceLab
import RaceLabExplore
import RaceLabModel

/// `racelab explore check-then-act`: the strategies' own dictionaries
/// (CheckThenActDictionaries.swift), their pthread locks seen by the explorer. Key 0 is
/// there at the start; worker 0 toggles it once (removes it), every other worker checks
/// it and then uses it, once per operation.
extension CheckThenActScenario {
    static let exploreModel = ExploreModel(
        scenario: "check-then-act",
        strategies: [
            ExploreStrategyModel(
                "unsafe", safe: false, "SeparateCheckDictionary: the check and the use, each locked on its own"
            ) { _, _ in
                toggling { SeparateCheckDictionary(work: 0) }
            },
            ExploreStrategyModel(
                "locked", safe: true, "CriticalSectionDictionary: the check and the use under one lock"
            ) { _, _ in
                toggling { CriticalSectionDictionary() }
            },
            ExploreStrategyModel(
                "single-lookup", safe: true, "SingleLookupDictionary: one lookup, use what it found"
            ) { _, _ in
                toggling { SingleLookupDictionary() }
            },
        ])

    private static func toggling<Dictionary: CheckThenActDictionary>(
        _ make: @escaping @Sendable () -> Dictionary
    ) -> RaceTest<Dictionary> {
        RaceTest {
            let dictionary = make()
            _ = dictionary.toggle(0, token: 42)
            return dictionary
        } body: { dictionary, worker, iteration in
            if worker == 0 {
                if iteration == 0 { _ = dictionary.toggle(0, token: 42) }
            } else if case .vanished = dictionary.checkThenUse(0) {
                throw RaceFailure("key 0 vanished between its check and its use")
            }
        }
    }
}
