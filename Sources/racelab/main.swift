import RaceLabCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Parse, run, print, exit: everything else lives in the RaceLab library.
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
