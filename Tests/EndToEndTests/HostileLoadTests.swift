import AmanatClient
import Foundation
import GRDB
import Glibc
import Testing

/// Limits that keep one client from starving the rest, and the daemon's resilience to garbage.
@Suite("limits under pressure")
struct HostileLoadTests {
    @Test("submissions over the per-uid rate get 429 with Retry-After, and nothing is stored for them")
    func rateLimit() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--submissions-per-minute", "3"])
        var statuses: [Int] = []
        for _ in 0..<5 {
            let response = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
            statuses.append(response.status)
            if response.status == 429 {
                #expect(response.problem?.type == "urn:amanat:problem:too-many-submissions")
                #expect(response.value(forHeader: "Retry-After") == "20")
            }
        }
        #expect(statuses == [201, 201, 201, 429, 429])
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200, "reads are not limited")
        #expect(await daemon.stop() == 0)
        let opened = try await key.open(daemon.databasePath)
        #expect(opened.stdoutLines.count == 3)
    }

    @Test("with 1000 idle connections open, a new client still submits at once; memory stays bounded")
    func idleConnections() async throws {
        try raiseFileLimit(to: 1200)
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--max-connections", "1100"])
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<1000 { idle.append(try connectedSocket(daemon.socketPath)) }
        // Every idle connection must have been accepted before the new client counts: one served request on the
        // last idle connection proves the accept queue has been drained up to it.
        let probe = try exchange(idle[999], "GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n")
        #expect(probe.hasPrefix("HTTP/1.1 200"))
        let started = Date()
        let response = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: BadInputTests.minimal())
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 201)
        #expect(elapsed < 1.0, "a submission took \(elapsed) s with 1000 idle connections open")
        let status = String(decoding: contents("/proc/\(daemon.process.processIdentifier)/status"), as: UTF8.self)
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map(String.init) ?? "unknown"
        print("amanatd with 1000 idle connections: \(peak)")
        let kilobytes = Int(peak.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? .max
        #expect(kilobytes < 256 * 1024, "amanatd's peak RSS is \(peak)")
        #expect(await daemon.stop() == 0)
    }

    /// Broken HTTP and JSON, sent raw; after each batch the daemon must still answer health.
    static let garbage: [[UInt8]] = {
        var inputs: [[UInt8]] = [
            [], [0], [0xFF, 0xFE, 0xFD], Array(repeating: 0, count: 10_000),
            Array("\r\n\r\n\r\n".utf8), Array("GET\r\n\r\n".utf8), Array("GET / HTTP/9.9\r\n\r\n".utf8),
            Array("GET /v1/health HTTP/1.1\r\nHost: a\r\n".utf8),  // never finished
            Array(("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n").utf8),
            Array(("GET /v1/health HTTP/1.1\r\nX: " + String(repeating: "b", count: 100_000) + "\r\n\r\n").utf8),
            Array("POST /v1/testimonies HTTP/1.1\r\nContent-Length: -1\r\n\r\n".utf8),
            Array("POST /v1/testimonies HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8),
            Array("POST /v1/testimonies HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n".utf8),
            Array("POST /v1/testimonies HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nffffffffffffffff\r\n".utf8),
            Array("CONNECT amanat:443 HTTP/1.1\r\n\r\n".utf8), Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8),
            Array("GET /v1/health HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n".utf8),
        ]
        let jsonBodies = [
            "{", "[", "{\"form\":", "\"\\ud800\"", "{\"form\":\"testimony\",\"fields\":{\"full_name\":\"\\u0000\"}}",
            String(repeating: "[", count: 100_000), "{\"form\":\"testimony\",\"fields\":" + String(repeating: "{\"a\":", count: 5_000),
            "1e99999", "-", "{\"a\":1,\"a\":2}", "{\"form\":\"testimony\",\"fields\":{\"relatives\":[[[[[]]]]]}}",
        ]
        for body in jsonBodies {
            let bytes = Array(body.utf8)
            inputs.append(Array("POST /v1/testimonies HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            inputs.append((0..<Int.random(in: 1...2_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        return inputs
    }()

    @Test("malformed bytes never crash the daemon")
    func malformedBattery() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(
            in: directory, recipients: [key.publicKey], extraArguments: ["--request-timeout-seconds", "2"]
        )
        for (index, input) in Self.garbage.enumerated() {
            let fd = try connectedSocket(daemon.socketPath)
            _ = input.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(fd, Int32(SHUT_WR))
            close(fd)
            if index % 20 == 0 || index == Self.garbage.count - 1 {
                #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200, "after input \(index)")
            }
        }
        #expect(daemon.process.isRunning)
        #expect(await daemon.stop() == 0)
        #expect(!daemon.output.contains("Fatal error"))
    }

    @Test("a request refused at its head whose body then breaks gets at most one answer, and the daemon lives", arguments: [
        // 415 is decided at the head; the chunked body then fails NIO's decoder.
        "POST /v1/testimonies HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
        // A body shorter than its Content-Length, cut by the end of the stream.
        "POST /v1/testimonies HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc",
        // 404 and 405 are decided at the head too.
        "POST /v1/nowhere HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX\r\n",
        "POST /v1/health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nnot hex\r\n",
    ])
    func oneAnswerPerRequest(request: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let bytes = Array(request.utf8)
        // The body ends with the stream, before the request does: NIO's decoder fails at the end of the file too.
        let text = try rawExchange(socketPath: daemon.socketPath, send: bytes, thenHalfClose: true)
        // One response at most: broken HTTP gets HTTPProtocolErrorHandler's 400, a body cut off by the end of the
        // stream gets none (the request never ended), and never the handler's answer on top of either.
        #expect(text.components(separatedBy: "HTTP/1.1 ").count <= 2, "at most one response, not \(text)")
        // The handler's refusal is never sent for a request whose body failed: it would be a second response.
        for status in ["404", "405", "415"] {
            #expect(!text.contains("HTTP/1.1 \(status)"), "\(text)")
        }
        // The race that wrote two answers (the handler's after the body failed, then NIO's 400) needed the end of
        // the stream to land between the two: repeat the request on many connections, as the malformed battery
        // did when it found it.
        for _ in 0..<300 {
            let repeated = try connectedSocket(daemon.socketPath)
            _ = bytes.withUnsafeBytes { send(repeated, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(repeated, Int32(SHUT_WR))
            close(repeated)
        }
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(daemon.process.isRunning)
        #expect(await daemon.stop() == 0)
        #expect(!daemon.output.contains("Assertion failed"), "\(daemon.output)")
    }
}
