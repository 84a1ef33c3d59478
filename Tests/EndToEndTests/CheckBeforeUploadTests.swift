import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// Evidence files are sent only for a testimony amanatd would take (`POST /v1/testimonies/check` first), and a
/// failed send does not send them twice: the next try binds the uploads amanatd still holds. Real binaries; the
/// assertions are on amanatd's side (files made in `attachments/`, its `uploads` table), never on timing.
@Suite("end to end: the check before uploads, and retries that keep them")
struct CheckBeforeUploadTests {
    /// Watches `directory` for files made in it, from now on (inotify, non-blocking).
    final class CreationWatch {
        private let fd: Int32

        init(_ directory: String) throws {
            fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
            guard fd >= 0, inotify_add_watch(fd, directory, UInt32(IN_CREATE | IN_MOVED_TO)) >= 0 else {
                throw HarnessError("cannot watch \(directory)")
            }
        }

        deinit {
            close(fd)
        }

        /// How many files were made since the last call (the kernel queued each event as it happened).
        func created() -> Int {
            var count = 0
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return count }
                var offset = 0
                while offset < n {
                    let length = buffer.withUnsafeBytes {
                        $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                    }
                    count += 1
                    offset += 16 + Int(length)
                }
            }
        }
    }

    /// The example testimony with `change` applied to its fields, written to `name`.
    static func testimony(_ directory: TempDir, _ name: String, _ change: (inout [String: JSONValue]) -> Void) throws
        -> String
    {
        let example = try JSONParser().parse(contents(Paths.example("testimony.json")))
        guard case .object(var members) = example, case .object(var fields)? = members["fields"] else {
            throw HarnessError("the example testimony is not an object of fields")
        }
        change(&fields)
        members["fields"] = .object(fields)
        return try directory.write(name, JSONValue.object(members).canonicalBytes())
    }

    static func uploadRows(_ database: String) throws -> [(String, Int64, Int64)] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT upload_id, length, durable_offset FROM uploads ORDER BY upload_id")
                .map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// amanatd with the short form of ``InteractiveEvidenceTests`` and `arguments`, in a new directory.
    static func shortFormDaemon(_ arguments: [String]) async throws -> (TempDir, TestKey, String, Daemon) {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let forms = try InteractiveIntakeTests.makeDirectory(directory, "forms")
        try directory.write("forms/short.toml", InteractiveEvidenceTests.form)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], forms: forms, extraArguments: arguments)
        return (directory, key, forms, daemon)
    }

    /// The guided intake with `files`, through the name and the files to `send`, typed at the review.
    static func sendGuided(_ daemon: Daemon, files: [String]) throws -> PseudoTerminal {
        let tmp = try InteractiveIntakeTests.makeDirectory(daemon.directory, "tmp")
        let terminal = try PseudoTerminal(
            Paths.binary("amanat"),
            ["--socket", daemon.socketPath, "submit", "--interactive", "--lang", "en"]
                + files.flatMap { ["--attach", $0] },
            environment: InteractiveIntakeTests.environment(tmp: tmp, lang: "en_US.UTF-8"), directory: tmp
        )
        try terminal.expect("[1/1] Name * (required)")
        try terminal.expect("> ")
        try terminal.type("Aidos\r")
        try terminal.expect("\(files.count)) ")
        try terminal.type("\r")
        try terminal.expect("\u{201C}send\u{201D}")
        try terminal.expect("> ")
        try terminal.type("send\r")
        return terminal
    }

    @Test("a missing field or a wrong choice with a 1 GiB file: refused at once, and no upload is ever created")
    func refusedBeforeAnyUpload() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let large = try AttachmentClientTests.makeFile(
            directory, "interview.mp4", size: 1 << 30, head: [0, 0, 0, 0x18] + Array("ftypisom".utf8), marker: [1]
        )
        let missing = try Self.testimony(directory, "missing.json") { $0["full_name"] = nil }
        let wrongChoice = try Self.testimony(directory, "choice.json") { $0["language"] = .string("klingon") }
        let watch = try CreationWatch(daemon.directory.file("attachments"))

        let refusedMissing = try await daemon.amanat(["submit", missing, "--attach", large])
        #expect(refusedMissing.status == 3, "\(refusedMissing.stderr)")
        #expect(refusedMissing.stderr.hasPrefix("amanat: error: "), "\(refusedMissing.stderr)")
        #expect(refusedMissing.stderr.contains("full_name"), "\(refusedMissing.stderr)")
        let refusedChoice = try await daemon.amanat(["submit", "--json", wrongChoice, "--attach", large])
        #expect(refusedChoice.status == 3, "\(refusedChoice.stderr)")
        #expect(refusedChoice.stderr.contains("language"), "\(refusedChoice.stderr)")
        // `--json` still prints the problem, as for a testimony without files.
        #expect(try JSONParser().parse(refusedChoice.stdout)["field"]?.stringValue == "language")

        #expect(watch.created() == 0, "amanatd made an upload for a testimony it refuses")
        // The checks' bodies were the testimony in plaintext: none of it in amanatd's output.
        #expect(!daemon.output.contains("Bolatbek"), "amanatd logged a checked testimony")
        #expect(try Self.uploadRows(daemon.databasePath).isEmpty)
        #expect(try InteractiveIntakeTests.recordCount(daemon.databasePath) == 0)

        // A good testimony passes the check and is stored with its file: the watch sees the one upload.
        let photo = try AttachmentClientTests.makeFile(
            directory, "IMG_0001.jpg", size: 90_000, head: [0xFF, 0xD8, 0xFF, 0xE0], marker: [2]
        )
        let testimony = try AttachmentClientTests.testimony(directory)
        let good = try await daemon.amanat(["submit", testimony, "--attach", photo])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdoutLines.contains { $0.hasPrefix("attachment 1 ") && $0.hasSuffix(" IMG_0001.jpg") })
        #expect(watch.created() == 1)
        #expect(try AttachmentClientTests.attachmentRows(daemon.databasePath).count == 1)
        #expect(await daemon.stop() == 0)
    }

    @Test("guided intake: files over the record's limit are refused by the check, before any upload is created")
    func guidedCheckRefuses() async throws {
        let (directory, _, _, daemon) = try await Self.shortFormDaemon(["--max-record-bytes", "1048576"])
        let video = try AttachmentClientTests.makeFile(
            directory, "interview.mp4", size: 2 << 20, head: [0, 0, 0, 0x18] + Array("ftypisom".utf8), marker: [5]
        )
        let watch = try CreationWatch(daemon.directory.file("attachments"))
        let terminal = try Self.sendGuided(daemon, files: [video])
        try terminal.expect("Sending failed: a record may hold at most 64 attachments of 1048576 stored bytes")
        try terminal.expect("3) Discard the testimony")
        try terminal.type("3\r")
        try terminal.expect("Discard everything typed")
        try terminal.type("y\r")
        #expect(try terminal.finish() == 3)
        #expect(watch.created() == 0, "an upload was created for a testimony the check refused")
        #expect(try Self.uploadRows(daemon.databasePath).isEmpty)
        #expect(await daemon.stop() == 0)
    }

    @Test("guided intake: the send fails, amanatd stops and starts again; the retry binds the uploads already sent")
    func guidedRetryKeepsUploads() async throws {
        // One submission a minute, spent below: the guided intake's first binding request gets 429 once its check
        // (a bucket of its own) passed and its files went up. A restart empties the buckets.
        let arguments = ["--submissions-per-minute", "1"]
        let (directory, key, forms, daemon) = try await Self.shortFormDaemon(arguments)
        let first = try directory.write("first.json", #"{"form":"short","fields":{"name":"First"}}"#)
        #expect(try await daemon.amanat(["submit", first]).status == 0)
        let video = try AttachmentClientTests.makeFile(
            directory, "interview.mp4", size: 5 << 20, head: [0, 0, 0, 0x18] + Array("ftypisom".utf8), marker: [3]
        )
        let scan = try AttachmentClientTests.makeFile(
            directory, "scan.pdf", size: 70_000, head: Array("%PDF-1.7\n".utf8), marker: [4]
        )
        let attachments = daemon.directory.file("attachments")
        let terminal = try Self.sendGuided(daemon, files: [video, scan])
        try terminal.expect("Sending failed: this user has submitted too many testimonies")
        try terminal.expect("1) Try sending again (Enter)")

        // Both files are on amanatd, whole, and no record holds them.
        let sent = try Self.uploadRows(daemon.databasePath)
        #expect(sent.count == 2 && sent.allSatisfy { $0.1 == $0.2 }, "\(sent)")
        let sentFiles = Set(try FileManager.default.contentsOfDirectory(atPath: attachments))
        #expect(sentFiles == Set(sent.map { $0.0 }))

        #expect(await daemon.stop() == 0)
        let watch = try CreationWatch(attachments)
        try terminal.type("\r")
        try terminal.expect("Sending failed: ")
        try terminal.expect("1) Try sending again (Enter)")
        let restarted = try Daemon(in: directory, recipients: [key.publicKey], forms: forms, extraArguments: arguments)
        try terminal.type("\r")
        let shown = try terminal.expect("The testimony was stored. Record id: ")
        #expect(shown.contains("amanatd still holds 2 of the files whole; they are not sent again"), "\(shown)")
        try terminal.expect("attachment 2 ")
        #expect(try terminal.finish() == 0)

        // Nothing was sent again: no file made since the first try, and the record's attachments are its uploads.
        #expect(watch.created() == 0, "the retry created uploads again")
        #expect(try Self.uploadRows(restarted.databasePath).isEmpty)
        let rows = try AttachmentClientTests.attachmentRows(restarted.databasePath)
        #expect(Set(rows.compactMap { $0.2 }) == sentFiles)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: attachments)) == sentFiles)
        #expect(await restarted.stop() == 0)
    }

    @Test("submit --attach: the testimony's connection is cut after the files went up; the retry binds the same uploads")
    func cutBindingKeepsUploads() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let relay = try CuttingRelay(
            path: directory.file("relay.sock"), target: daemon.socketPath, cut: "POST /v1/testimonies HTTP/1.1"
        )
        let video = try AttachmentClientTests.makeFile(
            directory, "interview.mp4", size: 5 << 20, head: [0, 0, 0, 0x18] + Array("ftypisom".utf8), marker: [6]
        )
        let scan = try AttachmentClientTests.makeFile(
            directory, "scan.pdf", size: 70_000, head: Array("%PDF-1.7\n".utf8), marker: [7]
        )
        let watch = try CreationWatch(daemon.directory.file("attachments"))
        let testimony = try AttachmentClientTests.testimony(directory)
        let outcome = try await run(
            Paths.binary("amanat"),
            ["--socket", relay.socketPath, "submit", testimony, "--attach", video, "--attach", scan]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(relay.didCut)
        #expect(outcome.stderr.contains("sending the testimony was interrupted"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("amanatd still holds 2 of the files whole"), "\(outcome.stderr)")
        #expect(outcome.stdoutLines.contains { $0.hasPrefix("attachment 2 ") && $0.hasSuffix(" scan.pdf") })
        // One upload per file, made once: the retry sent no file again.
        #expect(watch.created() == 2, "the retry created uploads again")
        #expect(try Self.uploadRows(daemon.databasePath).isEmpty)
        #expect(try AttachmentClientTests.attachmentRows(daemon.databasePath).count == 2)
        #expect(try InteractiveIntakeTests.recordCount(daemon.databasePath) == 1)
        #expect(await daemon.stop() == 0)
    }

    @Test("submit --attach: stored, but the answer is cut; the files are gone from amanatd, so nothing is sent twice")
    func answerCutStopsWithoutDuplicate() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let relay = try CuttingRelay(
            path: directory.file("relay.sock"), target: daemon.socketPath, cut: "POST /v1/testimonies HTTP/1.1",
            afterRequest: true
        )
        let scan = try AttachmentClientTests.makeFile(
            directory, "scan.pdf", size: 70_000, head: Array("%PDF-1.7\n".utf8), marker: [8]
        )
        let watch = try CreationWatch(daemon.directory.file("attachments"))
        let testimony = try AttachmentClientTests.testimony(directory)
        let outcome = try await run(
            Paths.binary("amanat"), ["--socket", relay.socketPath, "submit", testimony, "--attach", scan]
        )
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(relay.didCut)
        #expect(outcome.stderr.contains("the testimony was most likely stored"), "\(outcome.stderr)")
        #expect(watch.created() == 1, "the file was sent again")
        #expect(try InteractiveIntakeTests.recordCount(daemon.databasePath) == 1, "the testimony was stored twice")
        #expect(await daemon.stop() == 0)
    }
}
