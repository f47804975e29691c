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
        guard text.isASCIIDigits, let number = Int(text),
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
        return try NameList.strategies(
            text, of: scenario.strategies.map(\.name), owner: scenario.name, subcommand: usage)
    }
}

/// Comma-separated names typed on the command line, resolved against a catalog.
enum NameList {
    /// `--strategy a,b` (any case) -> names in `names`' order; `all` is every one.
    /// `owner` says whose strategies they are in the error ("counter has ...").
    static func strategies(_ text: String, of names: [String], owner: String, subcommand: String?)
        throws(UsageError) -> [String]
    {
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
                    "Unknown strategy \(what) for '--strategy <list>': \(owner) has "
                        + (names + ["all"]).joined(separator: ", ") + "."
                        + (part.isEmpty ? "" : Suggestion.didYouMean(part, in: names)),
                    subcommand: subcommand)
            }
        }
        return names.filter(chosen.contains)
    }

    /// "sb,mp" or "all" (any case) -> names in `names`' order; `unknown(part)` is the
    /// error's first words for a name `names` lacks ("Unknown litmus test 'x' for ...").
    static func names(
        _ text: String, of names: [String], subcommand: String, unknown: (String) -> String
    ) throws(UsageError) -> [String] {
        var chosen = Set<String>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.lowercased() }) {
            if part == "all" { return names }
            guard names.contains(part) else {
                throw UsageError(
                    unknown(part) + ": expected one of \((names + ["all"]).joined(separator: ", "))."
                        + Suggestion.didYouMean(part, in: names + ["all"]),
                    subcommand: subcommand)
            }
            chosen.insert(part)
        }
        return names.filter(chosen.contains)
    }

    /// "--name=value" -> ("--name", "value"); anything else -> (token, nil).
    static func splitInline(_ token: String) -> (String, String?) {
        guard token.hasPrefix("--"), let equals = token.firstIndex(of: "=") else { return (token, nil) }
        return (String(token[..<equals]), String(token[token.index(after: equals)...]))
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value collected for `option` ("" for a flag that was given), by its
    /// declaration rather than a name typed again.
    subscript(_ option: OptionSpec) -> String? { self[option.long] }
}
