import AmanatClient
import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

/// Streamed request bodies (`UnixHTTPClient.request(…produce:)`), as resumable uploads send them, against real
/// sockets served from this process.
@Suite("client: streamed request bodies") struct StreamingRequestTests {
    struct Refused: Error, Equatable {}

    @Test func sendsHeadersLengthAndPiecesInOrder() throws {
        let server = try TestServer(response: "HTTP/1.1 204 No Content\r\nUpload-Offset: 9\r\n\r\n")
        let response = try UnixHTTPClient(socketPath: server.socketPath).request(
            method: "PATCH", path: "/v1/uploads/ab", headers: [("Upload-Offset", "0"), ("Upload-Complete", "?1")],
            contentType: "application/partial-upload", contentLength: 9
        ) { (writer) throws(Never) in
            #expect(writer.write(Array("abc".utf8)))
            #expect(writer.write(Array("".utf8)))
            #expect(writer.write(Array("defghi".utf8)))
        }
        #expect(response.status == 204)
        #expect(response.value(forHeader: "Upload-Offset") == "9")
        let expected = "PATCH /v1/uploads/ab HTTP/1.1\r\nHost: amanat\r\nUser-Agent: amanat/0.1\r\n"
            + "Upload-Offset: 0\r\nUpload-Complete: ?1\r\n"
            + "Content-Type: application/partial-upload\r\nContent-Length: 9\r\nConnection: close\r\n\r\nabcdefghi"
        #expect(server.requestText() == expected)
    }

    /// The first piece reaches the server while the producer is still running: the body is never collected whole.
    /// The producer waits for the server's word that it read the piece; a client that buffered the body would never
    /// get it (the wait has a bound, a failure, not a timing assumption).
    @Test func piecesReachTheSocketBeforeTheBodyEnds() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/amanatd.sock"
        let listener = try makeListeningSocket(path: path, listen: true)
        defer { close(listener) }
        let firstPieceRead = DispatchSemaphore(value: 0)
        let piece = [UInt8](repeating: 0x5A, count: 1 << 20)
        let thread = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            var seen: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var signalled = false
            let head = Array("\r\n\r\n".utf8)
            while true {
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { return }
                seen += buffer[0..<count]
                guard let end = seen.firstRange(of: head)?.upperBound else { continue }
                let body = seen.count - end
                if body >= piece.count && !signalled {
                    signalled = true
                    firstPieceRead.signal()
                }
                if body == 2 * piece.count { break }
            }
            let answer = Array("HTTP/1.1 204 No Content\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        thread.start()
        var sawFirstPiece = false
        let response = try UnixHTTPClient(socketPath: path).request(
            method: "PATCH", path: "/v1/uploads/ab", contentType: "application/partial-upload",
            contentLength: UInt64(2 * piece.count)
        ) { (writer) throws(Never) in
            writer.write(piece)
            sawFirstPiece = firstPieceRead.wait(timeout: .now() + 30) == .success
            writer.write(piece)
        }
        #expect(sawFirstPiece, "the server had not read the first piece while the producer was running")
        #expect(response.status == 204)
    }

    /// amanatd refuses before reading the body (409 mismatching offset) and closes: the writer says so, the producer
    /// stops, and the answer is returned rather than the broken pipe.
    @Test func anEarlyAnswerStopsTheProducer() throws {
        let server = try TestServer(
            .respondAfterHead(Array("HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\n\r\n{}".utf8))
        )
        let piece = [UInt8](repeating: 0x41, count: 1 << 20)
        var pieces = 0
        let response = try UnixHTTPClient(socketPath: server.socketPath).request(
            method: "PATCH", path: "/v1/uploads/ab", contentType: "application/partial-upload",
            contentLength: UInt64(64 * piece.count)
        ) { (writer) throws(Never) in
            while pieces < 64, writer.write(piece) { pieces += 1 }
        }
        #expect(response.status == 409)
        #expect(pieces < 64, "the producer went on writing to a closed connection")
    }

    @Test func aProducerFailureIsReturnedAsIs() throws {
        let server = try TestServer(.neverRespond)
        #expect(throws: StreamingRequestError<Refused>.self) {
            _ = try UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 5).request(
                method: "PATCH", path: "/v1/uploads/ab", contentType: "application/partial-upload", contentLength: 8
            ) { (writer) throws(Refused) in
                writer.write([1, 2, 3])
                throw Refused()
            }
        }
    }

    @Test func aBodyShorterThanItsLengthIsRefused() throws {
        let server = try TestServer(.neverRespond)
        do {
            _ = try UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 5).request(
                method: "PATCH", path: "/v1/uploads/ab", contentType: "application/partial-upload", contentLength: 8
            ) { (writer) throws(Never) in
                writer.write([1, 2, 3])
            }
            Issue.record("a short body was sent as if whole")
        } catch {
            guard case .client(let error) = error else { return }
            #expect(error.kind == .invalidRequest)
        }
    }

    @Test func headerInjectionIsRefusedBeforeConnecting() {
        let client = UnixHTTPClient(socketPath: "/nonexistent/amanatd.sock")
        for header in [("Upload-Offset", "0\r\nX-Evil: 1"), ("Upload Offset", "0"), ("", "0")] {
            let error = #expect(throws: ClientError.self) {
                try client.request(method: "HEAD", path: "/v1/uploads/ab", headers: [header])
            }
            #expect(error?.kind == .invalidRequest)
        }
    }
}
