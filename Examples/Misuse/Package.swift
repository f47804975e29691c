// swift-tools-version:6.0
import PackageDescription

// A user's mistakes, each in its own @Test: every misuse test here FAILS on purpose,
// with a sentence naming the argument, and the run goes on to the end (no trap ends
// it), where a passing test still passes. scripts/misuse.sh runs it and checks both.
let package = Package(
    name: "Misuse",
    dependencies: [.package(name: "racelab", path: "../..")],
    targets: [
        .testTarget(
            name: "MisuseTests", dependencies: [.product(name: "RaceLabTesting", package: "racelab")],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
)
