import AmanatSigning
import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatStore
import Foundation
import GRDB
import Logging
@testable import amanat_keyholder
import Testing

/// A row read again by `open` after verification must be the verified one. The check of its digest runs on the
/// workers (KeyHolder+Open.swift); these tests hold a report from before a change against the changed file, as a
/// hostile file that answers the second read differently would.
@Suite("rows changed after verification") struct ArchiveChangedTests {
    static let count = 300

    /// An archive of `count` records with opaque envelopes, its verified report, and its record ids in order.
    static func archive(in directory: String) async throws -> (path: String, report: VerificationReport) {
        let path = directory + "/archive.sqlite"
        let seed = try SecretBytes(count: 32)
        seed.withUnsafeMutableBytes { bytes in for index in 0..<32 { bytes[index] = UInt8(index + 7) } }
        let key = try SigningKey(seed: seed)
        let store = try RecordStore(
            path: path, notary: key, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        for index in 0..<count {
            _ = try await store.append(StoredRecord(
                recordID: .random(), formID: "testimony", formVersion: 1, received: "2026-11-29",
                clearJSON: #"{"n":\#(index)}"#, identityEnvelope: [UInt8](repeating: UInt8(index % 251), count: 600),
                testimonyEnvelope: [UInt8](repeating: 7, count: 1200)
            ))
        }
        await store.close()
        let report = try ArchiveVerifier.verify(try RecordReader(path: path), pinned: [key.publicKey])
        #expect(report.isIntact)
        return (path, report)
    }

    /// A new directory for one test's archive; the test removes it.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("amanat-keyholder-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    static func change(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    /// Runs the reading, checking and ordered emitting of `open` over `archive`; returns the records emitted
    /// and what stopped the run.
    static func open(_ archive: CheckedArchive) -> (emitted: [RecordID], stop: ArchiveChanged?) {
        var emitted: [RecordID] = []
        do {
            try ParallelOpener(chunkSize: 8).forEach({ body in try archive.forEachExpecting(body) }) { row in
                Result { () throws(ArchiveChanged) -> RecordID in try row.checkedRecord().recordID }
            } emit: { result in
                emitted.append(try result.get())
            }
        } catch let error as ArchiveChanged {
            return (emitted, error)
        } catch {
            Issue.record("unexpected \(error)")
        }
        return (emitted, nil)
    }

    @Test func anUnchangedArchiveIsEmittedWholeInOrder() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (path, report) = try await Self.archive(in: directory)
        let run = Self.open(CheckedArchive(path: path, reader: try RecordReader(path: path), report: report))
        #expect(run.stop == nil)
        #expect(run.emitted == report.recordIDs)
    }

    @Test func aChangedRowStopsTheRunInItsPlace() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (path, report) = try await Self.archive(in: directory)
        // Row 150 altered, and row 200 deleted (its id check on the reading thread fails later in the file).
        try Self.change(path, "UPDATE records SET received = '1999-01-01' WHERE seq = (SELECT seq FROM records ORDER BY seq LIMIT 1 OFFSET 149)")
        try Self.change(path, "DELETE FROM records WHERE seq = (SELECT seq FROM records ORDER BY seq LIMIT 1 OFFSET 199)")
        let run = Self.open(CheckedArchive(path: path, reader: try RecordReader(path: path), report: report))
        #expect(run.stop?.recordID == report.recordIDs[149], "the first row that differs is the one named")
        #expect(run.emitted == Array(report.recordIDs[0..<149]), "nothing from the changed row on is emitted")
    }

    @Test func aMissingRowStopsTheRunInItsPlace() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (path, report) = try await Self.archive(in: directory)
        try Self.change(path, "DELETE FROM records WHERE seq = (SELECT seq FROM records ORDER BY seq LIMIT 1 OFFSET 99)")
        let run = Self.open(CheckedArchive(path: path, reader: try RecordReader(path: path), report: report))
        #expect(run.stop?.recordID == report.recordIDs[100], "the row found where the ledger has another")
        #expect(run.emitted == Array(report.recordIDs[0..<99]))
    }
}
