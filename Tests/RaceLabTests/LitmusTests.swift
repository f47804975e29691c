import Foundation
import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

@Suite("litmus tests", .serialized)
struct LitmusTests {
    // MARK: the classification tables

    /// The weak outcome's status per test and ordering in the Swift/C++ model, written out
    /// independently of LitmusCatalog (sources: docs/litmus.md).
    static let expectedWeakStatus:
        [(test: String, weak: [Int], relaxed: LitmusStatus, acqRel: LitmusStatus, seqCst: LitmusStatus)] = [
            ("sb", [0, 0], .interesting, .interesting, .forbidden),
            ("mp", [1, 0], .interesting, .forbidden, .forbidden),
            ("lb", [1, 1], .interesting, .forbidden, .forbidden),
            ("iriw", [1, 0, 1, 0], .interesting, .interesting, .forbidden),
            ("2+2w", [1, 1], .interesting, .interesting, .forbidden),
            ("corr", [2, 1], .forbidden, .forbidden, .forbidden),
        ]

    @Test("the weak outcome's status per test and ordering", arguments: expectedWeakStatus.indices)
    func weakStatus(index: Int) throws {
        let expected = Self.expectedWeakStatus[index]
        let test = try #require(LitmusCatalog.test(named: expected.test))
        #expect(test.weakState == expected.weak)
        #expect(test.status(of: expected.weak, under: .relaxed) == expected.relaxed)
        #expect(test.status(of: expected.weak, under: .acquireRelease) == expected.acqRel)
        #expect(test.status(of: expected.weak, under: .sequentiallyConsistent) == expected.seqCst)
    }

    @Test("every test is listed, in the documented order")
    func catalog() {
        #expect(LitmusCatalog.names == ["sb", "mp", "lb", "iriw", "2+2w", "corr"])
        #expect(LitmusCatalog.test(named: "2+2W")?.name == "2+2w")
        #expect(LitmusCatalog.test(named: "iriw")?.threads == 4)
    }

    /// Every final state the program reaches when its steps run one at a time in some
    /// interleaving (sequential consistency), from the program as data.
    static func interleavingStates(_ test: LitmusTest) -> Set<[Int]> {
        var results = Set<[Int]>()
        func explore(_ positions: [Int], _ memory: [Int], _ registers: [Int]) {
            var moved = false
            for t in 0..<test.threads where positions[t] < test.threadSteps[t].count {
                moved = true
                var memory = memory
                var registers = registers
                switch test.threadSteps[t][positions[t]] {
                case .store(let location, let value): memory[location] = value
                case .load(let location, let register): registers[register] = memory[location]
                }
                var next = positions
                next[t] += 1
                explore(next, memory, registers)
            }
            if !moved {
                results.insert(
                    test.observables.map { observable in
                        switch observable {
                        case .register(let thread, let index):
                            let loads = test.threadSteps[thread].compactMap { step -> Int? in
                                if case .load(_, let register) = step { register } else { nil }
                            }
                            return registers[loads[index]]
                        case .finalValue(let location): return memory[location]
                        }
                    })
            }
        }
        explore(
            [Int](repeating: 0, count: test.threads), [Int](repeating: 0, count: test.locations),
            [Int](repeating: 0, count: max(1, test.registerNames.count)))
        return results
    }

    @Test("the allowed states are exactly those some interleaving reaches", arguments: LitmusCatalog.names)
    func sequentialStates(name: String) throws {
        let test = try #require(LitmusCatalog.test(named: name))
        let reached = Self.interleavingStates(test)
        #expect(Set(test.sequentialStates) == reached)
        #expect(test.sequentialStates.count == reached.count, "no state listed twice")
        #expect(!reached.contains(test.weakState), "the weak outcome must be one no interleaving gives")
        for state in test.otherForbiddenStates { #expect(!reached.contains(state)) }
        for ordering in LitmusOrdering.allCases {
            for state in reached { #expect(test.status(of: state, under: ordering) == .allowed) }
        }
    }

    @Test("x86-64 notes: exactly the weak outcomes the model allows and TSO never produces")
    func hardwareNotes() throws {
        var noted: [String] = []
        for test in LitmusCatalog.tests {
            for ordering in LitmusOrdering.allCases where test.hardwareNote(ordering, on: .x86_64) != nil {
                noted.append("\(test.name) \(ordering.rawValue)")
            }
        }
        #expect(
            noted == [
                "mp relaxed", "lb relaxed", "iriw relaxed", "iriw acquire-release", "2+2w relaxed",
                "2+2w acquire-release",
            ])
        // SB is the one reordering TSO has: x86-64 must be expected to show it.
        let sb = try #require(LitmusCatalog.test(named: "sb"))
        #expect(sb.hardwareNote(.relaxed, on: .x86_64) == nil)
        let mp = try #require(LitmusCatalog.test(named: "mp"))
        #expect(mp.hardwareNote(.relaxed, on: .x86_64)?.contains("on ARM64 it shows") == true)
    }

    // MARK: tally and verdict on synthetic counts

    func counts(_ test: LitmusTest, _ states: [[Int]: Int], shared: Bool = false) -> LitmusCounts {
        var byKey = [Int](repeating: 0, count: LitmusStateKey.capacity(observables: test.observables.count))
        for (values, count) in states { byKey[LitmusStateKey.key(values)] += count }
        return LitmusCounts(byKey: byKey, elapsedNanoseconds: 1_000_000, threadsSharedCPUs: shared)
    }

    @Test("state keys round-trip, and a value outside 0...2 reads '?'")
    func stateKeys() {
        #expect(LitmusStateKey.values(of: LitmusStateKey.key([2, 0, 1, 2]), count: 4) == [2, 0, 1, 2])
        #expect(LitmusStateKey.key([7]) == 3)
        #expect(LitmusCatalog.storeBuffering.describe([0, 9]) == "r0=0 r1=?")
    }

    @Test("sb relaxed: the weak outcome counted is OBSERVED, with its share")
    func observed() {
        let sb = LitmusCatalog.storeBuffering
        let run = LitmusJudge.judge(
            sb, ordering: .relaxed, counts: counts(sb, [[0, 0]: 250, [0, 1]: 400, [1, 0]: 300, [1, 1]: 50]),
            iterations: 1_000, architecture: .x86_64)
        #expect(run.verdict == .observed)
        #expect(run.weakCount == 250)
        #expect(run.states.reduce(0) { $0 + $1.count } == 1_000)
        #expect(run.states.first { $0.isWeak }?.status == .interesting)
        #expect(run.states.first { $0.isWeak }?.share == 0.25)
        #expect(run.upperBoundPerIteration == nil)
        #expect(!run.verdict.failsCheck)
    }

    @Test("a forbidden outcome counted fails --check, whichever state it is")
    func forbiddenFailsCheck() throws {
        let sb = LitmusCatalog.storeBuffering
        let run = LitmusJudge.judge(
            sb, ordering: .sequentiallyConsistent, counts: counts(sb, [[0, 0]: 1, [1, 1]: 999]), iterations: 1_000)
        #expect(run.verdict == .forbiddenObserved)
        #expect(run.verdict.failsCheck)
        #expect(run.forbiddenCount == 1)
        // CoRR: reading x backwards in any way (here 1 then 0) is forbidden, not only 2 then 1.
        let corr = LitmusCatalog.corr
        let backwards = LitmusJudge.judge(
            corr, ordering: .relaxed, counts: counts(corr, [[1, 0]: 2, [2, 2]: 98]), iterations: 100)
        #expect(backwards.verdict == .forbiddenObserved)
        // A register value no program stores is listed, and forbidden.
        let garbage = LitmusJudge.judge(sb, ordering: .relaxed, counts: counts(sb, [[1, 5]: 1]), iterations: 1)
        #expect(garbage.states.last?.state == "r0=1 r1=?")
        #expect(garbage.verdict == .forbiddenObserved)

        let result = LitmusResult(
            machine: MachineInfo.current(), memoryModel: "x86-64", synchronisation: "-",
            tests: [LitmusJudge.result(sb, runs: [run])])
        #expect(result.forbiddenObserved == ["sb seq_cst"])
        #expect(LitmusReport.checkSummary(result).contains("FAILED"))
        let json = LitmusJSON(
            result, request: LitmusRequest(tests: ["sb"]), check: true, generatedAt: "2026-01-01T00:00:00Z")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.encoded().utf8)) as? [String: Any])
        let check = try #require(object["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == false)
        #expect(LitmusReport.render(result, request: LitmusRequest(tests: ["sb"])).contains("FORBIDDEN OUTCOME SEEN"))
    }

    @Test("never observed: held when forbidden, 'not produced by this CPU' when TSO cannot, else not observed")
    func neverObserved() {
        let sb = LitmusCatalog.storeBuffering
        let held = LitmusJudge.judge(
            sb, ordering: .sequentiallyConsistent, counts: counts(sb, [[1, 1]: 1_000]), iterations: 1_000)
        #expect(held.verdict == .held)
        #expect(held.upperBoundPerIteration == 0.003)

        let mp = LitmusCatalog.messagePassing
        let tso = LitmusJudge.judge(
            mp, ordering: .relaxed, counts: counts(mp, [[0, 0]: 1_000]), iterations: 1_000, architecture: .x86_64)
        #expect(tso.verdict == .notProducedByThisCPU)
        let text = LitmusReport.sentence(tso, LitmusJudge.result(mp, runs: [tso]))
        #expect(text.contains("allowed by the model, not produced by this CPU (x86-64 is TSO"))
        #expect(text.contains("on ARM64 it shows"))
        #expect(!text.contains("safe:") || text.contains("not safe"))

        let arm = LitmusJudge.judge(
            mp, ordering: .relaxed, counts: counts(mp, [[0, 0]: 1_000]), iterations: 1_000, architecture: .arm64)
        #expect(arm.verdict == .notObserved)

        let iriw = LitmusCatalog.iriw
        let shared = LitmusJudge.judge(
            iriw, ordering: .relaxed, counts: counts(iriw, [[1, 1, 1, 1]: 10], shared: true), iterations: 10,
            architecture: .arm64)
        #expect(shared.verdict == .couldNotShow)
    }

    // MARK: the command line

    @Test(
        "bad litmus input exits 64 with one Error: line naming the flag and what is accepted",
        arguments: [
            (
                ["litmus", "--ordering", "strong"],
                "Invalid value 'strong' for '--ordering <ordering>': expected relaxed"
            ),
            (["litmus", "--iterations", "0"], "Invalid value '0' for '--iterations <n>': expected an integer from 1"),
            (["litmus", "--iterations", "1e6"], "Invalid value '1e6' for '--iterations <n>'"),
            (["litmus", "--iterations"], "Missing value for '--iterations <n>'"),
            (["litmus", "sbb"], "Unknown litmus test 'sbb' for 'litmus <test>': expected one of sb, mp"),
            (["litmus", "--bogus"], "Unknown option '--bogus' for 'racelab litmus'"),
            (["litmus", "sb", "mp"], "Unexpected argument 'mp'"),
            (["litmus", "--json=yes"], "Option '--json' takes no value"),
            (["explain", "litmus", "xx"], "Unknown litmus test 'xx'"),
        ])
    func usageErrors(arguments: [String], message: String) {
        let run = runCLI(arguments)
        #expect(run.code == 64)
        #expect(run.out.isEmpty)
        let errors = run.err.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors.count == 1, "\(run.err)")
        #expect(run.err.hasPrefix("Error: " + message), "\(run.err)")
        #expect(run.err.contains("Usage: racelab"))
    }

    @Test("a misspelt test gets a suggestion")
    func suggestion() {
        #expect(runCLI(["litmus", "iriv"]).err.contains("Did you mean 'iriw'?"))
    }

    @Test("arguments: tests and orderings in catalog order, defaults all")
    func parsing() throws {
        guard case .litmus(let request, let output) = try Arguments.parse(["litmus"]) else {
            Issue.record("not a litmus command")
            return
        }
        #expect(request.tests == LitmusCatalog.names)
        #expect(request.orderings == LitmusOrdering.allCases)
        #expect(request.iterations == 1_000_000)
        #expect(!output.isJSON && !output.check)
        guard
            case .litmus(let chosen, let flags) = try Arguments.parse([
                "litmus", "mp,SB", "--ordering=seq_cst,acq-rel", "-i", "500", "--json", "--check",
            ])
        else {
            Issue.record("not a litmus command")
            return
        }
        #expect(chosen.tests == ["sb", "mp"])
        #expect(chosen.orderings == [.acquireRelease, .sequentiallyConsistent])
        #expect(chosen.iterations == 500)
        #expect(flags.isJSON && flags.check)
        #expect(try Arguments.parse(["litmus", "--help"]) == .help("litmus"))
        #expect(try Arguments.parse(["explain", "sb"]) == .explain("sb"))
        #expect(try Arguments.parse(["explain", "litmus", "2+2w"]) == .explain("2+2w"))
    }

    @Test("help, explain and completions know the litmus tests")
    func discoverable() {
        let help = runCLI(["help", "litmus"])
        #expect(help.code == 0)
        for name in LitmusCatalog.names { #expect(help.out.contains("    \(name) ")) }
        #expect(help.out.contains("--ordering <ordering>"))
        #expect(runCLI(["--help"]).out.contains("  litmus [<test>]"))
        let explain = runCLI(["explain", "sb"])
        #expect(explain.code == 0)
        #expect(explain.out.contains("x.store(1)"))
        #expect(explain.out.contains("r0 = y.load()"))
        #expect(explain.out.contains("The weak outcome: r0=0 r1=0"))
        #expect(explain.out.contains("WHAT FORBIDS IT"))
        #expect(runCLI(["explain", "litmus"]).out.contains("2+2w"))
        #expect(Completions.bash().contains("2+2w"))
        #expect(Completions.fish().contains("litmus"))
    }

    // MARK: real runs

    @Test(
        "sb, 20,000 iterations: the counts add up; seq_cst never shows a forbidden outcome",
        .timeLimit(.minutes(1)))
    func realStoreBuffering() throws {
        let sb = LitmusCatalog.storeBuffering
        let runner = LitmusRunner()
        for ordering in [LitmusOrdering.relaxed, .sequentiallyConsistent] {
            let counts = try runner.run(sb, ordering: ordering, iterations: 20_000)
            #expect(counts.byKey.reduce(0, +) == 20_000)
            let run = LitmusJudge.judge(sb, ordering: ordering, counts: counts, iterations: 20_000)
            #expect(run.states.reduce(0) { $0 + $1.count } == 20_000)
            #expect(run.forbiddenCount == 0, "\(ordering): \(run.states)")
            #expect(run.verdict != .forbiddenObserved)
            if ordering == .sequentiallyConsistent { #expect(run.weakCount == 0) }
        }
    }

    @Test(
        "iriw's 4 threads finish on any number of CPUs (no hang), 2+2w reads final values",
        .timeLimit(.minutes(1)))
    func moreThreadsThanCPUs() throws {
        let oneCPU = LitmusRunner(cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        let iriw = try oneCPU.run(LitmusCatalog.iriw, ordering: .relaxed, iterations: 3_000)
        #expect(iriw.byKey.reduce(0, +) == 3_000)
        #expect(iriw.threadsSharedCPUs)
        let writes = try LitmusRunner().run(LitmusCatalog.twoPlusTwoW, ordering: .relaxed, iterations: 3_000)
        let run = LitmusJudge.judge(LitmusCatalog.twoPlusTwoW, ordering: .relaxed, counts: writes, iterations: 3_000)
        #expect(run.states.filter { $0.status == .allowed }.reduce(0) { $0 + $1.count } > 0)
        #expect(run.states.first { $0.state == "x=0 y=0" } == nil, "both locations are always written")
    }

    @Test(
        "a run whose threads share CPUs stops at its time budget, at a stride's end, and says so",
        .timeLimit(.minutes(1)))
    func sharedCPUBudget() throws {
        var runner = LitmusRunner(cpus: CPUSet(ids: [CPUSet.current().ids[0]]))
        runner.sharedCPUBudgetNanoseconds = 1
        let counts = try runner.run(LitmusCatalog.storeBuffering, ordering: .relaxed, iterations: 5_000)
        #expect(counts.completedIterations == runner.stride)
        let run = LitmusJudge.judge(LitmusCatalog.storeBuffering, ordering: .relaxed, counts: counts, iterations: 5_000)
        #expect(run.iterations == runner.stride)
        #expect(run.requestedIterations == 5_000)
        let text = LitmusReport.sentence(run, LitmusJudge.result(LitmusCatalog.storeBuffering, runs: [run]))
        #expect(text.contains("Stopped at its time budget after \(runner.stride) of 5,000 iterations"))
    }

    @Test(
        "racelab litmus --json: every test x ordering with iterations, states and verdict",
        .timeLimit(.minutes(1)))
    func jsonDocument() throws {
        let run = runCLI(["litmus", "sb,corr", "--iterations", "2000", "--json", "--check"])
        #expect(run.code == 0, "\(run.err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        #expect(object["command"] as? String == "litmus")
        let tests = try #require(object["tests"] as? [[String: Any]])
        #expect(tests.map { $0["name"] as? String } == ["sb", "corr"])
        for test in tests {
            let runs = try #require(test["runs"] as? [[String: Any]])
            #expect(runs.map { $0["ordering"] as? String } == ["relaxed", "acquire-release", "seq_cst"])
            for entry in runs {
                #expect(entry["iterations"] as? Int == 2000)
                let states = try #require(entry["states"] as? [[String: Any]])
                #expect(states.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 2000)
                #expect(entry["verdict"] is String && entry["verdictText"] is String)
            }
        }
        #expect(run.err.contains("racelab litmus --check: passed"))
    }
}
