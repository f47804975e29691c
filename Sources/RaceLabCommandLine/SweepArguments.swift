import RaceLab
import RaceLabModel
import RaceLabScenarios

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parses `racelab sweep <scenario> [options]`: the scenario's own options, with
/// `--threads` and `--backend` taking lists, `--runs` defaulting to 5, and `--ascii`.
package enum SweepArguments {
    package static let subcommand = "sweep"
    /// The sweep's own options; `--threads` and `--backend` take lists here.
    static let threadCounts = OptionSpec(
        long: "threads", short: "t", valueName: "<list>",
        help: "Worker counts: a list (1,2,4,8) or a range (1...16).",
        defaultText: "1, 2, 4, ... up to 4x the CPUs",
        expects: "worker counts as a list (1,2,4,8) or a range (1...16)")
    static let backendList = OptionSpec(
        long: "backend", short: "b", valueName: "<list>", help: "pthread, dispatch, tasks, comma-separated.",
        defaultText: "pthread", expects: "pthread, dispatch, tasks, comma-separated")
    static let out = OptionSpec(
        long: "out", short: "o", valueName: "<dir>",
        help: "Write sweep.json, sweep.csv and sweep.svg into this directory.", defaultText: nil,
        expects: "a directory for sweep.json, sweep.csv and sweep.svg")
    static let baseline = OptionSpec(
        long: "baseline", short: nil, valueName: "<file>", help: "Compare with an earlier sweep.json.",
        defaultText: nil, expects: baselineAccepted)
    static let maxRegression = OptionSpec(
        long: "max-regression", short: nil, valueName: "<ratio>",
        help: "With --baseline: exit 1 if a safe strategy got slower than this ratio.", defaultText: nil,
        expects: "a slowdown ratio from 1 to 1000, e.g. 1.5")
    static let ascii = OptionSpec(
        long: "ascii", short: nil, valueName: nil, help: "Draw the chart in plain ASCII.", defaultText: nil)

    static let ownOptions: [OptionSpec] = [threadCounts, backendList, out, baseline, maxRegression, ascii]

    /// racelab's options that a sweep refuses, and what to use instead.
    static let refusals = [
        "until-exposed": "Option '--until-exposed' does not apply to 'racelab sweep'; use --runs.",
        "budget": "Option '--budget' does not apply to 'racelab sweep'; use --runs.",
        "junit":
            "Option '--junit' applies to a single scenario run, not to 'racelab sweep'; use"
            + " 'racelab <scenario> --junit <file>', or --out for the sweep's files.",
        "witness":
            "Option '--witness' applies to a single run, not to 'racelab sweep'; use"
            + " 'racelab <scenario> --witness'.",
    ]

    /// What `racelab sweep <scenario>` accepts: its own options, then the scenario's
    /// but for the ones the sweep replaces or refuses.
    static func accepted(by scenario: Scenario) -> [OptionSpec] {
        let own = Set(ownOptions.map(\.long))
        return ownOptions
            + Options.accepted(by: scenario).filter { !own.contains($0.long) && refusals[$0.long] == nil }
    }

    /// The largest --max-regression: past this a gate gates nothing.
    static let maxRegressionLimit = 1_000.0
    package static let baselineAccepted = "a sweep.json written by 'racelab sweep --out' or 'racelab sweep --json'"

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
        let invocation = ScenarioArguments.Invocation(
            command: "sweep \(scenario.name)", usage: subcommand, refusals: refusals)
        let accepted = accepted(by: scenario)
        let values = try ScenarioArguments.collect(
            Array(arguments.dropFirst()), accepted: accepted, scenario: scenario, invocation: invocation)
        if values[Options.help] != nil { return .help(subcommand) }
        let threadsText = values[threadCounts]
        let isASCII = values[ascii] != nil
        let outputs = try fileOptions(values, scenario: scenario)
        var counts = try threadsText.map(threadList) ?? SweepRequest.defaultThreadCounts(cpus: cpus.count)
        let least = scenario.minimumWorkers
        if least > 1 {
            // Workers in two roles: a sweep of this scenario starts at its minimum.
            if let threadsText, let low = counts.first, low < least {
                throw UsageError(
                    "Invalid value '\(threadsText)' for '--threads <list>': \(scenario.name) needs at least"
                        + " \(least) workers (\(ScenarioArguments.rolesText(scenario))); expected counts from \(least) to \(Request.maxThreads).",
                    subcommand: subcommand)
            }
            counts = counts.filter { $0 >= least }
        }
        // The sweep's own options are read; the rest make the request every step shares.
        let shared = values.filter { name, _ in !ownOptions.contains { $0.long == name } }
        let (base, output, _) = try ScenarioArguments.request(
            from: shared, accepted: accepted, scenario: scenario, cpus: cpus, sweptThreads: counts.first,
            defaultRuns: 5, invocation: invocation)
        let backends = try values[backendList].map(backendList) ?? [scenario.defaultBackend]
        for backend in backends {
            try ScenarioArguments.refuseUnsupported(
                backend, scenario: scenario, option: "--backend <list>", usage: subcommand)
        }
        return .sweep(
            SweepRequest(base: base, threadCounts: counts, backends: backends, isASCII: isASCII), output, outputs)
    }

    /// `--out DIR`, `--baseline FILE` and `--max-regression R`. The baseline file is
    /// read above the command line (RaceLabCLI's `Baseline`), before the sweep runs.
    static func fileOptions(_ values: [String: String], scenario: Scenario) throws(UsageError) -> SweepOutputs {
        var outputs = SweepOutputs()
        if let directory = values[out] {
            if FileIO.exists(directory), !FileIO.isDirectory(directory) {
                throw UsageError(
                    "Invalid value '\(directory)' for '--out <dir>': it is a file; expected a directory"
                        + " (created if missing) for sweep.json, sweep.csv and sweep.svg.",
                    subcommand: subcommand)
            }
            outputs.directory = directory
        }
        outputs.baselinePath = values[baseline]
        if let text = values[maxRegression] {
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
            guard outputs.baselinePath != nil else {
                throw UsageError(
                    "Option '--max-regression \(text)' needs '--baseline <file>': a sweep.json to compare against.",
                    subcommand: subcommand)
            }
            outputs.maxRegression = ratio
        }
        return outputs
    }

    /// "1,2,4,8" or "1...16" (every count in the range), or a mix; ascending, distinct.
    static func threadList(_ text: String) throws(UsageError) -> [Int] {
        func invalid() -> UsageError {
            UsageError(
                "Invalid value '\(text)' for '--threads <list>': expected worker counts from 1 to"
                    + " \(Request.maxThreads) as a list (1,2,4,8) or an ascending range (1...16).",
                subcommand: subcommand)
        }
        func number(_ part: Substring) throws(UsageError) -> Int {
            guard part.isASCIIDigits, let n = Int(part),
                (1...Request.maxThreads).contains(n)
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
                    "Invalid value '\(text)' for '--backend <list>': expected pthread, dispatch, tasks, comma-separated."
                        + Suggestion.didYouMean(String(part), in: Backend.allCases.map(\.rawValue)),
                    subcommand: subcommand)
            }
            if !backends.contains(backend) { backends.append(backend) }
        }
        return backends
    }
}
