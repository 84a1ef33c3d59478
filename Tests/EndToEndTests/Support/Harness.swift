import Foundation
import Synchronization
import Glibc
import Testing

/// Where the real binaries and the repository's files are.
enum Paths {
    /// The directory holding amanatd, amanat and amanat-keyholder: `$AMANAT_BIN_DIR`, else the directory
    /// of this test executable, which SwiftPM builds next to the products.
    static let binaries: String = {
        if let directory = ProcessInfo.processInfo.environment["AMANAT_BIN_DIR"] { return directory }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().path
    }()

    /// The repository root.
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path

    static func binary(_ name: String) -> String { "\(binaries)/\(name)" }
    static var forms: String { "\(root)/config/forms" }
    static func example(_ name: String) -> String { "\(root)/examples/\(name)" }
}

/// A private temporary directory with a short path (socket paths must fit in 108 bytes), removed on deinit.
final class TempDir: @unchecked Sendable {
    let path: String

    init() throws {
        var template = Array("/tmp/amanat-e2e-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws -> String {
        let target = file(name)
        guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else {
            throw HarnessError("cannot write \(target)")
        }
        chmod(target, mode)
        return target
    }

    @discardableResult
    func write(_ name: String, _ text: String, mode: mode_t = 0o600) throws -> String {
        try write(name, Array(text.utf8), mode: mode)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a finished process left behind.
struct Outcome: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stdoutLines: [String] { stdoutText.split(separator: "\n").map(String.init) }
}

/// Runs `binary` to completion. Output goes through files rather than pipes, so that neither stream
/// can fill up and block the child while the other is read.
func run(
    _ binary: String, _ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:]
) async throws -> Outcome {
    let scratch = try TempDir()
    let inPath = try scratch.write("stdin", stdin)
    let outPath = try scratch.write("stdout", [])
    let errPath = try scratch.write("stderr", [])
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "AMANAT_SOCKET")
    env.removeValue(forKey: "NOTIFY_SOCKET")
    // amanat-keyholder remembers each site's verified head under $XDG_STATE_HOME: a fresh place per run, so that no
    // test writes to the real home or sees another's heads (tests of the heads file give --heads).
    env["XDG_STATE_HOME"] = scratch.path
    env.merge(environment) { $1 }
    let child = Child(try spawn(binary, arguments, environment: env, stdin: inPath, stdout: outPath, stderr: errPath))
    let status = await child.waitForExit()
    let stdout = [UInt8](FileManager.default.contents(atPath: outPath) ?? Data())
    let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    return Outcome(status: status, stdout: stdout, stderr: stderr)
}

/// A child started with `spawn`, with the part of Foundation's `Process` the tests use (its pid, whether it runs,
/// waiting for its end, how it ended) on waitpid. Children are started with posix_spawn, never Foundation's `Process`:
/// CI runs crashed inside `Process.run()` (memcpy, bad pointer) while tests started processes in parallel, even with
/// the launches serialised.
///
/// It is reaped exactly once, under `reaped`'s lock, so no signal or wait can reach another process that was given
/// its pid afterwards. Released while still running, it is killed and reaped: no test leaves a zombie or a stray child.
final class Child: Sendable {
    /// How the child ended, as Foundation's `Process.TerminationReason` says it.
    enum TerminationReason: Sendable {
        case exit
        case uncaughtSignal
    }

    let processIdentifier: pid_t
    /// The wait status once the child is reaped.
    private let reaped = Mutex<Int32?>(nil)

    init(_ pid: pid_t) {
        processIdentifier = pid
    }

    deinit {
        if isRunning {
            signal(SIGKILL)
            waitUntilExit()
        }
    }

    /// False once the child has ended (it is then reaped).
    var isRunning: Bool { reap() == nil }

    /// The exit code, or the number of the signal that ended the child, as Foundation reports it.
    /// Only once the child has ended.
    var terminationStatus: Int32 {
        let status = ended()
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : status & 0x7F
    }

    /// Only once the child has ended.
    var terminationReason: TerminationReason { ended() & 0x7F == 0 ? .exit : .uncaughtSignal }

    /// Sends `signal` unless the child is already reaped (its pid may then be another process's).
    func signal(_ signal: Int32) {
        reaped.withLock { reaped in
            if reaped == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Sends SIGTERM.
    func terminate() {
        signal(SIGTERM)
    }

    /// Blocks until the child has ended and is reaped.
    func waitUntilExit() {
        while reap() == nil {
            // Waits without reaping (WNOWAIT): the pid stays this child's until `reap` takes it under the lock.
            var info = siginfo_t()
            _ = waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT)
        }
    }

    /// Waits for the end on a Dispatch thread, not one of the cooperative pool's; returns `terminationStatus`.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.waitUntilExit()
                continuation.resume()
            }
        }
        return terminationStatus
    }

    /// Reaps the child if it has ended, without waiting: its wait status, or nil while it runs.
    private func reap() -> Int32? {
        reaped.withLock { reaped in
            if reaped == nil {
                var status: Int32 = 0
                var rc = waitpid(processIdentifier, &status, WNOHANG)
                while rc < 0 && errno == EINTR { rc = waitpid(processIdentifier, &status, WNOHANG) }
                if rc == processIdentifier {
                    reaped = status
                } else if rc < 0 {
                    // Someone else reaped it (it should not happen): an exit status no test expects, never a false 0.
                    reaped = 0xFF00
                }
            }
            return reaped
        }
    }

    private func ended() -> Int32 {
        guard let status = reap() else { preconditionFailure("child \(processIdentifier) is still running") }
        return status
    }
}

/// Starts `binary` with standard input, output and error on the given files (output and error share one open file
/// when they name the same), no other descriptor inherited, default signal handling, and `environment`; returns its pid.
func spawn(
    _ binary: String, _ arguments: [String], environment: [String: String], stdin: String, stdout: String, stderr: String
) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_TRUNC, 0)
    if stderr == stdout {
        // One open file, as a shell's `>file 2>&1` makes: two opens would each write from offset 0 over the other.
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    } else {
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_TRUNC, 0)
    }
    // A descriptor of the test process left open in a child (a socket, a file being written) would change
    // what the test sees, or make exec fail with ETXTBSY elsewhere.
    if let closeFrom = try? libc(
        "posix_spawn_file_actions_addclosefrom_np",
        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self
    ) {
        _ = closeFrom(&actions, 3)
    }
    let (pid, rc) = spawn(binary, arguments, environment: environment, actions: &actions,
                          defaultSignals: [SIGINT, SIGTERM, SIGPIPE, SIGHUP])
    guard rc == 0 else { throw HarnessError("posix_spawn \(binary) failed: \(String(cString: strerror(rc)))") }
    return pid
}

/// Starts `binary` with `actions`, no signal blocked, `defaultSignals` handled by default and the extra spawn
/// `flags`; returns the pid and posix_spawn's result.
func spawn(
    _ binary: String, _ arguments: [String], environment: [String: String], actions: inout posix_spawn_file_actions_t,
    defaultSignals: [Int32], flags: Int32 = 0
) -> (pid: pid_t, result: Int32) {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in defaultSignals { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, binary, &actions, &attributes, argv, envp)
    return (pid, rc)
}

/// The bytes of a file, or empty when it does not exist.
func contents(_ path: String) -> [UInt8] {
    [UInt8](FileManager.default.contents(atPath: path) ?? Data())
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        let first = needle[0]
        var index = 0
        while let start = self[index...].firstIndex(of: first), start + needle.count <= count {
            if self[start..<start + needle.count].elementsEqual(needle) { return true }
            index = start + 1
        }
        return false
    }
}

/// Calls `body` with a `sockaddr_un` for `path` and its length. A leading `@` names an abstract socket.
func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var name = Array(path.utf8)
    let abstract = name.first == UInt8(ascii: "@")
    if abstract { name[0] = 0 }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: name) }
    // An abstract name is exactly its bytes; a path may be given the whole structure.
    let length = abstract ? MemoryLayout<sa_family_t>.size + name.count : MemoryLayout<sockaddr_un>.size
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(length)) }
    }
}

/// A stream connection to the Unix socket at `path`.
func connectedSocket(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HarnessError("socket failed") }
    guard withUnixAddress(path, { connect(fd, $0, $1) }) == 0 else {
        close(fd)
        throw HarnessError("connect \(path) failed")
    }
    return fd
}

/// Waits at most `seconds` for the child `pid` to end, without polling on a timer: its wait status, or nil when it
/// had not ended (it is then killed and reaped, so that no test stalls on a hung child).
func waitForExit(_ pid: pid_t, seconds: Int32) -> Int32? {
    if let pidfdOpen = try? libc("pidfd_open", as: (@convention(c) (pid_t, UInt32) -> Int32).self) {
        let descriptor = pidfdOpen(pid, 0)
        if descriptor >= 0 {
            defer { close(descriptor) }
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            var rc = poll(&ready, 1, seconds * 1000)
            while rc < 0 && errno == EINTR { rc = poll(&ready, 1, seconds * 1000) }
            if rc == 0 { kill(pid, SIGKILL) }
            var status: Int32 = 0
            var reaped = waitpid(pid, &status, 0)
            while reaped < 0 && errno == EINTR { reaped = waitpid(pid, &status, 0) }
            return rc == 1 && reaped == pid ? status : nil
        }
    }
    var status: Int32 = 0
    var reaped = waitpid(pid, &status, 0)
    while reaped < 0 && errno == EINTR { reaped = waitpid(pid, &status, 0) }
    return reaped == pid ? status : nil
}
