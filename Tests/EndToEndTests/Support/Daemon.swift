import AmanatClient
import Foundation
import Glibc
import Testing

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`, so tests wait for amanatd's own
/// readiness signal instead of sleeping.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private(set) var messages: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        if !path.hasPrefix("@") { unlink(path) }  // left by an earlier daemon in the same directory
        let rc = withUnixAddress(path) { bind(fd, $0, $1) }
        guard rc == 0 else { throw HarnessError("bind \(path) failed") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
    }

    /// Waits until `count` datagrams containing `state` have arrived in all; returns the arrival times of
    /// those seen during this call. Gives up after `seconds` (a failure of the daemon).
    func waitForCount(_ state: String, count: Int, seconds: Double = 60) -> [Date] {
        var arrivals: [Date] = []
        var seen = messages.filter { $0.contains(state) }.count
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while seen < count && Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let message = String(decoding: buffer[0..<n], as: UTF8.self)
            messages.append(message)
            if message.contains(state) {
                seen += 1
                arrivals.append(Date())
            }
        }
        return arrivals
    }

    /// Waits until a datagram containing `state` arrives. Gives up when `stillRunning` turns false or after
    /// `seconds`: both are failures of the daemon, not timing assumptions.
    func wait(for state: String, seconds: Double = 60, stillRunning: () -> Bool) -> Bool {
        if messages.contains(where: { $0.contains(state) }) { return true }
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                messages.append(message)
                if message.contains(state) { return true }
            } else if !stillRunning() {
                return false
            }
        }
        return false
    }
}

/// A real amanatd on a temporary socket and database.
final class Daemon: @unchecked Sendable {
    let directory: TempDir
    let socketPath: String
    let databasePath: String
    let stderrPath: String
    /// amanatd; killed and reaped if still running when the daemon is released.
    let process: Child
    let notify: NotifySocket

    /// Starts amanatd and waits for READY=1.
    init(
        in directory: TempDir, recipients: [String], forms: String? = Paths.forms, extraArguments: [String] = [],
        environment: [String: String] = [:], notifySocket: String? = nil
    ) throws {
        self.directory = directory
        socketPath = directory.file("amanatd.sock")
        databasePath = directory.file("amanat.sqlite")
        stderrPath = try directory.write("amanatd.stderr", [])
        notify = try NotifySocket(path: notifySocket ?? directory.file("notify.sock"))
        var arguments = ["--socket", socketPath, "--database", databasePath]
        if let forms { arguments += ["--forms", forms] }
        for recipient in recipients { arguments += ["--recipient", recipient] }
        // amanatd refuses root unless told; CI runs as root.
        if geteuid() == 0 { arguments.append("--allow-root") }
        var processEnvironment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        processEnvironment["NOTIFY_SOCKET"] = notify.path
        let process = Child(
            try spawn(
                Paths.binary("amanatd"), arguments + extraArguments, environment: processEnvironment,
                stdin: "/dev/null", stdout: stderrPath, stderr: stderrPath
            )
        )
        self.process = process
        guard notify.wait(for: "READY=1", stillRunning: { process.isRunning }) else {
            process.terminate()
            process.waitUntilExit()
            throw HarnessError("amanatd did not become ready: \(output)")
        }
    }

    /// Everything amanatd wrote to stdout and stderr so far.
    var output: String { String(decoding: contents(stderrPath), as: UTF8.self) }

    var client: UnixHTTPClient { UnixHTTPClient(socketPath: socketPath, timeoutSeconds: 30) }

    /// Waits until amanatd's output holds `text` at least `count` times, woken by each write to the output file
    /// (inotify), never by a timer. Gives up after `seconds` or when amanatd has ended: both are failures of the
    /// daemon, not timing assumptions.
    func waitForOutput(_ text: String, count: Int, seconds: Int32 = 60) -> Bool {
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        guard watch >= 0 else { return false }
        defer { close(watch) }
        guard inotify_add_watch(watch, stderrPath, UInt32(IN_MODIFY)) >= 0 else { return false }
        let deadline = Date().addingTimeInterval(Double(seconds))
        var events = [UInt8](repeating: 0, count: 4096)
        // Watching first, then reading, so that no write between the two is missed.
        while output.components(separatedBy: text).count - 1 < count {
            let left = Int32(deadline.timeIntervalSinceNow * 1000)
            guard left > 0, process.isRunning else { return false }
            var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, left) == 1 {
                _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) }
            }
        }
        return true
    }

    /// Sends SIGTERM and waits for the exit status.
    func stop() async -> Int32 {
        process.terminate()
        return await waitForExit()
    }

    /// Waits for amanatd to end: its exit code, or the signal that ended it.
    func waitForExit() async -> Int32 {
        await process.waitForExit()
    }

    /// Runs the real `amanat` CLI against this daemon.
    func amanat(_ arguments: [String], stdin: [UInt8] = []) async throws -> Outcome {
        try await run(Paths.binary("amanat"), ["--socket", socketPath] + arguments, stdin: stdin)
    }
}
