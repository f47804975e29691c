import Testing

@testable import RaceLab
@testable import RaceLabCLI
@testable import RaceLabCommandLine
@testable import RaceLabModel
@testable import RaceLabReport
@testable import RaceLabScenarios

#if canImport(Glibc)
    import Glibc
#endif

/// Result files never replace what their path is: each case runs the real binary
/// on a path in a scratch directory (device nodes are made there, never in /dev)
/// and checks the path is still what it was, the bytes are where they belong, and
/// the exit code is the documented one.
@Suite("Result files", .serialized)
struct ResultFileTests {
    static let isRoot = geteuid() == 0

    /// A fresh directory under /tmp, removed (with what the test made in it) afterwards.
    final class Scratch {
        let path: String
        init() throws {
            var template = Array("/tmp/racelab-result-files-XXXXXX".utf8CString)
            let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            try #require(made != nil)
            path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        subscript(name: String) -> String { path + "/" + name }
        deinit { _ = ChildProcess(executable: "/bin/rm", arguments: ["-rf", path], timeoutSeconds: 10).run() }
    }

    /// The file type bits of what `path` itself is (a link is a link).
    static func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    static func junit(_ path: String, extra: [String] = [], directory: String) -> ChildProcess.Outcome {
        shell(
            "cd '\(directory)' && exec \"$RACELAB\" counter --threads 2 --duration 5 --check --junit '\(path)' "
                + extra.joined(separator: " "))
    }

    static func shell(_ script: String) -> ChildProcess.Outcome {
        ChildProcess(
            executable: "/bin/sh", arguments: ["-c", script],
            environment: ["RACELAB=\(ChildRunner.racelabExecutable)"], timeoutSeconds: 60
        ).run()
    }

    static func makeDevice(_ path: String, major: UInt32, minor: UInt32, block: Bool = false) throws {
        let device = dev_t((major << 8) | minor)  // glibc's encoding for major < 4096, minor < 256
        try #require(mknod(path, (block ? S_IFBLK : S_IFCHR) | 0o666, device) == 0)
    }

    @Test("a symlink is written through to its target and stays a link")
    func symlink() throws {
        let scratch = try Scratch()
        try FileIO.write("old\n", to: scratch["target.xml"]).get()
        #expect(Glibc.symlink("target.xml", scratch["link.xml"]) == 0)
        let outcome = Self.junit("link.xml", directory: scratch.path)
        #expect(outcome.end == .finished, "\(outcome.stderr)")
        #expect(Self.kind(scratch["link.xml"]) == S_IFLNK)
        #expect(try FileIO.read(scratch["target.xml"]).get().contains("<testsuites"))
    }

    @Test("a symlink to a file not there yet creates the file and stays a link")
    func danglingSymlink() throws {
        let scratch = try Scratch()
        #expect(Glibc.symlink("new.xml", scratch["link.xml"]) == 0)
        let outcome = Self.junit("link.xml", directory: scratch.path)
        #expect(outcome.end == .finished, "\(outcome.stderr)")
        #expect(Self.kind(scratch["link.xml"]) == S_IFLNK)
        #expect(try FileIO.read(scratch["new.xml"]).get().contains("<testsuites"))
    }

    @Test("a link to /proc/self/fd/1 (what /dev/stdout is) prints the JUnit on stdout and stays a link")
    func linkToStandardOutput() throws {
        let scratch = try Scratch()
        #expect(Glibc.symlink("/proc/self/fd/1", scratch["stdout"]) == 0)
        let outcome = Self.junit("stdout", directory: scratch.path)
        #expect(outcome.end == .finished, "\(outcome.stderr)")
        #expect(Self.kind(scratch["stdout"]) == S_IFLNK)
        // The table's verdict depends on the run; its header line does not.
        let table = try #require(outcome.stdout.range(of: "lost updates"))
        let xml = try #require(outcome.stdout.range(of: "<testsuites"))
        #expect(table.lowerBound < xml.lowerBound, "the JUnit follows the table, nothing overwritten")
    }

    @Test("a FIFO with a reader is written as a stream and stays a FIFO")
    func fifo() throws {
        let scratch = try Scratch()
        #expect(mkfifo(scratch["pipe"], 0o644) == 0)
        let outcome = Self.shell(
            "cd '\(scratch.path)' && { cat pipe > got & } && \"$RACELAB\" counter --threads 2 --duration 5"
                + " --junit pipe > /dev/null; code=$?; wait; echo \"code=$code\"")
        #expect(outcome.stdout.contains("code=0"), "\(outcome.stdout) \(outcome.stderr)")
        #expect(Self.kind(scratch["pipe"]) == S_IFIFO)
        #expect(try FileIO.read(scratch["got"]).get().contains("<testsuites"))
    }

    @Test("a null device takes the file and stays a device", .enabled(if: isRoot, "mknod needs root"))
    func nullDevice() throws {
        let scratch = try Scratch()
        try Self.makeDevice(scratch["null"], major: 1, minor: 3)
        let outcome = Self.junit("null", directory: scratch.path)
        #expect(outcome.end == .finished, "\(outcome.stderr)")
        #expect(Self.kind(scratch["null"]) == S_IFCHR)
    }

    @Test(
        "a full device is exit 73 with one line naming the file and the error, and stays a device",
        .enabled(if: isRoot, "mknod needs root"))
    func fullDevice() throws {
        let scratch = try Scratch()
        try Self.makeDevice(scratch["full"], major: 1, minor: 7)
        let outcome = Self.junit("full", directory: scratch.path)
        #expect(outcome.end == .exited(code: 73))
        let errors = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors == ["Error: cannot write 'full' for '--junit full': No space left on device."])
        #expect(Self.kind(scratch["full"]) == S_IFCHR)
    }

    @Test("a block device is refused before the run (exit 64), never written", .enabled(if: isRoot, "mknod needs root"))
    func blockDevice() throws {
        let scratch = try Scratch()
        try Self.makeDevice(scratch["disk"], major: 240, minor: 0, block: true)  // a local-use number: no disk
        let outcome = Self.junit("disk", directory: scratch.path)
        #expect(outcome.end == .exited(code: 64))
        #expect(outcome.stderr.contains("Invalid value 'disk' for '--junit <file>': it is a block device"))
        #expect(outcome.stdout.isEmpty)
        #expect(Self.kind(scratch["disk"]) == S_IFBLK)
    }

    @Test("a regular file is replaced whole and keeps its mode; a hard-linked one keeps its other names")
    func regularFiles() throws {
        let scratch = try Scratch()
        try FileIO.write("old\n", to: scratch["private.xml"]).get()
        chmod(scratch["private.xml"], 0o600)
        #expect(Self.junit("private.xml", directory: scratch.path).end == .finished)
        var info = stat()
        #expect(stat(scratch["private.xml"], &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try FileIO.read(scratch["private.xml"]).get().contains("<testsuites"))

        try FileIO.write("old\n", to: scratch["a.xml"]).get()
        #expect(link(scratch["a.xml"], scratch["b.xml"]) == 0)
        #expect(Self.junit("a.xml", directory: scratch.path).end == .finished)
        #expect(try FileIO.read(scratch["b.xml"]).get().contains("<testsuites"))
    }

    @Test("sweep --out into a directory whose sweep.json is a symlink writes through it")
    func sweepThroughSymlink() throws {
        let scratch = try Scratch()
        #expect(mkdir(scratch["out"], 0o755) == 0)
        try FileIO.write("old\n", to: scratch["kept.json"]).get()
        #expect(Glibc.symlink("../kept.json", scratch["out/sweep.json"]) == 0)
        let outcome = Self.shell(
            "cd '\(scratch.path)' && exec \"$RACELAB\" sweep counter --threads 1,2 --runs 1 --iterations 1000"
                + " --out out")
        #expect(outcome.end == .finished, "\(outcome.stderr)")
        #expect(Self.kind(scratch["out/sweep.json"]) == S_IFLNK)
        #expect(try FileIO.read(scratch["kept.json"]).get().contains("\"kind\""))
        #expect(Self.kind(scratch["out/sweep.csv"]) == S_IFREG)
    }

    @Test("a pipe whose reader left is EPIPE, not a SIGPIPE that ends racelab")
    func brokenPipe() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        close(ends[0])
        defer { close(ends[1]) }
        guard case .failure(let failure) = ResultFile.descriptor(ends[1]).write("lost\n") else {
            Issue.record("a write into a pipe with no reader went through")
            return
        }
        #expect(failure == FileIO.Failure(errno: EPIPE))
    }

    @Test("writing leaves no temporary file behind")
    func noTemporaryFiles() throws {
        let scratch = try Scratch()
        try FileIO.write("one\n", to: scratch["a.txt"]).get()
        try FileIO.write("two\n", to: scratch["a.txt"]).get()
        let listing = Self.shell("ls -A '\(scratch.path)'").stdout
        #expect(listing == "a.txt\n")
        #expect(try FileIO.read(scratch["a.txt"]).get() == "two\n")
    }

    @Test(
        "a character device other than a terminal or null, zero, full is refused before the run, never opened",
        .enabled(if: isRoot, "mknod needs root"))
    func otherCharacterDevice() throws {
        let scratch = try Scratch()
        try Self.makeDevice(scratch["device"], major: 240, minor: 0)  // a local-use number: no driver
        let outcome = Self.junit("device", directory: scratch.path)
        #expect(outcome.end == .exited(code: 64))
        #expect(outcome.stderr.contains("it is a character device racelab does not write to"))
        #expect(Self.kind(scratch["device"]) == S_IFCHR)
    }

    @Test("--json with --junit to its own stdout is refused: stdout is the JSON document")
    func jsonAndJUnitOnStdout() throws {
        let scratch = try Scratch()
        #expect(Glibc.symlink("/proc/self/fd/1", scratch["stdout"]) == 0)
        let outcome = Self.junit("stdout", extra: ["--json"], directory: scratch.path)
        #expect(outcome.end == .exited(code: 64))
        #expect(outcome.stderr.contains("it is racelab's standard output, where the JSON document goes"))
        #expect(outcome.stdout.isEmpty)
    }
}
