import RaceLab

/// The memory orderings a litmus test runs under, one for every access of the test:
/// stores and loads map to Swift's `Atomic` orderings as `accesses` says.
package enum LitmusOrdering: String, Codable, Sendable, CaseIterable {
    /// Stores `.relaxed`, loads `.relaxed`: atomicity, no ordering.
    case relaxed
    /// Stores `.releasing`, loads `.acquiring`.
    case acquireRelease = "acquire-release"
    /// Stores and loads `.sequentiallyConsistent`.
    case sequentiallyConsistent = "seq_cst"

    /// How a store and a load are written in Swift under this ordering.
    package var accesses: (store: String, load: String) {
        switch self {
        case .relaxed: (".relaxed", ".relaxed")
        case .acquireRelease: (".releasing", ".acquiring")
        case .sequentiallyConsistent: (".sequentiallyConsistent", ".sequentiallyConsistent")
        }
    }
}

/// What the Swift/C++ memory model says of one final state under one ordering, in
/// the words jcstress uses (ACCEPTABLE, ACCEPTABLE_INTERESTING, FORBIDDEN).
package enum LitmusStatus: String, Codable, Sendable {
    /// A state some interleaving of the threads reaches (sequentially consistent).
    case allowed
    /// Allowed by the model under this ordering although no interleaving reaches it:
    /// the weak outcome, what the test is about.
    case interesting = "allowed-interesting"
    /// The model rules it out under this ordering: seeing it is a bug in racelab,
    /// the compiler or the machine.
    case forbidden
}

/// What one test under one ordering amounts to.
package enum LitmusVerdict: String, Codable, Sendable {
    /// The weak outcome (allowed by the model) showed.
    case observed
    /// The weak outcome is allowed and this CPU can produce it, but it did not show.
    case notObserved = "not-observed"
    /// The weak outcome is allowed by the model, but this CPU never produces it
    /// (e.g. x86-64 is TSO): not seeing it says nothing about other machines.
    case notProducedByThisCPU = "not-produced-by-this-cpu"
    /// Allowed, not seen, and the threads shared CPUs: they ran in turns, so the run
    /// could not show it.
    case couldNotShow = "could-not-show"
    /// The weak outcome is forbidden under this ordering and never showed.
    case held
    /// A forbidden outcome showed: a bug in racelab, the compiler or the machine.
    case forbiddenObserved = "forbidden-observed"

    /// Whether `--check` fails on it.
    package var failsCheck: Bool { self == .forbiddenObserved }
}

/// One final state of a litmus test and how often it showed.
package struct LitmusStateCount: Codable, Sendable, Equatable {
    /// "r0=0 r1=0", in the test's register (or location) names.
    package var state: String
    /// The same values by name.
    package var values: [String: Int]
    package var count: Int
    /// count / iterations.
    package var share: Double
    package var status: LitmusStatus
    /// Whether it is the test's weak outcome (the state the test is named for),
    /// whatever the ordering makes of it.
    package var isWeak: Bool

    package init(state: String, values: [String: Int], count: Int, share: Double, status: LitmusStatus, isWeak: Bool) {
        self.state = state
        self.values = values
        self.count = count
        self.share = share
        self.status = status
        self.isWeak = isWeak
    }
}

/// One test under one ordering: every state with its count, and the verdict.
package struct LitmusRun: Codable, Sendable, Equatable {
    package var ordering: LitmusOrdering
    /// Iterations that ran (every share is of these).
    package var iterations: Int
    /// Iterations asked for: more than `iterations` when a run whose threads shared CPUs
    /// stopped at its time budget.
    package var requestedIterations: Int
    /// From the threads' creation to their join.
    package var elapsedNanoseconds: UInt64
    /// More threads than CPUs: some took turns on a CPU instead of running at once.
    package var threadsSharedCPUs: Bool
    /// Every state the test declares (count 0 included), then any other that showed.
    package var states: [LitmusStateCount]
    /// Iterations that ended in the weak outcome.
    package var weakCount: Int
    package var weakStatus: LitmusStatus
    /// Iterations that ended in a forbidden state (the weak one or any other).
    package var forbiddenCount: Int
    package var verdict: LitmusVerdict
    /// Why this CPU does not produce the weak outcome although the model allows it,
    /// and where it does show; nil when this CPU can produce it or the model forbids it.
    package var hardwareNote: String?
    /// When the weak outcome never showed: the 95% upper bound on its chance per
    /// iteration (the rule of three: 3 / iterations); nil when it showed.
    package var upperBoundPerIteration: Double?

    package init(
        ordering: LitmusOrdering, iterations: Int, requestedIterations: Int? = nil, elapsedNanoseconds: UInt64,
        threadsSharedCPUs: Bool,
        states: [LitmusStateCount], weakCount: Int, weakStatus: LitmusStatus, forbiddenCount: Int,
        verdict: LitmusVerdict, hardwareNote: String?
    ) {
        self.ordering = ordering
        self.iterations = iterations
        self.requestedIterations = requestedIterations ?? iterations
        self.elapsedNanoseconds = elapsedNanoseconds
        self.threadsSharedCPUs = threadsSharedCPUs
        self.states = states
        self.weakCount = weakCount
        self.weakStatus = weakStatus
        self.forbiddenCount = forbiddenCount
        self.verdict = verdict
        self.hardwareNote = hardwareNote
        upperBoundPerIteration = weakCount == 0 && iterations > 0 ? 3 / Double(iterations) : nil
    }

}

/// One litmus test: what it is and its runs, one per ordering.
package struct LitmusTestResult: Codable, Sendable, Equatable {
    /// "sb", "mp", ...
    package var name: String
    /// "store buffering".
    package var title: String
    package var threads: Int
    /// One column per thread, one line per step: "x.store(1)", "r0 = y.load()".
    package var program: [[String]]
    /// "r0=0 r1=0".
    package var weakOutcome: String
    /// The weakest ordering under which the model forbids the weak outcome (relaxed for
    /// the coherence control; nil if every ordering allowed it).
    package var forbiddenFrom: LitmusOrdering?
    /// Whether the model forbids the weak outcome under every ordering (the control).
    package var isControl: Bool
    package var runs: [LitmusRun]

    package init(
        name: String, title: String, threads: Int, program: [[String]], weakOutcome: String,
        forbiddenFrom: LitmusOrdering?, isControl: Bool, runs: [LitmusRun]
    ) {
        self.name = name
        self.title = title
        self.threads = threads
        self.program = program
        self.weakOutcome = weakOutcome
        self.forbiddenFrom = forbiddenFrom
        self.isControl = isControl
        self.runs = runs
    }
}

/// Everything `racelab litmus` ran.
package struct LitmusResult: Codable, Sendable, Equatable {
    package var machine: MachineInfo
    /// "x86-64 (TSO)", "ARM64", or the architecture's name.
    package var memoryModel: String
    /// How the threads were started together each iteration, in words.
    package var synchronisation: String
    package var tests: [LitmusTestResult]

    package init(machine: MachineInfo, memoryModel: String, synchronisation: String, tests: [LitmusTestResult]) {
        self.machine = machine
        self.memoryModel = memoryModel
        self.synchronisation = synchronisation
        self.tests = tests
    }

    /// Every (test, ordering) where a forbidden outcome showed, as "sb seq_cst".
    package var forbiddenObserved: [String] {
        tests.flatMap { test in
            test.runs.filter { $0.verdict.failsCheck }.map { "\(test.name) \($0.ordering.rawValue)" }
        }
    }
}

/// What `racelab litmus` was asked to run.
package struct LitmusRequest: Codable, Sendable, Equatable {
    /// Test names in catalog order ("sb", "mp", ...).
    package var tests: [String]
    package var orderings: [LitmusOrdering]
    /// Iterations per test and ordering.
    package var iterations: Int
    /// Threads pinned one per allowed CPU (`--no-pin` turns it off).
    package var isPinned: Bool

    package static let defaultIterations = 1_000_000

    package init(
        tests: [String], orderings: [LitmusOrdering] = LitmusOrdering.allCases,
        iterations: Int = LitmusRequest.defaultIterations, isPinned: Bool = true
    ) {
        self.tests = tests
        self.orderings = orderings
        self.iterations = iterations
        self.isPinned = isPinned
    }
}

/// What `racelab explain <test>` says of a litmus test.
package struct LitmusExplanation: Sendable, Equatable {
    package init(
        name: String, title: String, summary: String, program: [[String]], weakOutcome: String, orderings: [Row],
        text: String
    ) {
        self.name = name
        self.title = title
        self.summary = summary
        self.program = program
        self.weakOutcome = weakOutcome
        self.orderings = orderings
        self.text = text
    }

    /// The weak outcome's status under one ordering, and the CPUs that never produce it.
    package struct Row: Sendable, Equatable {
        package init(ordering: LitmusOrdering, status: LitmusStatus, neverProducedOn: [String]) {
            self.ordering = ordering
            self.status = status
            self.neverProducedOn = neverProducedOn
        }

        package var ordering: LitmusOrdering
        package var status: LitmusStatus
        package var neverProducedOn: [String]
    }

    package var name: String
    package var title: String
    package var summary: String
    package var program: [[String]]
    package var weakOutcome: String
    package var orderings: [Row]
    /// How it happens and what forbids it.
    package var text: String
}
