import Foundation
import Glibc

/// A child started with posix_spawn and reaped with wait4, so that its resource usage (peak RSS, CPU time)
/// is ours to read. Foundation's Process hides both.
final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    let pid: pid_t
    private var reaped: (status: Int32, usage: rusage)?

    /// Starts `executable` with `arguments`. Standard input is /dev/null; standard output and error go to the
    /// given descriptors (which the child receives as 1 and 2).
    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        stdout: Int32, stderr: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// True while the child has not exited (and has not been reaped).
    var isRunning: Bool {
        guard reaped == nil else { return false }
        var status: Int32 = 0
        var usage = rusage()
        let rc = wait4(pid, &status, WNOHANG, &usage)
        if rc == pid {
            reaped = (status, usage)
            return false
        }
        return rc == 0
    }

    /// Waits for the child to exit; returns its wait status and resource usage.
    @discardableResult
    func wait() -> (status: Int32, usage: rusage) {
        if let reaped { return reaped }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        reaped = (status, usage)
        return (status, usage)
    }

    /// The exit code, or 128 + signal number when a signal ended it.
    static func exitCode(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    deinit {
        if reaped == nil {
            kill(pid, SIGKILL)
            wait()
        }
    }
}

/// A failure of the benchmark itself (not of a measured component's speed).
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Opens `path` for writing (created or truncated), close-on-exec.
func openForWriting(_ path: String) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw BenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
    return fd
}
