/// The litmus tests racelab runs, with their classification under the Swift/C++
/// memory model (Swift's `Atomic` orderings are C++'s). Sources for every entry are
/// in docs/litmus.md; the interleavings' states are checked by LitmusTests against an
/// enumeration of the program.
package enum LitmusCatalog {
    package static let tests: [LitmusTest] = [storeBuffering, messagePassing, loadBuffering, iriw, twoPlusTwoW, corr]

    package static func test(named name: String) -> LitmusTest? {
        tests.first { $0.name == name.lowercased() }
    }

    package static var names: [String] { tests.map(\.name) }

    static let storeBuffering = LitmusTest(
        id: .sb, title: "store buffering",
        summary: "Each thread stores, then loads the other's location: can both loads miss both stores?",
        locationNames: ["x", "y"],
        threadSteps: [
            [.store(location: 0, value: 1), .load(location: 1, register: 0)],
            [.store(location: 1, value: 1), .load(location: 0, register: 1)],
        ],
        registerNames: ["r0", "r1"],
        observables: [.register(thread: 0, index: 0), .register(thread: 1, index: 0)],
        sequentialStates: [[0, 1], [1, 0], [1, 1]], weakState: [0, 0], otherForbiddenStates: [],
        weakStatus: [.relaxed: .interesting, .acquireRelease: .interesting, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [
            .arm64: [
                .acquireRelease:
                    "ARM64 code built for plain ARMv8 loads with LDAR, which waits for an earlier STLR"
                    + " (release/acquire is RCsc there): on x86-64 it shows"
            ]
        ],
        explanation: LitmusExplanations.storeBuffering)

    static let messagePassing = LitmusTest(
        id: .mp, title: "message passing",
        summary: "Write data, then raise a flag; the reader sees the flag: can it still read old data?",
        locationNames: ["data", "flag"],
        threadSteps: [
            [.store(location: 0, value: 1), .store(location: 1, value: 1)],
            [.load(location: 1, register: 0), .load(location: 0, register: 1)],
        ],
        registerNames: ["r0", "r1"],
        observables: [.register(thread: 1, index: 0), .register(thread: 1, index: 1)],
        sequentialStates: [[0, 0], [0, 1], [1, 1]], weakState: [1, 0], otherForbiddenStates: [],
        weakStatus: [.relaxed: .interesting, .acquireRelease: .forbidden, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [
            .x86_64: [
                .relaxed:
                    "x86-64 is TSO: stores become visible in program order and loads are not reordered"
                    + " with loads: on ARM64 it shows"
            ]
        ],
        explanation: LitmusExplanations.messagePassing)

    static let loadBuffering = LitmusTest(
        id: .lb, title: "load buffering",
        summary: "Each thread loads, then stores to the other's location: can both loads see the later stores?",
        locationNames: ["x", "y"],
        threadSteps: [
            [.load(location: 0, register: 0), .store(location: 1, value: 1)],
            [.load(location: 1, register: 1), .store(location: 0, value: 1)],
        ],
        registerNames: ["r0", "r1"],
        observables: [.register(thread: 0, index: 0), .register(thread: 1, index: 0)],
        sequentialStates: [[0, 0], [0, 1], [1, 0]], weakState: [1, 1], otherForbiddenStates: [],
        weakStatus: [.relaxed: .interesting, .acquireRelease: .forbidden, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [
            .x86_64: [
                .relaxed:
                    "x86-64 is TSO: a load is never overtaken by a later store: ARM64 and POWER allow"
                    + " it, and some of their cores show it, rarely"
            ]
        ],
        explanation: LitmusExplanations.loadBuffering)

    static let iriw = LitmusTest(
        id: .iriw, title: "independent reads of independent writes",
        summary: "Two writers, two readers reading in opposite orders: can the readers disagree on which came first?",
        locationNames: ["x", "y"],
        threadSteps: [
            [.store(location: 0, value: 1)],
            [.store(location: 1, value: 1)],
            [.load(location: 0, register: 0), .load(location: 1, register: 1)],
            [.load(location: 1, register: 2), .load(location: 0, register: 3)],
        ],
        registerNames: ["r0", "r1", "r2", "r3"],
        observables: [
            .register(thread: 2, index: 0), .register(thread: 2, index: 1),
            .register(thread: 3, index: 0), .register(thread: 3, index: 1),
        ],
        sequentialStates: (0..<16).map { n in [n >> 3 & 1, n >> 2 & 1, n >> 1 & 1, n & 1] }
            .filter { $0 != [1, 0, 1, 0] },
        weakState: [1, 0, 1, 0], otherForbiddenStates: [],
        weakStatus: [.relaxed: .interesting, .acquireRelease: .interesting, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [
            .x86_64: [
                .relaxed:
                    "x86-64 is TSO, which is multi-copy atomic (every CPU sees stores in one order) and"
                    + " keeps loads in order: on ARM64 it shows (its loads may be reordered)",
                .acquireRelease:
                    "x86-64 is TSO, which is multi-copy atomic: POWER shows it; ARM64's acquiring"
                    + " loads (LDAR) keep it away too",
            ],
            .arm64: [
                .acquireRelease:
                    "ARM64 is other-multi-copy atomic and LDAR keeps the two loads in order:"
                    + " POWER shows it"
            ],
        ],
        explanation: LitmusExplanations.iriw)

    static let twoPlusTwoW = LitmusTest(
        id: .twoPlusTwoW, title: "two plus two writes",
        summary: "Each thread writes 1 then 2 to two locations in opposite orders: can both first writes end last?",
        locationNames: ["x", "y"],
        threadSteps: [
            [.store(location: 0, value: 1), .store(location: 1, value: 2)],
            [.store(location: 1, value: 1), .store(location: 0, value: 2)],
        ],
        registerNames: [],
        observables: [.finalValue(location: 0), .finalValue(location: 1)],
        sequentialStates: [[1, 2], [2, 1], [2, 2]], weakState: [1, 1], otherForbiddenStates: [],
        weakStatus: [.relaxed: .interesting, .acquireRelease: .interesting, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [
            .x86_64: [
                .relaxed: "x86-64 is TSO: each CPU's stores reach memory in program order: on ARM64 it shows",
                .acquireRelease:
                    "x86-64 is TSO: each CPU's stores reach memory in program order: POWER shows it;"
                    + " on ARM64 STLR keeps a thread's stores in order too",
            ],
            .arm64: [
                .acquireRelease: "ARM64's releasing stores (STLR) stay in program order: POWER shows it"
            ],
        ],
        explanation: LitmusExplanations.twoPlusTwoW)

    static let corr = LitmusTest(
        id: .corr, title: "coherence of read-read (control)",
        summary: "One thread writes 1 then 2; another reads twice: can it see 2, then 1? Never, at any ordering",
        locationNames: ["x"],
        threadSteps: [
            [.store(location: 0, value: 1), .store(location: 0, value: 2)],
            [.load(location: 0, register: 0), .load(location: 0, register: 1)],
        ],
        registerNames: ["r0", "r1"],
        observables: [.register(thread: 1, index: 0), .register(thread: 1, index: 1)],
        sequentialStates: [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]], weakState: [2, 1],
        otherForbiddenStates: [[1, 0], [2, 0]],
        weakStatus: [.relaxed: .forbidden, .acquireRelease: .forbidden, .sequentiallyConsistent: .forbidden],
        hardwareNotes: [:],
        explanation: LitmusExplanations.corr)
}
