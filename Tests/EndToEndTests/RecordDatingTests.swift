import AmanatJSON
import Foundation
import GRDB
import Testing

/// Issue 17, point 2: nothing amanatd leaves on the host (its log, its database, its WAL, its checkpoints) places a
/// record in time more precisely than the record's own `received` value.
@Suite("nothing dates a record more precisely than received")
struct RecordDatingTests {
    /// Lines amanatd wrote, without the blank end.
    static func lines(_ daemon: Daemon) -> [String] {
        daemon.output.split(separator: "\n").map(String.init)
    }

    /// A time of day (`12:34`, or `12:34:56` where random bytes could make the shorter form) or an ISO time
    /// (`2026-12-07T12`) in text.
    static func hasTimeOfDay(_ text: String, seconds: Bool = false) -> Bool {
        let clock = seconds ? "[0-9]{2}:[0-9]{2}:[0-9]{2}" : "[0-9]{2}:[0-9]{2}"
        return text.range(of: clock + "|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}", options: .regularExpression) != nil
    }

    /// Every value of every row of every table, read through SQLite (the WAL's committed frames included).
    static func everyValue(_ path: String) throws -> [DatabaseValue] {
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: readOnly)
        defer { try? queue.close() }
        return try queue.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            return try tables.flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").flatMap { row in row.databaseValues }
            }
        }
    }

    @Test("no log line per submission, withdrawal, rewrap or export; no finer time in rows, the WAL or checkpoints")
    func nothingDatesARecord() async throws {
        let directory = try TempDir()
        let key = try await TestKey.make(in: directory)
        let started = Int64(Date().timeIntervalSince1970)
        // The checkpoint timer runs every second: it must sign nothing within the day.
        let arguments = ["--checkpoint-interval-seconds", "1", "--submissions-per-minute", "100000"]
        var daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
        let linesAtReady = Self.lines(daemon)
        var ids: [String] = []
        var tokens: [String] = []
        for example in ["testimony.json", "testimony-kk.json", "testimony-ug.json", "testimony-zh.json"] {
            let outcome = try await daemon.amanat(["submit", "--json", Paths.example(example)])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let answer = try #require(try JSONParser().parse(outcome.stdout).objectValue)
            ids.append(try #require(answer["record_id"]?.stringValue))
            tokens.append(try #require(answer["withdrawal_token"]?.stringValue))
        }
        let tokenFile = try directory.write("right.token", tokens[1] + "\n")
        #expect(try await daemon.amanat(["withdraw", ids[1], "--token-file", tokenFile]).status == 0)
        let wrongFile = try directory.write("wrong.token", tokens[2] + "\n")
        #expect(try await daemon.amanat(["withdraw", ids[0], "--token-file", wrongFile]).status == 3)
        let export = try await daemon.amanat(["export", "--out", directory.file("export.sqlite")])
        #expect(export.status == 0, "\(export.stderr)")
        _ = try await daemon.amanat(["submit", "--json", Paths.example("testimony-ru.json")])

        // While it runs: the WAL holds the recent transactions. Neither it nor the database holds a time of day, and
        // no row holds a number that is a time since the epoch (seconds or milliseconds) from this test's span.
        let now = Int64(Date().timeIntervalSince1970) + 1
        for suffix in ["", "-wal"] {
            let bytes = contents(daemon.databasePath + suffix)
            let text = String(decoding: bytes.map { $0 < 0x80 ? $0 : 0x20 }, as: UTF8.self)
            #expect(!Self.hasTimeOfDay(text, seconds: true), "the database\(suffix) holds a time of day")
        }
        for value in try Self.everyValue(daemon.databasePath) {
            switch value.storage {
            case .int64(let number):
                #expect(!(started...now).contains(number) && !(started * 1000...now * 1000).contains(number))
            case .string(let text):
                #expect(!Self.hasTimeOfDay(text), "a row holds a time of day")
            default: break
            }
        }
        // No line at all since it became ready: not one per submission, withdrawal, refusal or export.
        #expect(Self.lines(daemon) == linesAtReady, "\(Self.lines(daemon).dropFirst(linesAtReady.count))")
        #expect(await daemon.stop() == 0)

        // Started again the same day, one more record: the first run's stop must not mark which records came before
        // the restart (journald logs both the stop and the start).
        daemon = try Daemon(in: directory, recipients: [key.publicKey], extraArguments: arguments)
        let restartedAtReady = Self.lines(daemon)
        #expect(try await daemon.amanat(["submit", "--json", Paths.example("testimony.json")]).status == 0)
        #expect(Self.lines(daemon) == restartedAtReady)
        #expect(await daemon.stop() == 0)
        #expect(!ids.contains { id in daemon.output.contains(id) }, "no line names a record")

        // Checkpoints fall only where the received day changes (if this test ran over midnight UTC) and on the head
        // (the last clean stop), never on a timer tick, at the first stop, or at the export.
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: daemon.databasePath, configuration: readOnly)
        let (ledger, checkpoints) = try await queue.read { db in
            let ledger = try Row.fetchAll(
                db, sql: """
                    SELECT ledger.seq, ledger.kind, records.received FROM ledger
                    JOIN records ON records.record_id = ledger.record_id ORDER BY ledger.seq
                    """
            ).map { (seq: $0[0] as Int64, kind: $0[1] as Int, received: $0[2] as String) }
            return (ledger, try Int64.fetchAll(db, sql: "SELECT ledger_seq FROM checkpoints ORDER BY 1"))
        }
        try queue.close()
        #expect(ledger.count == 7 && ledger.filter { $0.kind == 1 }.count == 6)
        #expect(ledger.allSatisfy { $0.received.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil })
        let records = ledger.filter { $0.kind == 1 }
        var expected: [Int64] = []
        for (before, after) in zip(records, records.dropFirst()) where before.received != after.received {
            expected.append(after.seq - 1)
        }
        expected.append(ledger.last!.seq)
        #expect(checkpoints == expected)
    }
}
