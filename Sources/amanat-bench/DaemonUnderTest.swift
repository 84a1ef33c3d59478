import Foundation
import Glibc

/// The real release amanatd on a temporary socket and database, started from a TOML config and awaited
/// through its own readiness signal (a `$NOTIFY_SOCKET` datagram), never by sleeping.
final class DaemonUnderTest {
    let socketPath: String
    let databasePath: String
    let logPath: String
    private let child: ChildProcess
    private let notifyFD: Int32

    var pid: pid_t { child.pid }

    /// Starts amanatd from `binary` in `directory` with `recipients` for both sealed sections.
    init(binary: String, directory: String, forms: String, recipients: [String]) throws {
        socketPath = directory + "/amanatd.sock"
        databasePath = directory + "/amanat.sqlite"
        logPath = directory + "/amanatd.log"
        let configPath = directory + "/amanatd.toml"
        let notifyPath = directory + "/notify.sock"
        // The rate limit and connection limit are raised so that the benchmark measures throughput, not them.
        let config = """
            socket = "\(socketPath)"
            socket_mode = "0600"
            database = "\(databasePath)"
            forms = "\(forms)"
            recipients = [\(recipients.map { "\"\($0)\"" }.joined(separator: ", "))]
            allow_root = \(geteuid() == 0)
            log_level = "info"

            [limits]
            max_connections = 1024
            submissions_per_minute = 1000000

            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))

        let notifyFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.notifyFD = notifyFD
        guard notifyFD >= 0 else { throw BenchError("cannot make the notify socket") }
        unlink(notifyPath)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(notifyPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(notifyFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw BenchError("cannot bind \(notifyPath)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(notifyFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let log = try openForWriting(logPath)
        defer { close(log) }
        child = try ChildProcess(
            binary, ["--config", configPath], environment: ["NOTIFY_SOCKET": notifyPath], stdout: log, stderr: log
        )
        let deadline = now() + 60
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(notifyFD, $0.baseAddress, $0.count, 0) }
            if n > 0, String(decoding: buffer[0..<n], as: UTF8.self).contains("READY=1") { break }
            if !child.isRunning || now() > deadline {
                throw BenchError("amanatd did not become ready; its log: \(logPath)")
            }
        }
    }

    /// Stops amanatd with SIGTERM and returns its exit code.
    func stop() -> Int32 {
        if child.isRunning { kill(child.pid, SIGTERM) }
        return ChildProcess.exitCode(child.wait().status)
    }

    deinit {
        close(notifyFD)
    }
}
