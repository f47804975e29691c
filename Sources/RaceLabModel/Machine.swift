import RaceLab

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MachineInfo {
    /// Reads the machine this process runs on.
    package static func current(cpus: CPUSet = .current()) -> MachineInfo {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        return MachineInfo(
            cpusAvailable: cpus.count, cpuIDs: cpus.ids,
            cpusOnline: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            architecture: field(name.machine),
            kernel: "\(field(name.sysname)) \(field(name.release))",
            cpuModel: cpuModelName(cpuinfo: try? FileIO.read("/proc/cpuinfo").get()))
    }

    /// The CPU model from /proc/cpuinfo: "model name" on x86, "Model" on ARM boards,
    /// "cpu model" on MIPS, "cpu" on POWER; nil when there is none.
    static func cpuModelName(cpuinfo: String?) -> String? {
        guard let cpuinfo else { return nil }
        for key in ["model name", "Model", "cpu model", "cpu"] {
            for line in cpuinfo.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingSpaces == key else { continue }
                let value = parts[1].trimmingSpaces
                if !value.isEmpty { return String(value) }
            }
        }
        return nil
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return self[first...last]
    }
}

/// Timestamps for result files.
package enum Timestamp {
    /// Now, as ISO 8601 in UTC to the second: "2026-11-23T14:05:09Z".
    package static func nowUTC() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
            + "T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
