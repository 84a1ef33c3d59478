import Foundation
import GRDB
import Glibc
import Testing

/// `amanat-keyholder open --out` writes decrypted testimonies. A run that fails or is interrupted part way must not
/// leave them on disk in a file its user believes was never written.
@Suite("key holder: no partial output")
struct PartialOutputTests {
    /// An archive of one genuine record followed by `copies` copies under new ids (each fails to open: "for another
    /// record", and is written as tampered with a warning on stderr).
    static func archive(in directory: TempDir, key: TestKey, copies: Int) async throws -> String {
        let database = try await KeyHolderTests.database(in: directory, key: key, count: 1)
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            for _ in 0..<copies {
                try db.execute(
                    sql: """
                        INSERT INTO records (record_id, form_id, form_version, received, clear_json,
                            identity_envelope, testimony_envelope)
                        SELECT ?, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope
                        FROM records WHERE seq = 1
                        """,
                    arguments: [Data((0..<16).map { _ in UInt8.random(in: 0...255) })]
                )
            }
        }
        try queue.close()
        return database
    }

    /// Rebuilds the records table without its constraints and appends a record with no form, after 301 others: read
    /// without verification, it makes the whole file unreadable (docs/FORMAT.md 7.3 step 5).
    static func appendMalformedRecord(to database: String) async throws {
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TABLE copy AS SELECT * FROM records;
                DROP TABLE records;
                ALTER TABLE copy RENAME TO records;
                INSERT INTO records (seq, record_id, form_id, form_version, received, clear_json, identity_envelope,
                    testimony_envelope)
                SELECT seq + 1000, randomblob(16), NULL, form_version, received, clear_json, identity_envelope,
                    testimony_envelope FROM records WHERE seq = 1;
                """)
        }
        try queue.close()
    }

    @Test("a malformed record at the end stops open before it writes anything", arguments: ["jsonl", "csv", "md"])
    func aFailurePartWayRemovesTheOutput(format: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 300)
        try await Self.appendMalformedRecord(to: database)
        let out = directory.file("opened.\(format)")
        // With the forms, a CSV table's relatives go to a second file, which must not be left either.
        let extra = ["--no-verify", "--format", format, "--out", out, "--forms", Paths.forms]
        let outcome = try await key.open(database, extra: extra)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("a record is malformed"), "\(outcome.stderr.suffix(400))")
        #expect(!FileManager.default.fileExists(atPath: out), "the partial output is removed")
        #expect(!FileManager.default.fileExists(atPath: directory.file("opened.relatives.csv")))
    }

    /// On standard output nothing can be taken back, so the rows are checked before the first record is written:
    /// the 301 records before the malformed one must not reach the output as if they were the whole archive.
    @Test("a malformed record at the end leaves standard output empty")
    func aMalformedRecordWritesNothingToStandardOutput() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 300)
        try await Self.appendMalformedRecord(to: database)
        let outcome = try await key.open(database, extra: ["--no-verify"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("a record is malformed (record 302: "), "\(outcome.stderr.suffix(400))")
        #expect(outcome.stdout.isEmpty, "\(outcome.stdout.count) bytes written before the malformed record")
    }

    @Test("a complete output stays when the exit code reports tampered records", arguments: ["jsonl", "md"])
    func aCompleteOutputStays(format: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 3)
        let out = directory.file("opened.\(format)")
        var extra = ["--no-verify", "--format", format, "--out", out]
        if format == "md" { extra += ["--forms", Paths.forms] }
        let outcome = try await key.open(database, extra: extra)
        #expect(outcome.status == 6, "\(outcome.stderr.suffix(400))")
        if format == "md" {
            #expect((try? FileManager.default.contentsOfDirectory(atPath: out))?.count == 5, "4 pages and the index")
        } else {
            #expect(String(decoding: contents(out), as: UTF8.self).split(separator: "\n").count == 4)
        }
    }

    @Test("a report directory given empty stays, and gets no page (nor all.html) when a record is malformed",
          arguments: ["md", "html"])
    func aFailureKeepsAGivenDirectory(format: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 300)
        try await Self.appendMalformedRecord(to: database)
        let out = directory.file("report")
        try #require(mkdir(out, 0o700) == 0)
        let outcome = try await key.open(
            database, extra: ["--format", format, "--out", out, "--forms", Paths.forms, "--no-verify"]
        )
        #expect(outcome.status == 1)
        #expect(FileManager.default.fileExists(atPath: out), "a directory this run did not create stays")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out)) == [])
    }

    /// A key holder blocked part way through `open` with `extra` arguments: its stderr is a FIFO that the test
    /// stops reading after `warnings` records' warnings (each comes after the output was created, and after the
    /// pages of the records before it); the key holder then blocks writing a later warning, its output part
    /// written, and cannot finish.
    final class Blocked {
        let pid: pid_t
        private(set) var reader: Int32

        init(_ key: TestKey, _ database: String, in directory: TempDir, extra: [String], warnings: Int = 1) throws {
            let fifo = directory.file("stderr")
            try #require(mkfifo(fifo, 0o600) == 0)
            // Open for reading first (without waiting for a writer), or the child's open of its stderr would wait
            // for this one inside posix_spawn; then reads block as usual.
            let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            try #require(reader >= 0)
            self.reader = reader
            try #require(fcntl(reader, F_SETFL, 0) == 0)
            pid = try spawn(
                Paths.binary("amanat-keyholder"),
                ["open", database, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--no-verify"]
                    + extra,
                environment: [:], stdin: "/dev/null", stdout: try directory.write("stdout", []), stderr: fifo
            )
            var seen: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var counted = 0
            var lineStart = 0
            let marker = Array(": warning: record ".utf8)
            while counted < warnings {
                // Bounded: a key holder that hangs before its warnings fails the test instead of stalling it.
                var ready = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 60_000) == 1 else {
                    kill(pid, SIGKILL)
                    _ = waitForExit(pid, seconds: 60)
                    let tail = String(decoding: seen.suffix(400), as: UTF8.self)
                    throw HarnessError("\(counted) warnings on stderr within 60 s: \(tail)")
                }
                let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress!, $0.count) }
                guard n > 0 else {
                    _ = waitForExit(pid, seconds: 60)
                    throw HarnessError("stderr ended early: \(String(decoding: seen.suffix(400), as: UTF8.self))")
                }
                seen += buffer[0..<n]
                while let end = seen[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                    if Array(seen[lineStart..<end]).contains(bytes: marker) { counted += 1 }
                    lineStart = end + 1
                }
            }
        }

        /// Stops reading: the key holder's next write to stderr gets SIGPIPE.
        func closeReader() {
            if reader >= 0 { close(reader) }
            reader = -1
        }

        deinit { closeReader() }
    }

    @Test(
        "a signal part way removes the output before the key holder dies of it",
        arguments: [SIGINT, SIGTERM, SIGHUP, SIGPIPE]
    )
    func aSignalPartWayRemovesTheOutput(_ signal: Int32) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // Each copy puts a warning line on stderr, far more than a pipe holds.
        let database = try await Self.archive(in: directory, key: key, copies: 2_000)
        let out = directory.file("opened.jsonl")
        let blocked = try Blocked(key, database, in: directory, extra: ["--out", out])
        #expect(FileManager.default.fileExists(atPath: out))
        // SIGPIPE as it comes: whoever read the key holder's stderr went away.
        if signal == SIGPIPE { blocked.closeReader() } else { kill(blocked.pid, signal) }
        let status = waitForExit(blocked.pid, seconds: 60)
        #expect(status.map { $0 & 0x7F } == signal, "it dies of the signal, as an interrupted command should")
        #expect(!FileManager.default.fileExists(atPath: out), "no partial decrypted output is left behind")
    }

    @Test("a second signal during the removal does not end it part way")
    func aSecondSignalWaitsForTheRemoval() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // Thousands of pages before the key holder blocks: their removal takes a while.
        let database = try await Self.archive(in: directory, key: key, copies: 5_000)
        let out = directory.file("report")
        let blocked = try Blocked(
            key, database, in: directory, extra: ["--format", "md", "--out", out, "--forms", Paths.forms],
            warnings: 3_000
        )
        let pages = (try? FileManager.default.contentsOfDirectory(atPath: out).count) ?? 0
        #expect(pages >= 2_999, "\(pages) pages written before the signal")
        // Told of the first page removed, the test sends the second signal while the handler removes the rest.
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        try #require(watch >= 0)
        defer { close(watch) }
        try #require(inotify_add_watch(watch, out, UInt32(IN_DELETE)) >= 0)
        kill(blocked.pid, SIGINT)
        var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
        #expect(poll(&ready, 1, 60_000) == 1, "a page was removed")
        kill(blocked.pid, SIGTERM)
        let status = waitForExit(blocked.pid, seconds: 60)
        #expect(status.map { [SIGINT, SIGTERM].contains($0 & 0x7F) } == true, "\(String(describing: status))")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out))?.count ?? 0
        #expect(!FileManager.default.fileExists(atPath: out), "every page and the directory are removed: \(left) left")
    }
}
