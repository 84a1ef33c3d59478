import Foundation
import GRDB
import Glibc
import Testing

/// Resumable uploads against a real amanatd (PROTOCOL.md sections 2.9 to 2.12), in raw HTTP.
@Suite("uploads")
struct UploadTests {
    static let mib = UploadWire.mebibyte

    static func start(_ directory: TempDir, _ extra: [String] = []) async throws -> Daemon {
        let key = try await TestKey.make(in: directory)
        // For a second daemon in the same directory (``keyArguments(_:)``).
        try directory.write("recipient", key.publicKey)
        return try Daemon(in: directory, recipients: [key.publicKey], extraArguments: extra)
    }

    static func file(_ daemon: Daemon, _ id: String) -> String { daemon.directory.file("attachments/\(id)") }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    @Test("create, append in pieces, complete: the file and its SHA-256 are what was sent; DELETE removes both")
    func happyPath() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(directory, ["--upload-sync-bytes", String(Self.mib)])
        let socket = daemon.socketPath
        let body = UploadWire.randomBody(5 * Self.mib + 123)
        let (id, created) = try UploadWire.create(socket, length: body.count)
        #expect(created.status == 201, "\(created.text)")
        #expect(id.count == 32)
        #expect(created.headers["location"] == "/v1/uploads/\(id)")
        #expect(created.headers["upload-offset"] == "0")
        #expect(created.headers["upload-limit"] == "max-size=\(body.count)")
        #expect(created.json["length"] as? Int == body.count && created.json["offset"] as? Int == 0)
        #expect(created.json["expires_in_seconds"] as? Int == 86_400)
        #expect(Self.mode(daemon.directory.file("attachments")) == 0o700)
        #expect(Self.mode(Self.file(daemon, id)) == 0o600)
        #expect(contents(Self.file(daemon, id)).isEmpty)

        let first = try UploadWire.patch(socket, id, offset: 0, body[0..<(2 * Self.mib)], complete: false)
        #expect(first.status == 204, "\(first.text)")
        #expect(first.headers["upload-offset"] == String(2 * Self.mib) && first.headers["upload-complete"] == "?0")
        let head = try UploadWire.headUpload(socket, id)
        #expect(head.status == 204)
        #expect(head.headers["upload-offset"] == String(2 * Self.mib) && head.headers["upload-complete"] == "?0")
        #expect(head.headers["upload-length"] == String(body.count) && head.headers["cache-control"] == "no-store")
        #expect(head.headers["content-length"] == nil, "a 204 has no Content-Length")

        let rest = try UploadWire.patch(socket, id, offset: 2 * Self.mib, body[(2 * Self.mib)...], complete: true)
        #expect(rest.status == 204, "\(rest.text)")
        #expect(rest.headers["upload-offset"] == String(body.count) && rest.headers["upload-complete"] == "?1")
        #expect(try UploadWire.headUpload(socket, id).headers["upload-complete"] == "?1")
        let row = try #require(try UploadWire.row(daemon.databasePath, id))
        #expect(row.offset == body.count && row.length == body.count)
        #expect(row.sha256 == UploadWire.sha256(body), "the recorded SHA-256 is that of the bytes sent")
        let same = UploadWire.sameBytes(contents(Self.file(daemon, id)), body)
        #expect(same, "the durable bytes are the bytes sent")

        let deleted = try UploadWire.request(socket, "DELETE", "/v1/uploads/\(id)")
        #expect(deleted.status == 204)
        #expect(!FileManager.default.fileExists(atPath: Self.file(daemon, id)))
        #expect(try UploadWire.row(daemon.databasePath, id) == nil)
        let gone = try UploadWire.headUpload(socket, id)
        #expect(gone.status == 404)
        #expect(await daemon.stop() == 0)
        #expect(!daemon.output.contains(id), "an upload's id is never logged")
    }

    @Test("refusals come before the body: 413, 429, 409 with expected_offset, 400, 411, 415, and nothing is created")
    func refusals() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(
            directory, ["--max-file-bytes", String(Self.mib), "--max-uploads-per-peer", "2"]
        )
        let socket = daemon.socketPath
        let tooLarge = try UploadWire.create(socket, length: Self.mib + 1).response
        #expect(tooLarge.status == 413 && tooLarge.slug == "file-too-large", "\(tooLarge.text)")
        let noLength = try UploadWire.request(socket, "POST", "/v1/uploads")
        #expect(noLength.status == 400 && noLength.slug == "invalid-upload-request")
        #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.directory.file("attachments")).isEmpty)

        let (id, _) = try UploadWire.create(socket, length: 1000)
        _ = try UploadWire.create(socket, length: 1000)
        let third = try UploadWire.create(socket, length: 1000).response
        #expect(third.status == 429 && third.slug == "too-many-uploads", "\(third.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.directory.file("attachments")).count == 2)

        // Heads alone: each answer arrives although no body byte was sent.
        func answerToHead(_ headers: [(String, String)], length: Int?) throws -> WireResponse {
            let fd = try connectedSocket(socket)
            defer { close(fd) }
            UploadWire.send(fd, UploadWire.head(
                "PATCH", "/v1/uploads/\(id)", headers + (length.map { [("Content-Length", String($0))] } ?? [])
            )[...])
            return try UploadWire.read(fd, method: "PATCH", seconds: 10)
        }
        let mismatch = try answerToHead(UploadWire.patchHeaders(offset: 5, complete: false), length: 100)
        #expect(mismatch.status == 409 && mismatch.slug == "mismatching-upload-offset", "\(mismatch.text)")
        #expect(mismatch.json["expected_offset"] as? Int == 0)
        let past = try answerToHead(UploadWire.patchHeaders(offset: 0, complete: false), length: 1001)
        #expect(past.status == 400 && past.slug == "inconsistent-upload-length", "\(past.text)")
        let notComplete = try answerToHead(UploadWire.patchHeaders(offset: 0, complete: false), length: 1000)
        #expect(notComplete.status == 400 && notComplete.slug == "inconsistent-upload-length")
        let overLimit = try answerToHead(UploadWire.patchHeaders(offset: 0, complete: false), length: Self.mib + 1)
        #expect(overLimit.status == 413, "\(overLimit.text)")
        let noContentLength = try answerToHead(UploadWire.patchHeaders(offset: 0, complete: false), length: nil)
        #expect(noContentLength.status == 411 && noContentLength.slug == "length-required", "\(noContentLength.text)")
        var wrongType = UploadWire.patchHeaders(offset: 0, complete: false)
        wrongType[0] = ("Content-Type", "application/octet-stream")
        let mediaType = try answerToHead(wrongType, length: 10)
        #expect(mediaType.status == 415, "\(mediaType.text)")
        let unknown = try UploadWire.headUpload(socket, String(repeating: "ab", count: 16))
        #expect(unknown.status == 404)
        #expect(try UploadWire.row(daemon.databasePath, id)?.offset == 0, "nothing was appended")
        #expect(await daemon.stop() == 0)

        // 507 from the file system's free space, before anything is created.
        let full = try Daemon(
            in: directory, recipients: [],
            extraArguments: ["--min-free-bytes", "1099511627776"] + Self.keyArguments(daemon)
        )
        let refused = try UploadWire.create(full.socketPath, length: 1000).response
        #expect(refused.status == 507 && refused.slug == "storage-full", "\(refused.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: full.directory.file("attachments")).count == 2)
        #expect(await full.stop() == 0)
    }

    /// The recipient of a daemon started by `start`, to start another in the same directory.
    static func keyArguments(_ daemon: Daemon) -> [String] {
        guard let text = try? String(contentsOfFile: daemon.directory.file("recipient"), encoding: .utf8) else {
            return []
        }
        return ["--recipient", text.trimmingCharacters(in: .whitespacesAndNewlines)]
    }

    @Test("a connection cut mid-PATCH keeps what arrived: HEAD tells the offset, and a PATCH from there completes")
    func cutConnection() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(directory, ["--upload-sync-bytes", String(Self.mib)])
        let socket = daemon.socketPath
        let body = UploadWire.randomBody(4 * Self.mib)
        let (id, _) = try UploadWire.create(socket, length: body.count)
        let sent = 3 * Self.mib + 17
        let fd = try UploadWire.startPatch(socket, id, offset: 0, total: body.count, complete: true, body[0..<sent])
        close(fd)
        // Everything sent reached the socket before the end: the daemon reads it all, then makes it durable.
        #expect(try await waitUntil(seconds: 30) { try UploadWire.row(daemon.databasePath, id)?.offset == sent })
        let head = try UploadWire.headUpload(socket, id)
        #expect(head.status == 204 && head.headers["upload-offset"] == String(sent))
        #expect(contents(Self.file(daemon, id)).count == sent)
        let rest = try UploadWire.patch(socket, id, offset: sent, body[sent...], complete: true)
        #expect(rest.status == 204 && rest.headers["upload-complete"] == "?1", "\(rest.text)")
        #expect(try UploadWire.row(daemon.databasePath, id)?.sha256 == UploadWire.sha256(body))
        let same = UploadWire.sameBytes(contents(Self.file(daemon, id)), body)
        #expect(same)
        #expect(await daemon.stop() == 0)
    }

    @Test("a HEAD while another connection is still writing ends that connection, and tells what it made durable")
    func headEndsWriter() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(directory, ["--upload-sync-bytes", String(Self.mib)])
        let socket = daemon.socketPath
        let body = UploadWire.randomBody(4 * Self.mib)
        let (id, _) = try UploadWire.create(socket, length: body.count)
        let sent = Self.mib + 5
        let writer = try UploadWire.startPatch(socket, id, offset: 0, total: body.count, complete: true, body[0..<sent])
        defer { close(writer) }
        // At once, not once the writer's stall deadline (60 s) has passed.
        let head = try UploadWire.headUpload(socket, id, seconds: 10)
        #expect(head.status == 204)
        let offset = try #require(Int(head.headers["upload-offset"] ?? ""))
        #expect(offset <= sent)
        #expect(endOfFile(writer, within: 10) == .closed, "the writing connection was ended")
        #expect(try UploadWire.row(daemon.databasePath, id)?.offset == offset)
        let rest = try UploadWire.patch(socket, id, offset: offset, body[offset...], complete: true)
        #expect(rest.status == 204, "\(rest.text)")
        #expect(try UploadWire.row(daemon.databasePath, id)?.sha256 == UploadWire.sha256(body))
        #expect(await daemon.stop() == 0)
    }

    @Test("kill -9 mid-PATCH: after a restart HEAD's offset is at most what was sent, and the upload resumes")
    func killDuringPatch() async throws {
        let directory = try TempDir()
        let arguments = ["--upload-sync-bytes", String(Self.mib)]
        let daemon = try await Self.start(directory, arguments)
        let body = UploadWire.randomBody(8 * Self.mib)
        let (id, _) = try UploadWire.create(daemon.socketPath, length: body.count)
        let sent = 5 * Self.mib + 3
        let fd = try UploadWire.startPatch(
            daemon.socketPath, id, offset: 0, total: body.count, complete: true, body[0..<sent]
        )
        defer { close(fd) }
        // Killed once something is durable, while the connection is still open and the body unfinished.
        #expect(try await waitUntil(seconds: 30) {
            (try UploadWire.row(daemon.databasePath, id)?.offset ?? 0) >= Self.mib
        })
        daemon.process.signal(SIGKILL)
        #expect(await daemon.waitForExit() == SIGKILL)

        let restarted = try Daemon(in: directory, recipients: [], extraArguments: arguments + Self.keyArguments(daemon))
        let head = try UploadWire.headUpload(restarted.socketPath, id)
        let offset = try #require(Int(head.headers["upload-offset"] ?? ""))
        #expect(offset >= Self.mib && offset <= sent, "offset \(offset)")
        #expect(contents(Self.file(restarted, id)).count == offset, "the file was cut back to its durable offset")
        let rest = try UploadWire.patch(restarted.socketPath, id, offset: offset, body[offset...], complete: true)
        #expect(rest.status == 204, "\(rest.text)")
        #expect(try UploadWire.row(restarted.databasePath, id)?.sha256 == UploadWire.sha256(body))
        let same = UploadWire.sameBytes(contents(Self.file(restarted, id)), body)
        #expect(same)
        #expect(await restarted.stop() == 0)
    }

    @Test("an upload with no byte for upload_expiry_seconds is removed, row and file")
    func expiry() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(directory, ["--upload-expiry-seconds", "2"])
        let (id, created) = try UploadWire.create(daemon.socketPath, length: 5000)
        #expect(created.json["expires_in_seconds"] as? Int == 2)
        let body = UploadWire.randomBody(1000)
        #expect(try UploadWire.patch(daemon.socketPath, id, offset: 0, body[...], complete: false).status == 204)
        #expect(try await waitUntil(seconds: 30) { !FileManager.default.fileExists(atPath: Self.file(daemon, id)) })
        #expect(try UploadWire.row(daemon.databasePath, id) == nil)
        #expect(try UploadWire.headUpload(daemon.socketPath, id).status == 404)
        #expect(await daemon.stop() == 0)
    }

    @Test("at start, files are cut back to their durable offsets and files no row names are removed; attachments' stay")
    func startUpRecovery() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(directory)
        let body = UploadWire.randomBody(5000)
        let (id, _) = try UploadWire.create(daemon.socketPath, length: body.count)
        #expect(try UploadWire.patch(daemon.socketPath, id, offset: 0, body[0..<1000], complete: false).status == 204)
        #expect(await daemon.stop() == 0)

        // What a kill -9 leaves: bytes past the durable offset, a file whose row never came, an attachment's file.
        let handle = try #require(FileHandle(forWritingAtPath: Self.file(daemon, id)))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xEE, count: 700))
        try handle.close()
        let orphan = String(repeating: "0a", count: 16)
        let attached = String(repeating: "b1", count: 16)
        try directory.write("attachments/\(orphan)", [1, 2, 3])
        try directory.write("attachments/\(attached)", [4, 5, 6])
        let queue = try DatabaseQueue(path: daemon.databasePath)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO attachments (attachment_id, record_id, position, sealed_to, envelope, stored_size,
                        ciphertext_sha256, storage) VALUES (?, ?, 1, 'identity', ?, 302, ?, ?)
                    """,
                arguments: [Data(repeating: 1, count: 16), Data(repeating: 2, count: 16), Data([0]),
                            Data(repeating: 3, count: 32), attached]
            )
        }
        try queue.close()

        let restarted = try Daemon(in: directory, recipients: [], extraArguments: Self.keyArguments(daemon))
        #expect(contents(Self.file(restarted, id)) == Array(body[0..<1000]), "cut back to the durable offset")
        #expect(!FileManager.default.fileExists(atPath: Self.file(restarted, orphan)), "the orphan is removed")
        #expect(FileManager.default.fileExists(atPath: Self.file(restarted, attached)), "an attachment's file stays")
        let rest = try UploadWire.patch(restarted.socketPath, id, offset: 1000, body[1000...], complete: true)
        #expect(rest.status == 204, "\(rest.text)")
        #expect(try UploadWire.row(restarted.databasePath, id)?.sha256 == UploadWire.sha256(body))
        #expect(await restarted.stop() == 0)
    }

    @Test("an upload's body is not cut by request_timeout_seconds while bytes come, and is after a stall")
    func stallDeadline() async throws {
        let directory = try TempDir()
        let daemon = try await Self.start(
            directory, ["--request-timeout-seconds", "1", "--upload-stall-timeout-seconds", "8"]
        )
        let socket = daemon.socketPath
        let piece = 64 * 1024
        let body = UploadWire.randomBody(15 * piece)
        let (id, _) = try UploadWire.create(socket, length: body.count)
        // Fifteen pieces over three seconds: three times the request timeout, and far from a stall even on a loaded
        // machine (the pauses are the behaviour under test, not a wait for something).
        let fd = try UploadWire.startPatch(socket, id, offset: 0, total: body.count, complete: true, body[0..<piece])
        defer { close(fd) }
        // On a thread of its own: the cooperative pool's threads may all be blocked by other tests' socket reads,
        // which would stretch the pauses into stalls.
        await UploadWire.onThread {
            for index in 1..<15 {
                usleep(200_000)
                UploadWire.send(fd, body[(index * piece)..<((index + 1) * piece)])
            }
        }
        let answer = try UploadWire.read(fd, method: "PATCH")
        #expect(answer.status == 204 && answer.headers["upload-complete"] == "?1", "\(answer.text)")

        // A stall: closed after the stall time, and what arrived is kept.
        let (other, _) = try UploadWire.create(socket, length: body.count)
        let stalled = try UploadWire.startPatch(
            socket, other, offset: 0, total: body.count, complete: true, body[0..<piece]
        )
        defer { close(stalled) }
        let started = Date()
        #expect(endOfFile(stalled, within: 40) == .closed)
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 7, "closed after \(waited) s, before the stall time")
        #expect(try await waitUntil(seconds: 10) { try UploadWire.row(daemon.databasePath, other)?.offset == piece })
        #expect(await daemon.stop() == 0)
    }
}
