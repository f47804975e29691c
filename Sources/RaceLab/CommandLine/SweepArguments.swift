#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parses `racelab sweep <scenario> [options]`: the scenario's own options, with
/// `--threads` and `--backend` taking lists, `--runs` defaulting to 5, and `--ascii`.
enum SweepArguments {
    static let subcommand = "sweep"
    /// The options the sweep takes out before the scenario's parser sees the rest.
    static let ownOptions = ["threads", "backend", "out", "baseline", "max-regression", "ascii"]
    /// The largest --max-regression: past this a gate gates nothing.
    static let maxRegressionLimit = 1_000.0
    static let baselineAccepted = "a sweep.json written by 'racelab sweep --out' or 'racelab sweep --json'"

    static func parse(_ arguments: [String], cpus: CPUSet) throws(UsageError) -> Command {
        guard let name = arguments.first, !name.hasPrefix("-") else {
            if arguments.contains("--help") || arguments.contains("-h") { return .help(subcommand) }
            throw UsageError(
                "Missing value for 'sweep <scenario>': expected one of \(Arguments.scenarioNames).",
                subcommand: subcommand)
        }
        guard let scenario = Catalog.scenario(named: name) else {
            throw UsageError(
                "Unknown scenario '\(name)' for 'sweep <scenario>': expected one of \(Arguments.scenarioNames)."
                    + Suggestion.didYouMean(name, in: Catalog.scenarios.map(\.name)),
                subcommand: subcommand)
        }
        var rest = Array(arguments.dropFirst())
        // "-threads 1,2": the sweep's own options with one dash, before `extract` reads
        // them as "-t hreads" (the scenario's parser catches its own options the same way).
        for token in rest {
            if let long = Suggestion.longNameWithOneDash(token, among: ownOptions) {
                throw UsageError(
                    ScenarioArguments.oneDashMessage(token, long: long, command: "sweep \(scenario.name)"),
                    subcommand: subcommand)
            }
        }
        let threadsText = try extract(
            &rest, long: "threads", short: "t", accepted: "worker counts as a list (1,2,4,8) or a range (1...16)")
        let backendText = try extract(
            &rest, long: "backend", short: "b", accepted: "pthread, dispatch or both, comma-separated")
        let isASCII = try extract(&rest, long: "ascii", short: nil, isFlag: true) != nil
        let outputs = try fileOptions(&rest, scenario: scenario)
        for flag in ["--until-exposed", "--budget", "--junit"] where rest.contains(where: { $0.hasPrefix(flag) }) {
            if flag == "--junit" {
                throw UsageError(
                    "Option '--junit' applies to a single scenario run, not to 'racelab sweep'; use"
                        + " 'racelab <scenario> --junit <file>', or --out for the sweep's files.",
                    subcommand: subcommand)
            }
            throw UsageError("Option '\(flag)' does not apply to 'racelab sweep'; use --runs.", subcommand: subcommand)
        }
        var counts = try threadsText.map(threadList) ?? SweepRequest.defaultThreadCounts(cpus: cpus.count)
        let least = scenario.minimumWorkers
        if least > 1 {
            // Writers and readers: a sweep of this scenario starts at its minimum.
            if let threadsText, let low = counts.first, low < least {
                throw UsageError(
                    "Invalid value '\(threadsText)' for '--threads <list>': \(scenario.name) needs at least"
                        + " \(least) workers (writers and readers); expected counts from \(least) to \(Options.maxThreads).",
                    subcommand: subcommand)
            }
            counts = counts.filter { $0 >= least }
        }
        let (base, output, wantsHelp) = try ScenarioArguments.parse(
            rest, scenario: scenario, cpus: cpus, sweptThreads: counts.first, defaultRuns: 5,
            invocation: .init(
                command: "sweep \(scenario.name)", usage: subcommand,
                otherOptions: ownOptions))
        if wantsHelp { return .help(subcommand) }
        let backends = try backendText.map(backendList) ?? [.pthread]
        if outputs.maxRegression != nil, let baseline = outputs.baseline, let path = outputs.baselinePath {
            try checkGate(baseline, path: path, base: base, counts: counts, backends: backends)
        }
        return .sweep(
            SweepRequest(base: base, threadCounts: counts, backends: backends, isASCII: isASCII), output, outputs)
    }

    /// `--out DIR`, `--baseline FILE` and `--max-regression R`. The baseline is read
    /// and checked here, so a wrong file fails in milliseconds, not after the sweep.
    static func fileOptions(_ rest: inout [String], scenario: Scenario) throws(UsageError) -> SweepOutputs {
        var outputs = SweepOutputs()
        if let directory = try extract(
            &rest, long: "out", short: "o", valueName: "<dir>",
            accepted: "a directory for sweep.json, sweep.csv and sweep.svg")
        {
            if FileIO.exists(directory), !FileIO.isDirectory(directory) {
                throw UsageError(
                    "Invalid value '\(directory)' for '--out <dir>': it is a file; expected a directory"
                        + " (created if missing) for sweep.json, sweep.csv and sweep.svg.",
                    subcommand: subcommand)
            }
            outputs.directory = directory
        }
        if let path = try extract(
            &rest, long: "baseline", short: nil, valueName: "<file>",
            accepted: baselineAccepted)
        {
            outputs.baseline = try baseline(at: path, scenario: scenario)
            outputs.baselinePath = path
        }
        if let text = try extract(
            &rest, long: "max-regression", short: nil, valueName: "<ratio>",
            accepted: "a slowdown ratio from 1 to 1000, e.g. 1.5")
        {
            let isDecimal =
                !text.isEmpty && text.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
                && text.filter { $0 == "." }.count <= 1
            guard isDecimal, let ratio = Double(text), (1...Self.maxRegressionLimit).contains(ratio) else {
                throw UsageError(
                    "Invalid value '\(text)' for '--max-regression <ratio>': expected a slowdown ratio from 1 to"
                        + " \(Int(Self.maxRegressionLimit)), e.g. 1.5 to fail when a safe strategy is more than 1.5x"
                        + " slower than the baseline.",
                    subcommand: subcommand)
            }
            guard outputs.baseline != nil else {
                throw UsageError(
                    "Option '--max-regression \(text)' needs '--baseline <file>': a sweep.json to compare against.",
                    subcommand: subcommand)
            }
            outputs.maxRegression = ratio
        }
        return outputs
    }

    /// A regression gate needs a baseline it can be fair to: the same scenario settings
    /// (a ratio across different --iterations is not a regression) and at least one
    /// configuration in common. Checked before the sweep runs.
    static func checkGate(
        _ baseline: SweepJSON, path: String, base: Request, counts: [Int], backends: [Backend]
    ) throws(UsageError) {
        let settings = SweepComparison.settingDifferences(now: base, then: baseline.request.base)
        if !settings.isEmpty {
            throw UsageError(
                "Invalid value '\(path)' for '--baseline <file>' with '--max-regression': it was made with other"
                    + " settings (\(settings.joined(separator: "; "))); expected a baseline made with the same"
                    + " settings, or leave out --max-regression to compare anyway.",
                subcommand: subcommand)
        }
        let shared = baseline.cells.contains { cell in
            base.strategies.contains(cell.strategy) && counts.contains(cell.threads) && backends.contains(cell.backend)
        }
        if !shared {
            throw UsageError(
                "Invalid value '\(path)' for '--baseline <file>' with '--max-regression': it has no strategy,"
                    + " worker count and backend in common with this sweep; expected a baseline of the same"
                    + " configurations (it has workers \(baseline.request.threadCounts.map(String.init).joined(separator: ","))"
                    + " on \(baseline.request.backends.map(\.rawValue).joined(separator: ","))).",
                subcommand: subcommand)
        }
    }

    static func baseline(at path: String, scenario: Scenario) throws(UsageError) -> SweepJSON {
        func invalid(_ why: String) -> UsageError {
            UsageError(
                "Invalid value '\(path)' for '--baseline <file>': \(why); expected \(baselineAccepted).",
                subcommand: subcommand)
        }
        let text: String
        switch FileIO.read(path) {
        case .success(let contents): text = contents
        case .failure(let failure): throw invalid("cannot read it (\(failure.reason))")
        }
        // Kind and version first: an older document may not decode as this racelab's.
        struct Header: Decodable {
            var kind: String?
            var schemaVersion: Int?
        }
        if let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)), header.kind == SweepJSON.kind,
            let version = header.schemaVersion, version != JSONReport.schemaVersion
        {
            throw invalid(
                "its schema version is \(version), this racelab reads \(JSONReport.schemaVersion);"
                    + " make a new baseline with this racelab")
        }
        guard let document = try? SweepJSON.decode(text) else {
            if (try? JSONReport.decode(text)) != nil {
                throw invalid("it is the JSON of a single run ('racelab <scenario> --json'), not of a sweep")
            }
            throw invalid("it is not a racelab sweep document")
        }
        guard document.kind == SweepJSON.kind else {
            throw invalid("its kind is '\(document.kind)', not '\(SweepJSON.kind)'")
        }
        guard document.schemaVersion == JSONReport.schemaVersion else {
            throw invalid(
                "its schema version is \(document.schemaVersion), this racelab reads \(JSONReport.schemaVersion)")
        }
        guard document.scenario == scenario.name else {
            throw invalid("it is a sweep of '\(document.scenario)', not of '\(scenario.name)'")
        }
        return document
    }

    /// "1,2,4,8" or "1...16" (every count in the range), or a mix; ascending, distinct.
    static func threadList(_ text: String) throws(UsageError) -> [Int] {
        func invalid() -> UsageError {
            UsageError(
                "Invalid value '\(text)' for '--threads <list>': expected worker counts from 1 to"
                    + " \(Options.maxThreads) as a list (1,2,4,8) or an ascending range (1...16).",
                subcommand: subcommand)
        }
        func number(_ part: Substring) throws(UsageError) -> Int {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(part),
                (1...Options.maxThreads).contains(n)
            else { throw invalid() }
            return n
        }
        var counts: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let range = part.firstRange(of: "...") {
                let low = try number(part[..<range.lowerBound])
                let high = try number(part[range.upperBound...])
                guard low <= high else { throw invalid() }
                counts += Array(low...high)
            } else {
                counts.append(try number(part))
            }
        }
        return Array(Set(counts)).sorted()
    }

    static func backendList(_ text: String) throws(UsageError) -> [Backend] {
        var backends: [Backend] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let backend = Backend(rawValue: String(part)) else {
                throw UsageError(
                    "Invalid value '\(text)' for '--backend <list>': expected pthread, dispatch or both, comma-separated."
                        + Suggestion.didYouMean(String(part), in: Backend.allCases.map(\.rawValue)),
                    subcommand: subcommand)
            }
            if !backends.contains(backend) { backends.append(backend) }
        }
        return backends
    }

    /// Removes `--long value`, `--long=value`, `-s value` or `-svalue` (or a flag) from
    /// `arguments` and returns its value ("" for a flag), or nil if absent.
    private static func extract(
        _ arguments: inout [String], long: String, short: Character?, valueName: String = "<list>",
        accepted: String = "", isFlag: Bool = false
    ) throws(UsageError) -> String? {
        func missing() -> UsageError {
            UsageError("Missing value for '--\(long) \(valueName)': expected \(accepted).", subcommand: subcommand)
        }
        var found: String?
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            var value: String?
            var width = 1
            if token == "--\(long)" || (short.map { token == "-\($0)" } ?? false) {
                if !isFlag {
                    // The next option taken for a value ("--out --json") is a missing value.
                    guard index + 1 < arguments.count, !ScenarioArguments.looksLikeOption(arguments[index + 1])
                    else { throw missing() }
                    width = 2
                }
                value = isFlag ? "" : arguments[index + 1]
            } else if !isFlag, token.hasPrefix("--\(long)=") {
                value = String(token.dropFirst(long.count + 3))
            } else if !isFlag, let short, token.hasPrefix("-\(short)"), token.count > 2, !token.hasPrefix("--") {
                value = String(token.dropFirst(2))
            }
            if !isFlag, value?.isEmpty == true { throw missing() }
            if let value {
                if found != nil {
                    throw UsageError("Option '--\(long)' was given twice: give it once.", subcommand: subcommand)
                }
                found = value
                arguments.removeSubrange(index..<(index + width))
            } else {
                index += 1
            }
        }
        return found
    }
}
