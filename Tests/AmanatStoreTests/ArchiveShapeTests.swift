import AmanatArchive
import AmanatFormat
import AmanatStore
import Foundation
import GRDB
import Testing

/// docs/FORMAT.md 12.8 step 0 and 7.3 step 5: what a reader refuses before it reads the chain or writes a record,
/// and that text is read as the bytes stored, never repaired.
@Suite("archive shape") struct ArchiveShapeTests {
    /// Rebuilds `table` without its CHECK constraints, as a forger can, then runs `sql`.
    static func unconstrained(_ path: String, _ table: String, _ sql: String) throws {
        try LedgerStoreTests.tamper(path, """
            CREATE TABLE copy AS SELECT * FROM \(table);
            DROP TABLE \(table);
            ALTER TABLE copy RENAME TO \(table);
            \(sql)
            """)
    }

    static let ledgerMalformed = "a ledger entry is malformed (a value of the wrong type, length or range, or content in a withdrawn record)"
    static let checkpointMalformed = "a checkpoint is malformed (a value of the wrong type, length or range, or content in a withdrawn record)"

    @Test("each shape the spec refuses in step 0 is refused there, with its reason", arguments: [
        ("site", "UPDATE site SET signing_key = CAST(signing_key AS TEXT);",
         "the archive's site signing key is malformed (the site row must have id 1 and a 32-byte BLOB key)"),
        ("site", "UPDATE site SET id = 2;",
         "the archive's site signing key is malformed (the site row must have id 1 and a 32-byte BLOB key)"),
        ("site", "DELETE FROM site;", "the archive's site table is empty: it names no signing key"),
        ("site", "INSERT INTO site SELECT 2, signing_key FROM site;",
         "the archive's site table has 2 rows: it must name exactly one signing key"),
        ("site", "UPDATE site SET signing_key = zeroblob(32);", "the archive's site signing key is not a usable key (all zero)"),
        ("ledger", "UPDATE ledger SET kind = 6 WHERE seq = 2;", ledgerMalformed),
        ("ledger", "UPDATE ledger SET kind = 0 WHERE seq = 1;", ledgerMalformed),
        ("ledger", "UPDATE ledger SET content_digest = content_digest || x'00' WHERE seq = 2;", ledgerMalformed),
        ("ledger", "UPDATE ledger SET prev_hash = substr(prev_hash, 1, 31) WHERE seq = 3;", ledgerMalformed),
        ("ledger", "UPDATE ledger SET record_id = record_id || x'00' WHERE seq = 1;", ledgerMalformed),
        ("ledger", "UPDATE ledger SET entry_hash = CAST(entry_hash AS TEXT) WHERE seq = 1;", ledgerMalformed),
        ("checkpoints", "UPDATE checkpoints SET head_hash = head_hash || x'00';", checkpointMalformed),
        ("checkpoints", "UPDATE checkpoints SET signature = substr(signature, 1, 63);", checkpointMalformed),
        ("records", "UPDATE records SET clear_json = CAST(x'7b22223a22ff227d' AS TEXT) WHERE seq = 2;",
         "record 2 is malformed: its form, date or clear fields are not well-formed UTF-8"),
        ("records", "UPDATE records SET received = CAST(x'323032eda080' AS TEXT) WHERE seq = 3;",
         "record 3 is malformed: its form, date or clear fields are not well-formed UTF-8"),
    ])
    func stepZeroRefusals(_ table: String, _ sql: String, _ reason: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await LedgerStoreTests.signedArchive(path, count: 3)
            try Self.unconstrained(path, table, sql)
            #expect(try LedgerStoreTests.verify(path).failure == reason, "\(sql)")
        }
    }

    @Test("verification counts withdrawal token hashes: none in an export, some in a copy of the live database")
    func withdrawalTokensAreCounted() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await LedgerStoreTests.signedArchive(path, count: 2)
            #expect(try LedgerStoreTests.verify(path).withdrawalTokens == 0)
            try LedgerStoreTests.tamper(path, "INSERT INTO withdrawal_tokens SELECT record_id, zeroblob(32) FROM records")
            let report = try LedgerStoreTests.verify(path)
            #expect(report.isIntact, "token hashes are not part of the ledger")
            #expect(report.withdrawalTokens == 2)
            try LedgerStoreTests.tamper(path, "DROP TABLE withdrawal_tokens")
            #expect(try LedgerStoreTests.verify(path).withdrawalTokens == 0, "a missing table counts as empty")
        }
    }

    @Test("text is read as the stored bytes: a NUL byte is kept, ill-formed UTF-8 is flagged, never replaced")
    func textIsNotRepaired() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await LedgerStoreTests.signedArchive(path, count: 3)
            try LedgerStoreTests.tamper(path, """
                UPDATE records SET clear_json = CAST(x'7b7d00ff' AS TEXT) WHERE seq = 1;
                UPDATE records SET clear_json = CAST(x'7b22223a2200227d' AS TEXT) WHERE seq = 2;
                """)
            let records = try StoreTesting.readAll(path)
            #expect(!records[0].clearJSONIsWellFormed)
            #expect(records[0].clearJSON.isEmpty, "nothing of an ill-formed text is shown, repaired or not")
            #expect(records[1].clearJSONIsWellFormed)
            #expect(Array(records[1].clearJSON.utf8) == [0x7B, 0x22, 0x22, 0x3A, 0x22, 0x00, 0x22, 0x7D], "kept whole")
            #expect(records[2].clearJSONIsWellFormed)
        }
    }

    @Test("a row no reader can use, anywhere, is found before any record is read", arguments: [
        "UPDATE records SET record_id = substr(record_id, 1, 15) WHERE seq = 3;",
        "UPDATE records SET form_id = CAST(x'74657374ff' AS TEXT) WHERE seq = 3;",
        "UPDATE records SET received = NULL WHERE seq = 3;",
        "UPDATE records SET form_version = 'one' WHERE seq = 3;",
        "UPDATE records SET clear_json = CAST(clear_json AS BLOB) WHERE seq = 3;",
        "UPDATE records SET identity_envelope = CAST(identity_envelope AS TEXT) WHERE seq = 3;",
        "UPDATE records SET withdrawn = 2 WHERE seq = 3;",
    ])
    func unusableRows(_ sql: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await LedgerStoreTests.signedArchive(path, count: 3)
            try RecordReader(path: path).checkRows()
            try Self.unconstrained(path, "records", sql)
            let reader = try RecordReader(path: path)
            let error = await StoreTesting.storeError { () throws(StoreError) in
                do { try reader.checkRows() } catch let error as StoreError { throw error } catch { Issue.record(error) }
            }
            #expect(error?.message.contains("a record is malformed (record 3: ") == true, "\(String(describing: error))")
            #expect(try LedgerStoreTests.verify(path).failure?.contains("malformed") == true)
        }
    }

    @Test("content that does not open is no unusable row: a NULL envelope or clear text, ill-formed clear text")
    func contentIsReportedPerRecord() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await LedgerStoreTests.signedArchive(path, count: 3)
            try Self.unconstrained(path, "records", """
                UPDATE records SET identity_envelope = NULL WHERE seq = 1;
                UPDATE records SET clear_json = NULL WHERE seq = 2;
                UPDATE records SET clear_json = CAST(x'ff' AS TEXT) WHERE seq = 3;
                """)
            try RecordReader(path: path).checkRows()
        }
    }
}
