import RaceLab
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The child's side of a child-process strategy: what it hands back, and how it
/// can still hand it back when its own workers are stuck for good (a deadlock).
package enum ChildReport {
    /// Set once, by the child entry point, before any worker exists.
    static let isChildProcess = Atomic<Bool>(false)

    /// Marks this process as a child-process strategy's child.
    package static func markAsChild() { isChildProcess.store(true, ordering: .releasing) }

    /// The observation as the parent reads it: one line of JSON.
    package static func encoded(_ observation: Observation) -> String {
        let data = (try? JSONEncoder().encode(observation)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Writes `observation` on stdout and ends the process with exit 0, whatever its
    /// threads are doing: for a run whose workers can never finish. Only a child may
    /// do this; in racelab's own process it is a bug, and traps.
    package static func deliverAndExit(_ observation: Observation) -> Never {
        precondition(
            isChildProcess.load(ordering: .acquiring),
            "a stuck run can only be reported from a child process; run this strategy through ChildRunner")
        var bytes = Array(encoded(observation).utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + written, $0.count - written) }
            if n <= 0 { break }
            written += n
        }
        _exit(0)
    }
}
