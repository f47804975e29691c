import Foundation
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Hand-made results: one safe and one unsafe strategy, each one run.
private func result(
    safeLost: Int = 0, unsafeLost: Int = 10, parallelWorkers: Int = 2, cpuNanoseconds: UInt64? = nil
) -> LabResult {
    func run(_ lost: Int) -> Observation {
        Observation(
            expected: 100, observed: 100 - lost, operations: 100,
            anomalies: [CounterScenario.Anomalies.lostUpdates.count(lost)],
            timing: timing(
                workers: 2, maxActive: parallelWorkers, overlap: parallelWorkers >= 2 ? 1 : 0,
                cpuNanoseconds: cpuNanoseconds))
    }
    return LabResult(
        request: counterRequest, scenario: CounterScenario.scenario.labels(for: counterRequest),
        machine: MachineInfo(cpusAvailable: 2, cpuIDs: [0, 1], cpusOnline: 2, architecture: "x86_64", kernel: "Linux"),
        strategies: [
            StrategyOutcome(
                name: "unsafe", summary: "", isExpectedSafe: false, runsInChildProcess: false, runs: [run(unsafeLost)]),
            StrategyOutcome(
                name: "mutex", summary: "", isExpectedSafe: true, runsInChildProcess: false, runs: [run(safeLost)]),
        ])
}

@Suite("Check result, JUnit and JSON for CI")
struct CheckTests {
    @Test("a passing check says what held and what the race did, in one line")
    func passed() {
        let check = CheckResult(result(), expectRace: true)
        #expect(check.passed)
        #expect(check.rules == ["safe-strategies-held", "race-exposed"])
        #expect(check.summary == "check passed: 1 safe strategy held, unsafe exposed its race in 1 of 1 runs")
    }

    @Test("a broken safe strategy fails the check and is named")
    func broken() {
        let check = CheckResult(result(safeLost: 3), expectRace: false)
        #expect(!check.passed)
        #expect(check.broken == ["mutex"])
        #expect(check.summary == "check FAILED: mutex BROKEN, lost updates in 1 of 1 runs")
    }

    @Test("--expect-race fails when the workers never ran together, and says why; --check alone passes")
    func couldNotShow() {
        let blind = result(unsafeLost: 0, parallelWorkers: 1)
        #expect(blind.strategies[0].verdict == .couldNotShow)
        #expect(blind.strategies[1].verdict == .heldWeak)
        let strict = CheckResult(blind, expectRace: true)
        #expect(!strict.passed)
        #expect(
            strict.summary
                == "check FAILED: unsafe could not show its race: its workers never ran at the same time (overlap 0.0%)"
        )
        let lenient = CheckResult(blind, expectRace: false)
        #expect(lenient.passed)
        #expect(lenient.summary.hasPrefix("check passed: 1 safe strategy held (1 with weak evidence"))
    }

    @Test("workers that overlapped but took turns are named as such, not as 'never ran at the same time'")
    func tookTurns() {
        let turns = result(unsafeLost: 0, cpuNanoseconds: 250)  // 2 x 250 ns of CPU in a 1,000 ns window
        #expect(turns.strategies[0].evidenceGap == .tookTurns(parallelism: 0.5))
        #expect(
            CheckResult(turns, expectRace: true).summary
                == "check FAILED: unsafe could not show its race: its workers took turns, 0.50 on a CPU at once")
    }

    @Test("JUnit: one test case per strategy, a broken safe strategy is a failure, figures are properties")
    func junitFailures() throws {
        let xml = JUnitReport.render(
            result(safeLost: 3), expectRace: false,
            generatedAt: "2026-01-01T00:00:00Z")
        let doc = try JUnitSummary(xml)
        #expect(doc.suites == ["racelab.counter"])
        #expect(doc.cases == ["unsafe", "mutex"])
        #expect(doc.failures == ["mutex": "broken"])
        #expect(doc.skipped.isEmpty)
        #expect(doc.properties["mutex"]?["lost-updates"] == "3")
        #expect(doc.properties["unsafe"]?["verdict"] == "exposed")
        #expect(doc.attributes["testsuite"]?["failures"] == "1")
    }

    @Test("JUnit: an unsafe strategy that could not show its race is skipped, or a failure under --expect-race")
    func junitRaceNotShown() throws {
        let blind = result(unsafeLost: 0, parallelWorkers: 1)
        let lenient = try JUnitSummary(
            JUnitReport.render(blind, expectRace: false, generatedAt: "2026-01-01T00:00:00Z"))
        #expect(lenient.skipped == ["unsafe"])
        #expect(lenient.failures.isEmpty)
        let strict = try JUnitSummary(JUnitReport.render(blind, expectRace: true, generatedAt: "2026-01-01T00:00:00Z"))
        #expect(strict.failures == ["unsafe": "race-not-shown"])
    }

    @Test("JUnit escapes what it quotes")
    func junitEscapes() {
        #expect(XMLText.escaped("a<b & \"c\" 'd'>\u{1}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    }

    @Test("JSON: schemaVersion first, a check object, anomaly ids, generatedAt and build")
    func json() throws {
        let report = JSONReport(
            result(), check: CheckResult(result(), expectRace: false), generatedAt: "2026-01-01T00:00:00Z")
        let text = report.encoded()
        #expect(text.hasPrefix("{\n  \"schemaVersion\" : 3,\n"))
        let decoded = try JSONReport.decode(text)
        #expect(decoded.check?.passed == true)
        #expect(decoded.strategies[0].runs[0].anomalies[0].id == "lost-updates")
        #expect(decoded.strategies[0].summarised.anomalies[0].id == "lost-updates")
        #expect(decoded.build == .current)
        #expect(decoded.generatedAt.hasSuffix("Z"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["check"] != nil)
        let withoutCheck = JSONReport(result(), generatedAt: "2026-01-01T00:00:00Z").encoded()
        #expect(!withoutCheck.contains("\"check\""))
    }

    @Test("the sweep document's schemaVersion also comes first, though it sorts last")
    func schemaFirstWhenLast() {
        let text = JSONText.schemaVersionFirst("{\n  \"b\" : 1,\n  \"schemaVersion\" : 2\n}")
        #expect(text == "{\n  \"schemaVersion\" : 2,\n  \"b\" : 1\n}")
    }

    @Test("--check prints its result line last on stderr, --junit writes a file, a bad --junit path exits 64")
    func cliEndToEnd() throws {
        let path = "/tmp/racelab-tests-junit-\(getpid()).xml"
        defer { unlink(path) }
        let run = runCLI(["counter", "--threads", "2", "--duration", "20", "--check", "--junit", path])
        #expect(run.code == 0)
        let held = "check passed: \(CounterScenario.scenario.defaultSafeStrategyNames.count) safe strategies held"
        #expect(run.err.split(separator: "\n").last?.hasPrefix(held) == true, "\(run.err)")
        let doc = try JUnitSummary(try String(contentsOfFile: path, encoding: .utf8))
        #expect(doc.cases == CounterScenario.scenario.defaultStrategyNames)
        for bad in ["/nonexistent-dir/x.xml", "/tmp", ""] {
            let refused = runCLI(["counter", "--junit", bad])
            #expect(refused.code == 64, "\(bad)")
            #expect(refused.err.hasPrefix("Error: Invalid value '\(bad)' for '--junit <file>'"), "\(refused.err)")
        }
        #expect(runCLI(["sweep", "counter", "--junit", path]).code == 64)
    }
}

/// What a JUnit document holds, read with XMLParser.
struct JUnitSummary {
    var suites: [String] = []
    var cases: [String] = []
    /// Test case -> failure type.
    var failures: [String: String] = [:]
    var skipped: [String] = []
    /// Test case -> its properties.
    var properties: [String: [String: String]] = [:]
    /// Element name -> attributes of its first occurrence.
    var attributes: [String: [String: String]] = [:]

    init(_ text: String) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = collector
        guard parser.parse() else { throw ParseError.notXML }
        self = collector.summary
    }

    private init() {}

    enum ParseError: Error { case notXML }

    final class Collector: NSObject, XMLParserDelegate {
        var summary = JUnitSummary()
        private var currentCase: String?

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if summary.attributes[name] == nil { summary.attributes[name] = attributes }
            switch name {
            case "testsuite": summary.suites.append(attributes["name"] ?? "")
            case "testcase":
                currentCase = attributes["name"]
                summary.cases.append(attributes["name"] ?? "")
            case "failure": if let currentCase { summary.failures[currentCase] = attributes["type"] ?? "" }
            case "skipped": if let currentCase { summary.skipped.append(currentCase) }
            case "property":
                if let currentCase, let key = attributes["name"] {
                    summary.properties[currentCase, default: [:]][key] = attributes["value"]
                }
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "testcase" { currentCase = nil }
        }
    }
}
