import AmanatFormat
import AmanatJSON
import Foundation
import GRDB
import Glibc
import Testing

/// `amanat submit --attach`, `amanat attach` and `amanat addendum` against the real amanatd: files encrypted by
/// amanat as it reads them, stored by amanatd as ciphertext of the stream's size, and an upload resumed by the same
/// amanat invocation after amanatd was killed and restarted under it.
@Suite("end to end: evidence files from the volunteer's client")
struct AttachmentClientTests {
    static let mib = 1 << 20

    /// A file of `size` bytes: `head` first, then zeros (sparse, so that 300 MiB costs nothing to make), with
    /// `marker` written at a few places, to be looked for at rest.
    static func makeFile(
        _ directory: TempDir, _ name: String, size: Int, head: [UInt8], marker: [UInt8]
    ) throws -> String {
        let path = directory.file(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw HarnessError("cannot create \(path)") }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0 else { throw HarnessError("ftruncate \(path)") }
        for (offset, bytes) in [(0, head), (head.count, marker), (size / 2, marker), (size - marker.count, marker)] {
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        }
        return path
    }

    /// The attachments amanatd stored: (stored_size, ciphertext_sha256, storage) by position, from the database.
    static func attachmentRows(_ database: String) throws -> [(Int64, [UInt8], String?)] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: database, configuration: configuration)
        return try queue.read { db in
            let sql = "SELECT stored_size, ciphertext_sha256, storage FROM attachments ORDER BY position"
            return try Row.fetchAll(db, sql: sql)
                .map { ($0[0], [UInt8]($0[1] as Data), $0[2]) }
        }
    }

    static func testimony(_ directory: TempDir) throws -> String {
        try directory.write("testimony.json", contents(Paths.example("testimony.json")))
    }

    @Test("submit --attach: a photo, a recording and a 300 MiB file, stored as ciphertext of the stream's size")
    func submitWithFiles() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let marker = Array("MARKER-\(UUID().uuidString)-evidence".utf8)
        let photo = try Self.makeFile(
            directory, "IMG_0412.jpg", size: 180_000, head: [0xFF, 0xD8, 0xFF, 0xE1, 0x12, 0x34] + Array("Exif".utf8),
            marker: marker
        )
        let audio = try Self.makeFile(
            directory, "voice note.mp3", size: 1_300_000, head: Array("ID3".utf8) + [4, 0, 0], marker: marker
        )
        let large = try Self.makeFile(
            directory, "interview.mp4", size: 300 * Self.mib, head: [0, 0, 0, 0x18] + Array("ftypisom".utf8),
            marker: marker
        )
        let sizes = [180_000, 1_300_000, 300 * Self.mib]

        let outcome = try await daemon.amanat(
            ["submit", "--json", try Self.testimony(directory), "--attach", photo, "--attach", audio, "--attach", large]
        )
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let answer = try JSONParser().parse(outcome.stdout)
        #expect(answer["record_id"]?.stringValue?.count == 32)
        #expect(answer["withdrawal_token"]?.stringValue?.hasPrefix("amanat-wt-") == true)
        let attachments = try #require(answer["attachments"]?.arrayValue)
        #expect(attachments.count == 3)
        for (index, entry) in attachments.enumerated() {
            let stored = FileStreamLayout.storedSize(plainSize: UInt64(sizes[index]))
            #expect(entry["position"]?.numberLiteral == String(index + 1))
            #expect(entry["name"]?.stringValue == ["IMG_0412.jpg", "voice note.mp3", "interview.mp4"][index])
            #expect(entry["size"]?.numberLiteral == String(sizes[index]))
            #expect(entry["stored_size"]?.numberLiteral == String(stored))
            #expect(entry["attachment_id"]?.stringValue?.count == 32)
            #expect(entry["receipt"]?["seq"] != nil)
        }

        let rows = try Self.attachmentRows(daemon.databasePath)
        #expect(rows.count == 3)
        for (index, (storedSize, sha256, storage)) in rows.enumerated() {
            #expect(UInt64(storedSize) == FileStreamLayout.storedSize(plainSize: UInt64(sizes[index])))
            let path = daemon.directory.file("attachments/\(try #require(storage))")
            var status = stat()
            #expect(stat(path, &status) == 0 && Int64(status.st_size) == storedSize, "the stream on disk has its size")
            if index < 2 {
                let stream = contents(path)
                #expect(Array(stream.prefix(5)) == FileStreamLayout.magic + [FileStreamLayout.version])
                #expect(!stream.contains(bytes: marker), "a file's plaintext is at rest")
                #expect(sha256.count == 32)
            }
        }
        #expect(!contents(daemon.databasePath).contains(bytes: marker))
        #expect(!daemon.output.contains("IMG_0412"), "amanatd logged a file's name")
        #expect(await daemon.stop() == 0)
    }

    @Test("kill -9 of amanatd while amanat sends a 300 MiB file: the same amanat invocation resumes and finishes")
    func resumesAfterDaemonRestart() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // Durable every 4 MiB, so that the offset amanatd keeps lies inside amanat's 64 MiB segment.
        let arguments = ["--upload-sync-bytes", String(4 * Self.mib)]
        let daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
        let size = 300 * Self.mib
        let large = try Self.makeFile(
            directory, "interview.mov", size: size, head: [0, 0, 0, 8] + Array("wide".utf8), marker: [1]
        )
        let out = try directory.write("amanat.out", [])
        let err = try directory.write("amanat.err", [])
        let client = Child(try spawn(
            Paths.binary("amanat"),
            ["--socket", daemon.socketPath, "submit", "--json", try Self.testimony(directory), "--attach", large],
            environment: ProcessInfo.processInfo.environment, stdin: "/dev/null", stdout: out, stderr: err
        ))
        // Killed once amanatd holds more than the first segment: the cut falls inside the second one.
        let holding = try Self.waitForUploadBytes(in: daemon.directory.file("attachments"), atLeast: 80 * Self.mib) {
            client.isRunning
        }
        #expect(holding, "amanatd never held 80 MiB of the upload: \(String(decoding: contents(err), as: UTF8.self))")
        daemon.process.signal(SIGKILL)
        #expect(await daemon.waitForExit() == SIGKILL)
        let restarted = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)

        #expect(await client.waitForExit() == 0)
        let messages = String(decoding: contents(err), as: UTF8.self)
        #expect(messages.contains("was interrupted"), "amanat said nothing of the cut: \(messages)")
        #expect(messages.contains("going on from there"), "\(messages)")
        let answer = try JSONParser().parse(contents(out))
        let stored = FileStreamLayout.storedSize(plainSize: UInt64(size))
        #expect(answer["attachments"]?.arrayValue?.first?["stored_size"]?.numberLiteral == String(stored))
        let rows = try Self.attachmentRows(restarted.databasePath)
        #expect(rows.count == 1 && UInt64(rows[0].0) == stored)
        #expect(await restarted.stop() == 0)
    }

    @Test("attach and addendum with the witness's token, each with a receipt; a wrong token changes nothing")
    func attachAndAddendum() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let submitted = try await daemon.amanat(["submit", try Self.testimony(directory)])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let recordID = try #require(submitted.stdoutLines.first)
        let token = try #require(submitted.stdoutLines.first { $0.hasPrefix("withdrawal-token ") }?.dropFirst(17))
        let tokenFile = try directory.write("token.txt", String(token) + "\n")
        let scan = try Self.makeFile(
            directory, "verdict.pdf", size: 70_000, head: Array("%PDF-1.7\n".utf8), marker: [2]
        )

        let attached = try await daemon.amanat(["attach", recordID, "--token-file", tokenFile, scan])
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(attached.stdoutLines.first?.hasPrefix("attachment 1 ") == true, "\(attached.stdoutText)")
        #expect(attached.stdoutLines.first?.hasSuffix(" verdict.pdf") == true)
        #expect(attached.stdoutLines.dropFirst().first?.hasPrefix("receipt {") == true)

        let news = try directory.write("news.txt", "Her brother was released in March.\n")
        let addendum = try await daemon.amanat(["addendum", recordID, "--token-file", tokenFile, news])
        #expect(addendum.status == 0, "\(addendum.stderr)")
        #expect(addendum.stdoutLines.first?.hasPrefix("addendum 1 ") == true, "\(addendum.stdoutText)")
        #expect(addendum.stdoutLines.dropFirst().first?.hasPrefix("receipt {") == true)

        // Another record's token: refused (exit 3), one line, and the upload it made is removed.
        let other = try await daemon.amanat(["submit", try Self.testimony(directory)])
        let otherToken = try #require(other.stdoutLines.first { $0.hasPrefix("withdrawal-token ") }?.dropFirst(17))
        let wrongFile = try directory.write("wrong.txt", String(otherToken))
        let refused = try await daemon.amanat(["attach", recordID, "--token-file", wrongFile, scan])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("amanat: error: "))
        let refusedAddendum = try await daemon.amanat(["addendum", recordID, "--token-file", wrongFile, news])
        #expect(refusedAddendum.status == 3)
        let files = try FileManager.default.contentsOfDirectory(atPath: daemon.directory.file("attachments"))
        #expect(files.count == 1, "only the attached file's stream stays: \(files)")
        #expect(try Self.attachmentRows(daemon.databasePath).count == 1)
        #expect(await daemon.stop() == 0)
    }

    @Test("refused before anything is sent: a directory, a missing file; in Russian with --lang ru")
    func refusesBadFiles() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let daemon = try Daemon(in: directory, recipients: [key.publicKey])
        let testimony = try Self.testimony(directory)
        let notAFile = try await daemon.amanat(["submit", testimony, "--attach", directory.path])
        #expect(notAFile.status == 1)
        #expect(notAFile.stderr.contains("is not a regular file"), "\(notAFile.stderr)")
        let missing = directory.file("none.jpg")
        let russian = try await daemon.amanat(["submit", "--lang", "ru", testimony, "--attach", missing])
        #expect(russian.status == 1)
        #expect(russian.stderr.contains("не удаётся прочитать"), "\(russian.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: daemon.directory.file("attachments")).isEmpty)
        #expect(await daemon.stop() == 0)
    }

    /// Waits, woken by inotify on `directory` (never by a timer), until a file in it holds `count` bytes; false when
    /// `stillRunning` turns false first or after 120 s (failures, not timing assumptions).
    static func waitForUploadBytes(in directory: String, atLeast count: Int, stillRunning: () -> Bool) throws -> Bool {
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        guard watch >= 0 else { throw HarnessError("inotify_init1 failed") }
        defer { close(watch) }
        // The directory exists once amanatd is ready; watch first, then look, so that no write is missed.
        guard inotify_add_watch(watch, directory, UInt32(IN_MODIFY | IN_CREATE)) >= 0 else {
            throw HarnessError("cannot watch \(directory)")
        }
        let deadline = Date().addingTimeInterval(120)
        var events = [UInt8](repeating: 0, count: 4096)
        while true {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            let largest = names.compactMap { name -> Int? in
                var status = stat()
                return stat("\(directory)/\(name)", &status) == 0 ? Int(status.st_size) : nil
            }.max() ?? 0
            if largest >= count { return true }
            let left = Int32(deadline.timeIntervalSinceNow * 1000)
            guard left > 0, stillRunning() else { return false }
            var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, min(left, 1000)) == 1 {
                _ = events.withUnsafeMutableBytes { read(watch, $0.baseAddress, $0.count) }
            }
        }
    }
}
