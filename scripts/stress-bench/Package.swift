// swift-tools-version:6.0
import PackageDescription

// scripts/bench.sh's "stress" section: racelab's stress API measured as another
// package uses it (by path, public API only), beside racelab's own loops.
let package = Package(
    name: "stress-bench",
    dependencies: [.package(name: "racelab", path: "../..")],
    targets: [
        .executableTarget(
            name: "stress-bench", dependencies: [
                .product(name: "RaceLab", package: "racelab"),
                .product(name: "RaceLabExplore", package: "racelab"),
                .product(name: "RaceLabSync", package: "racelab"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
)
