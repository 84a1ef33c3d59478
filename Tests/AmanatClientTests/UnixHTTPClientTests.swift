import AmanatProtocol
import AmanatClient
import Glibc
import Testing

/// End-to-end behaviour against a real listening socket served from this process.
struct UnixHTTPClientTests {
    @Test func readsContentLengthBody() throws {
        let server = try TestServer(
            response: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
        )
        let response = try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/v1/health")
        #expect(response.status == 200)
        #expect(response.isSuccess)
        #expect(response.body == Array("{\"ok\":true}".utf8))
        #expect(response.value(forHeader: "content-type") == "application/json")
        #expect(response.value(forHeader: "CONTENT-LENGTH") == "11")
        #expect(response.value(forHeader: "X-Missing") == nil)
    }

    @Test func refusesAnswersWithoutContentLength() throws {
        // amanatd frames every body with Content-Length; chunked or unframed answers are refused, never guessed at.
        for response in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
        ] {
            let server = try TestServer(response: response)
            #expect(throws: ClientError.self) {
                _ = try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
            }
        }
    }

    @Test func parsesProblemDetails() throws {
        let body = #"{"type":"https://amanat.example/problems/form-closed","title":"Form closed","#
            + #""status":409,"detail":"the form \"intake\" no longer accepts submissions","extra":{"a":[1,2]}}"#
        let server = try TestServer(
            response: "HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        )
        let response = try UnixHTTPClient(socketPath: server.socketPath)
            .request(method: "POST", path: "/v1/x", body: [])
        #expect(!response.isSuccess)
        #expect(
            response.problem
                == Problem(
                    type: "https://amanat.example/problems/form-closed",
                    title: "Form closed",
                    status: 409,
                    detail: "the form \"intake\" no longer accepts submissions"
                )
        )
    }

    @Test func formatsRequestWithBody() throws {
        let server = try TestServer(response: "HTTP/1.1 204 No Content\r\n\r\n")
        let body = Array(#"{"name":"Zaynab"}"#.utf8) + [0x00, 0xFF]
        let response = try UnixHTTPClient(socketPath: server.socketPath)
            .request(
                method: "PUT",
                path: "/v1/forms/intake?draft=1",
                body: body,
                contentType: "application/octet-stream"
            )
        #expect(response.status == 204)
        #expect(response.body.isEmpty)
        let expectedHead = "PUT /v1/forms/intake?draft=1 HTTP/1.1\r\n"
            + "Host: amanat\r\n"
            + "User-Agent: amanat/0.1\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Content-Length: \(body.count)\r\n"
            + "Connection: close\r\n"
            + "\r\n"
        #expect(server.request() == Array(expectedHead.utf8) + body)
    }

    @Test func formatsRequestWithoutBody() throws {
        let server = try TestServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        _ = try UnixHTTPClient(socketPath: server.socketPath).request(method: "DELETE", path: "/v1/submissions/42")
        #expect(
            server.requestText()
                == "DELETE /v1/submissions/42 HTTP/1.1\r\nHost: amanat\r\nUser-Agent: amanat/0.1\r\n"
                + "Connection: close\r\n\r\n"
        )
    }

    @Test func missingSocketIsAConnectionFailure() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/amanatd.sock"
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: path).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isConnectionFailure == true)
        #expect(error?.description == "cannot connect to \(path): no such file (is amanatd running?)")
    }

    @Test func refusedConnectionIsAConnectionFailure() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/amanatd.sock"
        let fd = try makeListeningSocket(path: path, listen: false)
        defer { close(fd) }
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: path).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isConnectionFailure == true)
        #expect(error?.description == "connection refused on \(path) (is amanatd running?)")
    }

    /// Root bypasses socket permissions, and CI runs as root: the client runs as nobody (FilesystemIdentity).
    @Test func unwritableSocketIsPermissionDenied() throws {
        let server = try TestServer(response: "HTTP/1.1 204 No Content\r\n\r\n")
        // nobody may traverse the directory, so only the socket's own mode can refuse it.
        let directory = String(server.socketPath[..<server.socketPath.lastIndex(of: "/")!])
        chmod(directory, 0o711)
        chmod(server.socketPath, 0)
        let error = try FilesystemIdentity.asNobody {
            #expect(throws: ClientError.self) {
                try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
            }
        }
        #expect(error?.kind == .permissionDenied)
        #expect(error?.isConnectionFailure == true)
        // Writable to all, the same socket serves nobody: the refusal above was the socket's mode. This is the
        // connection the server thread waits for in accept.
        chmod(server.socketPath, 0o666)
        let response = try FilesystemIdentity.asNobody {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(response.status == 204)
    }

    @Test func socketPathLongerThanSunPathIsRejected() {
        let tooLong = "/tmp/" + String(repeating: "a", count: 103)
        #expect(tooLong.utf8.count == 108)
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: tooLong).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .invalidSocketPath)
        #expect(error?.isConnectionFailure == false)
        #expect(error?.description.hasPrefix("socket path too long") == true)

        // 107 bytes still fits with its NUL, so it gets as far as connecting.
        let longest = String(tooLong.dropLast())
        let nearMiss = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: longest).request(method: "GET", path: "/")
        }
        #expect(nearMiss?.kind == .connectionFailed)
    }

    @Test func silentServerTimesOut() throws {
        let server = try TestServer(.neverRespond)
        let start = ContinuousClock.now
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 1).request(method: "GET", path: "/")
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.kind == .timedOut)
        #expect(error?.description == "timed out waiting for amanatd after 1 second")
        #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10))
        #expect(server.requestText().hasPrefix("GET / HTTP/1.1\r\n"))
    }

    @Test func malformedStatusLineIsRejected() throws {
        let server = try TestServer(response: "HTTP/1.1 OK 200\r\nContent-Length: 0\r\n\r\n")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.description == "malformed response from amanatd: bad status line")
    }

    @Test func nonHTTPResponseIsRejected() throws {
        let server = try TestServer(response: "SSH-2.0-OpenSSH_9.6\r\n\r\n")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .malformedResponse)
    }

    @Test func truncatedBodyIsALostConnection() throws {
        let server = try TestServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .connectionLost)
        #expect(error?.isConnectionFailure == false)
    }

    @Test func closingWithoutAnswerIsALostConnection() throws {
        let server = try TestServer(response: "")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .connectionLost)
    }

    @Test func oversizedDeclaredBodyIsRejectedBeforeReading() throws {
        let server = try TestServer(response: "HTTP/1.1 200 OK\r\nContent-Length: 67108865\r\n\r\n")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .responseTooLarge)
        #expect(error?.description == "response from amanatd is larger than 64 MiB")
    }

    @Test func oversizedHeadersAreRejected() throws {
        let filler = String(repeating: "X-Filler: \(String(repeating: "f", count: 1000))\r\n", count: 70)
        let server = try TestServer(response: "HTTP/1.1 200 OK\r\n\(filler)Content-Length: 0\r\n\r\n")
        let error = #expect(throws: ClientError.self) {
            try UnixHTTPClient(socketPath: server.socketPath).request(method: "GET", path: "/")
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.description == "malformed response from amanatd: headers exceed 64 KiB")
    }

    @Test func earlyRejectionIsReadDespiteUnsentBody() throws {
        // Far more than a Unix socket buffers, so sending is still blocked when the server answers and closes.
        let body = [UInt8](repeating: 0x41, count: 16 * 1024 * 1024)
        let server = try TestServer(
            .respondAfterHead(Array("HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nbig!".utf8))
        )
        let response = try UnixHTTPClient(socketPath: server.socketPath)
            .request(method: "POST", path: "/v1/submissions", body: body)
        #expect(response.status == 413)
        #expect(response.body == Array("big!".utf8))
    }

    @Test func headerInjectionIsRefusedBeforeConnecting() {
        let client = UnixHTTPClient(socketPath: "/nonexistent/amanatd.sock")
        for (method, path) in [("GET", "/a\r\nX-Evil: 1"), ("GET", "/a b"), ("G ET", "/"), ("GET", "relative")] {
            let error = #expect(throws: ClientError.self) {
                try client.request(method: method, path: path)
            }
            #expect(error?.kind == .invalidRequest)
        }
        let error = #expect(throws: ClientError.self) {
            try client.request(method: "POST", path: "/", body: [], contentType: "text/plain\r\nX-Evil: 1")
        }
        #expect(error?.kind == .invalidRequest)
    }
}
