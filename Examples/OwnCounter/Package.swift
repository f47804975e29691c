// swift-tools-version:6.0
import PackageDescription

// A package of a user's own, using racelab's engine by path as it would by URL:
// its own type on racelab's workers, judged by racelab's verdict.
let package = Package(
    name: "OwnCounter",
    dependencies: [.package(name: "racelab", path: "../..")],
    targets: [
        .executableTarget(
            name: "OwnCounter", dependencies: [.product(name: "RaceLab", package: "racelab")],
            swiftSettings: [.swiftLanguageMode(.v6)])
    ]
)
