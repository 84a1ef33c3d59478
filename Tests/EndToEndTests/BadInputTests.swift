import AmanatClient
import AmanatJSON
import Foundation
import Glibc
import Testing

/// Every bad input gets a problem+json 4xx, the daemon keeps serving, and nothing is stored.
@Suite("bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let body: [UInt8]
        var contentType = "application/json"
        var method = "POST"
        var path = "/v1/testimonies"
        let status: Int
        let slug: String
        var field: String?

        var testDescription: String { name }
    }

    static func minimal(_ change: (inout [String: JSONValue]) -> Void = { _ in }) -> [UInt8] {
        var fields: [String: JSONValue] = [
            "full_name": .string("Айгүл Серікқызы"), "narrative": .string("Менің ағамды 2018 жылы ұстады."),
            "language": .string("kk"), "consent": .string("archive_only"),
        ]
        change(&fields)
        return JSONValue.object(["form": .string("testimony"), "fields": .object(fields)]).canonicalBytes()
    }

    static let cases: [Case] = [
        Case(name: "invalid JSON", body: Array(#"{"form": "testimony", "fields": {"#.utf8), status: 400,
             slug: "invalid-json"),
        Case(name: "trailing garbage", body: minimal() + Array(" x".utf8), status: 400, slug: "invalid-json"),
        Case(name: "invalid UTF-8", body: Array(#"{"form":"testimony","fields":{"full_name":""#.utf8) + [0xFF, 0xFE]
             + Array(#""}}"#.utf8), status: 400, slug: "invalid-encoding"),
        Case(name: "overlong UTF-8", body: Array(#"{"form":"testimony","fields":{"full_name":""#.utf8) + [0xC0, 0xAF]
             + Array(#""}}"#.utf8), status: 400, slug: "invalid-encoding"),
        Case(name: "JSON nested deeper than the limit",
             body: Array(#"{"form":"testimony","fields":{"notes":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 40)
                + Array(repeating: UInt8(ascii: "]"), count: 40) + Array("}}".utf8),
             status: 400, slug: "too-deep"),
        Case(name: "duplicate key", body: Array(#"{"form":"testimony","form":"testimony","fields":{}}"#.utf8),
             status: 400, slug: "invalid-json"),
        Case(name: "not an object", body: Array("[1,2,3]".utf8), status: 422, slug: "not-an-object"),
        Case(name: "unknown form", body: Array(#"{"form":"nonesuch","fields":{}}"#.utf8), status: 422,
             slug: "unknown-form"),
        Case(name: "unknown top-level member", body: Array(#"{"form":"testimony","fields":{},"extra":1}"#.utf8),
             status: 422, slug: "unknown-field"),
        Case(name: "unknown field", body: minimal { $0["favourite_colour"] = .string("blue") }, status: 422,
             slug: "unknown-field"),
        Case(name: "unknown field in a relative",
             body: minimal { $0["relatives"] = .array([.object(["name": .string("A"), "relation": .string("father"),
                                                                 "shoe_size": .string("42")])]) },
             status: 422, slug: "unknown-field", field: "relatives[0]"),
        Case(name: "missing required field", body: minimal { $0.removeValue(forKey: "narrative") }, status: 422,
             slug: "missing-field", field: "narrative"),
        Case(name: "missing required sub-field",
             body: minimal { $0["relatives"] = .array([.object(["name": .string("A")])]) },
             status: 422, slug: "missing-field", field: "relatives[0].relation"),
        Case(name: "wrong type", body: minimal { $0["full_name"] = .number("42") }, status: 422, slug: "wrong-type",
             field: "full_name"),
        Case(name: "wrong type for a list", body: minimal { $0["violation_types"] = .string("torture") }, status: 422,
             slug: "wrong-type", field: "violation_types"),
        Case(name: "over the maximum length", body: minimal { $0["full_name"] = .string(String(repeating: "Қ", count: 201)) },
             status: 422, slug: "too-long", field: "full_name"),
        Case(name: "enum value not in the form", body: minimal { $0["language"] = .string("xx") }, status: 422,
             slug: "invalid-value", field: "language"),
        Case(name: "enum list value not in the form",
             body: minimal { $0["violation_types"] = .array([.string("torture"), .string("jaywalking")]) },
             status: 422, slug: "invalid-value", field: "violation_types"),
        Case(name: "invalid date", body: minimal { $0["birth_date"] = .string("1980-02-30") }, status: 422,
             slug: "invalid-value", field: "birth_date"),
        Case(name: "line break in a one-line field", body: minimal { $0["full_name"] = .string("A\nB") }, status: 422,
             slug: "invalid-value", field: "full_name"),
        Case(name: "wrong content type", body: minimal(), contentType: "text/plain", status: 415,
             slug: "unsupported-media-type"),
        Case(name: "body over the limit", body: minimal { $0["narrative"] = .string(String(repeating: "a", count: 70_000)) },
             status: 413, slug: "body-too-large"),
        Case(name: "unknown endpoint", body: [], method: "GET", path: "/v1/nothing", status: 404, slug: "not-found"),
        Case(name: "wrong method", body: [], method: "DELETE", path: "/v1/testimonies", status: 405,
             slug: "method-not-allowed"),
    ]

    /// One daemon serves every case, so each case also proves the previous ones did not break it.
    @Test("each bad input gets its problem, the daemon keeps serving, nothing is stored")
    func badInputs() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--max-body-bytes", "65536"])
        for testCase in Self.cases {
            let response = try daemon.client.request(
                method: testCase.method, path: testCase.path, body: testCase.body, contentType: testCase.contentType
            )
            #expect(response.status == testCase.status, "\(testCase.name)")
            #expect(response.mediaType == "application/problem+json", "\(testCase.name)")
            let problem = try #require(response.problem, "\(testCase.name)")
            #expect(problem.type == "urn:amanat:problem:\(testCase.slug)", "\(testCase.name)")
            #expect(problem.status == testCase.status)
            #expect(!problem.detail.isEmpty)
            if let field = testCase.field { #expect(problem.field == field, "\(testCase.name)") }
            for word in ["favourite_colour", "shoe_size", "nonesuch", "jaywalking", "blue"] {
                #expect(!problem.detail.contains(word), "\(testCase.name) echoed submitted content")
            }
            let health = try daemon.client.request(method: "GET", path: "/v1/health")
            #expect(health.status == 200, "the daemon stopped serving after \(testCase.name)")
        }
        // A good submission still works after all of that.
        let good = try daemon.client.request(method: "POST", path: "/v1/testimonies", body: Self.minimal())
        #expect(good.status == 201)
        #expect(await daemon.stop() == 0)
        let opened = try await key.open(daemon.databasePath)
        #expect(opened.status == 0)
        #expect(opened.stdoutLines.count == 1, "only the good submission may be stored")
    }

    @Test("413 comes before the body is sent")
    func earlyRejection() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let head = "POST /v1/testimonies HTTP/1.1\r\nHost: amanat\r\nContent-Type: application/json\r\n"
            + "Content-Length: 500000000\r\n\r\n"
        // Only the head is sent; a server that waited for the body would never answer.
        let answer = try rawExchange(socketPath: daemon.socketPath, send: Array(head.utf8))
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        #expect(answer.contains("urn:amanat:problem:body-too-large"))
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
    }

    @Test("the CLI shows a refusal as one error line with exit code 3")
    func cliRefusal() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let outcome = try await daemon.amanat(["submit", "-"], stdin: Self.minimal { $0["language"] = .string("xx") })
        #expect(outcome.status == 3)
        #expect(outcome.stderr.hasPrefix("amanat: error: language must be one of: "))
        #expect(outcome.stdout.isEmpty)
        let unreachable = try await run(Paths.binary("amanat"), ["--socket", directory.file("none.sock"), "health"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.hasPrefix("amanat: error: cannot connect"))
        #expect(await daemon.stop() == 0)
    }

    /// What the CLI must print, by language, for the refusals of ``localizedRefusals()``.
    static let refusalWords: [(lang: String, missing: String, choice: String, tooLong: String, wrongType: String)] = [
        ("ru", "не заполнено обязательное поле «full_name»",
         "в поле «language» значение не из списка формы; допустимые значения: ",
         "поле «full_name» длиннее допустимого (наибольшая длина в знаках: 200)",
         "в поле «consent» значение не того вида: нужен текст"),
        ("kk", "міндетті «full_name» өрісі толтырылмаған",
         "«language» өрісінің мәні нысан тізімінде жоқ; рұқсат етілген мәндер: ",
         "«full_name» өрісі тым ұзын (ең көп таңба саны: 200)",
         "«consent» өрісіндегі мән түрі қате: мәтін керек"),
    ]

    @Test("amanatd's refusals reach the CLI in Russian and Kazakh, from the problem's type and members")
    func localizedRefusals() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        for words in Self.refusalWords {
            let cases: [(body: [UInt8], expected: String)] = [
                (Self.minimal { $0["full_name"] = nil }, words.missing),
                (Self.minimal { $0["language"] = .string("xx") }, words.choice),
                (Self.minimal { $0["full_name"] = .string(String(repeating: "ә", count: 201)) }, words.tooLong),
                (Self.minimal { $0["consent"] = .number("1") }, words.wrongType),
            ]
            for (body, expected) in cases {
                let outcome = try await daemon.amanat(["submit", "--lang", words.lang, "-"], stdin: body)
                #expect(outcome.status == 3)
                #expect(outcome.stderr.hasPrefix("amanat: error: " + expected), "\(words.lang): \(outcome.stderr)")
            }
            // The choice's values come from the problem's `allowed` member: the form's own codes.
            let choice = try await daemon.amanat(["submit", "--lang", words.lang, "-"], stdin: Self.minimal {
                $0["language"] = .string("xx")
            })
            #expect(choice.stderr.contains(", kk, ") || choice.stderr.contains(" kk, "), "\(choice.stderr)")
        }
        #expect(await daemon.stop() == 0)
    }

    @Test("a misspelt field name in a file gets a hint naming the form's closest field; forms lists choice values")
    func misspeltFieldHint() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let misspelt = try await daemon.amanat(["submit", "-"], stdin: Self.minimal {
            $0["naratives"] = $0.removeValue(forKey: "narrative")
        })
        #expect(misspelt.status == 3)
        #expect(misspelt.stderr.contains("hint: naratives: not a field of form testimony; did you mean narrative?"),
                "\(misspelt.stderr)")
        let relative = try await daemon.amanat(["submit", "-"], stdin: Self.minimal {
            $0["relatives"] = .array([.object(["name": .string("Ахмет"), "relaton": .string("brother")])])
        })
        #expect(relative.stderr.contains("relatives[0].relaton: not a field of form testimony; did you mean relation?"),
                "\(relative.stderr)")
        // Far from every field: not repeated (it may be content in the wrong place), and no guess.
        let unrelated = try await daemon.amanat(["submit", "-"], stdin: Self.minimal { $0["zzzzzzzz"] = .string("x") })
        #expect(unrelated.stderr.contains(
            "hint: the testimony has a field that form testimony does not define, close to none of its fields"
        ), "\(unrelated.stderr)")
        #expect(!unrelated.stderr.contains("zzzzzzzz"))

        let forms = try await daemon.amanat(["forms", "testimony"])
        #expect(forms.status == 0)
        #expect(forms.stdoutText.contains("    = detained_camp\tHeld in a camp"), "\(forms.stdoutText)")
        #expect(forms.stdoutText.contains("    = kk\t"))
        #expect(await daemon.stop() == 0)
    }

    @Test("text from amanatd reaches the terminal without its control characters, in every command")
    func controlCharactersNeutralised() async throws {
        let directory = try TempDir()
        // JSON escapes for ESC, BEL and CSI: an OSC that retitles the terminal, a clear screen, a colour.
        let hostile = #"refused\u001b]0;owned\u0007\u001b[2J\u009b31m"#
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { _, _ in
            (422, #"{"type":"urn:amanat:problem:invalid-testimony","title":"x","status":422,"detail":"\#(hostile)"}"#)
        }
        _ = server
        for arguments in [["health"], ["forms"], ["submit", "-"], ["signing-key"]] {
            let outcome = try await run(
                Paths.binary("amanat"), ["--socket", directory.file("scripted.sock")] + arguments,
                stdin: Self.minimal()
            )
            #expect(outcome.status == 3, "\(arguments)")
            #expect(outcome.stderr.contains("refused"), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B },
                    "\(arguments): \(outcome.stderr.debugDescription)")
        }
    }

    @Test("a problem's field path from amanatd is shown without control characters inside a translated sentence")
    func controlCharactersInTranslatedProblems() async throws {
        let directory = try TempDir()
        let hostile = #"narr\u001b]0;owned\u0007ative\u009b2J"#
        let server = try ScriptedServer(path: directory.file("scripted.sock")) { _, _ in
            (422, #"{"type":"urn:amanat:problem:missing-field","title":"x","status":422,"detail":"x","#
                + #""field":"\#(hostile)"}"#)
        }
        _ = server
        for (lang, expected) in [("ru", "не заполнено обязательное поле «narr"), ("kk", "міндетті «narr")] {
            let outcome = try await run(
                Paths.binary("amanat"), ["--socket", directory.file("scripted.sock"), "submit", "--lang", lang, "-"],
                stdin: Self.minimal()
            )
            #expect(outcome.status == 3)
            #expect(outcome.stderr.hasPrefix("amanat: error: " + expected), "\(outcome.stderr)")
            #expect(!outcome.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B },
                    "\(outcome.stderr.debugDescription)")
        }
    }
}

/// Sends raw bytes on a new connection and reads until the server closes it or 10 seconds pass.
func rawExchange(socketPath: String, send bytes: [UInt8], thenHalfClose halfClose: Bool = false) throws -> String {
    let fd = try connectedSocket(socketPath)
    defer { close(fd) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    if halfClose { shutdown(fd, Int32(SHUT_WR)) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        received += buffer[0..<n]
    }
    return String(decoding: received, as: UTF8.self)
}

@Suite("hostile connections")
struct HostileConnectionTests {
    @Test("a connection over the limit gets 503 and the daemon keeps serving")
    func overLimit() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: ["--max-connections", "2"])
        let first = try connectedSocket(daemon.socketPath)
        let second = try connectedSocket(daemon.socketPath)
        // Both connections are in the middle of a request when the third arrives, so neither can give way to it: each
        // has had a health request answered, and the POST pipelined behind it is in flight by the time that answer
        // arrives (its body never comes).
        for fd in [first, second] {
            let answer = try exchange(fd, ConnectionDeadlineTests.pipelinedHalfPost)
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
        let refused = try rawExchange(
            socketPath: daemon.socketPath, send: Array("GET /v1/health HTTP/1.1\r\nHost: amanat\r\n\r\n".utf8)
        )
        #expect(refused.hasPrefix("HTTP/1.1 503"))
        #expect(refused.contains("urn:amanat:problem:too-many-connections"))
        close(first)
        close(second)
        #expect(daemon.process.isRunning)
        #expect(await daemon.stop() == 0)
    }

    @Test("malformed HTTP gets a problem+json 400", arguments: [
        "GARBAGE\r\n\r\n",
        "POST /v1/testimonies HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
        "POST /v1/testimonies HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET /v1/health HTTP/1.1\r\nBad Header\r\n\r\n",
    ])
    func malformedHTTP(request: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let answer = try rawExchange(socketPath: daemon.socketPath, send: Array(request.utf8))
        #expect(answer.hasPrefix("HTTP/1.1 400"))
        #expect(answer.contains("application/problem+json"))
        #expect(answer.contains("urn:amanat:problem:bad-request"))
        #expect(try daemon.client.request(method: "GET", path: "/v1/health").status == 200)
        #expect(await daemon.stop() == 0)
    }
}

/// Sends `request` on an open connection and reads one response (up to the end of its Content-Length body).
func exchange(_ fd: Int32, _ request: String) throws -> String {
    let bytes = Array(request.utf8)
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { break }
        received += buffer[0..<n]
        let text = String(decoding: received, as: UTF8.self)
        if let split = text.range(of: "\r\n\r\n"),
           let lengthLine = text[..<split.lowerBound].split(separator: "\r\n").first(where: {
               $0.lowercased().hasPrefix("content-length:") }),
           let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
           text.utf8.distance(from: text.utf8.startIndex, to: split.upperBound.samePosition(in: text.utf8)!) + length
            <= received.count
        {
            return text
        }
    }
    return String(decoding: received, as: UTF8.self)
}
