import RaceLab
import RaceLabModel
import RaceLabScenarios

/// `racelab litmus [<test>,...|all] [--ordering ...] [--iterations n] [--json] [--check] [--no-pin]`:
/// argv -> a `LitmusRequest`, or a `UsageError` that names the flag, the value and
/// what is accepted.
enum LitmusArguments {
    static let subcommand = "litmus"

    static let synopsis =
        "racelab litmus [<test>|all] [--ordering <ordering>] [--iterations <n>] [--json] [--check] [--no-pin]"

    /// The spellings `--ordering` accepts, beside `all`.
    static let orderingWords: [String: LitmusOrdering] = [
        "relaxed": .relaxed, "acquire-release": .acquireRelease, "acq-rel": .acquireRelease,
        "seq_cst": .sequentiallyConsistent, "seq-cst": .sequentiallyConsistent,
    ]

    static let iterationRange = 1...1_000_000_000

    static let options = ["--ordering", "--iterations", "--json", "--check", "--no-pin", "--help"]

    static var testNames: String { (LitmusCatalog.names + ["all"]).joined(separator: ", ") }

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        var tests: [String]?
        var testsToken = ""
        var orderings: [LitmusOrdering]?
        var iterations: Int?
        var output = OutputOptions()
        var isPinned = true
        var index = 0
        func fail(_ message: String) -> UsageError { UsageError(message, subcommand: subcommand) }
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            let (name, inline) = NameList.splitInline(token)
            func value() throws(UsageError) -> String {
                if let inline, !inline.isEmpty { return inline }
                if inline == nil, index < arguments.count, !arguments[index].hasPrefix("--") {
                    index += 1
                    return arguments[index - 1]
                }
                throw fail("Missing value for '\(display(name))'.")
            }
            switch name {
            case "-h", "--help":
                return .help(subcommand)
            case "--json", "--check", "--no-pin":
                if let inline { throw fail("Option '\(name)' takes no value, but was given '\(inline)'.") }
                if name == "--json" { output.isJSON = true }
                if name == "--check" { output.check = true }
                if name == "--no-pin" { isPinned = false }
            case "--ordering":
                let text = try value()
                guard orderings == nil else { throw fail("Option '--ordering' was given twice: give it once.") }
                orderings = try parseOrderings(text)
            case "--iterations", "-i":
                let text = try value()
                guard iterations == nil else { throw fail("Option '--iterations' was given twice: give it once.") }
                guard text.isASCIIDigits, let number = Int(text),
                    iterationRange.contains(number)
                else {
                    throw fail(
                        "Invalid value '\(text)' for '--iterations <n>': expected an integer from 1 to"
                            + " \(iterationRange.upperBound.grouped).")
                }
                iterations = number
            default:
                if token.hasPrefix("-") {
                    throw fail(
                        "Unknown option '\(token)' for 'racelab litmus': expected one of"
                            + " \(options.joined(separator: ", "))."
                            + Suggestion.didYouMean(name, in: options))
                }
                guard tests == nil else {
                    throw fail(
                        "Unexpected argument '\(token)' after the test '\(testsToken)':"
                            + " name several tests with commas, e.g. 'racelab litmus sb,mp'.")
                }
                tests = try parseTests(token)
                testsToken = token
            }
        }
        let request = LitmusRequest(
            tests: tests ?? LitmusCatalog.names, orderings: orderings ?? LitmusOrdering.allCases,
            iterations: iterations ?? LitmusRequest.defaultIterations, isPinned: isPinned)
        return .litmus(request, output)
    }

    /// "sb,mp" or "all" -> names in catalog order.
    static func parseTests(_ text: String) throws(UsageError) -> [String] {
        try NameList.names(text, of: LitmusCatalog.names, subcommand: subcommand) {
            "Unknown litmus test '\($0)' for 'litmus <test>'"
        }
    }

    /// "relaxed,seq_cst" or "all" -> orderings from weakest to strongest.
    static func parseOrderings(_ text: String) throws(UsageError) -> [LitmusOrdering] {
        var chosen = Set<LitmusOrdering>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.lowercased() }) {
            if part == "all" { return LitmusOrdering.allCases }
            guard let ordering = orderingWords[part] else {
                throw UsageError(
                    "Invalid value '\(text)' for '--ordering <ordering>': expected relaxed, acquire-release,"
                        + " seq_cst or all (several with commas)."
                        + Suggestion.didYouMean(part, in: ["relaxed", "acquire-release", "seq_cst", "all"]),
                    subcommand: subcommand)
            }
            chosen.insert(ordering)
        }
        return LitmusOrdering.allCases.filter(chosen.contains)
    }

    private static func display(_ name: String) -> String {
        switch name {
        case "--ordering": "--ordering <ordering>"
        case "--iterations", "-i": "--iterations <n>"
        default: name
        }
    }

    static var help: String {
        var lines = [
            "OVERVIEW: Memory-model litmus tests: what the CPU and the Swift/C++ memory model allow.",
            "",
            "Each test is a tiny program of 2 or 4 threads on shared Atomic<Int> locations, run",
            "many times (each iteration on fresh locations, the threads pinned to different CPUs",
            "and started together). racelab counts every final state and says, per state, what the",
            "model says of it under the ordering: allowed, allowed-interesting (the weak outcome",
            "the test is named for) or forbidden.",
            "",
            "USAGE: \(synopsis)",
            "",
            "ARGUMENTS:",
            "  <test>                  One or more, comma-separated (default: all):",
        ]
        for test in LitmusCatalog.tests {
            lines.append("    " + test.name + String(repeating: " ", count: max(1, 8 - test.name.count)) + test.title)
        }
        lines += [
            "",
            "OPTIONS:",
            "  --ordering <ordering>   relaxed, acquire-release (acq-rel), seq_cst, or all; several",
            "                          with commas. Stores are .relaxed / .releasing /",
            "                          .sequentiallyConsistent, loads .relaxed / .acquiring /",
            "                          .sequentiallyConsistent. (default: all, side by side)",
            "  -i, --iterations <n>    Iterations per test and ordering. (default: 1,000,000)",
            "  --json                  One JSON document on stdout instead of the tables.",
            "  --check                 Exit 1 if a forbidden outcome showed.",
            "  --no-pin                Let the scheduler place the threads.",
            "  -h, --help              Show help information.",
            "",
            "EXIT CODES:",
            "  0   Ran. A weak outcome the model allows is a result, not a failure.",
            "  1   --check: an outcome the model forbids showed (a bug in racelab, the compiler or",
            "      the machine).",
            "  64  Bad usage: the message names the option, the value and what is accepted.",
            "  71  The system refused to create a thread.",
            "",
            "EXAMPLES:",
            "  racelab litmus sb",
            "  racelab litmus mp --ordering relaxed --iterations 5000000",
            "  racelab litmus --check --json > litmus.json",
            "",
            "  See 'racelab explain sb' (or any test name) for the program, the outcome, why it",
            "  happens and what forbids it.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
