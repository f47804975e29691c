import RaceLabCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Parse, run, print, exit: everything else lives in RaceLabCLI and the targets below it.
exit(CLI.run(Array(CommandLine.arguments.dropFirst())))
