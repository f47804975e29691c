import Foundation
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

/// The whole catalog against its own declarations: what a scenario says it counts
/// is what its strategies' observations count, by id, in order.
@Suite("Catalog", .serialized, .timeLimit(.minutes(2)))
struct CatalogTests {
    @Test("each scenario declares distinct, stable anomaly ids", arguments: Catalog.scenarios.map(\.name))
    func distinctAnomalies(name: String) throws {
        let scenario = try #require(Catalog.scenario(named: name))
        let ids = scenario.anomalies.map(\.id)
        #expect(!ids.isEmpty)
        #expect(Set(ids).count == ids.count, "\(ids)")
    }

    @Test(
        "every default strategy's observation reports exactly the anomalies its scenario declares",
        arguments: Catalog.scenarios.map(\.name))
    func observationsMatchDeclarations(name: String) throws {
        let scenario = try #require(Catalog.scenario(named: name))
        // Parsed as a user's command, so every declared option has its default.
        guard case .run(let request, _) = try Arguments.parse([name, "--duration", "5", "--warmup", "0"]) else {
            Issue.record("'racelab \(name)' did not parse as a run")
            return
        }
        let pool = WorkerPool(backend: request.backend, isPinned: request.isPinningEffective)
        let result = try Lab(pool: pool, childRunner: ChildRunner.launcher()).run(request, scenario: scenario)
        let declared = scenario.anomalies
        #expect(result.scenario.anomalies == declared, "the report's labels carry the declaration")
        #expect(result.strategies.map(\.name) == scenario.defaultStrategyNames)
        for outcome in result.strategies {
            for run in outcome.runs where run.didCount {
                #expect(
                    run.anomalies.map(\.kind) == declared,
                    "\(name) \(outcome.name) reported \(run.anomalies.map(\.id)), declared \(declared.map(\.id))")
            }
        }
    }
}

@Suite("Lab requests")
struct LabRequestTests {
    @Test("a strategy the scenario does not have is an error, never dropped")
    func unknownStrategy() throws {
        var request = request("counter", "mutex", threads: 1, iterations: 10)
        request.strategies = ["mutex", "mutx"]
        let lab = Lab(pool: WorkerPool(backend: .pthread, isPinned: false))
        #expect(
            throws: LabError.unknownStrategy(
                "mutx", scenario: "counter", known: CounterScenario.scenario.strategies.map(\.name))
        ) {
            try lab.run(request, scenario: CounterScenario.scenario)
        }
    }
}

@Suite("Scenario labels in JSON")
struct LabelsJSONTests {
    @Test("labels carry the anomaly kinds and still read a document written before them")
    func anomaliesRoundTrip() throws {
        let labels = CacheScenario.scenario.labels(for: request("cache", "locked", threads: 2, iterations: 10))
        let text = JSONText.compact(labels)
        #expect(text.contains(#""anomalies":[{"id":"lost-updates","name":"lost updates"}"#))
        #expect(text.contains(#""anomalyNames":["lost updates","wrong keys"]"#))
        #expect(try JSONDecoder().decode(ScenarioLabels.self, from: Data(text.utf8)) == labels)
        // A schema-3 document from before `anomalies`: the ids are what they always were.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        object["anomalies"] = nil
        let older = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(ScenarioLabels.self, from: older).anomalies == labels.anomalies)
    }

    @Test("an anomaly id read from a document is checked, not trusted: a bad one is an error, never a trap")
    func badIDs() throws {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(AnomalyKind.self, from: Data(#"{"id":"Lost Updates","name":"x"}"#.utf8))
        }
        #expect(AnomalyKind.legacyID("lost updates") == "lost-updates")
        #expect(AnomalyKind.legacyID("é") == "-")
        #expect(AnomalyKind.legacyID("") == "anomaly")
    }
}
