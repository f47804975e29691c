import Foundation
import Synchronization
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

#if canImport(Glibc)
    import Glibc
#endif

/// `racelab sweep --out`, `--baseline` and `--max-regression`: the files agree with
/// each other and with the table, the chart is real XML with what a reader needs,
/// and the regression gate fires exactly when a safe strategy got slower.
@Suite("Sweep files", .serialized)
struct SweepFilesTests {
    /// A fresh empty directory under /tmp.
    static func scratchDirectory() throws -> String {
        var template = Array("/tmp/racelab-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func read(_ path: String) throws -> String { try FileIO.read(path).get() }

    /// One real, small sweep written to a directory, shared by the tests below (one
    /// fixed directory per user, emptied first, so test runs do not pile up in /tmp).
    static let sweep: (directory: String, run: CLIRun) = {
        let directory = "/tmp/racelab-tests-sweep-files-\(getuid())"
        for name in ["sweep.json", "sweep.csv", "sweep.svg"] { unlink("\(directory)/\(name)") }
        let run = runCLI([
            "sweep", "counter", "--threads", "1,2", "--runs", "3", "--iterations", "3000", "--out", directory,
        ])
        return (directory, run)
    }()

    @Test("--out writes sweep.json, sweep.csv and sweep.svg and says so on stderr")
    func writesThreeFiles() throws {
        let (directory, run) = Self.sweep
        #expect(run.code == 0, "\(run.err)")
        for name in ["sweep.json", "sweep.csv", "sweep.svg"] {
            #expect(FileIO.exists("\(directory)/\(name)"), "\(name) missing")
            #expect(run.err.contains("\(directory)/\(name)"))
        }
        #expect(!run.out.contains("wrote"), "stdout is the result alone")
    }

    @Test("sweep.json round-trips and carries date, machine and build")
    func jsonRoundTrip() throws {
        let text = try Self.read("\(Self.sweep.directory)/sweep.json")
        let document = try SweepJSON.decode(text)
        #expect(document.encoded() == text)
        #expect(document.kind == "sweep")
        #expect(document.scenario == "counter")
        #expect(document.generatedAt.count == 20 && document.generatedAt.hasSuffix("Z"))
        #expect(document.build.configuration == "debug" || document.build.configuration == "release")
        #expect(document.build.swiftVersion.hasPrefix("6") || document.build.swiftVersion.hasPrefix("7"))
        #expect(document.machine.cpusAvailable == cpuCount)
        #expect(!document.machine.kernel.isEmpty)
        #expect(document.cells.count == CounterScenario.scenario.defaultStrategyNames.count * 2)
        for cell in document.cells {
            #expect(cell.runs.count == 3)
            #expect(
                cell.summarised
                    == SweepCell(
                        strategy: cell.strategy, isExpectedSafe: cell.isExpectedSafe, backend: cell.backend,
                        threads: cell.threads, runs: cell.runs
                    ).summary)
        }
    }

    @Test("sweep.csv has a row per run that agrees with the JSON and with the printed table")
    func csvAgrees() throws {
        let directory = Self.sweep.directory
        let csv = try Self.read("\(directory)/sweep.csv")
        let document = try SweepJSON.decode(try Self.read("\(directory)/sweep.json"))
        var lines = csv.split(separator: "\n").map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        #expect(header.contains("ns_per_op") && header.contains("window_ns") && header.contains("overlap_pct"))
        #expect(header.contains("lost_updates_count"))
        #expect(lines.count == document.cells.reduce(0) { $0 + $1.runs.count })
        let rows = lines.map { line in
            Dictionary(
                uniqueKeysWithValues: zip(
                    header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }
        let table = Self.sweep.run.out
        for cell in document.cells {
            let mine = rows.filter {
                $0["strategy"] == cell.strategy && $0["backend"] == cell.backend.rawValue
                    && $0["workers"] == String(cell.threads)
            }
            #expect(mine.map { $0["run"] } == ["1", "2", "3"])
            #expect(mine.map { Int($0["lost_updates_count"] ?? "") } == cell.runs.map { $0.primaryAnomalyCount })
            let median = Spread(mine.compactMap { Double($0["ns_per_op"] ?? "") })?.median
            #expect(median == cell.summarised.nsPerOp?.median, "\(cell.strategy) x\(cell.threads)")
            // The table prints that same median in the strategy's row.
            let row = table.split(separator: "\n").first { $0.hasPrefix(cell.strategy + " ") }
            #expect(row?.contains(Format.significant(median ?? -1)) == true, "\(cell.strategy): \(row ?? "no row")")
        }
    }

    @Test("sweep.svg parses as XML: one series per strategy and backend, labelled axes, a title")
    func svgIsRealXML() throws {
        let text = try Self.read("\(Self.sweep.directory)/sweep.svg")
        let svg = try SVGSummary(text)
        #expect(svg.root == "svg")
        let counter = CounterScenario.scenario
        #expect(svg.series(panel: "ns-per-op").sorted() == counter.defaultStrategyNames.sorted())
        #expect(svg.series(panel: "anomaly-percent").sorted() == counter.defaultUnsafeStrategyNames.sorted())
        #expect(svg.axisLabels.contains("workers (threads), log scale"))
        #expect(svg.axisLabels.contains("ns per operation (log scale)"))
        #expect(svg.axisLabels.contains("lost updates (% of expected)"))
        #expect(svg.titles.contains { $0.contains("racelab sweep counter") })
        #expect(svg.texts.contains { $0.contains("pthread (pinned)") })
        #expect(svg.texts.contains("sharded"), "legend")
    }

    @Test("two backends give two series per strategy; a child that crashed is drawn as a cross, not as 0%")
    func svgBackendsAndCrashes() throws {
        let timing = timing(windowNanoseconds: 5_000, overlap: 0.9)
        func run(lost: Int) -> Observation {
            Observation(
                expected: 100, observed: 100 - lost, operations: 100,
                anomalies: [CounterScenario.Anomalies.lostUpdates.count(lost)],
                timing: timing)
        }
        let crashed = Observation(
            expected: 0, observed: 0, operations: 0, anomalies: [], timing: nil, childEnd: .crashed(signal: 11))
        var cells: [SweepCell] = []
        for backend in [Backend.pthread, .dispatch] {
            for threads in [1, 4] {
                cells.append(
                    SweepCell(
                        strategy: "unsafe", isExpectedSafe: false, backend: backend, threads: threads,
                        runs: [run(lost: 10), run(lost: 20)]))
                cells.append(
                    SweepCell(
                        strategy: "raw", isExpectedSafe: false, backend: backend, threads: threads,
                        runs: threads == 1 ? [run(lost: 0)] : [crashed, crashed]))
                cells.append(
                    SweepCell(
                        strategy: "locked", isExpectedSafe: true, backend: backend, threads: threads,
                        runs: [run(lost: 0)]))
            }
        }
        let result = SweepResult(
            request: SweepRequest(
                base: Request(
                    scenario: "cache", strategies: ["unsafe", "raw", "locked"], threads: 1,
                    length: .fixed(iterations: 50), runs: 2),
                threadCounts: [1, 4], backends: [.pthread, .dispatch]),
            scenario: CacheScenario.scenario.labels(for: counterRequest),
            machine: MachineInfo(
                cpusAvailable: 2, cpuIDs: [0, 1], cpusOnline: 2, architecture: "x86_64", kernel: "Linux 6",
                cpuModel: "A & B <CPU>"),
            cells: cells)
        let svg = try SVGSummary(
            SweepSVG.render(result, generatedAt: "2026-01-01T00:00:00Z"))
        #expect(svg.series(panel: "ns-per-op").count == 6)
        #expect(svg.series(panel: "anomaly-percent").sorted() == ["raw", "raw", "unsafe", "unsafe"])
        #expect(svg.deaths == 2, "one cross per backend at 4 workers")
        #expect(svg.texts.contains { $0.contains("A & B <CPU>") }, "escaped and read back")
        #expect(svg.texts.contains("child process crashed or hung"))
        let table = SweepReport.render(result)
        #expect(table.contains("crashed 2/2"))
        // In the CSV a crashed run counted nothing: empty cells, not zeros (not "100% lost").
        let csv = SweepCSV.render(result).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        let header = csv[0].map(String.init)
        let crashedRow = try #require(csv.first { $0.contains("crashed: SIGSEGV") })
        #expect(crashedRow[header.firstIndex(of: "observed")!] == "")
        #expect(crashedRow[header.firstIndex(of: "lost_updates_count")!] == "")
    }

    @Test("the comparison with a baseline gives ratios, and the gate fires only on a safe strategy past the limit")
    func baselineComparison() throws {
        let document = try SweepJSON.decode(try Self.read("\(Self.sweep.directory)/sweep.json"))
        let same = SweepComparison(
            current: document.result, baseline: document, baselinePath: "b.json", build: document.build)
        #expect(same.entries.count == document.cells.filter { $0.summarised.nsPerOp != nil }.count)
        #expect(same.entries.allSatisfy { $0.ratio == 1 })
        #expect(same.regressions(limit: 1).isEmpty)
        #expect(same.differences.isEmpty)

        // A baseline in which every run took a third of the time: now is 3x slower.
        let faster = Self.scaled(document, by: 1.0 / 3)
        let slower = SweepComparison(
            current: document.result, baseline: faster, baselinePath: "b.json", build: document.build)
        let regressions = slower.regressions(limit: 2)
        #expect(
            Set(regressions.map(\.strategy)) == Set(CounterScenario.scenario.defaultSafeStrategyNames),
            "every safe strategy is gated, unsafe is not")
        #expect(slower.regressions(limit: 3.5).isEmpty)
        let text = slower.render(maxRegression: 2)
        #expect(text.contains("FAILED"))
        #expect(text.contains("mutex (pthread) at 1 worker: 3.00x"))
    }

    @Test(
        "--baseline and --max-regression through the CLI: exit 1 on a regression, 0 otherwise, notes on changed settings"
    )
    func baselineGate() throws {
        let directory = try Self.scratchDirectory()
        defer {
            unlink("\(directory)/fast.json")
            unlink("\(directory)/slow.json")
            rmdir(directory)
        }
        let document = try SweepJSON.decode(try Self.read("\(Self.sweep.directory)/sweep.json"))
        let fast = "\(directory)/fast.json"
        let slow = "\(directory)/slow.json"
        try FileIO.write(Self.scaled(document, by: 1.0 / 1_000).encoded(), to: fast).get()
        try FileIO.write(Self.scaled(document, by: 1_000).encoded(), to: slow).get()
        let base = ["sweep", "counter", "--threads", "1,2", "--runs", "1", "--iterations", "3000"]
        let regressed = runCLI(base + ["--baseline", fast, "--max-regression", "2"])
        #expect(regressed.code == 1)
        #expect(regressed.out.contains("Regression check (--max-regression 2.00x): FAILED"))
        let improved = runCLI(base + ["--baseline", slow, "--max-regression", "2"])
        #expect(improved.code == 0, "\(improved.out)")
        #expect(improved.out.contains("passed"))
        let changed = runCLI([
            "sweep", "counter", "--threads", "1,2", "--runs", "1", "--iterations", "4000", "--baseline", slow,
        ])
        #expect(
            changed.out.contains(
                "note: settings differ: run length 3,000 ops per worker then, 4,000 ops per worker now"))
        let json = runCLI(base + ["--baseline", fast, "--max-regression", "2", "--json"])
        #expect(json.code == 1)
        #expect(try SweepJSON.decode(json.out).kind == "sweep", "stdout stays one JSON document")
        #expect(json.err.contains("FAILED"))
    }

    @Test(
        "bad --out, --baseline and --max-regression exit 64 before any sweep runs",
        arguments: [
            (["--baseline", "/nonexistent/sweep.json"], "cannot read it (No such file or directory)"),
            (["--baseline", "/tmp"], "Is a directory"),
            (["--max-regression", "2"], "needs '--baseline <file>'"),
            (["--baseline", "SELF", "--max-regression", "0.5"], "'0.5' for '--max-regression <ratio>'"),
            (["--baseline", "SELF", "--max-regression", "nan"], "'nan' for '--max-regression <ratio>'"),
            (["--out", "SELF"], "it is a file"),
            (["--out", "/proc/racelab/out"], "cannot create or write it"),
            (["--baseline", "CSV"], "not a racelab sweep document"),
            (
                ["--baseline", "SELF", "--max-regression", "1.5"],
                "made with other settings (run length 3,000 ops per worker then, 10 ops per worker now)"
            ),
            (["--baseline", "SELF", "--max-regression", "1e308"], "a slowdown ratio from 1 to 1000"),
            (["--out", "--json"], "Missing value for '--out <dir>'"),
            (["--out="], "Missing value for '--out <dir>'"),
        ])
    func badFileOptions(arguments: [String], message: String) throws {
        let directory = Self.sweep.directory
        let resolved = arguments.map {
            $0 == "SELF" ? "\(directory)/sweep.json" : $0 == "CSV" ? "\(directory)/sweep.csv" : $0
        }
        let run = runCLI(["sweep", "counter", "--threads", "1", "--iterations", "10"] + resolved)
        #expect(run.code == 64)
        #expect(run.err.hasPrefix("Error: "))
        #expect(run.err.contains(message), "\(run.err)")
        #expect(run.out.isEmpty)
    }

    @Test("a regression gate refuses a baseline it shares no configuration with, before running")
    func gateWithNothingInCommon() throws {
        let run = runCLI([
            "sweep", "counter", "--threads", "5", "--iterations", "3000", "--baseline",
            "\(Self.sweep.directory)/sweep.json", "--max-regression", "2",
        ])
        #expect(run.code == 64)
        #expect(run.err.contains("no strategy, worker count and backend in common"), "\(run.err)")
        #expect(run.out.isEmpty)
    }

    @Test("a comparison that compared no safe strategy fails the gate instead of passing")
    func emptyComparisonFailsGate() throws {
        let document = try SweepJSON.decode(try Self.read("\(Self.sweep.directory)/sweep.json"))
        var other = document.result
        other.cells = other.cells.map { cell in
            var moved = cell
            moved.threads += 100
            return moved
        }
        let comparison = SweepComparison(
            current: other, baseline: document, baselinePath: "b.json", build: document.build)
        #expect(comparison.entries.isEmpty)
        #expect(comparison.gateFails(limit: 2))
        #expect(comparison.render(maxRegression: 2).contains("FAILED, it compared no safe strategy"))
        #expect(comparison.differences.contains { $0.hasPrefix("not in the baseline, so not compared:") })
    }

    @Test("a cache baseline is refused for a counter sweep")
    func baselineOfAnotherScenario() throws {
        let run = runCLI(["sweep", "cache", "--baseline", "\(Self.sweep.directory)/sweep.json"])
        #expect(run.code == 64)
        #expect(run.err.contains("it is a sweep of 'counter', not of 'cache'"))
    }

    @Test("the CPU model is read from /proc/cpuinfo's lines")
    func cpuModel() {
        #expect(MachineInfo.cpuModelName(cpuinfo: "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n") == "AMD EPYC 7B13")
        #expect(MachineInfo.cpuModelName(cpuinfo: "Model\t\t: Raspberry Pi 4\n") == "Raspberry Pi 4")
        #expect(MachineInfo.cpuModelName(cpuinfo: "processor : 0\n") == nil)
        #expect(MachineInfo.cpuModelName(cpuinfo: nil) == nil)
    }

    @Test("log axis ticks cover the values; the % axis tops out at a round number")
    func axes() {
        let axis = LogAxis(values: [0.3, 250])
        #expect(axis.low == 0.1 && axis.high == 1_000)
        #expect(axis.ticks.first == 0.1 && axis.ticks.last == 1_000)
        #expect(axis.fraction(axis.low) == 0 && axis.fraction(axis.high) == 1)
        #expect(SweepSVG.niceCeiling(47) == 50)
        #expect(SweepSVG.niceCeiling(0) == 1)
        #expect(SweepSVG.niceCeiling(99.5) == 100)
        // One style for tick labels, from fractions to millions.
        #expect(
            [0.1, 1, 10, 1_000, 10_000, 100_000, 1_000_000].map(SweepSVG.tickLabel) == [
                "0.1", "1", "10", "1k", "10k", "100k", "1M",
            ])
        // Five strategies, five colours and five marker shapes.
        #expect(Set(SweepSVG.palette.prefix(5)).count == 5)
        let shapes = (0..<5).map { SweepSVG.marker($0, x: 10, y: 10, attributes: "", title: nil) }
        #expect(Set(shapes).count == 5)
    }

    @Test("the chart in docs/ is what racelab draws from the JSON beside it (both written by one 'sweep --out')")
    func docsChartMatchesItsJSON() throws {
        let directory = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let base = "/" + directory + "/docs/sweep-counter"
        let document = try SweepJSON.decode(try Self.read(base + "/sweep.json"))
        let drawn = SweepSVG.render(document.result, generatedAt: document.generatedAt)
        #expect(drawn == (try Self.read(base + "/sweep.svg")))
    }

    /// The document with every worker's busy time (so every ns/op) multiplied by `factor`.
    static func scaled(_ document: SweepJSON, by factor: Double) -> SweepJSON {
        var result = document.result
        for index in result.cells.indices {
            for run in result.cells[index].runs.indices {
                guard var timing = result.cells[index].runs[run].timing else { continue }
                for worker in timing.workers.indices {
                    timing.workers[worker].busyNanoseconds = max(
                        1, UInt64(Double(timing.workers[worker].busyNanoseconds) * factor))
                }
                result.cells[index].runs[run].timing = timing
            }
        }
        return SweepJSON(result, generatedAt: document.generatedAt, build: document.build)
    }
}

/// What the tests read out of an SVG, through a real XML parser.
struct SVGSummary {
    var root = ""
    /// (panel, strategy) of every `<g class="series">`.
    var seriesEntries: [(panel: String, strategy: String)] = []
    /// Crosses drawn for child processes that died.
    var deaths = 0
    var axisLabels: [String] = []
    var titles: [String] = []
    var texts: [String] = []

    init(_ text: String) throws {
        let delegate = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            throw SVGError.notXML(parser.parserError.map { "\($0)" } ?? "unknown error")
        }
        self = delegate.summary
    }

    func series(panel: String) -> [String] { seriesEntries.filter { $0.panel == panel }.map(\.strategy) }

    enum SVGError: Error { case notXML(String) }

    final class Collector: NSObject, XMLParserDelegate {
        var summary = SVGSummary(empty: ())
        private var textClass: String?
        private var inText = false
        private var inDeaths = false
        private var buffer = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if summary.root.isEmpty { summary.root = name }
            if name == "g", attributes["class"] == "series" {
                summary.seriesEntries.append((attributes["data-panel"] ?? "", attributes["data-strategy"] ?? ""))
            }
            if name == "g" { inDeaths = attributes["class"] == "deaths" }
            if name == "path", inDeaths { summary.deaths += 1 }
            if name == "text" {
                inText = true
                textClass = attributes["class"]
                buffer = ""
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { buffer += string } }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard name == "text" else { return }
            inText = false
            summary.texts.append(buffer)
            if textClass == "axis-label" { summary.axisLabels.append(buffer) }
            if textClass == "title" { summary.titles.append(buffer) }
        }
    }

    private init(empty: Void) {}
}
