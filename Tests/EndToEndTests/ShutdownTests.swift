import AmanatJSON
import Foundation
import Glibc
import Testing

/// SIGTERM finishes what is in flight, loses nothing acknowledged, and is not held up by idle clients.
@Suite("graceful shutdown")
struct ShutdownTests {
    @Test("every acknowledged submission survives a SIGTERM during a burst")
    func inFlight() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let example = Paths.example("testimony.json")
        let acknowledged = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for _ in 0..<24 {
                group.addTask { try await daemon.amanat(["submit", example]) }
            }
            var outcomes: [Outcome] = []
            for try await outcome in group {
                // Stop as soon as the first is acknowledged, while the others are still on their way.
                if outcomes.isEmpty { kill(daemon.process.processIdentifier, SIGTERM) }
                outcomes.append(outcome)
            }
            return outcomes
        }
        #expect(await daemon.stop() == 0)
        let ackedIDs = Set(acknowledged.filter { $0.status == 0 }.compactMap(\.stdoutLines.first))
        #expect(!ackedIDs.isEmpty)
        for outcome in acknowledged where outcome.status != 0 {
            // Refused ones were refused visibly, never silently dropped after an acknowledgement.
            #expect([2, 4].contains(outcome.status), "\(outcome.stderr)")
        }
        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0)
        let storedIDs = Set(try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8))["record_id"]?.stringValue })
        for id in ackedIDs {
            #expect(storedIDs.contains(id), "acknowledged record \(id) was lost")
        }
        // The datagram waits in the socket buffer; reading stops at the first empty receive.
        #expect(daemon.notify.wait(for: "STOPPING=1", stillRunning: { false }))
    }

    @Test("requests whose heads arrived before SIGTERM are answered 201 and stored, bodies sent after it included")
    func inFlightRequestsAnswered() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let body = BadInputTests.minimal()
        let half = body.count / 2
        let head = "POST /v1/testimonies HTTP/1.1\r\nHost: amanat\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        var connections: [Int32] = []
        defer { connections.forEach { close($0) } }
        for _ in 0..<4 {
            let fd = try connectedSocket(daemon.socketPath)
            connections.append(fd)
            // A health request answered proves the POST pipelined behind it, head and half its body, is in flight:
            // NIO hands the next request on before the answer to the one before it is flushed.
            let answer = try exchange(fd, "GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n" + head)
            #expect(answer.hasPrefix("HTTP/1.1 200"))
            _ = body[..<half].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        daemon.process.terminate()
        #expect(daemon.notify.wait(for: "STOPPING=1", stillRunning: { daemon.process.isRunning }))
        var stored: [String] = []
        for fd in connections {
            _ = body[half...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let answer = try exchange(fd, "")
            #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer)")
            #expect(answer.contains("Connection: close"))
            if let json = answer.range(of: "\r\n\r\n").map({ answer[$0.upperBound...] }),
               let id = try? JSONParser().parse(Array(json.utf8))["record_id"]?.stringValue {
                stored.append(id)
            }
        }
        #expect(stored.count == 4)
        #expect(await daemon.waitForExit() == 0)
        let opened = try await key.open(daemon.databasePath)
        let openedIDs = Set(try opened.stdoutLines.map { try JSONParser().parse(Array($0.utf8))["record_id"]?.stringValue })
        for id in stored { #expect(openedIDs.contains(id), "acknowledged record \(id) was lost") }
    }

    @Test("an idle connection does not hold up SIGTERM")
    func idleClient() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--idle-timeout-seconds", "3600"])
        // A keep-alive connection that has finished one request and then says nothing.
        let fd = try connectedSocket(daemon.socketPath)
        defer { close(fd) }
        let request = Array("GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        #expect(buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } > 0)
        kill(daemon.process.processIdentifier, SIGTERM)
        // The daemon must close the idle connection itself: this recv returns 0 (EOF) when it does,
        // long before the hour-long idle timeout.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #expect(buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } == 0)
        #expect(await daemon.waitForExit() == 0)
    }
}
