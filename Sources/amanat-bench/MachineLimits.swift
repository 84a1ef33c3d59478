import AmanatSigning
import AmanatSealing
import AmanatCrypto
import AmanatKeys
import AmanatArchive
import AmanatFormat
import AmanatStore
import Foundation
import GRDB
import Synchronization

/// What this machine can do at best, measured in the same run as the components, so that noise from other
/// work on a shared machine weighs on both sides of the ratio.
enum MachineLimits {
    /// Operations per second of wall time on all cores, and per second of CPU time. The second does not
    /// depend on how much of the machine other work takes, so it compares fairly with a component's CPU time.
    struct Rate {
        var perSecond: Double
        var perCPUSecond: Double
    }

    /// `crypto_box_seal` operations per second with one thread per core, each sealing plaintexts of the
    /// padded section sizes in turn.
    static func sealsPerSecond(plaintextSizes: [Int], seconds: Double) throws -> Rate {
        let key = try RecipientSecretKey.generate().publicKey.bytes
        return try perCore(seconds: seconds) { () throws -> () throws -> Void in
            let plaintexts = try plaintextSizes.map { try SecretBytes.random(count: $0) }
            var turn = 0
            return {
                turn += 1
                _ = try SealedBox.seal(plaintexts[turn % plaintexts.count], to: key)
            }
        }
    }

    /// Testimonies per second with one thread per core, each doing the cryptography amanatd does for one
    /// testimony, through the library calls amanatd makes, without parsing, validation, HTTP or SQLite:
    /// a fresh record id; both sections' canonical JSON of the example (encoded once, before the clock
    /// starts) sealed with `Envelope.seal` (a fresh data key, one `crypto_box_seal` stanza per recipient,
    /// XChaCha20-Poly1305 of the padded section) and encoded; `WithdrawalToken.make` (random bytes and
    /// their keyed BLAKE2b); the record's ledger digest (`StoredRecord.digest`, BLAKE2b over everything
    /// stored) and its ledger entry's hash (`LedgerEntry.init`, chained to the thread's previous entry,
    /// as `LedgerTables.append` does); and the Ed25519-signed `Receipt`. Not counted: the checkpoint
    /// signature amanatd adds now and then, which covers many testimonies.
    static func protocolCryptoPerSecond(
        workload: Workload, recipients: [RecipientPublicKey], seconds: Double
    ) throws -> Rate {
        let signingKey = try SigningKey(seed: try SecretBytes.random(count: SigningKey.seedLength))
        let clearJSON = String(decoding: workload.clear, as: UTF8.self)
        return try perCore(seconds: seconds) { () throws -> () throws -> Void in
            var seq: Int64 = 0
            var previousHash = Ledger.genesis(signingKey.publicKey)
            return {
                let recordID = RecordID.random()
                let identity = try workload.seal(workload.identity, .identity, recordID: recordID, recipients: recipients)
                let testimony = try workload.seal(workload.testimony, .testimony, recordID: recordID, recipients: recipients)
                let token = try WithdrawalToken.make(for: recordID, key: signingKey)
                let record = StoredRecord(
                    recordID: recordID, formID: workload.formID, formVersion: workload.formVersion,
                    received: "2026-01-01", clearJSON: clearJSON,
                    identityEnvelope: identity.encoded(), testimonyEnvelope: testimony.encoded()
                )
                seq += 1
                let entry = LedgerEntry(
                    seq: seq, kind: .record, recordID: recordID, contentDigest: record.digest, prevHash: previousHash
                )
                previousHash = entry.entryHash
                let receipt = Receipt(signing: signingKey, recordID: recordID, seq: entry.seq, entryHash: entry.entryHash)
                // Uses the results, so that no step can be left out as unused.
                guard token.hash.count == 32, receipt.signature.count == SigningKey.signatureLength else {
                    throw BenchError("protocol crypto limit: unexpected token hash or signature length")
                }
            }
        }
    }

    /// `crypto_box_seal_open` operations per second with one thread per core, on boxes of the padded section
    /// sizes in turn.
    static func opensPerSecond(plaintextSizes: [Int], seconds: Double) throws -> Rate {
        let key = try RecipientSecretKey.generate()
        let boxes = try plaintextSizes.map { try SealedBox.seal(try SecretBytes.random(count: $0), to: key.publicKey.bytes) }
        let shared = UncheckedBox(key)
        return try perCore(seconds: seconds) { () throws -> () throws -> Void in
            var turn = 0
            return {
                turn += 1
                _ = try shared.value.openSealedBox(boxes[turn % boxes.count])
            }
        }
    }

    /// Rows per second inserted into a new SQLite file in `directory` (WAL, synchronous=FULL, secure_delete,
    /// as amanatd opens its database) in transactions of `batch` rows each, the rows shaped like records.
    static func insertsPerSecond(
        directory: String, batch: Int, clearJSONBytes: Int, envelopeBytes: (Int, Int), seconds: Double
    ) throws -> Double {
        let path = directory + "/storage-limit-\(batch).sqlite"
        let queue = try DatabaseQueue(path: path)
        defer {
            try? queue.close()
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: """
                CREATE TABLE records (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    record_id BLOB NOT NULL UNIQUE,
                    form_id TEXT NOT NULL, form_version INTEGER NOT NULL, received TEXT NOT NULL,
                    clear_json TEXT NOT NULL, identity_envelope BLOB NOT NULL, testimony_envelope BLOB NOT NULL)
                """)
        }
        let clear = String(repeating: "x", count: clearJSONBytes)
        let identity = Data(randomBytes(envelopeBytes.0))
        let testimony = Data(randomBytes(envelopeBytes.1))
        func insertBatch() throws {
            try queue.write { db in
                for _ in 0..<batch {
                    try db.execute(
                        sql: """
                            INSERT INTO records (record_id, form_id, form_version, received, clear_json,
                                identity_envelope, testimony_envelope) VALUES (?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [Data(randomBytes(16)), "testimony", 1, "2026-01-01", clear, identity, testimony]
                    )
                }
            }
        }
        // Not counted: the first commits grow the new files, which a running daemon's database has long done.
        let warmUp = now()
        while now() - warmUp < seconds / 2 { try insertBatch() }
        var rows = 0
        let start = now()
        while now() - start < seconds {
            try insertBatch()
            rows += batch
        }
        return Double(rows) / (now() - start)
    }

    /// Runs one operation per core in a loop for `seconds` and returns the total operations per second.
    /// `make` builds each thread's operation (its own buffers) before the clock starts.
    private static func perCore(
        seconds: Double, _ make: @escaping @Sendable () throws -> () throws -> Void
    ) throws -> Rate {
        let cores = ProcStats.cores
        let total = Mutex<(ops: Int, cpu: Double, failure: String?)>((0, 0, nil))
        let ready = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let startTime = Mutex<Double>(0)
        for _ in 0..<cores { ready.enter() }
        let finished = DispatchGroup()
        for _ in 0..<cores {
            finished.enter()
            Thread {
                defer { finished.leave() }
                let operation: () throws -> Void
                do {
                    operation = try make()
                } catch {
                    total.withLock { $0.failure = "\(error)" }
                    ready.leave()
                    return
                }
                ready.leave()
                go.wait()
                let end = startTime.withLock { $0 } + seconds
                let cpuStart = threadCPUSeconds()
                var ops = 0
                do {
                    // Check the clock every few operations: reading it costs little next to an X25519 operation.
                    while now() < end {
                        for _ in 0..<8 { try operation() }
                        ops += 8
                    }
                } catch {
                    total.withLock { $0.failure = "\(error)" }
                }
                let cpu = threadCPUSeconds() - cpuStart
                total.withLock {
                    $0.ops += ops
                    $0.cpu += cpu
                }
            }.start()
        }
        ready.wait()
        let start = now()
        startTime.withLock { $0 = start }
        for _ in 0..<cores { go.signal() }
        finished.wait()
        let elapsed = now() - start
        let (ops, cpu, failure) = total.withLock { ($0.ops, $0.cpu, $0.failure) }
        if let failure { throw BenchError("crypto limit: \(failure)") }
        return Rate(perSecond: Double(ops) / elapsed, perCPUSecond: Double(ops) / cpu)
    }
}

/// CPU seconds used by the calling thread.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Shares a value that is only read across threads. RecipientSecretKey is not Sendable because it owns
/// protected memory, but opening a box only reads it.
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
