import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("Command line")
struct ArgumentsTests {
    let cpus = CPUSet(ids: [0, 1])

    func parse(_ line: String) throws(UsageError) -> Command {
        try Arguments.parse(line.split(separator: " ").map(String.init), cpus: cpus)
    }

    func request(_ line: String) throws -> (Request, OutputOptions) {
        guard case .run(let request, let output) = try parse(line) else {
            Issue.record("'\(line)' did not parse as a run")
            throw UsageError("not a run")
        }
        return (request, output)
    }

    @Test("defaults: all default strategies, threads = available CPUs, pinned pthreads")
    func defaults() throws {
        let (request, output) = try request("counter")
        #expect(request.strategies == CounterScenario.scenario.defaultStrategyNames)
        #expect(request.threads == 2)
        #expect(request.length == .timed(milliseconds: 100))
        #expect(request.warmupMilliseconds == 10)
        #expect(request.backend == .pthread)
        #expect(request.isPinningEffective)
        #expect(output == OutputOptions())
        // A scenario with an opt-in strategy: the default set is not all of them.
        let cache = try self.request("cache").0.strategies
        #expect(cache == CacheScenario.scenario.defaultStrategyNames)
        #expect(!cache.contains("raw"), "raw, a real data race, runs only when asked for")
    }

    @Test(
        "the same request in every accepted spelling",
        arguments: [
            "counter --threads 8 --strategy atomic,unsafe",
            "counter --threads=8 --strategy=atomic,unsafe",
            "counter -t 8 -s atomic,unsafe",
            "counter -t8 -satomic,unsafe",
            "counter -s unsafe,atomic -t 8",
        ])
    func spellings(line: String) throws {
        let (request, _) = try request(line)
        #expect(request.threads == 8)
        #expect(request.strategies == ["unsafe", "atomic"])  // scenario order: unsafe first
    }

    @Test("every option reaches the request")
    func allOptions() throws {
        let (request, output) = try request(
            "counter --threads 3 --iterations 500 --runs 4 --backend dispatch --no-pin --work 7 --json --expect-race")
        #expect(request.threads == 3)
        #expect(request.length == .fixed(iterations: 500))
        #expect(request.runs == 4)
        #expect(request.backend == .dispatch)
        #expect(!request.isPinned)
        #expect(request.settings["work"] == .integer(7))
        #expect(output == OutputOptions(isJSON: true, check: true, expectRace: true))
    }

    @Test("--duration sizes a time-boxed run, --iterations a fixed one, --warmup the unmeasured run")
    func runLength() throws {
        #expect(try request("counter --duration 250").0.length == .timed(milliseconds: 250))
        #expect(try request("counter -d 5").0.length == .timed(milliseconds: 5))
        #expect(try request("counter -i 77").0.length == .fixed(iterations: 77))
        #expect(try request("counter --warmup 0").0.warmupMilliseconds == 0)
    }

    @Test("strategy names typed in another case are accepted")
    func strategyCase() throws {
        #expect(try request("counter --strategy Mutex,ATOMIC").0.strategies == ["mutex", "atomic"])
    }

    @Test("--strategy all includes every strategy")
    func strategyAll() throws {
        let (request, _) = try request("counter --strategy all")
        #expect(request.strategies == CounterScenario.scenario.strategies.map(\.name))
    }

    @Test(
        "bad input names the option, the value and what is accepted",
        arguments: [
            ("counter --threads 0", ["'0'", "--threads <n>", "1 to 1024"]),
            ("counter --threads abc", ["'abc'", "--threads <n>", "integer"]),
            ("counter --threads 1025", ["'1025'", "1 to 1024"]),
            ("counter --threads -3", ["'-3'", "--threads <n>"]),
            ("counter --threads 4.5", ["'4.5'", "--threads <n>"]),
            ("counter --threads 99999999999999999999", ["'99999999999999999999'"]),
            ("counter --threads", ["Missing value", "--threads <n>"]),
            ("counter --strategy mutx", ["'mutx'", "--strategy <list>", "Did you mean 'mutex'?"]),
            ("counter --strategy unsafe,,mutex", ["empty name", "--strategy <list>"]),
            ("counter --backend threads", ["'threads'", "--backend <backend>", "pthread, dispatch"]),
            ("counter --thread 4", ["'--thread'", "Did you mean '--threads'?"]),
            ("counter --threads 2 --threads 4", ["--threads", "twice", "'2'", "'4'"]),
            ("counter --json=yes", ["--json", "takes no value", "'yes'"]),
            ("counter --runs 0", ["'0'", "--runs <n>"]),
            ("counter --iterations 10M", ["'10M'", "--iterations <n>"]),
            ("counter --pin --no-pin", ["--pin", "--no-pin"]),
            ("counter extra", ["Unexpected argument 'extra'"]),
            ("countr", ["Unknown subcommand 'countr'", "Did you mean 'counter'?"]),
            ("help countr", ["'countr'", "Did you mean 'counter'?"]),
            ("explain nothing", ["Unknown scenario 'nothing'"]),
            ("counter --threads 1024 --iterations 9223372036854775807", ["64-bit", "--iterations <n>"]),
            ("counter -threads 2", ["'-threads'", "two dashes", "Did you mean '--threads'?"]),
            ("counter 8", ["Unexpected argument '8'", "'--threads 8'"]),
            ("counter mutex,atomic", ["'--strategy mutex,atomic'"]),
            ("counter thread 8", ["Unexpected argument 'thread'", "Did you mean '--threads'?"]),
            ("-V", ["Unknown option '-V'", "Did you mean '--version'?"]),
            ("--threads 8", ["A scenario comes first"]),
            ("counter --duration 0", ["'0'", "--duration <ms>", "1 to 600000"]),
            ("counter --duration 2s", ["'2s'", "--duration <ms>"]),
            ("counter --duration 600001", ["'600001'", "1 to 600000"]),
            ("counter --duration 50 --iterations 1000", ["'--duration 50'", "'--iterations 1000'", "give one"]),
            ("counter --warmup -1", ["'-1'", "--warmup <ms>", "0 to 60000"]),
        ])
    func badInput(line: String, fragments: [String]) {
        do throws(UsageError) {
            let command = try parse(line)
            Issue.record("'\(line)' was accepted as \(command)")
        } catch {
            for fragment in fragments {
                #expect(error.message.contains(fragment), "'\(line)': \(error.message)")
            }
            let lines = error.rendered.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("Error:") }.count == 1)
            #expect(lines.count == 3)
        }
    }

    @Test(
        "help, version and list",
        arguments: [
            ("--help", Command.help(nil)), ("-h", .help(nil)), ("", .help(nil)),
            ("help counter", .help("counter")), ("counter --help", .help("counter")),
            ("counter -h", .help("counter")), ("--version", .version), ("list", .list(isJSON: false)),
            ("list --json", .list(isJSON: true)),
            ("explain counter", .explain("counter")),
        ])
    func informational(line: String, expected: Command) throws {
        #expect(try parse(line) == expected)
    }

    @Test("typo suggestions come from edit distance")
    func suggestions() {
        #expect(Suggestion.closest(to: "atomc", in: ["atomic", "mutex"]) == "atomic")
        #expect(Suggestion.closest(to: "zzzzzz", in: ["atomic", "mutex"]) == nil)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
    }

    @Test(
        "every option a scenario declares is parsed, defaulted, in its help, its completions and list --json",
        arguments: Catalog.scenarios.map(\.name))
    func declaredOptions(name: String) throws {
        let scenario = try #require(Catalog.scenario(named: name))
        let help = Help.scenarioHelp(scenario)
        let bash = try #require(Completions.script(for: "bash"))
        let listing = try #require(CatalogListing().scenarios.first { $0.name == name })
        let (request, _, _) = try ScenarioArguments.parse([], scenario: scenario, cpus: CPUSet(ids: [0, 1]))
        for option in scenario.options {
            let usage = option.isFlag ? "--\(option.name)" : "--\(option.name) \(option.valueName)"
            #expect(help.contains(usage), "\(name) help shows --\(option.name)")
            #expect(bash.contains("--\(option.name)"), "\(name) completions know --\(option.name)")
            #expect(listing.options.contains { $0.name == option.name })
            #expect(request.settings[option.name] == option.defaultValue, "\(name) --\(option.name) defaults")
        }
        #expect(Set(request.settings.keys).isSubset(of: scenario.options.map(\.name)))
    }

    @Test("the regression gate compares every declared setting, without a list of them to forget")
    func settingDifferences() {
        var now = Request(scenario: "queue", strategies: ["locked"], threads: 4)
        now.settings = ["capacity": .integer(8), "work": .integer(0)]
        var then = now
        then.settings["capacity"] = .integer(64)
        then.settings["producers"] = .integer(1)
        let differences = SweepComparison.settingDifferences(now: now, then: then)
        #expect(differences == ["--capacity 64 then, 8 now", "--producers 1 then, its default now"])
        #expect(SweepComparison.settingDifferences(now: now, then: now).isEmpty)
    }
}
