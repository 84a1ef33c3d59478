import AmanatSigning
import Foundation
import GRDB
import Logging
import Testing

import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatStore

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory {
    let path: String

    func file(_ name: String) -> String {
        "\(path)/\(name)"
    }

    /// Every regular file in the directory with its bytes: the database, its WAL and shared memory, anything else.
    func contents() throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            out[name] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file(name))))
        }
        return out
    }
}

/// Runs `body` with a new temporary directory and removes the directory afterwards, whatever happens.
func withTemporaryDirectory(_ body: (TemporaryDirectory) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("amanat-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    do {
        try await body(TemporaryDirectory(path: path))
    } catch {
        try? FileManager.default.removeItem(atPath: path)
        throw error
    }
    try FileManager.default.removeItem(atPath: path)
}

enum StoreTesting {
    static let logger = Logger(label: "amanat.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A fixed receipt key (seed 0x01…0x20), so archives of different tests share one site.
    static let signingKey: SigningKey = {
        let seed = try! SecretBytes(count: 32)
        seed.withUnsafeMutableBytes { bytes in for index in 0..<32 { bytes[index] = UInt8(index + 1) } }
        return try! SigningKey(seed: seed)
    }()

    /// "AMNT", from DESIGN.md and docs/FORMAT.md.
    static let applicationID: UInt32 = 0x414D_4E54

    static func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max) }
    }

    /// A record with opaque random "envelopes" of different sizes and clear JSON that names `index`.
    /// Records of one received day by default, as amanatd stamps a day's submissions (checkpoints fall where it changes).
    static func record(
        _ index: Int, recordID: RecordID = .random(), clearJSON: String? = nil, received: String = "2026-11-10"
    ) -> StoredRecord {
        StoredRecord(
            recordID: recordID, formID: "testimony", formVersion: 1 + index % 3, received: received,
            clearJSON: clearJSON ?? #"{"consent":"archive_only","language":"kk","n":\#(index)}"#,
            identityEnvelope: randomBytes(1 + (index * 37) % 700), testimonyEnvelope: randomBytes(512 << (index % 4))
        )
    }

    /// Whether two records hold the same bytes in every column (`==` compares strings by canonical equivalence).
    static func identical(_ a: StoredRecord, _ b: StoredRecord) -> Bool {
        a.recordID.bytes == b.recordID.bytes && a.formID.utf8.elementsEqual(b.formID.utf8)
            && a.formVersion == b.formVersion && a.received.utf8.elementsEqual(b.received.utf8)
            && a.clearJSON.utf8.elementsEqual(b.clearJSON.utf8) && a.identityEnvelope == b.identityEnvelope
            && a.testimonyEnvelope == b.testimonyEnvelope
    }

    /// The error `body` throws, recorded as an issue if it throws none.
    static func storeError(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws(StoreError) -> Void
    ) async -> StoreError? {
        do {
            try await body()
            Issue.record("expected a StoreError", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    /// All records of the database at `path`, through `RecordReader`.
    static func readAll(_ path: String) throws -> [StoredRecord] {
        let reader = try RecordReader(path: path)
        var records: [StoredRecord] = []
        try reader.forEach { records.append($0) }
        #expect(try reader.count() == records.count)
        return records
    }

    /// A read-only connection for looking at a database independently of the code under test.
    static func inspect<T>(_ path: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read(body)
    }

    /// Creates an SQLite database that is not amanat's, with `sql` run in it.
    static func makeForeignDatabase(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// Records a migration this version does not know, as a later amanat would have added one.
    static func pretendWrittenByNewerVersion(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999')") }
        try queue.close()
    }

    /// The 100-byte SQLite header of the file at `path`.
    static func header(_ path: String) throws -> [UInt8] {
        let handle = try #require(FileHandle(forReadingAtPath: path))
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: 100) ?? Data())
    }
}

extension RecordStore {
    /// `append`, with its outcome as a value for task groups.
    func appendResult(_ record: StoredRecord) async -> Result<Int64, StoreError> {
        do throws(StoreError) {
            return .success(try await append(record).recordSeq)
        } catch {
            return .failure(error)
        }
    }
}

extension Array where Element == UInt8 {
    func contains(bytes needle: some Collection<UInt8>) -> Bool {
        firstRange(of: Array(needle)) != nil
    }
}
