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

    /// Rebuilds the records table without its constraints and appends a record with no form: read without
    /// verification, it stops the run after every record before it went to the output.
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

    @Test("a record that stops open part way leaves no output behind", arguments: ["jsonl", "csv", "md"])
    func aFailurePartWayRemovesTheOutput(format: String) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 300)
        try await Self.appendMalformedRecord(to: database)
        let out = directory.file("opened.\(format)")
        var extra = ["--no-verify", "--format", format, "--out", out]
        if format == "md" { extra += ["--forms", Paths.forms] }
        let outcome = try await key.open(database, extra: extra)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("a record is malformed"), "\(outcome.stderr.suffix(400))")
        #expect(!FileManager.default.fileExists(atPath: out), "the partial output is removed")
    }

    @Test("a report directory given empty stays, without the pages written before the failure")
    func aFailureKeepsAGivenDirectory() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let database = try await Self.archive(in: directory, key: key, copies: 300)
        try await Self.appendMalformedRecord(to: database)
        let out = directory.file("report")
        try #require(mkdir(out, 0o700) == 0)
        let outcome = try await key.open(
            database, extra: ["--format", "md", "--out", out, "--forms", Paths.forms, "--no-verify"]
        )
        #expect(outcome.status == 1)
        #expect(FileManager.default.fileExists(atPath: out), "a directory this run did not create stays")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out)) == [])
    }

    @Test("a signal part way removes the output before the key holder dies of it", arguments: [SIGINT, SIGTERM, SIGHUP])
    func aSignalPartWayRemovesTheOutput(_ signal: Int32) async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        // Each copy puts a warning line on stderr, far more than a pipe holds.
        let database = try await Self.archive(in: directory, key: key, copies: 2_000)
        let out = directory.file("opened.jsonl")
        // stderr is a FIFO that this test stops reading after the first record's warning: the key holder then
        // blocks with the output file part written, and cannot finish before it is signalled.
        let fifo = directory.file("stderr")
        try #require(mkfifo(fifo, 0o600) == 0)
        // Open for reading first (without waiting for a writer), or the child's open of its stderr would wait
        // for this one inside posix_spawn; then reads block as usual.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        try #require(fcntl(reader, F_SETFL, 0) == 0)
        let pid = try spawn(
            Paths.binary("amanat-keyholder"),
            ["open", database, "--key", key.keyFile, "--passphrase-file", key.passphraseFile, "--no-verify",
             "--out", out],
            environment: [:], stdin: "/dev/null", stdout: try directory.write("stdout", []), stderr: fifo
        )
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        // A record's warning comes after the output file was created.
        while !seen.contains(bytes: Array(": warning: record ".utf8)) {
            let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress!, $0.count) }
            try #require(n > 0, "stderr ended early: \(String(decoding: seen, as: UTF8.self))")
            seen += buffer[0..<n]
        }
        #expect(FileManager.default.fileExists(atPath: out))
        kill(pid, signal)
        var status: Int32 = 0
        var rc = waitpid(pid, &status, 0)
        while rc < 0 && errno == EINTR { rc = waitpid(pid, &status, 0) }
        #expect(rc == pid)
        #expect(status & 0x7F == signal, "it dies of the signal, as an interrupted command should")
        #expect(!FileManager.default.fileExists(atPath: out), "no partial decrypted output is left behind")
    }
}
