import Foundation
import GRDB
import Glibc
import Testing

/// Every connection has a deadline in every phase, and no peer uid holds more than its share of the daemon:
/// idle, slow, half-sent and pipelined connections never keep a new request from being answered, or a stop from
/// finishing.
@Suite("connection deadlines and shares")
struct ConnectionDeadlineTests {
    /// A health request answered, then the head of a POST whose body never comes, in one write: the second request's
    /// bytes arrive while the first is answered. This once switched off both the request and the idle timeout.
    static let pipelinedHalfPost =
        "GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n"
        + "POST /v1/testimonies HTTP/1.1\r\nHost: amanat\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"

    @Test("a pipelined request whose body never comes is cut at its request deadline, with idle time an hour")
    func pipelinedHalfSentRequest() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--request-timeout-seconds", "2", "--idle-timeout-seconds", "3600"]
        )
        let fd = try connectedSocket(daemon.socketPath)
        defer { close(fd) }
        let first = try exchange(fd, Self.pipelinedHalfPost)
        #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")
        // The daemon closes within the 2 s request deadline; 20 s of silence means no deadline ran.
        #expect(endOfFile(fd, within: 20) == .closed)
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
    }

    @Test("a client that stops reading its answer is cut after the idle time")
    func stalledReader() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: [
                "--idle-timeout-seconds", "2", "--request-timeout-seconds", "3600", "--answer-timeout-seconds", "3600",
            ]
        )
        // Many requests for the form in one write, none of their answers read: the answers fill the socket's buffers,
        // the daemon's writes stall, and only the sending deadline can end the connection.
        let fd = try connectedSocket(daemon.socketPath)
        defer { close(fd) }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        let requests = String(repeating: "GET /v1/forms/testimony HTTP/1.1\r\nHost: amanat\r\n\r\n", count: 2000)
        let bytes = Array(requests.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { break }
            sent += n
        }
        // Nothing is read until the daemon has given up on this client: then the buffered answers and end-of-file.
        let gone = try await waitUntil(seconds: 30) { try openSockets(of: daemon) <= 1 }
        #expect(gone, "the daemon still holds the connection of a client that reads nothing")
        #expect(endOfFile(fd, within: 20) == .closed)
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
    }

    @Test("hundreds of idle, half-sent and pipelined connections of one uid never keep a new request waiting")
    func floodOfOneUid() async throws {
        try raiseFileLimit(to: 2000)
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        chmod(directory.path, 0o711)
        let share = 150
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: [
                "--max-connections", "400", "--max-connections-per-peer", "\(share)", "--max-requests-per-peer", "16",
                "--idle-timeout-seconds", "3600", "--request-timeout-seconds", "3600", "--submitter-group", "nogroup",
            ]
        )
        var flood: [Int32] = []
        defer { flood.forEach { close($0) } }
        for index in 0..<600 {
            let fd = try connectedSocket(daemon.socketPath)
            flood.append(fd)
            switch index % 3 {
            case 0: break  // connected, silent
            case 1: sendAll(fd, "POST /v1/testimonies HTTP/1.1\r\nContent-Le")  // a head cut in the middle
            default: sendAll(fd, Self.pipelinedHalfPost)
            }
        }
        // The last connection of the flood (a pipelined one) is answered, 200 or 503, only once amanatd has accepted it,
        // and so every connection before it: the listen queue is drained.
        let lastAnswer = try exchange(flood[flood.count - 1], "")
        #expect(lastAnswer.hasPrefix("HTTP/1.1 200") || lastAnswer.hasPrefix("HTTP/1.1 503"), "\(lastAnswer)")
        // The flood has been taken in once its uid holds its share and the rest have been answered or closed.
        let settled = try await waitUntil(seconds: 60) { try openSockets(of: daemon) <= share + 1 }
        let held = try openSockets(of: daemon)
        #expect(settled, "amanatd holds \(held) connections of one uid, over its share")

        // The same uid is answered at once: by taking the place of one of its idle connections, or with 503. Timed from
        // connect to answer inside a separate client, so that this test process's own scheduling is not counted.
        let same = try await run("/usr/bin/python3", ["-c", Self.timedHealthCheck, daemon.socketPath])
        let sameFields = same.stdoutText.split(whereSeparator: \.isWhitespace)
        #expect(sameFields.first == "HTTP/1.1", "\(same.stdoutText) \(same.stderr)")
        #expect(["200", "503"].contains(sameFields.dropFirst().first ?? ""))
        let sameElapsed = sameFields.last.flatMap { Double($0) } ?? .infinity
        print("beside the flood, its own uid was answered \(sameFields.dropFirst().first ?? "?") in \(sameElapsed) s")
        #expect(sameElapsed < 1, "the flooding uid waited \(sameElapsed) s for an answer")

        // Another uid has its own share, and is served in full. Timed from connect to answer inside a client running as
        // that uid, so that starting the client is not counted.
        let other = try await run("/usr/bin/setpriv", [
            "--reuid=\(PeerCredentialTests.nobody)", "--regid=\(PeerCredentialTests.nobody)", "--groups=0", "--",
            "/usr/bin/python3", "-c", Self.timedHealthCheck, daemon.socketPath,
        ])
        let fields = other.stdoutText.split(whereSeparator: \.isWhitespace)
        #expect(fields.first == "HTTP/1.1", "\(other.stdoutText) \(other.stderr)")
        #expect(fields.dropFirst().first == "200")
        let otherElapsed = fields.last.flatMap { Double($0) } ?? .infinity
        #expect(otherElapsed < 1, "another uid waited \(otherElapsed) s beside the flood")
        // Nor did the flood's uid get more than its share meanwhile (the other uid's connection closes after its answer).
        #expect(try await waitUntil(seconds: 10) { try openSockets(of: daemon) <= share + 1 })
        #expect(await daemon.stop() == 0)
    }

    /// Connects to the socket given as its argument, asks for health, and prints the status line's first two words
    /// and the seconds from connect to the end of the answer's head.
    static let timedHealthCheck = """
        import socket, sys, time
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        started = time.monotonic()
        s.connect(sys.argv[1])
        s.sendall(b"GET /v1/health HTTP/1.1\\r\\nHost: amanat\\r\\n\\r\\n")
        answer = b""
        while b"\\r\\n\\r\\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
        elapsed = time.monotonic() - started
        print(" ".join(answer.split(b"\\r\\n")[0].decode().split(" ")[:2]), "%.3f" % elapsed)
        """

    @Test("a new connection of a uid at its share takes the place of its oldest idle connection")
    func idleConnectionGivesWay() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--max-connections-per-peer", "8", "--idle-timeout-seconds", "3600"]
        )
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<8 {
            let fd = try connectedSocket(daemon.socketPath)
            // One answered request each, so that all eight are known to be admitted, in this order.
            #expect(try exchange(fd, "GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            idle.append(fd)
        }
        let response = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
        #expect(response.status == 201)
        #expect(endOfFile(idle[0], within: 10) == .closed, "the oldest idle connection was not the one closed")
        #expect(endOfFile(idle[1], within: 0) == .open)
        #expect(await daemon.stop() == 0)
    }

    @Test("a peer gets 503 for requests in flight beyond its share, and the others finish")
    func requestsInFlightShare() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: ["--max-requests-per-peer", "2", "--request-timeout-seconds", "3600"]
        )
        let body = Array(BadInputTests.minimal())
        let head = "POST /v1/testimonies HTTP/1.1\r\nHost: amanat\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        // Three heads, their bodies held back: whichever comes third is over the share, so exactly one is answered
        // before its body is sent, with 503, and the other two wait for their bodies.
        let connections = try (0..<3).map { _ in try connectedSocket(daemon.socketPath) }
        defer { connections.forEach { close($0) } }
        for fd in connections { sendAll(fd, head) }
        var ready = connections.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var rc = poll(&ready, nfds_t(ready.count), 30_000)
        while rc < 0 && errno == EINTR { rc = poll(&ready, nfds_t(ready.count), 30_000) }
        let answered = ready.filter { $0.revents != 0 }.map(\.fd)
        try #require(answered.count == 1, "\(answered.count) of three requests were answered before their bodies")
        let refused = try exchange(answered[0], "")
        #expect(refused.hasPrefix("HTTP/1.1 503"))
        #expect(refused.contains("urn:amanat:problem:too-many-in-flight"))
        for fd in connections where fd != answered[0] {
            _ = body.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #expect(try exchange(fd, "").hasPrefix("HTTP/1.1 201"))
        }
        #expect(await daemon.stop() == 0)
    }

    @Test("SIGTERM finishes within the stop time whatever clients do, and signs the clean-stop checkpoint")
    func stopIsBounded() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey],
            extraArguments: [
                "--stop-timeout-seconds", "2", "--request-timeout-seconds", "3600", "--idle-timeout-seconds", "3600",
                "--checkpoint-interval-seconds", "60",
            ]
        )
        #expect(try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
            .status == 201)
        // In flight when the stop begins: a pipelined POST whose body never comes, and one that trickles its body.
        let pipelined = try connectedSocket(daemon.socketPath)
        defer { close(pipelined) }
        #expect(try exchange(pipelined, Self.pipelinedHalfPost).hasPrefix("HTTP/1.1 200"))
        let trickling = try connectedSocket(daemon.socketPath)
        defer { close(trickling) }
        sendAll(trickling, "POST /v1/testimonies HTTP/1.1\r\nHost: amanat\r\nContent-Length: 1000\r\n\r\n{")
        let trickler = Task.detached {
            // One byte now and then, until the daemon closes: never idle, never done.
            while endOfFile(trickling, within: 1) == .open { sendAll(trickling, " ") }
        }
        defer { trickler.cancel() }
        let started = Date()
        daemon.process.terminate()
        let exited = exitedWithin(daemon.process.processIdentifier, seconds: 30)
        let elapsed = Date().timeIntervalSince(started)
        #expect(exited, "amanatd did not stop within 30 s")
        if !exited { daemon.process.signal(SIGKILL) }  // a failure, not a hang
        #expect(await daemon.waitForExit() == 0)
        #expect(elapsed < 10, "the stop took \(elapsed) s with a 2 s stop time")
        #expect(endOfFile(pipelined, within: 5) == .closed)
        // The clean stop signed a checkpoint over the last ledger entry.
        let queue = try DatabaseQueue(path: daemon.databasePath)
        let (lastEntry, lastSigned) = try await queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT max(seq) FROM ledger"),
             try Int.fetchOne(db, sql: "SELECT max(ledger_seq) FROM checkpoints"))
        }
        #expect(lastEntry != nil && lastEntry == lastSigned)
        _ = await trickler.value
    }
}

/// Whether a connection's peer has closed it.
enum PeerState: Equatable {
    case closed, open
}

/// Reads and discards until end-of-file (or a reset): `.closed` if that comes within `seconds`, `.open` otherwise.
func endOfFile(_ fd: Int32, within seconds: Int) -> PeerState {
    var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let deadline = Date().addingTimeInterval(Double(seconds))
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let left = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
        let rc = poll(&ready, 1, left)
        if rc < 0 && errno == EINTR { continue }
        guard rc > 0 else { return .open }
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return .closed }
    }
}

/// Sends all of `text` on a blocking socket; a closed peer ends it early.
func sendAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    var sent = 0
    while sent < bytes.count {
        let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { return }
        sent += n
    }
}

/// The Unix stream sockets amanatd has open, its listening socket included.
func openSockets(of daemon: Daemon) throws -> Int {
    let directory = "/proc/\(daemon.process.processIdentifier)/fd"
    let entries = try FileManager.default.contentsOfDirectory(atPath: directory)
    let inodes = Set(entries.compactMap { entry -> String? in
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + entry)) ?? ""
        return target.hasPrefix("socket:") ? target : nil
    })
    // The notify socket is a datagram socket amanatd opens per message, so every socket still open is a stream.
    return inodes.count
}

/// True when the process `pid` (a child not yet reaped) ends within `seconds`; it is not reaped here.
func exitedWithin(_ pid: pid_t, seconds: Int32) -> Bool {
    guard let pidfdOpen = try? libc("pidfd_open", as: (@convention(c) (pid_t, UInt32) -> Int32).self) else {
        return false
    }
    let descriptor = pidfdOpen(pid, 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    var rc = poll(&ready, 1, seconds * 1000)
    while rc < 0 && errno == EINTR { rc = poll(&ready, 1, seconds * 1000) }
    return rc == 1
}

/// Raises this process's soft limit on open files to at least `count`, or fails the test.
func raiseFileLimit(to count: Int) throws {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    try #require(limit.rlim_max >= count, "the hard limit on open files is too low for this test")
    if limit.rlim_cur < count {
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Checks `condition` every 50 ms until it holds or `seconds` pass: for states of the daemon that send no signal
/// (how many descriptors it holds). It assumes nothing about how long the change takes, only that it comes.
func waitUntil(seconds: Double, _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try condition()
}
