// swift-tools-version:6.0
import PackageDescription

// A package of a user's own, tested with racelab inside Swift Testing: four types of
// its own, each racy form next to its fix, and a `stress` test for each that shows the
// race (as a known issue) and passes the fix. racelab by path, as it would be by URL.
let package = Package(
    name: "StressYourOwnCode",
    dependencies: [.package(name: "racelab", path: "../..")],
    targets: [
        // The user's own types. Account.swift imports RaceLabSync (drop-in Atomic and
        // Mutex) instead of Synchronization; the rest needs nothing of racelab.
        .target(
            name: "StressYourOwnCode", dependencies: [.product(name: "RaceLabSync", package: "racelab")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(
            name: "StressYourOwnCodeTests",
            dependencies: [
                "StressYourOwnCode", .product(name: "RaceLab", package: "racelab"),
                .product(name: "RaceLabTesting", package: "racelab"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
