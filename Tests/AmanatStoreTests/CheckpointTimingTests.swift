import AmanatFormat
import AmanatStore
import GRDB
import Testing

/// Checkpoints say no more about when records came than their `received` values do (FORMAT.md section 12.5): they
/// fall where the received period changes, every 100 entries exactly, and at a clean stop (taken back at the next
/// start within the period).
@Suite("Checkpoint timing") struct CheckpointTimingTests {
    static func checkpoints(_ path: String) throws -> [Int64] {
        try StoreTesting.inspect(path) { db in try Int64.fetchAll(db, sql: "SELECT ledger_seq FROM checkpoints ORDER BY 1") }
    }

    static func token(for record: StoredRecord) throws -> (token: [UInt8], hash: [UInt8]) {
        let token = [UInt8](repeating: 0x5A, count: 32)
        return (token, try WithdrawalToken.hash(token, for: record.recordID, key: StoreTesting.signingKey))
    }

    @Test func theWriterSignsWhereTheReceivedDayChangesAndNowhereElse() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            let first = StoreTesting.record(0, received: "2026-11-10")
            let (token, hash) = try Self.token(for: first)
            _ = try await store.append(first, withdrawalTokenHash: hash)
            for index in 1..<3 { _ = try await store.append(StoreTesting.record(index, received: "2026-11-10")) }
            #expect(try await store.withdraw(first.recordID, token: token) == .withdrawn)  // entry 4
            #expect(try Self.checkpoints(path) == [], "nothing is signed within the day")
            for index in 3..<5 { _ = try await store.append(StoreTesting.record(index, received: "2026-11-11")) }
            // Entries 1-4 (the day's records and the withdrawal after them) are signed as the next day's first comes.
            #expect(try Self.checkpoints(path) == [4])
            #expect(try store.ledgerStatus().entries == 6)
            await store.close()
        }
    }

    @Test func theTimerSignsOnlyTheLastRecordOfADayThatIsOver() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            _ = try await store.append(StoreTesting.record(0, received: "2026-11-10"))
            let second = StoreTesting.record(1, received: "2026-11-10")
            let (token, hash) = try Self.token(for: second)
            _ = try await store.append(second, withdrawalTokenHash: hash)
            #expect(try await store.withdraw(second.recordID, token: token) == .withdrawn)  // entry 3, at an unknown time
            #expect(try await store.signEndedPeriod(currentPeriod: "2026-11-10") == false, "the day is not over")
            #expect(try Self.checkpoints(path) == [])
            #expect(try await store.signEndedPeriod(currentPeriod: "2026-11-11"))
            // The day's last record, not the withdrawal after it: that one could have come after midnight.
            #expect(try Self.checkpoints(path) == [2])
            #expect(try await store.signEndedPeriod(currentPeriod: "2026-11-11") == false, "once")
            await store.close()
        }
    }

    @Test func countCheckpointsFallEveryHundredEntriesWhateverTheBatches() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            let store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<350 { group.addTask { _ = try await store.append(StoreTesting.record(index)) } }
                try await group.waitForAll()
            }
            // A checkpoint at the end of whichever group commit passed 100 would tell which records came together.
            #expect(try Self.checkpoints(path) == [100, 200, 300])
            await store.close()
        }
    }

    @Test func aCleanStopsCheckpointIsTakenBackAtTheNextStartWithinTheDay() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("amanat.sqlite")
            var store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            for index in 0..<3 { _ = try await store.append(StoreTesting.record(index, received: "2026-11-10")) }
            await store.close()
            #expect(try Self.checkpoints(path) == [3], "a stopped database verifies")
            #expect(try LedgerStoreTests.verify(path).failure == nil)

            // Started again the same day: the stop's checkpoint would split the day at the (logged) restart.
            store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            #expect(try store.removeStopCheckpoint(currentPeriod: "2026-11-10"))
            #expect(try Self.checkpoints(path) == [])
            await store.close()

            // Started the next day: the day is over, so its last record is signed, and stays so.
            store = try RecordStore(path: path, notary: StoreTesting.signingKey, logger: StoreTesting.logger)
            #expect(try store.removeStopCheckpoint(currentPeriod: "2026-11-11") == false)
            #expect(try Self.checkpoints(path) == [3])
            _ = try await store.append(StoreTesting.record(3, received: "2026-11-11"))
            await store.close()
            #expect(try Self.checkpoints(path) == [3, 4])
        }
    }
}
