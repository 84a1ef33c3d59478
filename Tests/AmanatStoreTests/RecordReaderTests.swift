import AmanatFormat
import Foundation
import GRDB
import Testing

import AmanatArchive
import AmanatStore

@Suite("RecordReader")
struct RecordReaderTests {
    @Test func missingFileFailsClearlyAndIsNotCreated() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("copy.sqlite")
            let error = await StoreTesting.storeError { () throws(StoreError) in _ = try RecordReader(path: path) }
            #expect(error?.kind == .cannotOpen)
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
            let left = try directory.contents()
            #expect(left.isEmpty, "\(left.keys)")
        }
    }

    @Test func emptyStoreHasNoRecords() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            await (try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)).close()
            let reader = try RecordReader(path: path)
            #expect(reader.path == path)
            #expect(try reader.count() == 0)
            var visited = 0
            try reader.forEach { _ in visited += 1 }
            #expect(visited == 0)
        }
    }

    @Test func readsWhileTheStoreIsOpen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let records = [StoreTesting.record(0), StoreTesting.record(1)]
            for record in records { _ = try await store.append(record) }
            // Committed records are visible from the WAL before any checkpoint.
            let read = try StoreTesting.readAll(path)
            #expect(read.count == 2)
            let same = zip(read, records).allSatisfy(StoreTesting.identical)
            #expect(same)
            await store.close()
        }
    }

    @Test func readingDoesNotChangeTheFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            for index in 0..<5 { _ = try await store.append(StoreTesting.record(index)) }
            await store.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(try StoreTesting.readAll(path).count == 5)
            let unchanged = try Data(contentsOf: URL(fileURLWithPath: path)) == before
            #expect(unchanged)
        }
    }

    @Test func refusesAnotherApplicationsDatabase() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("other.sqlite")
            try StoreTesting.makeForeignDatabase(path, "CREATE TABLE records (seq INTEGER PRIMARY KEY, body TEXT)")
            let error = await StoreTesting.storeError { () throws(StoreError) in _ = try RecordReader(path: path) }
            #expect(error?.kind == .notAmanatDatabase)
        }
    }

    @Test func refusesAnAmanatIDWithoutTheSchema() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("half.sqlite")
            try StoreTesting.makeForeignDatabase(path, "PRAGMA application_id = \(StoreTesting.applicationID)")
            let error = await StoreTesting.storeError { () throws(StoreError) in _ = try RecordReader(path: path) }
            #expect(error?.kind == .notAmanatDatabase)
        }
    }

    /// RecordReader's documentation: it "checks that it is an amanat database of a known version". A copy written
    /// by a newer amanat, with a migration this one does not know, is not of a known version; the store refuses it
    /// (RecordStoreTests.refusesADatabaseFromANewerVersion) and so should the reader.
    @Test func refusesADatabaseFromANewerVersion() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0))
            await store.close()
            try StoreTesting.pretendWrittenByNewerVersion(path)

            let error = await StoreTesting.storeError { () throws(StoreError) in _ = try RecordReader(path: path) }
            #expect(error?.kind == .notAmanatDatabase)
        }
    }

    /// Read without verification (`open --no-verify`), a records table rebuilt without its constraints can hold
    /// NULL where a form or a date belongs: that is a malformed record, reported, not a crash.
    @Test(arguments: ["form_id", "form_version", "received"])
    func aNullWhereAValueBelongsIsAMalformedRecord(_ column: String) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0))
            await store.close()
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE copy AS SELECT * FROM records;
                    DROP TABLE records;
                    ALTER TABLE copy RENAME TO records;
                    UPDATE records SET \(column) = NULL;
                    """)
            }
            try queue.close()
            let reader = try RecordReader(path: path)
            let error = await StoreTesting.storeError { () throws(StoreError) in
                do { try reader.forEach { _ in } } catch let error as StoreError { throw error } catch { Issue.record(error) }
            }
            #expect(error?.kind == .notAmanatDatabase)
            #expect(error?.message.contains("a record is malformed") == true)
        }
    }
}
