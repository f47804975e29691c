// swift-tools-version:6.0
import PackageDescription

// racelab takes no package dependencies: only the toolchain's own modules.
// CRaceLabShims is our own tiny C target for the Linux calls Glibc does not
// expose (sched_getaffinity, pthread_setaffinity_np need _GNU_SOURCE).
let package = Package(
    name: "racelab",
    products: [
        .executable(name: "racelab", targets: ["racelab"]),
        .library(name: "RaceLab", targets: ["RaceLab"]),
    ],
    targets: [
        .target(name: "CRaceLabShims"),
        .target(
            name: "RaceLab",
            dependencies: ["CRaceLabShims"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "racelab",
            dependencies: ["RaceLab"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "RaceLabTests",
            dependencies: ["RaceLab"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
