import RaceLab
import RaceLabModel
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exit codes racelab documents (sysexits.h names where one fits).
package enum ExitCode {
    package static let ran: Int32 = 0
    package static let checkFailed: Int32 = 1
    package static let usage: Int32 = 64  // EX_USAGE
    package static let osError: Int32 = 71  // EX_OSERR
    package static let cannotCreate: Int32 = 73  // EX_CANTCREAT
    package static let ioError: Int32 = 74  // EX_IOERR
}

/// Where the CLI writes; injectable so tests can read what a user would see.
package struct Console: Sendable {
    package var out: @Sendable (String) -> Void
    package var err: @Sendable (String) -> Void
    /// Progress lines are drawn only for a person watching a terminal.
    package var errIsTerminal: Bool
    /// Colour (`--color auto`) only for a person watching a terminal.
    package var outIsTerminal: Bool
    /// Why writing the report failed (disk full, stdout closed, ...), or nil if every
    /// write so far went through. A report that was lost must not exit 0.
    package var outFailure: @Sendable () -> String?

    package init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
        errIsTerminal: Bool = false, outIsTerminal: Bool = false,
        outFailure: @escaping @Sendable () -> String? = { nil }
    ) {
        self.out = out
        self.err = err
        self.errIsTerminal = errIsTerminal
        self.outIsTerminal = outIsTerminal
        self.outFailure = outFailure
    }

    /// The process's own stdout and stderr, written unbuffered (progress lines show at once).
    package static let standard = Console(
        out: { text in
            if case .failure(let failure) = FileIO.writeAll(text, to: 1) {
                standardOutFailure.withLock { $0 = $0 ?? failure.reason }
            }
        },
        err: { _ = FileIO.writeAll($0, to: 2) },
        errIsTerminal: isatty(2) == 1,
        outIsTerminal: isatty(1) == 1,
        outFailure: {
            // A closed stdout is caught before anything runs: a descriptor opened later
            // could otherwise take number 1 and receive the report.
            fcntl(1, F_GETFD) == -1 ? "standard output is closed" : standardOutFailure.withLock { $0 }
        })

    /// The first failed write to stdout, in the system's words.
    private static let standardOutFailure = Mutex<String?>(nil)
}
