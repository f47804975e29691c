import CRaceLabShims
import RaceLab

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program as a child process, bounded by a timeout, capturing its stdout
/// and stderr. This is how racelab contains strategies that are undefined
/// behaviour (a crash is the child's, not racelab's) or that may hang.
package struct ChildProcess: Sendable {
    /// How it went: the end, the captured output, and how long it ran.
    package struct Outcome: Sendable {
        package var end: ChildEnd
        package var stdout: String
        package var stderr: String
        package var milliseconds: Double
    }

    package var executable: String
    package var arguments: [String]
    /// Extra environment entries, "NAME=value", added to racelab's own.
    package var environment: [String]
    package var timeoutSeconds: Double

    package init(executable: String, arguments: [String], environment: [String] = [], timeoutSeconds: Double) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
    }

    /// Starts the child and waits for it; a child still running at the timeout is
    /// killed (SIGKILL) and reaped, so none is left behind.
    package func run() -> Outcome {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // Close-on-exec: a child started at the same moment from another thread must not
        // inherit this one's write ends (its reader would then never see end of file).
        guard Self.closeOnExecPipe(&outPipe) == 0 else {
            return Outcome(end: .exited(code: 127), stdout: "", stderr: "pipe failed", milliseconds: 0)
        }
        guard Self.closeOnExecPipe(&errPipe) == 0 else {
            outPipe.forEach { close($0) }
            return Outcome(end: .exited(code: 127), stdout: "", stderr: "pipe failed", milliseconds: 0)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        // An entry set here replaces an inherited one of the same name: getenv reads the first.
        let names = Set(environment.map { $0.prefix { $0 != "=" } })
        let inherited = Self.currentEnvironment().filter { !names.contains($0.prefix { $0 != "=" }) }
        let envp = (inherited + environment).map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // Its own process group, so a timeout kills everything it started too.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A clean signal state: a thread of Dispatch's or Swift's pool blocks most signals,
        // and a child would inherit that mask (then ignore SIGTERM, SIGHUP, its own alarm).
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGALRM, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        // Reads never block: a grandchild may hold the pipes open after the child died.
        for fd in [outPipe[0], errPipe[0]] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let started = MonotonicClock.now()
        var pid: pid_t = 0
        // Tracked so that Ctrl-C or SIGTERM kills it (see racelab_install_interrupt_handlers),
        // from the moment it exists: a signal in between waits for the end of this bracket.
        racelab_spawn_begin()
        let spawnCode = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        racelab_spawn_end(spawnCode == 0 ? pid : 0)
        close(outPipe[1])
        close(errPipe[1])
        defer {
            close(outPipe[0])
            close(errPipe[0])
        }
        guard spawnCode == 0 else {
            return Outcome(
                end: .exited(code: 127), stdout: "",
                stderr: "could not start \(executable): \(String(cString: strerror(spawnCode)))", milliseconds: 0)
        }
        defer { racelab_untrack_child(pid) }

        var out: [UInt8] = []
        var err: [UInt8] = []
        var openFDs = [outPipe[0], errPipe[0]]
        let deadline = started + UInt64(timeoutSeconds * 1e9)
        var killedForTimeout = false
        var status: Int32 = 0
        var reaped = false
        while !reaped {
            if !openFDs.isEmpty {
                var fds = openFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                _ = poll(&fds, nfds_t(fds.count), 10)
                for entry in fds where entry.revents != 0 {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    let n = read(entry.fd, &buffer, buffer.count)
                    if n > 0 {
                        if entry.fd == outPipe[0] { out += buffer[0..<n] } else { err += buffer[0..<n] }
                    } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)
                        || entry.revents & Int16(POLLIN) == 0
                    {
                        openFDs.removeAll { $0 == entry.fd }
                    }
                }
            } else {
                usleep(1000)
            }
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { reaped = true; break }
            if !killedForTimeout, MonotonicClock.now() > deadline {
                kill(-pid, SIGKILL)  // the whole group
                killedForTimeout = true
            }
        }
        // The child is gone; whatever it wrote is still in the pipes.
        for fd in openFDs {
            if fd == outPipe[0] { Self.drain(fd, into: &out) } else { Self.drain(fd, into: &err) }
        }
        let elapsed = Double(MonotonicClock.now() - started) / 1e6
        let end: ChildEnd
        if killedForTimeout {
            end = .hung(timeoutSeconds: timeoutSeconds)
        } else if Self.wasSignaled(status) {
            end = .crashed(signal: status & 0x7f)
        } else {
            let code = (status >> 8) & 0xff
            end = code == 0 ? .finished : .exited(code: code)
        }
        return Outcome(
            end: end, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
            milliseconds: elapsed)
    }

    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Int32 {
        ends.withUnsafeMutableBufferPointer { racelab_pipe_cloexec($0.baseAddress) }
    }

    private static func wasSignaled(_ status: Int32) -> Bool {
        let signal = status & 0x7f
        return signal != 0 && signal != 0x7f
    }

    private static func drain(_ fd: Int32, into bytes: inout [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            bytes += buffer[0..<n]
        }
    }

    private static func currentEnvironment() -> [String] {
        var result: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            result.append(String(cString: entry))
            pointer += 1
        }
        return result
    }

    /// The path of the running executable (Linux: /proc/self/exe, resolved).
    package static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments.first ?? "racelab" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
