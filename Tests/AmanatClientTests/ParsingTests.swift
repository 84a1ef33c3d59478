import AmanatProtocol
import Glibc
import Testing

@testable import AmanatClient

/// Has a real socket server send `text` (in writes of `stride` bytes) and the client read it.
private func parse(_ text: String, method: String = "GET", stride: Int = 4096) throws -> HTTPResponse {
    let server = try TestServer(.respondInPieces(Array(text.utf8), stride: stride))
    return try UnixHTTPClient(socketPath: server.socketPath, timeoutSeconds: 10).request(method: method, path: "/")
}

private func parseError(_ text: String, method: String = "GET") -> ClientError? {
    do {
        _ = try parse(text, method: method)
        return nil
    } catch {
        return error as? ClientError
    }
}

/// What NIOHTTP1's decoder and the client's checks make of answers no amanatd would send, over a real socket.
struct ResponseParsingTests {
    @Test(arguments: [1, 2, 3, 7, 4096])
    func parsesAcrossShortReads(stride: Int) throws {
        let text = "HTTP/1.1 201 Created\r\nLocation: /v1/x/1\r\nX-Empty:\r\nX-Spaced: \t a b \t\r\n"
            + "Content-Length: 19\r\n\r\nabc0123456789abcdef"
        let response = try parse(text, stride: stride)
        #expect(response.status == 201)
        #expect(response.headers.map(\.name) == ["Location", "X-Empty", "X-Spaced", "Content-Length"])
        #expect(response.value(forHeader: "x-empty") == "")
        #expect(response.value(forHeader: "x-spaced") == "a b")
        #expect(String(decoding: response.body, as: UTF8.self) == "abc0123456789abcdef")
    }

    @Test func acceptsStatusLineWithoutReason() throws {
        #expect(try parse("HTTP/1.1 204\r\n\r\n").status == 204)
    }

    @Test func skipsInterimResponses() throws {
        let response = try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
        #expect(response.status == 200)
        #expect(response.body == [UInt8(ascii: "x")])
    }

    @Test func keepsRepeatedHeadersInOrder() throws {
        let response = try parse("HTTP/1.1 200 OK\r\nVary: a\r\nvary: b\r\nContent-Length: 0\r\n\r\n")
        #expect(response.values(forHeader: "VARY") == ["a", "b"])
    }

    @Test func headResponseHasNoBody() throws {
        let response = try parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", method: "HEAD")
        #expect(response.body.isEmpty)
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Odd\r\n\r\n",
        "HTTP/1.1 600 Odd\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nName : value\r\n\r\n",
        "HTTP/1.1 200 OK\r\n: value\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: bell\u{07}\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
        // amanatd frames every body with Content-Length; chunked or unframed bodies are not its answers.
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n",
        // NIOHTTP1 (llhttp) is stricter than the hand-written parser was: amanatd sends neither of these.
        "HTTP/1.0 200 OK\nContent-Length: 2\n\nhi",
        "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
    ])
    func rejectsMalformedResponses(text: String) {
        #expect(parseError(text)?.kind == .malformedResponse)
    }

    @Test func endOfStreamMidResponseIsALostConnection() {
        let truncated = [
            "",
            "HTTP/1.1 200 OK\r\nContent-",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
        ]
        for text in truncated {
            #expect(parseError(text)?.kind == .connectionLost)
        }
    }
}

struct ProblemTests {
    @Test func decodesMembersAndIgnoresExtensions() {
        let json = #"""
            {
              "type": "https://amanat.example/problems/validation",
              "title": "Invalid submission",
              "status": 422,
              "detail": "field \"phone\" is required\n\u00e9\ud83d\ude00\/",
              "instance": "/v1/submissions/7",
              "errors": [{"field": "phone", "codes": [1, 2.5e3, true, false, null]}],
              "nested": {"deep": {"deeper": []}}
            }
            """#
        #expect(
            Problem(json: Array(json.utf8))
                == Problem(
                    type: "https://amanat.example/problems/validation",
                    title: "Invalid submission",
                    status: 422,
                    detail: "field \"phone\" is required\n\u{E9}\u{1F600}/"
                )
        )
    }

    @Test func absentOrMistypedMembersAreDefaults() {
        let problem = Problem(json: Array(#"{"type": 5, "title": null, "status": "404", "detail": ["x"]}"#.utf8))
        #expect(problem == Problem(type: "about:blank"))
        #expect(Problem(json: Array("{}".utf8)) == Problem())
        #expect(Problem(json: Array(#"{"status": 404.0}"#.utf8))?.status == 0)
        #expect(Problem(json: Array(#"{"status": 99999999999999999999}"#.utf8))?.status == 0)
    }

    @Test func loneSurrogatesAreNotAProblemDocument() {
        // The client reads problems with amanatd's own strict parser: text that is not valid JSON is no problem
        // document, and the CLI reports the HTTP status instead.
        #expect(Problem(json: Array(#"{"detail": "a\ud800b\udc00c"}"#.utf8)) == nil)
    }

    @Test(arguments: [
        "", "[]", "\"text\"", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "{\"a\":01}",
        "{\"a\":1} x", "{\"a\":\"\u{01}\"}", "{\"a\":\"\\x\"}", "{\"a\":tru}", "{\"a\":[1,]}", "{\"a\":-}",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(Problem(json: Array(text.utf8)) == nil)
    }

    @Test func boundsNestingDepth() {
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(Problem(json: Array(deep.utf8)) == nil)
        let shallow = "{\"a\":" + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "}"
        #expect(Problem(json: Array(shallow.utf8)) == Problem())
    }

    @Test func messagePrefersTheMostSpecificText() {
        #expect(Problem("invalid-json", status: 400, title: "title", detail: "detail").message == "detail")
        #expect(Problem("invalid-json", status: 400, title: "", detail: "").type == "urn:amanat:problem:invalid-json")
        #expect(Problem(type: "t", title: "title", detail: "detail").message == "detail")
        #expect(Problem(type: "t", title: "title").message == "title")
        #expect(Problem(type: "t").message == "t")
    }

    @Test func responseExposesProblemOnlyForProblemJSON() {
        let body = Array(#"{"title":"Nope","status":403}"#.utf8)
        let problemResponse = HTTPResponse(
            status: 403,
            headers: [(name: "content-type", value: "Application/Problem+JSON; charset=utf-8")],
            body: body
        )
        #expect(problemResponse.problem == Problem(title: "Nope", status: 403))
        let jsonResponse = HTTPResponse(
            status: 403,
            headers: [(name: "Content-Type", value: "application/json")],
            body: body
        )
        #expect(jsonResponse.problem == nil)
        #expect(HTTPResponse(status: 403, body: body).problem == nil)
    }
}

struct ClientErrorTests {
    @Test func descriptionsFitAfterTheCLIPrefix() {
        let codes: [ClientError.Code] = [
            .socketPathTooLong(path: "/x", byteCount: 200),
            .socketPathInvalid(path: ""),
            .socketMissing(path: "/run/amanat/amanatd.sock"),
            .permissionDenied(path: "/run/amanat/amanatd.sock"),
            .connectionRefused(path: "/run/amanat/amanatd.sock"),
            .connectFailed(path: "/run/amanat/amanatd.sock", errno: ENOTDIR),
            .timedOut(seconds: 60),
            .connectionClosed,
            .connectionReset(errno: ECONNRESET),
            .malformed(reason: "bad status line"),
            .bodyTooLarge(limit: 64 * 1024 * 1024),
            .invalidRequest(reason: "bad path \"a b\""),
            .system(operation: "socket", errno: EMFILE),
        ]
        for code in codes {
            let description = ClientError(code).description
            #expect(description.first?.isLowercase == true, "\(description)")
            #expect(description.last != ".", "\(description)")
            #expect(!description.contains("\n"), "\(description)")
        }
    }

    @Test func describesCommonFailuresPlainly() {
        let path = "/run/amanat/amanatd.sock"
        #expect(
            ClientError(.permissionDenied(path: path)).description
                == "permission denied on /run/amanat/amanatd.sock: ask an admin to add you to the volunteers group"
        )
        #expect(ClientError(.timedOut(seconds: 60)).description == "timed out waiting for amanatd after 60 seconds")
        #expect(
            ClientError(.connectFailed(path: path, errno: ENOTDIR)).description
                == "cannot connect to /run/amanat/amanatd.sock: not a directory"
        )
        #expect(
            ClientError(.socketPathTooLong(path: "/x", byteCount: 200)).description
                == "socket path too long: /x is 200 bytes, the limit is 107"
        )
    }

    @Test func onlyConnectionKindsAreConnectionFailures() {
        #expect(ClientError(.socketMissing(path: "/s")).isConnectionFailure)
        #expect(ClientError(.permissionDenied(path: "/s")).isConnectionFailure)
        #expect(ClientError(.connectionRefused(path: "/s")).isConnectionFailure)
        #expect(!ClientError(.timedOut(seconds: 1)).isConnectionFailure)
        #expect(!ClientError(.connectionClosed).isConnectionFailure)
        #expect(!ClientError(.malformed(reason: "x")).isConnectionFailure)
    }
}

struct RequestHeadTests {
    @Test func emptyBodyStillSendsLength() throws {
        let server = try TestServer(response: "HTTP/1.1 204 No Content\r\n\r\n")
        _ = try UnixHTTPClient(socketPath: server.socketPath).request(method: "POST", path: "/v1/ping", body: [])
        #expect(
            server.requestText()
                == "POST /v1/ping HTTP/1.1\r\nHost: amanat\r\nUser-Agent: amanat/0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }

    /// NIO's encoder would frame a POST without a length as chunked; amanatd gets an explicit empty body instead.
    @Test func bodilessPostSaysItsLengthIsZero() throws {
        let server = try TestServer(response: "HTTP/1.1 204 No Content\r\n\r\n")
        _ = try UnixHTTPClient(socketPath: server.socketPath).request(method: "POST", path: "/v1/ping")
        #expect(
            server.requestText()
                == "POST /v1/ping HTTP/1.1\r\nHost: amanat\r\nUser-Agent: amanat/0.1\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }
}
