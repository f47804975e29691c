import RaceLab
import RaceLabModel

/// One way to run a scenario's workload: unsafe, or one of the fixes.
package struct Strategy: Sendable {
    /// Short, lower-case, hyphenated, as typed after `--strategy`.
    package let name: String
    /// One line for `racelab list` and the report.
    package let summary: String
    /// Whether this strategy promises to lose nothing.
    package let isExpectedSafe: Bool
    /// Part of the default set. Child-process strategies are opt-in.
    package let isInDefaultSet: Bool
    /// Runs only in a child process: a true data race (undefined behaviour), a hang,
    /// or state a process can set up only once.
    package let runsInChildProcess: Bool
    /// What the report should say when this unsafe strategy shows nothing, when the
    /// usual advice (more workers, a longer window) would not help.
    package let note: String?
    /// Runs the workload once on the pool and reports what happened.
    let body: @Sendable (Request, WorkerPool) throws -> Observation

    init(
        name: String, summary: String, isExpectedSafe: Bool,
        isInDefaultSet: Bool = true, runsInChildProcess: Bool = false, note: String? = nil,
        body: @escaping @Sendable (Request, WorkerPool) throws -> Observation
    ) {
        self.name = name
        self.summary = summary
        self.isExpectedSafe = isExpectedSafe
        self.isInDefaultSet = isInDefaultSet
        self.runsInChildProcess = runsInChildProcess
        self.note = note
        self.body = body
    }

    /// The name of a scenario's unsafe form, where options refer to it (`--witness`).
    package static let unsafeName = "unsafe"

    /// Runs the workload once in this process.
    package func runInProcess(_ request: Request, pool: WorkerPool) throws -> Observation {
        try body(request, pool)
    }
}

/// The longest run a scenario accepts, and why: a scenario that keeps what every
/// operation did, to check it, must bound it.
package struct RunLimit: Sendable {
    /// The longest window, in milliseconds.
    package var milliseconds: Int
    /// The most operations of a fixed-count run, over all workers together.
    package var operations: Int
    /// Said in the usage error ("it keeps every item each consumer takes ...").
    package var why: String

    package init(milliseconds: Int, operations: Int, why: String) {
        self.milliseconds = milliseconds
        self.operations = operations
        self.why = why
    }
}

/// The fewest workers a scenario runs without `--threads`, and why (said in help).
package struct LeastWorkers: Sendable {
    package var count: Int
    package var why: String

    package init(_ count: Int, why: String) {
        self.count = count
        self.why = why
    }
}

/// A piece of shared-state code with an unsafe form and its fixes.
package struct Scenario: Sendable {
    package let name: String
    /// One line for `racelab list` and the help's subcommand list.
    package let summary: String
    /// What one operation is, plural, for the report header ("increments").
    package let operationName: String
    /// Column headers of `Observation.expected` / `.observed` in the table.
    package let expectedLabel: String
    package let observedLabel: String
    /// What those two columns hold, for the legend under the table; nil: the sum of
    /// what the workers did / what the shared state ended with.
    package var countsLegend: String? = nil
    /// What can go wrong, declared once, in table order; the first is the headline.
    package let anomalies: [AnomalyKind]
    /// The scenario's own options, in help order.
    package let options: [ScenarioOption]
    /// Unsafe forms first.
    package let strategies: [Strategy]
    /// Plain-language story of the race, for `racelab explain`.
    package let explanation: String
    /// Backends this scenario cannot run on, and why (said in the usage error).
    package var unsupportedBackends: [Backend: String] = [:]
    /// The longest run this scenario accepts (a window in ms; a fixed count, as the
    /// total over all workers), and why: a scenario that keeps what every operation
    /// did, to check it, must bound it.
    package var runLimit: RunLimit? = nil
    /// Without `--threads`, at least this many workers, and why; nil: one per CPU.
    package var leastDefaultWorkers: LeastWorkers? = nil
    /// The verdict words when an unsafe strategy shows its bug, and when its child
    /// process dies of it (a crash, a hang), for scenarios whose bug is not a race.
    package var exposedWord: String? = nil
    package var childDiedWord: String? = nil

    package func strategy(named name: String) -> Strategy? {
        strategies.first { $0.name == name }
    }

    /// The strategies `names` asks for, in that order; a name this scenario does not
    /// have is an error, never dropped.
    package func strategies(named names: [String]) throws(LabError) -> [Strategy] {
        try names.map { name throws(LabError) in
            guard let strategy = strategy(named: name) else {
                throw LabError.unknownStrategy(name, scenario: self.name, known: strategies.map(\.name))
            }
            return strategy
        }
    }

    package func option(named name: String) -> ScenarioOption? {
        options.first { $0.name == name }
    }

    /// The fewest workers a run needs: 2 where some workers take one role and the
    /// others another (writers and readers, producers and consumers).
    package var minimumWorkers: Int { options.map(\.minimumWorkers).max() ?? 1 }

    package var defaultStrategyNames: [String] {
        strategies.filter(\.isInDefaultSet).map(\.name)
    }

    /// The first backend it runs on: pthread, unless it refuses it.
    package var defaultBackend: Backend {
        Backend.allCases.first { unsupportedBackends[$0] == nil } ?? .pthread
    }

    /// Whether any strategy runs in a child process (and `--timeout` applies).
    package var hasChildProcessStrategies: Bool { strategies.contains(where: \.runsInChildProcess) }

    /// What a report of `request` needs to know about this scenario.
    package func labels(for request: Request) -> ScenarioLabels {
        ScenarioLabels(
            name: name, summary: summary, operationName: operationName, expectedLabel: expectedLabel,
            observedLabel: observedLabel, countsLegend: countsLegend, anomalies: anomalies,
            strategyOrder: strategies.map(\.name),
            settingLines: options.compactMap { $0.headerLine(for: request) },
            settingsBrief: options.compactMap { $0.brief(for: request) }, exposedWord: exposedWord,
            childDiedWord: childDiedWord)
    }
}

extension WorkerPool {
    /// The detail line of a strategy that awaits (an actor): its workers are tasks
    /// whatever the backend, and the report says so when the backend was not tasks.
    var ranAsTasksDetail: String? {
        backend == .tasks
            ? nil : "ran as tasks on Swift's cooperative pool, not on \(backend.rawValue): an actor is awaited"
    }
}
