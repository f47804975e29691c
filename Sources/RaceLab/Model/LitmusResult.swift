/// The memory orderings a litmus test runs under, one for every access of the test:
/// stores and loads map to Swift's `Atomic` orderings as `accesses` says.
public enum LitmusOrdering: String, Codable, Sendable, CaseIterable {
    /// Stores `.relaxed`, loads `.relaxed`: atomicity, no ordering.
    case relaxed
    /// Stores `.releasing`, loads `.acquiring`.
    case acquireRelease = "acquire-release"
    /// Stores and loads `.sequentiallyConsistent`.
    case sequentiallyConsistent = "seq_cst"

    /// How a store and a load are written in Swift under this ordering.
    public var accesses: (store: String, load: String) {
        switch self {
        case .relaxed: (".relaxed", ".relaxed")
        case .acquireRelease: (".releasing", ".acquiring")
        case .sequentiallyConsistent: (".sequentiallyConsistent", ".sequentiallyConsistent")
        }
    }
}

/// What the Swift/C++ memory model says of one final state under one ordering, in
/// the words jcstress uses (ACCEPTABLE, ACCEPTABLE_INTERESTING, FORBIDDEN).
public enum LitmusStatus: String, Codable, Sendable {
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
public enum LitmusVerdict: String, Codable, Sendable {
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
    public var failsCheck: Bool { self == .forbiddenObserved }
}

/// One final state of a litmus test and how often it showed.
public struct LitmusStateCount: Codable, Sendable, Equatable {
    /// "r0=0 r1=0", in the test's register (or location) names.
    public var state: String
    /// The same values by name.
    public var values: [String: Int]
    public var count: Int
    /// count / iterations.
    public var share: Double
    public var status: LitmusStatus
    /// Whether it is the test's weak outcome (the state the test is named for),
    /// whatever the ordering makes of it.
    public var isWeak: Bool

    public init(state: String, values: [String: Int], count: Int, share: Double, status: LitmusStatus, isWeak: Bool) {
        self.state = state
        self.values = values
        self.count = count
        self.share = share
        self.status = status
        self.isWeak = isWeak
    }
}

/// One test under one ordering: every state with its count, and the verdict.
public struct LitmusRun: Codable, Sendable, Equatable {
    public var ordering: LitmusOrdering
    /// Iterations that ran (every share is of these).
    public var iterations: Int
    /// Iterations asked for: more than `iterations` when a run whose threads shared CPUs
    /// stopped at its time budget.
    public var requestedIterations: Int
    /// From the threads' creation to their join.
    public var elapsedNanoseconds: UInt64
    /// More threads than CPUs: some took turns on a CPU instead of running at once.
    public var threadsSharedCPUs: Bool
    /// Every state the test declares (count 0 included), then any other that showed.
    public var states: [LitmusStateCount]
    /// Iterations that ended in the weak outcome.
    public var weakCount: Int
    public var weakStatus: LitmusStatus
    /// Iterations that ended in a forbidden state (the weak one or any other).
    public var forbiddenCount: Int
    public var verdict: LitmusVerdict
    /// Why this CPU does not produce the weak outcome although the model allows it,
    /// and where it does show; nil when this CPU can produce it or the model forbids it.
    public var hardwareNote: String?
    /// When the weak outcome never showed: the 95% upper bound on its chance per
    /// iteration (the rule of three: 3 / iterations); nil when it showed.
    public var upperBoundPerIteration: Double?

    public init(
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
public struct LitmusTestResult: Codable, Sendable, Equatable {
    /// "sb", "mp", ...
    public var name: String
    /// "store buffering".
    public var title: String
    public var threads: Int
    /// One column per thread, one line per step: "x.store(1)", "r0 = y.load()".
    public var program: [[String]]
    /// "r0=0 r1=0".
    public var weakOutcome: String
    /// The weakest ordering under which the model forbids the weak outcome (relaxed for
    /// the coherence control; nil if every ordering allowed it).
    public var forbiddenFrom: LitmusOrdering?
    /// Whether the model forbids the weak outcome under every ordering (the control).
    public var isControl: Bool
    public var runs: [LitmusRun]

    public init(
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
public struct LitmusResult: Codable, Sendable, Equatable {
    public var machine: MachineInfo
    /// "x86-64 (TSO)", "ARM64", or the architecture's name.
    public var memoryModel: String
    /// How the threads were started together each iteration, in words.
    public var synchronisation: String
    public var tests: [LitmusTestResult]

    public init(machine: MachineInfo, memoryModel: String, synchronisation: String, tests: [LitmusTestResult]) {
        self.machine = machine
        self.memoryModel = memoryModel
        self.synchronisation = synchronisation
        self.tests = tests
    }

    /// Every (test, ordering) where a forbidden outcome showed, as "sb seq_cst".
    public var forbiddenObserved: [String] {
        tests.flatMap { test in
            test.runs.filter { $0.verdict.failsCheck }.map { "\(test.name) \($0.ordering.rawValue)" }
        }
    }
}

/// What `racelab litmus` was asked to run.
public struct LitmusRequest: Codable, Sendable, Equatable {
    /// Test names in catalog order ("sb", "mp", ...).
    public var tests: [String]
    public var orderings: [LitmusOrdering]
    /// Iterations per test and ordering.
    public var iterations: Int
    /// Threads pinned one per allowed CPU (`--no-pin` turns it off).
    public var isPinned: Bool

    public static let defaultIterations = 1_000_000

    public init(
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
public struct LitmusExplanation: Sendable, Equatable {
    /// The weak outcome's status under one ordering, and the CPUs that never produce it.
    public struct Row: Sendable, Equatable {
        public var ordering: LitmusOrdering
        public var status: LitmusStatus
        public var neverProducedOn: [String]
    }

    public var name: String
    public var title: String
    public var summary: String
    public var program: [[String]]
    public var weakOutcome: String
    public var orderings: [Row]
    /// How it happens and what forbids it.
    public var text: String
}
