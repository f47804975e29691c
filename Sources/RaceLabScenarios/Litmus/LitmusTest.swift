import RaceLab
import RaceLabModel

/// One step of a litmus test's thread: a store of a constant, or a load into a register.
/// The program as data: the listing, the registers and the interleaving enumerator in
/// the tests are read from it; `LitmusPrograms` is the same program in Swift.
enum LitmusStep: Equatable, Sendable {
    case store(location: Int, value: Int)
    case load(location: Int, register: Int)
}

/// What a final state is made of: a register of some thread, or a location's value
/// once every thread is done (2+2W).
enum LitmusObservable: Equatable, Sendable {
    /// The `index`-th load of `thread`.
    case register(thread: Int, index: Int)
    case finalValue(location: Int)
}

/// The CPU families whose memory models racelab knows about.
package enum LitmusArchitecture: String, Sendable, CaseIterable {
    case x86_64 = "x86-64"
    case arm64 = "ARM64"
    case other

    package static var current: LitmusArchitecture {
        #if arch(x86_64)
            .x86_64
        #elseif arch(arm64)
            .arm64
        #else
            .other
        #endif
    }

    /// "x86-64 (TSO)", for headers.
    package var memoryModel: String {
        switch self {
        case .x86_64: "x86-64 (TSO: total store order; only a store followed by a load may reorder)"
        case .arm64: "ARM64 (weakly ordered, other-multi-copy atomic)"
        case .other: "an architecture racelab has no notes for"
        }
    }
}

/// A classic litmus test: a tiny multi-threaded program, its final states, and what
/// the Swift/C++ memory model says of each under each ordering.
///
/// The status of a state: reached by some interleaving (`sequentialStates`) ->
/// allowed; the test's weak outcome -> `weakStatus[ordering]`; anything else ->
/// forbidden. `hardwareNotes` say where a CPU never produces an outcome the model
/// allows, so that never seeing it is not read as "safe".
package struct LitmusTest: Sendable {
    enum ID: String, Sendable, CaseIterable {
        case sb, mp, lb, iriw
        case twoPlusTwoW = "2+2w"
        case corr
    }

    let id: ID
    package var name: String { id.rawValue }
    package let title: String
    /// One line for help and completions.
    let summary: String
    let locationNames: [String]
    /// One list of steps per thread.
    let threadSteps: [[LitmusStep]]
    /// Register names, global to the test ("r0" ... in thread order).
    let registerNames: [String]
    let observables: [LitmusObservable]
    /// Every final state some interleaving reaches, as observable values.
    let sequentialStates: [[Int]]
    /// The outcome the test is named for.
    let weakState: [Int]
    /// Other states no interleaving reaches, shown so a table lists them at 0 (CoRR).
    let otherForbiddenStates: [[Int]]
    /// Per ordering: `.interesting` (allowed) or `.forbidden`.
    let weakStatus: [LitmusOrdering: LitmusStatus]
    /// Per architecture and ordering where the model allows the weak outcome but that
    /// CPU never produces it: why, and where it shows instead.
    let hardwareNotes: [LitmusArchitecture: [LitmusOrdering: String]]
    /// Why the weak outcome happens and what forbids it (`racelab explain <test>`).
    let explanation: String

    package var threads: Int { threadSteps.count }
    var locations: Int { locationNames.count }

    /// How many loads thread `t` makes: the registers it writes per iteration.
    func registers(ofThread t: Int) -> Int {
        threadSteps[t].filter { if case .load = $0 { true } else { false } }.count
    }

    var observableNames: [String] {
        observables.map { observable in
            switch observable {
            case .register(let thread, let index): registerName(thread: thread, index: index)
            case .finalValue(let location): locationNames[location]
            }
        }
    }

    /// The register the `index`-th load of `thread` writes.
    func registerName(thread: Int, index: Int) -> String {
        let loads = threadSteps[thread].compactMap { step -> Int? in
            if case .load(_, let register) = step { register } else { nil }
        }
        return index < loads.count ? registerNames[loads[index]] : "r?"
    }

    /// "r0=0 r1=0"; a value outside 0...2 reads "?".
    func describe(_ values: [Int]) -> String {
        zip(observableNames, values).map { "\($0)=\($1 >= 0 && $1 <= 2 ? String($1) : "?")" }.joined(separator: " ")
    }

    func status(of values: [Int], under ordering: LitmusOrdering) -> LitmusStatus {
        if sequentialStates.contains(values) { return .allowed }
        if values == weakState { return weakStatus[ordering] ?? .forbidden }
        return .forbidden
    }

    /// Every state a report lists, in order: interleavings' states, the weak one, others.
    var declaredStates: [[Int]] { sequentialStates + [weakState] + otherForbiddenStates }

    /// The note for `ordering` on `architecture` when the model allows the weak outcome
    /// and that CPU never produces it.
    func hardwareNote(_ ordering: LitmusOrdering, on architecture: LitmusArchitecture) -> String? {
        guard weakStatus[ordering] == .interesting else { return nil }
        return hardwareNotes[architecture]?[ordering]
    }

    /// The program as text lines, one per step: "x.store(1)", "r0 = y.load()".
    func listing(thread t: Int) -> [String] {
        threadSteps[t].map { step in
            switch step {
            case .store(let location, let value): "\(locationNames[location]).store(\(value))"
            case .load(let location, let register): "\(registerNames[register]) = \(locationNames[location]).load()"
            }
        }
    }
}
