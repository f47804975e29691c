import CRaceLabShims

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The CPUs this process may run on, read from its affinity mask
/// (`sched_getaffinity`), so `taskset -c 0 racelab` counts 1. Falls back to the
/// online CPU count where affinity cannot be read.
public struct CPUSet: Sendable, Equatable, Codable {
    /// Kernel CPU ids, ascending.
    public var ids: [Int32]

    /// A set of CPUs by id, e.g. `CPUSet(ids: [0])` to run every worker on CPU 0. An
    /// empty set is refused when workers are started on it (a thrown sentence).
    public init(ids: [Int32]) {
        self.ids = ids
    }

    /// How many CPUs: how many workers can run at the same moment.
    public var count: Int { ids.count }

    /// The affinity mask of the calling process, read now.
    public static func current() -> CPUSet {
        var buffer = [Int32](repeating: 0, count: 1024)
        let n = Int(racelab_allowed_cpus(&buffer, Int32(buffer.count)))
        if n > 0 { return CPUSet(ids: Array(buffer.prefix(min(n, buffer.count)))) }
        let online = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return CPUSet(ids: (0..<Int32(online)).map { $0 })
    }

    /// The CPU worker `index` is pinned to: allowed CPU (index mod count).
    public func cpu(forWorker index: Int) -> Int32 { ids.isEmpty ? 0 : ids[index % ids.count] }
}
