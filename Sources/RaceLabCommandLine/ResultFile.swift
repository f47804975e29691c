import CRaceLabShims
import RaceLab
import RaceLabModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension FileIO {
    /// Writes a result file: what `path` is decides how (see `ResultFile`). A symlink
    /// is written through, a device or FIFO as a stream, a regular file by a rename.
    package static func write(_ text: String, to path: String) -> Result<Void, Failure> {
        ResultFile.resolve(path).flatMap { $0.write(text) }
    }
}

/// Where a result file's bytes go, decided from what its path is at the moment of
/// writing. A path is never replaced by something of another kind: a symlink stays a
/// link and its target gets the bytes; a device, a FIFO or a socket is written as a
/// stream; only a regular file (or a path that does not exist yet) is written to a
/// temporary file beside it and renamed over it, so a reader never sees half a file.
package enum ResultFile: Equatable {
    /// A regular file, or a new one, at this real path (every symlink resolved):
    /// temporary file and rename. `existing` keeps the replaced file's mode and owner.
    case replace(path: String, existing: Owner?)
    /// A regular file a rename must not replace: one with other hard links (a rename
    /// would cut it off from its other names), or, when racelab is not root, one owned
    /// by someone else (a rename would take it over). Truncated and written in place:
    /// a write that fails then leaves it cut short, not as it was.
    case inPlace(path: String)
    /// A FIFO, a terminal, or /dev/null, /dev/zero, /dev/full: opened and written as a
    /// stream, never truncated. Other character devices are refused (a disk's or
    /// memory's character node is not a place for a report).
    case stream(path: String)
    /// A Unix-domain socket: connected to and written as a stream.
    case socket(path: String)
    /// The path is this process's own stdout or stderr (`/dev/stdout`, `/proc/self/fd/1`):
    /// written through that descriptor, after what is already there.
    case descriptor(Int32)

    /// Mode and owner of a regular file a rename replaces.
    package struct Owner: Equatable {
        var mode: mode_t
        var user: uid_t
        var group: gid_t
    }

    /// How long a FIFO may wait for its reader before the write gives up.
    static let fifoReaderWaitSeconds = 10.0

    /// Decides what `path` is. Fails for a directory, a block device (racelab never
    /// writes onto a disk), a loop of links, or a path the system refuses to look at.
    package static func resolve(_ path: String) -> Result<ResultFile, FileIO.Failure> {
        guard !path.isEmpty else { return .failure(FileIO.Failure(errno: ENOENT)) }
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            guard code == ENOENT else { return .failure(FileIO.Failure(errno: code)) }
            // A new file, or a link whose target does not exist yet: the target is created.
            return danglingTarget(path).map { .replace(path: $0, existing: nil) }
        }
        for fd: Int32 in [1, 2] {
            var standard = stat()
            if fstat(fd, &standard) == 0, standard.st_dev == info.st_dev, standard.st_ino == info.st_ino {
                return .success(.descriptor(fd))
            }
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard let real = realPath(path) else { return .failure(FileIO.Failure(errno: errno)) }
            // A file racelab may not write is not replaced behind its owner's back either.
            guard access(real, W_OK) == 0 else { return .failure(FileIO.Failure(errno: errno)) }
            if info.st_nlink > 1 || (geteuid() != 0 && info.st_uid != geteuid()) {
                return .success(.inPlace(path: real))
            }
            return .success(
                .replace(
                    path: real, existing: Owner(mode: info.st_mode & 0o7777, user: info.st_uid, group: info.st_gid)))
        case S_IFIFO: return .success(.stream(path: path))
        case S_IFCHR:
            guard isStreamDevice(info.st_rdev) else {
                return .failure(
                    FileIO.Failure(
                        "it is a character device racelab does not write to (only terminals and /dev/null, /dev/zero,"
                            + " /dev/full)"))
            }
            return .success(.stream(path: path))
        case S_IFSOCK: return .success(.socket(path: path))
        case S_IFDIR: return .failure(FileIO.Failure(errno: EISDIR))
        case S_IFBLK: return .failure(FileIO.Failure("it is a block device, and racelab never writes onto a disk"))
        default: return .failure(FileIO.Failure("it is neither a file, a device, a FIFO nor a socket"))
        }
    }

    /// Writes all of `text` to this destination. Any failure (a full device, a FIFO
    /// whose reader left, a short write, a failed close or rename) is returned; a
    /// replaced file then keeps its old content (an in-place one is cut short). A FIFO
    /// whose reader opened it but never reads blocks the write once its buffer is full.
    package func write(_ text: String) -> Result<Void, FileIO.Failure> {
        switch self {
        case .replace(let path, let existing): return Self.replaceAtomically(path, with: text, keeping: existing)
        case .inPlace(let path):
            return Self.withOpened(open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC)) {
                FileIO.writeAll(text, to: $0)
            }
        case .stream(let path): return Self.withOpened(Self.openStream(path)) { FileIO.writeAll(text, to: $0) }
        case .socket(let path): return Self.withOpened(Self.connect(path)) { FileIO.writeAll(text, to: $0) }
        case .descriptor(let fd): return Self.ignoringBrokenPipes { FileIO.writeAll(text, to: fd) }
        }
    }

    // MARK: - Resolving

    /// Terminals (ttys, the console, pseudo-terminals) and the memory devices that
    /// discard or refuse what is written (null, zero, full), by Linux device number.
    private static func isStreamDevice(_ device: dev_t) -> Bool {
        let number = UInt64(device)
        let major = ((number >> 8) & 0xfff) | ((number >> 32) & ~0xfff)
        let minor = (number & 0xff) | ((number >> 12) & ~0xff)
        switch major {
        case 1: return [3, 5, 7].contains(minor)  // null, zero, full
        case 4, 5, 136...143: return true  // ttys, console and ptmx, pseudo-terminals
        default: return false
        }
    }

    /// Where a path that does not exist will be created: itself, or, when it is a
    /// symlink to nothing yet, the end of its chain of links.
    private static func danglingTarget(_ path: String) -> Result<String, FileIO.Failure> {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                return errno == ENOENT ? .success(current) : .failure(FileIO.Failure(errno: errno))
            }
            guard info.st_mode & S_IFMT == S_IFLNK else { return .success(current) }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return .failure(FileIO.Failure(errno: errno)) }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : directory(of: current) + "/" + target
        }
        return .failure(FileIO.Failure(errno: ELOOP))
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The directory part of a path ("." for a bare name, "/" for "/name").
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    // MARK: - Writing

    private static func replaceAtomically(
        _ path: String, with text: String, keeping existing: Owner?
    ) -> Result<Void, FileIO.Failure> {
        // O_EXCL | O_NOFOLLOW: a name someone else planted (a link to elsewhere) is never written through.
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            temporary = path + ".tmp-\(getpid())" + (attempt == 0 ? "" : "-\(attempt)")
            // A new file gets 0644 less the umask; a replaced one its old mode, below.
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, existing == nil ? 0o644 : 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { return .failure(FileIO.Failure(errno: errno)) }
        // A signal that ends racelab before the rename removes it (see the shim's handlers).
        racelab_set_temporary(temporary)
        defer { racelab_set_temporary(nil) }
        // Owner first (as root, the replaced file's), then the mode: changing the owner
        // clears set-id bits, and a file that changed hands never keeps them.
        if let existing {
            if geteuid() == 0 { _ = fchown(fd, existing.user, existing.group) }
            let keepsOwner = geteuid() == 0 || existing.user == geteuid()
            _ = fchmod(fd, keepsOwner ? existing.mode : existing.mode & 0o1777)
        }
        var result = FileIO.writeAll(text, to: fd)
        if case .success = result, fsync(fd) != 0, errno != EINVAL { result = .failure(FileIO.Failure(errno: errno)) }
        if close(fd) != 0, case .success = result { result = .failure(FileIO.Failure(errno: errno)) }
        if case .success = result, rename(temporary, path) != 0 { result = .failure(FileIO.Failure(errno: errno)) }
        if case .failure = result { unlink(temporary) }
        return result
    }

    /// Opens a device or FIFO for writing. A FIFO with no reader is waited for, up to
    /// `fifoReaderWaitSeconds`, instead of blocking forever.
    private static func openStream(_ path: String) -> Int32 {
        let started = MonotonicClock.now()
        while true {
            let fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                return fd
            }
            let waited = Double(MonotonicClock.now() - started) / 1e9
            guard errno == ENXIO, waited < fifoReaderWaitSeconds else {
                if errno == ENXIO { errno = ETIMEDOUT }
                return -1
            }
            usleep(10_000)
        }
    }

    private static func connect(_ path: String) -> Int32 {
        #if canImport(Glibc)
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = Glibc.socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            errno = ENAMETOOLONG
            return -1
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            errno = code
            return -1
        }
        return fd
    }

    /// Runs `body` on a freshly opened descriptor and closes it; a failed open or
    /// close is the result. SIGPIPE is ignored meanwhile, so a reader that left is EPIPE.
    private static func withOpened(
        _ fd: Int32, _ body: (Int32) -> Result<Void, FileIO.Failure>
    ) -> Result<Void, FileIO.Failure> {
        guard fd >= 0 else { return .failure(FileIO.Failure(errno: errno)) }
        var result = ignoringBrokenPipes { body(fd) }
        if close(fd) != 0, case .success = result { result = .failure(FileIO.Failure(errno: errno)) }
        return result
    }

    private static func ignoringBrokenPipes<T>(_ body: () -> T) -> T {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        return body()
    }
}

/// `connect(2)`, under a name the `ResultFile.connect` above does not shadow.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
