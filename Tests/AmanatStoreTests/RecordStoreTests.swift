import AmanatFormat
import Foundation
import GRDB
import Testing

import AmanatArchive
import AmanatStore

@Suite("RecordStore")
struct RecordStoreTests {
    @Test func openingCreatesTheSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            #expect(!FileManager.default.fileExists(atPath: path))
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            #expect(store.path == path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try store.count() == 0)
            let columns = try StoreTesting.inspect(path) { db in try db.columns(in: "records").map(\.name) }
            // DESIGN.md, "Storage": what a record row holds.
            let required = [
                "seq", "record_id", "form_id", "form_version", "received", "clear_json", "identity_envelope",
                "testimony_envelope",
            ]
            #expect(Set(columns).isSuperset(of: required), "\(columns)")
            await store.close()
        }
    }

    @Test func pragmasAreDurableAndSecure() async throws {
        try await withTemporaryDirectory { directory in
            let store = try RecordStore(path: directory.file("amanat.sqlite"), notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let pragmas = try store.pragmas()
            #expect(pragmas["journal_mode"] == "wal")
            #expect(pragmas["synchronous"] == "2", "synchronous must be FULL (2), not NORMAL (1)")
            #expect(pragmas["secure_delete"] == "1")
            #expect(pragmas["foreign_keys"] == "1")
            // Still FULL after writes, which go through the pool's writer connection.
            _ = try await store.append(StoreTesting.record(0))
            #expect(try store.pragmas()["synchronous"] == "2")
            await store.close()
        }
    }

    @Test func fileIsMarkedAsAmanatWAL() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0))
            // Seen from a connection of our own while the store is open.
            let applicationID = try StoreTesting.inspect(path) { db in
                try Int64.fetchOne(db, sql: "PRAGMA application_id")
            }
            #expect(applicationID == Int64(StoreTesting.applicationID))
            await store.close()
            // And in the file itself (https://sqlite.org/fileformat.html): bytes 18 and 19 are 2 for WAL, bytes 68...71
            // the big-endian application id.
            let header = try StoreTesting.header(path)
            try #require(header.count == 100)
            #expect(header.starts(with: Array("SQLite format 3\0".utf8)))
            #expect(header[18] == 2 && header[19] == 2, "not in WAL mode")
            #expect(Array(header[68..<72]) == Array("AMNT".utf8))
        }
    }

    @Test func concurrentAppendsAreAllStoredInOrder() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            typealias Outcome = (record: StoredRecord, seq: Result<Int64, StoreError>)
            let results = await withTaskGroup(of: [Outcome].self) { group in
                for task in 0..<50 {
                    group.addTask {
                        var out: [Outcome] = []
                        for step in 0..<4 {
                            let record = StoreTesting.record(task * 4 + step)
                            out.append((record, await store.appendResult(record)))
                        }
                        return out
                    }
                }
                var all: [Outcome] = []
                for await part in group { all += part }
                return all
            }
            #expect(results.count == 200)
            var appended: [(record: StoredRecord, seq: Int64)] = []
            for result in results {
                switch result.seq {
                case .success(let seq): appended.append((result.record, seq))
                case .failure(let error): Issue.record("append failed: \(error)")
                }
            }
            #expect(Set(appended.map(\.seq)).count == 200, "seq values are not unique")
            #expect(try store.count() == 200)
            await store.close()

            let expected = appended.sorted { $0.seq < $1.seq }.map(\.record)
            let read = try StoreTesting.readAll(path)
            try #require(read.count == expected.count)
            let differing = zip(read, expected).enumerated()
                .filter { !StoreTesting.identical($1.0, $1.1) }.map(\.offset)
            #expect(differing.isEmpty, "records at these positions in seq order differ: \(differing)")
            // Random ids make id order differ from seq order, so the check above would see a reader that sorted by id.
            let ids = read.map(\.recordID.bytes)
            let sortedByID = ids == ids.sorted { $0.lexicographicallyPrecedes($1) }
            #expect(!sortedByID)
        }
    }

    @Test func reopeningKeepsTheData() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let first = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            var records: [StoredRecord] = []
            var lastSeq: Int64 = 0
            for index in 0..<3 {
                let record = StoreTesting.record(index)
                let seq = try await first.append(record).recordSeq
                #expect(seq > lastSeq)
                lastSeq = seq
                records.append(record)
            }
            await first.close()

            let second = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            #expect(try second.count() == 3)
            #expect(try second.pragmas()["synchronous"] == "2")
            let record = StoreTesting.record(3)
            #expect(try await second.append(record).recordSeq > lastSeq)
            records.append(record)
            await second.close()

            let read = try StoreTesting.readAll(path)
            #expect(read.count == 4)
            let same = zip(read, records).allSatisfy(StoreTesting.identical)
            #expect(same)
        }
    }

    @Test func refusesAnotherApplicationsDatabase() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("other.sqlite")
            try StoreTesting.makeForeignDatabase(
                path,
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('kept');"
            )
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .notAmanatDatabase, "\(String(describing: error))")
            // Nothing was added to or taken from somebody else's database.
            let tables = try StoreTesting.inspect(path) { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            #expect(tables == ["notes"])
            let bodies = try StoreTesting.inspect(path) { db in try String.fetchAll(db, sql: "SELECT body FROM notes") }
            #expect(bodies == ["kept"])
        }
    }

    /// Refusing a database must not change it. Opening it as a pool first would switch it to WAL mode for good
    /// (header bytes 18 and 19 go from 1 to 2), which can break the application that owns it.
    @Test func refusingAnotherApplicationsDatabaseLeavesItsFileUnchanged() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("other.sqlite")
            try StoreTesting.makeForeignDatabase(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(before[18] == 1 && before[19] == 1, "the foreign database starts in rollback-journal mode")
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .notAmanatDatabase)
            let after = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(after[18] == 1 && after[19] == 1, "the foreign database was switched to WAL mode")
            let unchanged = after == before
            #expect(unchanged, "the file grew from \(before.count) to \(after.count) bytes or changed")
        }
    }

    @Test func refusesAnEmptyDatabaseOfAnotherApplication() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("other.sqlite")
            try StoreTesting.makeForeignDatabase(path, "PRAGMA application_id = 1234567")
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .notAmanatDatabase)
            let objects = try StoreTesting.inspect(path) { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
            }
            #expect(objects == 0)
        }
    }

    @Test func refusesADatabaseFromANewerVersion() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0))
            await store.close()
            try StoreTesting.pretendWrittenByNewerVersion(path)

            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .notAmanatDatabase)
        }
    }

    @Test func refusesAFileThatIsNotSQLiteAndLeavesItAlone() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("notes.txt")
            let text = Array(String(repeating: "These are someone's notes, not a database.\n", count: 100).utf8)
            try Data(text).write(to: URL(fileURLWithPath: path))
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error.map { [.cannotOpen, .notAmanatDatabase].contains($0.kind) } == true)
            let unchanged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == text
            #expect(unchanged)
        }
    }

    @Test func pathInAMissingDirectoryCannotBeOpened() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("missing/amanat.sqlite")
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            }
            #expect(error?.kind == .cannotOpen)
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: directory.file("missing")))
        }
    }

    @Test func appendAfterCloseFails() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0))
            await store.close()
            let error = await StoreTesting.storeError { () throws(StoreError) in
                _ = try await store.append(StoreTesting.record(1))
            }
            #expect(error?.kind == .closed)
            #expect(try StoreTesting.readAll(path).count == 1)
        }
    }

    /// Appends in flight when `close()` is called are finished, not dropped: each is either acknowledged and stored,
    /// or refused as closed.
    @Test func closeWaitsForPendingAppends() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let (acknowledgements, acknowledge) = AsyncStream<Void>.makeStream()
            let outcomes = await withTaskGroup(of: Bool?.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        switch await store.appendResult(StoreTesting.record(index)) {
                        case .success:
                            acknowledge.yield()
                            return true
                        case .failure(let error):
                            return error.kind == .closed ? false : nil
                        }
                    }
                }
                group.addTask {
                    // Close while appends are still queued: after the first one is acknowledged.
                    for await _ in acknowledgements { break }
                    await store.close()
                    return nil as Bool?
                }
                var outcomes: [Bool?] = []
                for await outcome in group { outcomes.append(outcome) }
                acknowledge.finish()
                return outcomes
            }
            // The close task gives the one nil; an append that failed for any reason but "closed" would add another.
            #expect(outcomes.filter { $0 == nil }.count == 1)
            let acknowledged = outcomes.filter { $0 == true }.count
            #expect(acknowledged >= 1)
            #expect(try StoreTesting.readAll(path).count == acknowledged)
        }
    }

    @Test func rejectedWriteNamesNoStoredValueAndSparesItsNeighbours() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let first = StoreTesting.record(0)
            _ = try await store.append(first)
            let marker = "zq-clear-marker-\(UUID().uuidString)"
            // The same record id again: the UNIQUE constraint refuses it.
            let duplicate = StoreTesting.record(
                1, recordID: first.recordID, clearJSON: #"{"consent":"archive_only","note":"\#(marker)"}"#
            )
            let results = await withTaskGroup(of: (Int, Result<Int64, StoreError>).self) { group in
                for index in 0..<10 {
                    group.addTask {
                        let record = index == 5 ? duplicate : StoreTesting.record(index + 2)
                        return (index, await store.appendResult(record))
                    }
                }
                var results: [Int: Result<Int64, StoreError>] = [:]
                for await (index, result) in group { results[index] = result }
                return results
            }
            for (index, result) in results {
                switch (index, result) {
                case (5, .failure(let error)):
                    #expect(error.kind == .writeFailed)
                    #expect(!error.message.contains(marker))
                    #expect(!error.message.contains(first.recordID.text))
                    #expect(!error.message.lowercased().contains("insert"), "the SQL is not part of the message")
                case (5, .success):
                    Issue.record("a duplicate record id was stored")
                case (_, .failure(let error)):
                    Issue.record("append \(index) failed with its neighbour: \(error)")
                case (_, .success):
                    break
                }
            }
            #expect(try store.count() == 10)
            await store.close()
        }
    }

    /// The store keeps what it is given byte for byte: the clear JSON and the envelopes are in the file as given. That
    /// no sealed plaintext reaches the disk is proved end to end (LeakTests), where plaintext exists; here the
    /// envelopes are opaque random bytes standing in for ciphertext, and the store never sees a plaintext.
    @Test func storesEnvelopesOpaquelyAndClearJSONAsGiven() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let clearMarker = "clear-\(UUID().uuidString)"
            let clearJSON = #"{"consent":"archive_only","language":"kk","region":"\#(clearMarker)"}"#
            let record = StoredRecord(
                recordID: .random(), formID: "testimony", formVersion: 1, received: "2026-11-29", clearJSON: clearJSON,
                identityEnvelope: StoreTesting.randomBytes(1_024), testimonyEnvelope: StoreTesting.randomBytes(512)
            )
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(record)

            func check(_ when: String) throws {
                let files = try directory.contents()
                let all = files.values.reduce(into: [UInt8]()) { $0 += $1 }
                // The scan sees where the data lands: the WAL while open, the main file after close.
                let hasClear = all.contains(bytes: clearJSON.utf8)
                let hasIdentity = all.contains(bytes: record.identityEnvelope)
                let hasTestimony = all.contains(bytes: record.testimonyEnvelope)
                #expect(hasClear, "\(when): clear JSON not stored as given")
                #expect(hasIdentity, "\(when): identity envelope not stored verbatim")
                #expect(hasTestimony, "\(when): testimony envelope not stored verbatim")
            }
            try check("open")
            await store.close()
            try check("closed")
            let read = try StoreTesting.readAll(path)
            #expect(read.count == 1)
            let same = read.first.map { StoreTesting.identical($0, record) } ?? false
            #expect(same)
        }
    }

    /// The writer checkpoints the WAL itself after answering a group (GroupCommitWriter.checkpointAfterBytes), so the
    /// WAL stays near 250 pages; SQLite's own checkpoint, the bound behind it, would let it reach 1,000 (4 MB).
    @Test func theWriterKeepsTheWALSmall() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            var largestWAL = 0
            for index in 0..<150 {
                // Envelopes of the example testimony's size: 4 and 8 KiB sections.
                let record = StoredRecord(
                    recordID: .random(), formID: "testimony", formVersion: 1, received: "2026-11-29",
                    clearJSON: #"{"n":\#(index)}"#, identityEnvelope: StoreTesting.randomBytes(4_300),
                    testimonyEnvelope: StoreTesting.randomBytes(8_400)
                )
                _ = try await store.append(record)
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largestWAL = max(largestWAL, size)
            }
            #expect(largestWAL > 0)
            #expect(largestWAL < 2 << 20, "the WAL reached \(largestWAL) bytes")
            await store.close()
        }
    }
}
