import RaceLab
import RaceLabModel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `racelab litmus` for people: a header, then per test its program, one table with
/// every final state and, per ordering side by side, its count, share and status
/// (litmus7's and jcstress's shape), a verdict line per ordering, and a legend.
package enum LitmusReport {
    package static func render(_ result: LitmusResult, request: LitmusRequest) -> String {
        var sections = [header(result, request: request)]
        for test in result.tests {
            sections.append(section(test))
        }
        sections.append(legend)
        return sections.joined(separator: "\n\n") + "\n"
    }

    static func header(_ result: LitmusResult, request: LitmusRequest) -> String {
        let machine = result.machine
        let cpuList = machine.cpuIDs.map(String.init).joined(separator: ",")
        let orderings = request.orderings.map { ordering in
            let (store, load) = ordering.accesses
            return "\(ordering.rawValue) (stores \(store), loads \(load))"
        }
        return [
            "racelab \(RaceLabVersion.current) — litmus: what the CPU and the Swift/C++ memory model allow",
            "  CPU         \(result.memoryModel)" + (machine.cpuModel.map { ", \($0)" } ?? ""),
            "  CPUs        \(machine.cpusAvailable) available to this process (\(cpuList)) of \(machine.cpusOnline) online",
            "  threads     \(result.synchronisation)",
            "  iterations  \(Format.grouped(request.iterations)) per test and ordering, each on fresh locations",
            "  orderings   " + orderings.joined(separator: ", "),
        ].joined(separator: "\n")
    }

    static func section(_ test: LitmusTestResult) -> String {
        var lines = ["\(test.name) — \(test.title)"]
        lines.append(programColumns(test.program).map { "  " + $0 }.joined(separator: "\n"))
        lines.append("")
        lines.append(table(test).render())
        lines.append("")
        let width = (test.runs.map { $0.ordering.rawValue.count }.max() ?? 0) + 1
        for run in test.runs {
            let label = run.ordering.rawValue + ":"
            lines.append(label + String(repeating: " ", count: width - label.count + 1) + sentence(run, test))
        }
        return lines.joined(separator: "\n")
    }

    /// The threads side by side: "T0", "T1" over their steps.
    static func programColumns(_ program: [[String]]) -> [String] {
        let width = max(16, (program.flatMap { $0 }.map(\.count).max() ?? 0) + 4)
        let rows = program.map(\.count).max() ?? 0
        func pad(_ text: String) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
        var lines = [program.indices.map { pad("T\($0)") }.joined()]
        for row in 0..<rows {
            lines.append(program.map { pad(row < $0.count ? $0[row] : "") }.joined())
        }
        return lines.map { String($0.reversed().drop { $0 == " " }.reversed()) }
    }

    static func table(_ test: LitmusTestResult) -> TextTable {
        var columns: [TextTable.Column] = [.init(title: "state", isNumeric: false)]
        for run in test.runs {
            columns += [
                .init(title: shortName(run.ordering), isNumeric: true), .init(title: "share", isNumeric: true),
                .init(title: "status", isNumeric: false),
            ]
        }
        var table = TextTable(columns)
        guard let first = test.runs.first else { return table }
        // Every run lists the declared states in the same order; unexpected ones follow.
        var states = first.states.map(\.state)
        for run in test.runs.dropFirst() {
            for state in run.states.map(\.state) where !states.contains(state) { states.append(state) }
        }
        for state in states {
            let isWeak = test.runs.lazy.flatMap(\.states).first { $0.state == state }?.isWeak ?? false
            var row = [state + (isWeak ? " *" : "")]
            for run in test.runs {
                if let entry = run.states.first(where: { $0.state == state }) {
                    row += [Format.grouped(entry.count), Format.share(entry.share), statusWord(entry.status)]
                } else {
                    row += ["0", Format.share(0), "forbidden"]
                }
            }
            table.append(row)
        }
        return table
    }

    static func shortName(_ ordering: LitmusOrdering) -> String {
        ordering == .acquireRelease ? "acq-rel" : ordering.rawValue
    }

    static func statusWord(_ status: LitmusStatus) -> String {
        switch status {
        case .allowed: "allowed"
        case .interesting: "interesting"
        case .forbidden: "forbidden"
        }
    }

    /// The verdict word, as the table's verdicts are written elsewhere in racelab.
    package static func label(_ verdict: LitmusVerdict) -> String {
        switch verdict {
        case .observed: "OBSERVED"
        case .notObserved: "not observed"
        case .notProducedByThisCPU: "not produced by this CPU"
        case .couldNotShow: "COULD NOT SHOW"
        case .held: "held"
        case .forbiddenObserved: "FORBIDDEN OUTCOME SEEN"
        }
    }

    /// One test under one ordering in a sentence: what showed, what it means, what next.
    package static func sentence(_ run: LitmusRun, _ test: LitmusTestResult) -> String {
        let n = Format.grouped(run.iterations)
        let weak = test.weakOutcome
        let bound = run.upperBoundPerIteration.map {
            "its chance per iteration is below \(rate($0)) (95%, rule of three)"
        }
        let sharing =
            run.threadsSharedCPUs
            ? " The \(test.threads) threads shared CPUs (fewer CPUs than threads): they took turns instead of all"
                + " running at once."
            : ""
        let fix =
            test.forbiddenFrom.map {
                $0 == .sequentiallyConsistent ? "seq_cst forbids it" : "\($0.rawValue) or stronger forbids it"
            } ?? ""
        let time = " (\(Format.duration(Double(run.elapsedNanoseconds) / 1e9)))"
        let stopped =
            run.iterations < run.requestedIterations
            ? " Stopped at its time budget after \(n) of \(Format.grouped(run.requestedIterations)) iterations:"
                + " with more threads than CPUs every wait yields the CPU, and other programs took it."
            : ""
        let text: String
        switch run.verdict {
        case .observed:
            text =
                "OBSERVED \(weak), allowed by the model, in \(Format.grouped(run.weakCount)) of \(n) iterations"
                + " (\(Format.share(Double(run.weakCount) / Double(max(1, run.iterations)))))"
                + (fix.isEmpty ? "." : ": \(fix).")
        case .notObserved:
            text =
                "not observed: \(weak) is allowed by the model and this CPU can produce it, but it did not show in"
                + " \(n) iterations; \(bound ?? "")."
                + " More iterations (--iterations) may show it." + (fix.isEmpty ? "" : " \(fix.capitalisedFirst).")
        case .notProducedByThisCPU:
            text =
                "never observed in \(n) iterations: \(weak) is allowed by the model, not produced by this CPU ("
                + (run.hardwareNote ?? "") + "). Not seeing it here is not safe" + (fix.isEmpty ? "." : ": \(fix).")
        case .couldNotShow:
            text =
                "COULD NOT SHOW: \(weak) did not show in \(n) iterations, but the run says little about it:"
                + " the test needs \(test.threads) CPUs at once." + (fix.isEmpty ? "" : " \(fix.capitalisedFirst).")
        case .held:
            text =
                test.isControl
                ? "held: \(weak) and every other read of x going backwards never showed in \(n) iterations,"
                    + " as coherence requires at every ordering; \(bound ?? "")."
                : "held: \(weak) never showed in \(n) iterations, as the model requires (forbidden under"
                    + " \(run.ordering.rawValue)); \(bound ?? "")."
        case .forbiddenObserved:
            let seen = run.states.filter { $0.status == .forbidden && $0.count > 0 }
                .map { "\($0.state) (\(Format.grouped($0.count))x)" }.joined(separator: ", ")
            text =
                "FORBIDDEN OUTCOME SEEN: \(seen) in \(n) iterations: the model forbids it under"
                + " \(run.ordering.rawValue). A bug in racelab, the compiler or the machine; please report it"
                + " (--check exits 1)."
        }
        return text + sharing + stopped + time
    }

    /// A small probability: "3.0e-6", "0.0300".
    static func rate(_ value: Double) -> String {
        if value >= 0.001 { return Format.fixed(value, 4) }
        var exponent = 0
        var mantissa = value
        while mantissa < 1 && exponent > -30 {
            mantissa *= 10
            exponent -= 1
        }
        return Format.fixed(mantissa, 1) + "e\(exponent)"
    }

    static let legend = """
        state:   the final values: registers (r0 ...) for most tests; for 2+2w, x and y once both threads are done.
        *:       the weak outcome the test is named for: no interleaving of the threads' steps gives it.
        counts:  iterations that ended in the state, one column per ordering (acq-rel = acquire-release);
                 share = count / iterations.
        status:  what the Swift/C++ memory model says of the state under that ordering: allowed (some
                 interleaving gives it), interesting (allowed, though no interleaving gives it: the weak
                 outcome), forbidden (seeing it is a bug in racelab, the compiler or the machine; --check exits 1).
        never observed: the 95% upper bound on the chance per iteration is 3 / iterations (the rule of three).
        Times include the per-iteration barrier. 'racelab explain <test>' shows how each outcome happens and what forbids it.
        """

    /// `racelab explain <test>`: the program side by side, the weak outcome and its status
    /// per ordering, then how it happens and what forbids it.
    package static func explain(_ explanation: LitmusExplanation) -> String {
        var lines = ["racelab explain \(explanation.name): \(explanation.title). \(explanation.summary)", ""]
        lines += programColumns(explanation.program).map { "  " + $0 }
        lines += ["", "  The weak outcome: \(explanation.weakOutcome)", ""]
        for row in explanation.orderings {
            let (store, load) = row.ordering.accesses
            let label = row.ordering.rawValue + ":"
            var line =
                "  " + label + String(repeating: " ", count: max(1, 17 - label.count))
                + (row.status == .forbidden ? "forbidden" : "allowed  ") + "  (stores \(store), loads \(load))"
            if !row.neverProducedOn.isEmpty {
                line += "; never produced on " + row.neverProducedOn.joined(separator: ", ")
            }
            lines.append(line)
        }
        lines += ["", explanation.text, ""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `racelab explain litmus`: the tests, one line each.
    package static func explainIndex(_ tests: [(name: String, summary: String)]) -> String {
        var lines = ["racelab explain litmus: the memory-model litmus tests", ""]
        for test in tests {
            lines.append("  " + test.name + String(repeating: " ", count: max(1, 8 - test.name.count)) + test.summary)
        }
        lines += ["", "'racelab explain <test>' explains one; 'racelab litmus <test>' runs it."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one line `--check` prints last on stderr.
    package static func checkSummary(_ result: LitmusResult) -> String {
        let failures = result.forbiddenObserved
        let runs = result.tests.reduce(0) { $0 + $1.runs.count }
        return failures.isEmpty
            ? "racelab litmus --check: passed: no forbidden outcome in \(runs) test runs"
            : "racelab litmus --check: FAILED: a forbidden outcome showed in " + failures.joined(separator: ", ")
    }
}

extension String {
    fileprivate var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// `racelab litmus --json`: the same facts as the tables, for machines.
package struct LitmusJSON: Encodable {
    /// The litmus document's own schema (the scenario runs' document is `JSONReport`).
    package static let schemaVersion = 1

    package var schemaVersion = LitmusJSON.schemaVersion
    package var command = "litmus"
    package var racelabVersion = RaceLabVersion.current
    package var generatedAt: String
    package var build: BuildInfo
    package var machine: MachineInfo
    package var memoryModel: String
    package var synchronisation: String
    package var request: LitmusRequest
    package var check: Check?
    package var tests: [Test]

    package struct Check: Encodable {
        package var passed: Bool
        /// "sb seq_cst", ...
        package var forbiddenObserved: [String]
        package var summary: String
    }

    package struct Test: Encodable {
        package var name: String
        package var title: String
        package var threads: Int
        package var program: [[String]]
        package var weakOutcome: String
        package var forbiddenFrom: LitmusOrdering?
        package var isControl: Bool
        package var runs: [Run]
    }

    /// A `LitmusRun`'s fields plus the verdict sentence.
    package struct Run: Encodable {
        package var run: LitmusRun
        package var verdictText: String

        enum Keys: String, CodingKey { case verdictText }

        package func encode(to encoder: any Encoder) throws {
            try run.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(verdictText, forKey: .verdictText)
        }
    }

    package init(
        _ result: LitmusResult, request: LitmusRequest, check: Bool, generatedAt: String, build: BuildInfo = .current
    ) {
        self.generatedAt = generatedAt
        self.build = build
        machine = result.machine
        memoryModel = result.memoryModel
        synchronisation = result.synchronisation
        self.request = request
        self.check =
            check
            ? Check(
                passed: result.forbiddenObserved.isEmpty, forbiddenObserved: result.forbiddenObserved,
                summary: LitmusReport.checkSummary(result))
            : nil
        tests = result.tests.map { test in
            Test(
                name: test.name, title: test.title, threads: test.threads, program: test.program,
                weakOutcome: test.weakOutcome, forbiddenFrom: test.forbiddenFrom, isControl: test.isControl,
                runs: test.runs.map { Run(run: $0, verdictText: LitmusReport.sentence($0, test)) })
        }
    }

    package func encoded() -> String { JSONText.pretty(self) }
}
