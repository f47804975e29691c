import RaceLab
import RaceLabModel
import RaceLabScenarios

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Parses the options after `racelab <scenario>` into a validated `Request`.
///
/// Accepts `--name value`, `--name=value`, `-x value` and `-xvalue`. Every error
/// names the option as documented (`--threads <n>`), quotes the value typed and
/// says what is accepted.
enum ScenarioArguments {
    typealias Parsed = (request: Request, output: OutputOptions, wantsHelp: Bool)

    /// Who is parsing: `racelab counter ...` itself, or `racelab sweep counter ...`,
    /// whose errors must name the sweep, show its usage and know its own options.
    struct Invocation {
        /// As in "for 'racelab \(command)'": "counter" or "sweep counter".
        var command: String
        /// The subcommand whose usage line follows an error.
        var usage: String
        /// Options racelab knows that this command refuses, with the reason to give.
        var refusals: [String: String] = [:]

        static func direct(_ scenario: Scenario) -> Invocation {
            Invocation(command: scenario.name, usage: scenario.name)
        }
    }

    static func parse(_ arguments: [String], scenario: Scenario, cpus: CPUSet) throws(UsageError) -> Parsed {
        let invocation = Invocation.direct(scenario)
        let accepted = Options.accepted(by: scenario)
        let values = try collect(arguments, accepted: accepted, scenario: scenario, invocation: invocation)
        return try request(from: values, accepted: accepted, scenario: scenario, cpus: cpus, invocation: invocation)
    }

    /// Turns collected option values into a validated request: racelab's own options,
    /// then every option the scenario declares (given, or its default).
    /// - Parameter sweptThreads: for `racelab sweep`, the smallest worker count of the
    ///   sweep: `--threads` is the sweep's list, and per-worker limits (`--writers`)
    ///   are checked against that smallest count.
    /// - Parameter defaultRuns: `--runs` when not given.
    static func request(
        from values: [String: String], accepted: [OptionSpec], scenario: Scenario, cpus: CPUSet,
        sweptThreads: Int? = nil, defaultRuns: Int = 1, invocation: Invocation
    ) throws(UsageError) -> Parsed {
        if values[Options.help] != nil {
            return (Request(scenario: scenario.name, strategies: [], threads: 1), OutputOptions(), true)
        }
        let reader = ValueReader(values: values, accepted: accepted, scenario: scenario, usage: invocation.usage)
        var threads = max(scenario.leastDefaultWorkers?.count ?? 1, min(cpus.count, Request.maxThreads))
        if let sweptThreads {
            threads = sweptThreads
        } else if let given = try reader.int(Options.threads, in: 1...Request.maxThreads) {
            threads = given
        }
        let length = try runLength(reader, threads: threads, usage: invocation.usage)
        if let limit = scenario.runLimit {
            let (option, given, most) =
                length.milliseconds.map { ("--duration <ms>", $0, limit.milliseconds) }
                ?? ("--iterations <n>", length.iterations ?? 0, max(1, limit.operations / threads))
            if given > most {
                let per =
                    length.iterations == nil ? "" : " with \(threads) workers (\(limit.operations.grouped) in all)"
                throw UsageError(
                    "Invalid value '\(given)' for '\(option)': \(scenario.name) accepts at most \(most.grouped)\(per):"
                        + " \(limit.why); expected an integer from 1 to \(most).",
                    subcommand: invocation.usage)
            }
        }
        var request = Request(
            scenario: scenario.name,
            strategies: try reader.strategies(),
            threads: threads,
            length: length,
            warmupMilliseconds: try reader.int(Options.warmup, in: 0...Request.maxWarmupMilliseconds)
                ?? Request.defaultWarmupMilliseconds,
            runs: try reader.int(Options.runs, in: 1...Request.maxRuns) ?? defaultRuns,
            backend: try reader.choice(Options.backend, Backend.self) ?? scenario.defaultBackend,
            isPinned: values[Options.noPin] == nil)
        try refuseUnsupported(
            request.backend, scenario: scenario, option: "--backend <backend>", usage: invocation.usage)
        request.timeoutSeconds =
            try reader.int(Options.timeout, in: 1...Request.maxTimeoutSeconds).map(Double.init)
            ?? Request.defaultTimeoutSeconds
        guard threads >= scenario.minimumWorkers else {
            throw UsageError(
                "Invalid value '\(threads)' for '--threads <n>': \(scenario.name) needs at least"
                    + " \(scenario.minimumWorkers) workers (\(rolesText(scenario))); expected an integer from"
                    + " \(scenario.minimumWorkers) to \(Request.maxThreads).",
                subcommand: invocation.usage)
        }
        for option in scenario.options {
            let value: SettingValue?
            switch option.values {
            case .integer(let range): value = try reader.int(OptionSpec(option), in: range).map(SettingValue.integer)
            case .workers:
                let why = " (one fewer than the \(threads) workers: at least one takes the other role)"
                value = try reader.int(OptionSpec(option), in: 1...(threads - 1), why: why).map(SettingValue.integer)
            case .choice(let words): value = try reader.word(OptionSpec(option), in: words).map(SettingValue.text)
            case .flag: value = values[option.name] != nil ? .integer(1) : nil
            }
            request.settings[option.name] = value ?? option.defaultValue
        }
        if values[Options.untilExposed] != nil {
            if values[Options.runs] != nil {
                throw UsageError(
                    "'--runs' and '--until-exposed' contradict each other: give one of them.",
                    subcommand: invocation.usage
                )
            }
            request.untilExposedBudgetSeconds = Double(
                try reader.int(Options.budget, in: 1...Request.maxTimeoutSeconds)
                    ?? Int(Request.defaultUntilExposedBudgetSeconds))
        } else if let budget = values[Options.budget] {
            throw UsageError(
                "Option '--budget <seconds>' (given '\(budget)') only applies with '--until-exposed'.",
                subcommand: invocation.usage)
        }
        if values[Options.pin] != nil, values[Options.noPin] != nil {
            throw UsageError(
                "'--pin' and '--no-pin' contradict each other: give one of them.", subcommand: invocation.usage)
        }
        var output = OutputOptions(
            isJSON: values[Options.json] != nil,
            check: values[Options.check] != nil || values[Options.expectRace] != nil,
            expectRace: values[Options.expectRace] != nil,
            junitPath: try values[Options.junit].map { path throws(UsageError) in
                try writableFile(path, option: "--junit <file>", usage: invocation.usage)
            })
        output.color = try reader.choice(Options.color, ColorChoice.self) ?? .auto
        if output.isJSON, let path = output.junitPath, case .success(.descriptor(1)) = ResultFile.resolve(path) {
            throw UsageError(
                "Invalid value '\(path)' for '--junit <file>' with '--json': it is racelab's standard output,"
                    + " where the JSON document goes; expected another file, or leave out --json.",
                subcommand: invocation.usage)
        }
        return (request, output, false)
    }

    /// A backend the scenario cannot run on is a usage error that says why.
    static func refuseUnsupported(
        _ backend: Backend, scenario: Scenario, option: String, usage: String
    ) throws(UsageError) {
        guard let reason = scenario.unsupportedBackends[backend] else { return }
        let accepted = Backend.allCases.filter { scenario.unsupportedBackends[$0] == nil }.map(\.rawValue)
        throw UsageError(
            "Invalid value '\(backend.rawValue)' for '\(option)': \(scenario.name) cannot run on \(backend.rawValue):"
                + " \(reason); expected \(accepted.joined(separator: " or ")).",
            subcommand: usage)
    }

    /// Why a scenario needs 2 workers: "one for --writers and one for the rest".
    static func rolesText(_ scenario: Scenario) -> String {
        let roles = scenario.options.filter { $0.minimumWorkers > 1 }.map { "--" + $0.name }
        return "one for " + roles.joined(separator: ", ") + " and one for the rest"
    }

    /// `--duration <ms>` (a time-boxed window, the default) or `--iterations <n>`
    /// (a fixed count per worker): one or the other.
    static func runLength(_ reader: ValueReader, threads: Int, usage: String) throws(UsageError) -> RunLength {
        let milliseconds = try reader.int(Options.duration, in: 1...RunLength.maxMilliseconds)
        guard let iterations = try reader.int(Options.iterations, in: 1...Int.max) else {
            return milliseconds.map { .timed(milliseconds: $0) } ?? .standard
        }
        if let milliseconds {
            throw UsageError(
                "'--duration \(milliseconds)' and '--iterations \(iterations)' are two ways to size a run:"
                    + " give one of them (a time window, or a fixed count per worker).",
                subcommand: usage)
        }
        guard threads.multipliedReportingOverflow(by: iterations).overflow == false else {
            throw UsageError(
                "Invalid value '\(iterations)' for '--iterations <n>': \(threads) threads x \(iterations)"
                    + " operations does not fit in a 64-bit total; expected at most \(Int.max / threads).",
                subcommand: usage)
        }
        return .fixed(iterations: iterations)
    }

    /// A file racelab may write: a new or regular file in an existing, writable
    /// directory (symlinks resolved), or a device, FIFO or socket it may write to.
    /// Checked before the run, so a typo costs nothing.
    static func writableFile(_ path: String, option: String, usage: String) throws(UsageError) -> String {
        func refuse(_ problem: String) -> UsageError {
            UsageError(
                "Invalid value '\(path)' for '\(option)': \(problem); expected a file path in an existing,"
                    + " writable directory, or a device, FIFO or socket racelab may write to.",
                subcommand: usage)
        }
        guard !path.isEmpty, !path.hasSuffix("/") else { throw refuse("it names no file") }
        switch ResultFile.resolve(path) {
        case .failure(let failure):
            throw refuse(failure.code == EISDIR ? "it is a directory" : failure.reason)
        case .success(.replace(let real, _)):
            let directory = ResultFile.directory(of: real)
            var info = stat()
            let isLink = lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
            let place = isLink ? "the directory its link leads to, '\(directory)'," : "its directory '\(directory)'"
            guard FileIO.isDirectory(directory) else { throw refuse("\(place) does not exist") }
            guard FileIO.isWritableDirectory(directory) else { throw refuse("\(place) is not writable") }
        case .success(.inPlace(let target)), .success(.stream(let target)), .success(.socket(let target)):
            guard access(target, W_OK) == 0 else {
                throw refuse("it is not writable (\(FileIO.Failure(errno: errno).reason))")
            }
        case .success(.descriptor):
            break
        }
        return path
    }

    /// Splits argv into option -> value ("" for flags), rejecting unknown, misplaced,
    /// repeated and valueless options.
    static func collect(
        _ arguments: [String], accepted: [OptionSpec], scenario: Scenario, invocation: Invocation
    ) throws(UsageError) -> [String: String] {
        let known = accepted + Options.everyOption.filter { spec in !accepted.contains { $0.long == spec.long } }
        var values: [String: String] = [:]
        var index = 0
        func fail(_ message: String) -> UsageError { UsageError(message, subcommand: invocation.usage) }
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            var spec: OptionSpec?
            var inlineValue: String?
            if token.hasPrefix("--"), token.count > 2 {
                let body = token.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                if body.contains("=") { inlineValue = String(body.drop { $0 != "=" }.dropFirst()) }
                spec = known.first { $0.long == name }
                if spec == nil {
                    throw fail(
                        "Unknown option '--\(name)' for 'racelab \(invocation.command)'."
                            + Suggestion.didYouMean("--" + name, in: accepted.map { "--" + $0.long }))
                }
            } else if token.hasPrefix("-"), token.count >= 2, token != "--" {
                // "-threads": a long name with one dash. Said so, rather than read as "-t hreads".
                if let long = Suggestion.longNameWithOneDash(token, among: accepted.map(\.long)) {
                    throw fail(oneDashMessage(token, long: long, command: invocation.command))
                }
                let letter = token[token.index(after: token.startIndex)]
                spec = accepted.first { $0.short == letter } ?? known.first { $0.short == letter }
                if token.count > 2 { inlineValue = String(token.dropFirst(2)) }
                guard spec != nil else {
                    let shorts = accepted.compactMap { $0.short.map { "-\($0)" } }.joined(separator: ", ")
                    throw fail(
                        "Unknown option '\(token)' for 'racelab \(invocation.command)': short options are \(shorts).")
                }
            } else {
                throw fail(
                    "Unexpected argument '\(token)' for 'racelab \(invocation.command)': options start with '--'"
                        + bareArgumentHint(token, scenario: scenario, accepted: accepted))
            }
            guard let spec else { continue }
            if let refusal = invocation.refusals[spec.long] { throw fail(refusal) }
            guard accepted.contains(where: { $0.long == spec.long }) else {
                throw fail(
                    "Option '--\(spec.long)' does not apply to 'racelab \(invocation.command)'; it is an option of: "
                        + Options.scenarios(accepting: spec.long).joined(separator: ", ") + ".")
            }
            let value: String
            if spec.isFlag {
                if let inlineValue {
                    throw fail("Option '--\(spec.long)' takes no value, but was given '\(inlineValue)'.")
                }
                value = ""
            } else if let inlineValue, !inlineValue.isEmpty {
                value = inlineValue
            } else if inlineValue == nil, index < arguments.count, !looksLikeOption(arguments[index]) {
                value = arguments[index]
                index += 1
            } else {
                throw fail("Missing value for '\(spec.display)'.\(spec.missingValueHint)")
            }
            if let previous = values[spec.long] {
                let shown = spec.isFlag ? "" : " ('\(previous)' and '\(value)')"
                throw fail("Option '--\(spec.long)' was given twice\(shown): give it once.")
            }
            values[spec.long] = value
        }
        return values
    }

    /// "Unknown option '-threads' for 'racelab counter': long options take two dashes. ..."
    static func oneDashMessage(_ token: String, long: String, command: String) -> String {
        "Unknown option '\(token)' for 'racelab \(command)': long options take two dashes. Did you mean '--\(long)'?"
    }

    /// What a bare word most likely meant: a worker count, a strategy, or an option
    /// typed without its dashes.
    static func bareArgumentHint(_ token: String, scenario: Scenario, accepted: [OptionSpec]) -> String {
        if !token.isEmpty, token.allSatisfy(\.isNumber) { return " (e.g. '--threads \(token)')." }
        let names = scenario.strategies.map(\.name) + ["all"]
        if token.split(separator: ",").allSatisfy({ names.contains($0.lowercased()) }) {
            return " (e.g. '--strategy \(token)')."
        }
        if let long = Suggestion.closest(to: token, in: accepted.map(\.long)) { return ". Did you mean '--\(long)'?" }
        return "; see 'racelab \(scenario.name) --help'."
    }

    /// A following token that is an option, not a value: "-t" and "--json" are options;
    /// "-5" and "-1,2" are (bad) values, to be refused as such.
    static func looksLikeOption(_ token: String) -> Bool {
        guard token.hasPrefix("-"), let second = token.dropFirst().first else { return false }
        return !second.isNumber
    }
}
