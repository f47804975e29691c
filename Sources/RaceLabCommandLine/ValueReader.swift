import RaceLabScenarios

/// Reads typed option values out of the collected strings, with errors that name
/// the option, quote the value and say what is accepted.
struct ValueReader {
    let values: [String: String]
    /// The options the command accepts, for how errors show them.
    let accepted: [OptionSpec]
    let scenario: Scenario
    /// Whose usage line follows an error: the scenario's, or `sweep`'s.
    let usage: String

    /// The option as this command declares it (a sweep's `--threads` takes a list).
    private func spec(_ option: OptionSpec) -> OptionSpec {
        guard let spec = accepted.first(where: { $0.long == option.long }) else {
            preconditionFailure("no option --\(option.long)")
        }
        return spec
    }

    private func invalid(_ option: OptionSpec, _ value: String, _ expectation: String) -> UsageError {
        UsageError(
            "Invalid value '\(value)' for '\(spec(option).display)': expected \(expectation).",
            subcommand: usage)
    }

    /// A decimal integer in `range`: ASCII digits only, no sign, unit or decimal point.
    /// - Parameter why: said after the range, e.g. why its top is what it is.
    func int(_ option: OptionSpec, in range: ClosedRange<Int>, why: String = "") throws(UsageError) -> Int? {
        guard let text = values[option] else { return nil }
        let expectation =
            (range.upperBound == Int.max
                ? "an integer of at least \(range.lowerBound)"
                : "an integer from \(range.lowerBound) to \(range.upperBound)") + why
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let number = Int(text),
            range.contains(number)
        else { throw invalid(option, text, expectation) }
        return number
    }

    /// One of `words`, exactly as typed.
    func word(_ option: OptionSpec, in words: [String]) throws(UsageError) -> String? {
        guard let text = values[option] else { return nil }
        guard words.contains(text) else {
            throw UsageError(
                "Invalid value '\(text)' for '\(spec(option).display)': expected one of \(words.joined(separator: ", "))."
                    + Suggestion.didYouMean(text, in: words),
                subcommand: usage)
        }
        return text
    }

    func choice<T: RawRepresentable & CaseIterable>(_ option: OptionSpec, _ type: T.Type) throws(UsageError) -> T?
    where T.RawValue == String {
        try word(option, in: T.allCases.map(\.rawValue)).flatMap(T.init(rawValue:))
    }

    /// `--strategy a,b` resolved to names in the scenario's order (unsafe first);
    /// `all` means every strategy; absent means the default set.
    func strategies() throws(UsageError) -> [String] {
        guard let text = values[Options.strategy] else { return scenario.defaultStrategyNames }
        let names = scenario.strategies.map(\.name)
        var chosen = Set<String>()
        for typed in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let part = typed.lowercased()  // "Mutex" is mutex: names are lower-case by design
            if part == "all" {
                chosen.formUnion(names)
            } else if names.contains(part) {
                chosen.insert(part)
            } else {
                let what = part.isEmpty ? "an empty name in '\(text)'" : "'\(typed)'"
                throw UsageError(
                    "Unknown strategy \(what) for '--strategy <list>': \(scenario.name) has "
                        + (names + ["all"]).joined(separator: ", ") + "."
                        + (part.isEmpty ? "" : Suggestion.didYouMean(part, in: names)),
                    subcommand: usage)
            }
        }
        return names.filter(chosen.contains)
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value collected for `option` ("" for a flag that was given), by its
    /// declaration rather than a name typed again.
    subscript(_ option: OptionSpec) -> String? { self[option.long] }
}
