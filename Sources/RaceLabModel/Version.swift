import RaceLab

/// racelab's own version, printed by `--version` and carried in every JSON report.
package enum RaceLabVersion {
    package static let current = "0.1.0"
}

/// How this racelab binary was built: recorded next to results so a number can be
/// traced to the compiler and optimisation level that produced it.
package struct BuildInfo: Codable, Sendable, Equatable {
    /// The Swift compiler's language version, e.g. "6.3".
    package var swiftVersion: String
    /// "release" or "debug": a debug build is 10x slower and not worth comparing.
    package var configuration: String

    package init(swiftVersion: String, configuration: String) {
        self.swiftVersion = swiftVersion
        self.configuration = configuration
    }

    package static let current = BuildInfo(swiftVersion: compilerVersion, configuration: buildConfiguration)

    private static var compilerVersion: String {
        #if compiler(>=7.0)
            return "7.0 or later"
        #elseif compiler(>=6.5)
            return "6.5"
        #elseif compiler(>=6.4)
            return "6.4"
        #elseif compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #elseif compiler(>=6.1)
            return "6.1"
        #else
            return "6.0"
        #endif
    }

    private static var buildConfiguration: String {
        #if DEBUG
            return "debug"
        #else
            return "release"
        #endif
    }
}
