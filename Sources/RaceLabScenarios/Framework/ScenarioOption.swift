import RaceLab
import RaceLabModel

/// One option a scenario declares beside its strategies. Everything else reads the
/// declaration: the parser (runs and sweeps alike), help, completions, `racelab list
/// --json`, the report header, the chart subtitle and the sweep's settings comparison.
/// A new option is one declaration, nowhere else.
package struct ScenarioOption: Sendable {
    /// What a value may be.
    package enum Values: Sendable {
        /// A decimal integer in the range.
        case integer(ClosedRange<Int>)
        /// A number of workers given one role, 1 to (workers - 1); the others take the
        /// other role, so a run needs at least 2 workers.
        case workers
        /// One of these words.
        case choice([String])
        /// Present or not, no value: 1 when given, else the default 0.
        case flag
    }

    /// Typed after `--`, e.g. `keys`.
    package let name: String
    package let short: Character?
    /// `<n>`, `<percent>`, ... as help and errors show it.
    package let valueName: String
    package let values: Values
    /// The value when the option is not given; nil: the scenario derives it from the
    /// run (say, half the workers), and `defaultText` says how.
    package let defaultValue: SettingValue?
    /// "(default: ...)" in help, when the value alone does not say it.
    package let defaultText: String?
    package let help: String
    /// The report header's line for this setting ("  keys   64 distinct"), or nil for none.
    let headerLine: @Sendable (OptionReading) -> String?
    /// The setting, short, for a chart subtitle ("64 keys"), or nil when it does not
    /// change the picture.
    let brief: @Sendable (OptionReading) -> String?

    init(
        name: String, short: Character? = nil, valueName: String = "<n>", values: Values,
        default defaultValue: SettingValue?, defaultText: String? = nil, help: String,
        headerLine: @escaping @Sendable (OptionReading) -> String? = { _ in nil },
        brief: @escaping @Sendable (OptionReading) -> String? = { _ in nil }
    ) {
        self.name = name
        self.short = short
        self.valueName = valueName
        self.values = values
        self.defaultValue = defaultValue
        self.defaultText = defaultText
        self.help = help
        self.headerLine = headerLine
        self.brief = brief
    }

    /// The fewest workers a run with this option needs.
    package var minimumWorkers: Int {
        if case .workers = values { return 2 }
        return 1
    }

    package var isFlag: Bool {
        if case .flag = values { return true }
        return false
    }

    /// The fixed words this option takes, or nil for a number.
    package var choices: [String]? {
        if case .choice(let words) = values { return words }
        return nil
    }

    /// The report header's line for this setting in `request`, if it has one.
    package func headerLine(for request: Request) -> String? {
        headerLine(OptionReading(option: self, request: request))
    }

    /// The chart subtitle's words for this setting in `request`, if any.
    package func brief(for request: Request) -> String? { brief(OptionReading(option: self, request: request)) }
}

/// One option as a request has it, for its header line and chart brief: its own
/// value (the declared default when not given) beside the rest of the request.
package struct OptionReading: Sendable {
    package let option: ScenarioOption
    package let request: Request
    /// An integer option's value: as given, or its declared default.
    package var integer: Int { request.integer(option) }
    /// A choice option's word: as given, or its declared default.
    package var word: String { request.choice(option) }
    /// The value the request carries: as given, or the declared default the parser
    /// filled in; nil only for an option whose default depends on the run, not given.
    package var given: SettingValue? { request.settings[option.name] }
    /// Whether the value is the declared default (given or not).
    package var isDefault: Bool { (given ?? option.defaultValue) == option.defaultValue }
}

extension Request {
    /// An integer option's value: as given, or its declared default (declared once,
    /// in the option; never written again where it is read).
    func integer(_ option: ScenarioOption) -> Int {
        guard case .integer(let fallback)? = option.defaultValue else {
            preconditionFailure("--\(option.name) is not an integer option with a default")
        }
        return given(option) ?? fallback
    }

    /// An integer option whose default depends on the run (`--writers`: half the
    /// workers): as given, or `derived`.
    func integer(_ option: ScenarioOption, derived: Int) -> Int {
        precondition(option.defaultValue == nil, "--\(option.name) declares its default; read it with integer(_:)")
        return given(option) ?? derived
    }

    private func given(_ option: ScenarioOption) -> Int? {
        guard case .integer(let number)? = settings[option.name] else { return nil }
        return number
    }

    /// A choice option's word: as given, or its declared default.
    func choice(_ option: ScenarioOption) -> String {
        guard case .text(let word)? = settings[option.name] ?? option.defaultValue else {
            preconditionFailure("--\(option.name) is not a choice option with a default")
        }
        return word
    }
}
