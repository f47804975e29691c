#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The little file I/O racelab does (result files, a baseline, /proc), with errors
/// as the system's own words so a message can say exactly what went wrong.
package enum FileIO {
    /// Why a file operation failed: the errno text, e.g. "No such file or directory".
    package struct Failure: Error, Equatable {
        package init(reason: String, code: Int32? = nil) {
            self.reason = reason
            self.code = code
        }

        package var reason: String
        /// The errno behind it, when the system gave one.
        package var code: Int32?

        package init(errno code: Int32) {
            reason = String(cString: strerror(code))
            self.code = code
        }
        package init(_ reason: String) { self.reason = reason }
    }

    /// The whole file as UTF-8 text, up to `limit` bytes. Reads until end of file,
    /// so it also works for /proc files, whose size reads as 0.
    package static func read(_ path: String, limit: Int = 256 << 20) -> Result<String, Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(errno: errno)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return .failure(Failure(errno: EISDIR)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { return .failure(Failure(errno: errno)) }
            if n == 0 { break }
            bytes += chunk[0..<n]
            if bytes.count > limit { return .failure(Failure("larger than \(limit >> 20) MiB")) }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// Writes all of `text` to an open descriptor, retrying short writes and EINTR.
    package static func writeAll(_ text: String, to fd: Int32) -> Result<Void, Failure> {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return .failure(Failure(errno: n < 0 ? errno : EIO)) }
            bytes = bytes.dropFirst(n)
        }
        return .success(())
    }

    /// Creates `path` and any missing parents (mkdir -p); fine if it already is a directory.
    package static func makeDirectory(_ path: String) -> Result<Void, Failure> {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { return .failure(Failure(errno: errno)) }
        }
        guard isDirectory(path) else { return .failure(Failure(errno: ENOTDIR)) }
        guard access(path, W_OK | X_OK) == 0 else { return .failure(Failure(errno: errno)) }
        return .success(())
    }

    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    package static func isWritableDirectory(_ path: String) -> Bool {
        isDirectory(path) && access(path, W_OK | X_OK) == 0
    }

    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
