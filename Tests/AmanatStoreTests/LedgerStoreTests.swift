import AmanatSigning
import AmanatIntake
import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatStore
import Foundation
import GRDB
import Testing

@Suite("Ledger in the store") struct LedgerStoreTests {
    static func verify(_ path: String) throws -> VerificationReport {
        try ArchiveVerifier.verify(try RecordReader(path: path), pinned: [StoreTesting.signingKey.publicKey])
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        let first = needle[0]
        var index = 0
        while let found = haystack[index...].firstIndex(of: first) {
            if found + needle.count > haystack.count { return false }
            if haystack[found..<found + needle.count].elementsEqual(needle) { return true }
            index = found + 1
        }
        return false
    }

    @Test func concurrentAppendsFormOneVerifiedChainWithCheckpointsEveryHundred() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let appended = try await withThrowingTaskGroup(of: AppendedRecord.self) { group in
                for index in 0..<250 { group.addTask { try await store.append(StoreTesting.record(index)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(appended.map(\.entry.seq)) == Set(1...250))
            let status = try store.ledgerStatus()
            #expect(status.entries == 250)
            #expect(status.entries - status.lastCheckpoint < 100, "no commit leaves 100 entries unsigned")
            // One at a time, a checkpoint comes with the hundredth unsigned entry.
            for index in 250..<400 { _ = try await store.append(StoreTesting.record(index)) }
            let expected = status.lastCheckpoint + 100 * ((400 - status.lastCheckpoint) / 100)
            #expect(try store.ledgerStatus().lastCheckpoint == expected)
            await store.close()  // signs the head
            let report = try Self.verify(path)
            #expect(report.failure == nil)
            #expect(report.records == 400 && report.entries == 400 && report.lastSignedSeq == 400)
            #expect(report.checkpoints >= 3)
            // Each answer's entry is the one in the ledger.
            let entries = try StoreTesting.inspect(path) { db in
                try Row.fetchAll(db, sql: "SELECT seq, entry_hash FROM ledger").map { ($0[0] as Int64, [UInt8]($0[1] as Data)) }
            }
            let byHash = Dictionary(uniqueKeysWithValues: entries.map { ($0.0, $0.1) })
            for item in appended { #expect(byHash[item.entry.seq] == item.entry.entryHash) }
        }
    }

    @Test func anUnsignedTailFailsVerificationUntilSigned() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            for index in 0..<3 { _ = try await store.append(StoreTesting.record(index)) }
            let reader = try RecordReader(path: path)
            let unsigned = try ArchiveVerifier.verify(reader, pinned: [StoreTesting.signingKey.publicKey])
            #expect(unsigned.failure?.contains("unsigned") == true)
            try await store.signCheckpoint()
            #expect(try Self.verify(path).failure == nil)
            await store.close()
        }
    }

    @Test func withdrawalNeedsTheTokenAndErasesTheEnvelopes() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let key = StoreTesting.signingKey
            let store = try RecordStore(path: path, notary: key, logger: StoreTesting.logger)
            let record = StoreTesting.record(5, clearJSON: #"{"consent":"withdrawn-marker-7d1c"}"#)
            let token = [UInt8](repeating: 0x42, count: 32)
            _ = try await store.append(record, withdrawalTokenHash: try WithdrawalToken.hash(token, for: record.recordID, key: key))
            let kept = StoreTesting.record(6)
            _ = try await store.append(kept, withdrawalTokenHash: try WithdrawalToken.hash(token, for: kept.recordID, key: key))

            var wrong = token
            wrong[0] ^= 1
            #expect(try await store.withdraw(record.recordID, token: wrong) == .refused)
            #expect(try await store.withdraw(.random(), token: token) == .refused)
            #expect(try await store.withdraw(record.recordID, token: token) == .withdrawn)
            #expect(try await store.withdraw(record.recordID, token: token) == .alreadyWithdrawn, "a token works once")
            #expect(try await store.withdraw(record.recordID, token: wrong) == .refused, "a wrong token learns nothing")

            let rows = try StoreTesting.readAll(path)
            #expect(rows.count == 2)
            #expect(rows[0].withdrawn && rows[0].identityEnvelope.isEmpty && rows[0].testimonyEnvelope.isEmpty && rows[0].clearJSON.isEmpty)
            #expect(rows[0].received == record.received && rows[0].formID == record.formID)
            #expect(StoreTesting.identical(rows[1], kept))
            // No trace of the erased content in the database, its WAL or anything else in the directory.
            for (name, bytes) in try directory.contents() {
                for marker in [Array(record.identityEnvelope.prefix(32)), Array(record.testimonyEnvelope.prefix(32)),
                               Array(record.testimonyEnvelope.suffix(32)), Array("withdrawn-marker-7d1c".utf8)] {
                    #expect(!Self.contains(bytes, marker), "\(name) still holds erased bytes")
                }
            }
            await store.close()
            let report = try Self.verify(path)
            #expect(report.failure == nil)
            #expect(report.records == 2 && report.withdrawals == 1 && report.entries == 3)
        }
    }

    @Test func rewrapsAppendEntriesAndSkipWithdrawnRecords() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let records = (0..<3).map { StoreTesting.record($0) }
            for record in records { _ = try await store.append(record) }
            try await store.replaceEnvelopes([
                .init(recordID: records[0].recordID, identity: [1, 2, 3], testimony: nil),
                .init(recordID: records[2].recordID, identity: [4], testimony: [5, 6]),
            ], signer: StoreTesting.signingKey.publicKey)
            await store.close()
            let report = try Self.verify(path)
            #expect(report.failure == nil)
            #expect(report.rewraps == 2 && report.entries == 5)
            // Each rewrap entry names its signer, and its hash covers it.
            #expect(report.rewrapSigners == [StoreTesting.signingKey.publicKey] && report.unsignedRewraps == 0)
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "UPDATE ledger SET signer = ? WHERE kind = 3 AND seq = 4", arguments: [Data(repeating: 7, count: 32)])
            }
            try queue.close()
            #expect(try Self.verify(path).failure?.contains("ledger entry 4") == true)
        }
    }

    @Test func exportsUnderConcurrentAppendsVerifyAndHoldNoTokenHashes() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let key = StoreTesting.signingKey
            let store = try RecordStore(path: path, notary: key, logger: StoreTesting.logger)
            let tokenHash = [UInt8](repeating: 0x5A, count: 32)
            let snapshots: [ExportedSnapshot] = try await withThrowingTaskGroup(of: ExportedSnapshot?.self) { group in
                for index in 0..<150 {
                    group.addTask {
                        _ = try await store.append(StoreTesting.record(index), withdrawalTokenHash: tokenHash)
                        return nil
                    }
                    if index % 50 == 25 { group.addTask { try await store.exportSnapshot() } }
                }
                return try await group.reduce(into: []) { if let snapshot = $1 { $0.append(snapshot) } }
            }
            #expect(snapshots.count == 3)
            for snapshot in snapshots {
                let report = try Self.verify(snapshot.path)
                #expect(report.failure == nil, "\(report.failure ?? "")")
                #expect(report.lastSignedSeq == report.entries && report.entries == snapshot.checkpoint.ledgerSeq)
                let (tokens, journal, free) = try StoreTesting.inspect(snapshot.path) { db in
                    (try Int.fetchOne(db, sql: "SELECT count(*) FROM withdrawal_tokens")!,
                     try String.fetchOne(db, sql: "PRAGMA journal_mode")!, try Int.fetchOne(db, sql: "PRAGMA freelist_count")!)
                }
                #expect(tokens == 0 && journal == "delete" && free == 0)
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: snapshot.path)))
                #expect(!Self.contains(bytes, tokenHash), "a token hash survived in the export")
                unlink(snapshot.path)
            }
            await store.close()
        }
    }

    @Test func aVersionOneDatabaseGetsItsLedgerOnMigration() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try StoreTesting.makeForeignDatabase(path, """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('v1');
                CREATE TABLE records (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id BLOB NOT NULL UNIQUE
                    CHECK (typeof(record_id) = 'blob' AND length(record_id) = 16), form_id TEXT NOT NULL,
                    form_version INTEGER NOT NULL CHECK (form_version >= 1), received TEXT NOT NULL,
                    clear_json TEXT NOT NULL, identity_envelope BLOB NOT NULL, testimony_envelope BLOB NOT NULL);
                INSERT INTO records (record_id, form_id, form_version, received, clear_json, identity_envelope, testimony_envelope)
                    VALUES (x'00112233445566778899aabbccddeeff', 'testimony', 1, '2026-11-01', '{}', x'01', x'02'),
                           (x'ffeeddccbbaa99887766554433221100', 'testimony', 1, '2026-11-02', '{}', x'03', x'04');
                PRAGMA application_id = 1095585364;
                """)
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(1))
            await store.close()
            let report = try Self.verify(path)
            #expect(report.failure == nil)
            #expect(report.records == 3)
            #expect(report.recordIDs.first?.text == "00112233445566778899aabbccddeeff")
        }
    }

    @Test func aDatabaseIsRefusedWithAnotherSigningKey() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            await (try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)).close()
            let other = try SigningKey(seed: try SecretBytes.random(count: 32))
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: other, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .keyMismatch)
            #expect(try Self.verify(path).failure == nil, "an empty ledger verifies")
            let foreign = try ArchiveVerifier.verify(try RecordReader(path: path), pinned: [other.publicKey])
            #expect(foreign.failure?.contains("not a given --signing-key") == true)
        }
    }
}

extension LedgerStoreTests {
    @Test func aWithdrawalWhileAReaderHoldsASnapshotIsPurgedOnceTheReaderIsGone() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let key = StoreTesting.signingKey
            let store = try RecordStore(path: path, notary: key, logger: StoreTesting.logger)
            let record = StoreTesting.record(3)
            let token = [UInt8](repeating: 0x17, count: 32)
            _ = try await store.append(record, withdrawalTokenHash: try WithdrawalToken.hash(token, for: record.recordID, key: key))
            // Another connection holds a read transaction, as an export's backup does: TRUNCATE cannot finish.
            let reader = try DatabaseQueue(path: path)
            let (entered, release) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
            let left = DispatchSemaphore(value: 0)
            let holder = Thread {
                try? reader.read { db in
                    _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM records")
                    entered.signal()
                    release.wait()
                }
                left.signal()  // the read transaction has ended
            }
            holder.start()
            entered.wait()
            #expect(try await store.withdraw(record.recordID, token: token) == .withdrawn)
            #expect(store.isPurgePending, "the purge cannot have finished while the snapshot is held")
            release.signal()
            await withCheckedContinuation { done in DispatchQueue.global().async { left.wait(); done.resume() } }
            // The reader has let go: one retry succeeds (or the store's own retry task has purged already).
            #expect(await store.retryPendingPurge())
            #expect(!store.isPurgePending)
            try reader.close()
            let wal = (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "-wal")))) ?? []
            #expect(!Self.contains(wal, Array(record.identityEnvelope.prefix(32))), "the envelope is still in the WAL")
            #expect(!Self.contains(wal, Array(record.testimonyEnvelope.prefix(32))))
            await store.close()
        }
    }

    /// A signed archive of `count` records, closed.
    static func signedArchive(_ path: String, count: Int) async throws {
        let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
        for index in 0..<count { _ = try await store.append(StoreTesting.record(index)) }
        await store.close()  // signs the head
    }

    /// Changes the file as a hostile sender could, outside the code under test.
    static func tamper(_ path: String, _ sql: String, arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
        try queue.close()
    }

    @Test("a ledger or checkpoint table rebuilt to hold a NULL sequence number is reported malformed, not a crash",
          arguments: ["ledger", "checkpoints"])
    func nullSequenceNumbers(_ table: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await Self.signedArchive(path, count: 3)
            // Without INTEGER PRIMARY KEY the column takes NULL.
            let column = table == "ledger" ? "seq" : "ledger_seq"
            try Self.tamper(path, """
                CREATE TABLE copy AS SELECT * FROM \(table);
                DROP TABLE \(table);
                ALTER TABLE copy RENAME TO \(table);
                UPDATE \(table) SET \(column) = NULL WHERE \(column) = (SELECT max(\(column)) FROM \(table));
                """)
            let failure = try Self.verify(path).failure
            #expect(failure == "\(table == "ledger" ? "a ledger entry" : "a checkpoint") is malformed (a value of the wrong type, length or range, or content in a withdrawn record)")
        }
    }

    @Test func aRecordAlteredWithItsChainRehashedDiffersFromTheSignedCheckpoint() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            try await Self.signedArchive(path, count: 5)
            // Record 3 gets other clear fields, its entry their digest, and every entry from it on its hash again:
            // a chain that is consistent in itself, but not the one the checkpoint signed.
            var record = try StoreTesting.readAll(path)[2]
            record.clearJSON = #"{"altered":true}"#
            try Self.tamper(path, "UPDATE records SET clear_json = ? WHERE record_id = ?", arguments: [record.clearJSON, Data(record.recordID.bytes)])
            let entries = try StoreTesting.inspect(path) { db in
                try Row.fetchAll(db, sql: "SELECT seq, kind, record_id, content_digest FROM ledger ORDER BY seq")
                    .map { ($0[0] as Int64, $0[1] as Int, RecordID(bytes: [UInt8]($0[2] as Data))!, [UInt8]($0[3] as Data)) }
            }
            var previous = try #require(try ArchiveVerifier.entryHash(at: 2, in: try RecordReader(path: path)))
            for (seq, kind, recordID, digest) in entries where seq >= 3 {
                let content = recordID == record.recordID ? record.digest : digest
                let hash = Ledger.entryHash(
                    seq: seq, kind: Ledger.Kind(rawValue: UInt8(kind))!, recordID: recordID, contentDigest: content, prevHash: previous
                )
                try Self.tamper(
                    path, "UPDATE ledger SET content_digest = ?, prev_hash = ?, entry_hash = ? WHERE seq = ?",
                    arguments: [Data(content), Data(previous), Data(hash), seq]
                )
                previous = hash
            }
            let failure = try Self.verify(path).failure
            #expect(failure == "the ledger differs from the signed checkpoint at entry 5: entries up to it were rewritten")
        }
    }
}
