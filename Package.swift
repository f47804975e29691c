// swift-tools-version:6.0
import PackageDescription

// racelab takes no package dependencies: only the toolchain's own modules.
// Each layer of docs/architecture.md is a target, and a target may import only the
// layers below it (listed in its dependencies): with swift build's
// --explicit-target-dependency-import-check error (as .ci/run builds), a wrong import
// does not compile.
// CRaceLabShims is our own tiny C target for the Linux calls Glibc does not expose
// (sched_getaffinity, pthread_setaffinity_np, prctl need _GNU_SOURCE or varargs).
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "racelab",
    products: [
        .executable(name: "racelab", targets: ["racelab"]),
        // The engine: what another package imports to run its own code on racelab's workers.
        .library(name: "RaceLab", targets: ["RaceLab"]),
        // The engine inside Swift Testing: `try await stress(...)` in a @Test.
        .library(name: "RaceLabTesting", targets: ["RaceLabTesting"]),
        // The controlled scheduler: explore every interleaving of a small program.
        .library(name: "RaceLabExplore", targets: ["RaceLabExplore"]),
        // Drop-in Atomic, Mutex and Semaphore for a user's own types: `import RaceLabSync`.
        .library(name: "RaceLabSync", targets: ["RaceLabSync"]),
    ],
    targets: [
        .target(name: "CRaceLabShims"),
        // Drop-in Atomic, Mutex and Semaphore: the real thing outside an exploration, a
        // scheduling point inside one. What a user's own type imports.
        .target(name: "RaceLabSync", dependencies: ["CRaceLabShims"], swiftSettings: swift6),
        // Engine: worker pool, start gate, window and budget, CPU set and pinning, clock,
        // child processes, padded storage, and Model (requests, observations, verdicts).
        .target(name: "RaceLab", dependencies: ["CRaceLabShims"], swiftSettings: swift6),
        // The app's model (requests, observations, lab and litmus results, settings) and
        // child processes: racelab's own, shared by its targets, not a user's API.
        .target(name: "RaceLabModel", dependencies: ["RaceLab", "CRaceLabShims"], swiftSettings: swift6),
        // The catalog: each scenario's declaration and strategies, litmus tests, Lab and Sweeper.
        .target(
            name: "RaceLabScenarios", dependencies: ["RaceLabModel", "RaceLabExplore", "RaceLabSync", "RaceLab", "CRaceLabShims"],
            swiftSettings: swift6),
        // The controlled scheduler: instrumented primitives, virtual threads, explorers,
        // schedules and replay. Knows no scenario.
        .target(name: "RaceLabExplore", dependencies: ["RaceLabSync", "RaceLab", "CRaceLabShims"], swiftSettings: swift6),
        // Swift Testing integration: the stress API and the explorer inside a @Test. The
        // one target that imports Testing, so the engine never does.
        .target(name: "RaceLabTesting", dependencies: ["RaceLab", "RaceLabExplore", "RaceLabSync"], swiftSettings: swift6),
        // Results in, text / JSON / CSV / SVG / JUnit out. Never sees a Scenario or argv.
        .target(name: "RaceLabReport", dependencies: ["RaceLabModel", "RaceLab"], swiftSettings: swift6),
        // argv -> a validated command; help and completions, read from the declarations;
        // what a result path may be, and how a result file is written.
        .target(
            name: "RaceLabCommandLine", dependencies: ["RaceLabScenarios", "RaceLabExplore", "RaceLabModel", "RaceLab", "CRaceLabShims"],
            swiftSettings: swift6),
        // Runs a parsed command: the one place that knows the command line and the reports.
        .target(
            name: "RaceLabCLI",
            dependencies: [
                "RaceLabCommandLine", "RaceLabReport", "RaceLabScenarios", "RaceLabExplore", "RaceLabModel", "RaceLab",
                "CRaceLabShims",
            ],
            swiftSettings: swift6),
        .executableTarget(name: "racelab", dependencies: ["RaceLabCLI"], swiftSettings: swift6),
        .testTarget(
            name: "RaceLabTests",
            dependencies: [
                "RaceLabCLI", "RaceLabCommandLine", "RaceLabReport", "RaceLabScenarios", "RaceLabModel", "RaceLab",
                "RaceLabTesting", "RaceLabExplore", "RaceLabSync",
            ],
            swiftSettings: swift6),
    ]
)
