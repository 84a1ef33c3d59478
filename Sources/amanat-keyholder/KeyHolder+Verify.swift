import AmanatCrypto
import AmanatArchive
import AmanatFormat
import AmanatForms
import AmanatJSON
import ArgumentParser
import Glibc

/// `--signing-key`, the pinned site keys, shared by verify and open.
struct SigningKeyOption: ParsableArguments {
    @Option(
        name: .customLong("signing-key"),
        help: """
            A site's receipt-signing key, amanat-sig-… as `amanat signing-key` prints it, one per intake site \
            (repeatable).
            """
    )
    var texts: [String] = []

    /// The keys, parsed (``validate()`` has refused malformed ones).
    var keys: [SigningPublicKey] {
        texts.compactMap { try? Self.parse($0) }
    }

    func validate() throws {
        for text in texts {
            do {
                _ = try Self.parse(text)
            } catch {
                throw ValidationError("--signing-key \(text.prefix(16))…: \(error)")
            }
        }
    }

    private static func parse(_ text: String) throws -> SigningPublicKey {
        try SigningPublicKey(input: text)
    }
}

/// One archive and what verifying it found.
struct VerifiedArchive {
    var path: String
    var reader: RecordReader
    var report: VerificationReport
}

/// Verifies every archive in `paths` against `pinned`, keeping the entries at `watching`; with `hashingStreams`,
/// reads and hashes every attachment's stored bytes too (`verify`; `open` authenticates those it extracts as it
/// decrypts them). Exits on an unreadable file.
func verifyArchives(
    _ paths: [String], pinned: [SigningPublicKey], watching: Set<Int64>, hashingStreams: Bool = false
) -> [VerifiedArchive] {
    paths.map { path in
        let reader = openReader(path)
        do {
            let report = try ArchiveVerifier.verify(
                reader, pinned: pinned, watching: watching, hashingStreams: hashingStreams
            )
            return VerifiedArchive(path: path, reader: reader, report: report)
        } catch {
            fail("\(path): cannot read the ledger: \(error)")
        }
    }
}

/// An archive to read after verification: each row read again is checked against what was verified.
struct CheckedArchive {
    var path: String
    var reader: RecordReader
    /// nil with --no-verify.
    var report: VerificationReport?

    /// Calls `body` with each record in storage order; with a report, each must be the verified row at its
    /// place (a hostile file could answer the second read differently), or ``ArchiveChanged`` is thrown before
    /// `body` sees it.
    func forEach(_ body: (StoredRecord) throws -> Void) throws {
        try forEachExpecting(evidence: false) { row in try body(try row.checkedRecord()) }
    }

    /// Like ``forEach(_:)``, but leaves the costly part of the check, the record's digest, to the caller, who can
    /// run it on another thread: `body` gets each record, with its attachments and addenda when `evidence` is set,
    /// and what it must match (nil with --no-verify). The record ids, their order and their number are checked
    /// here; the first row that differs in them reaches `body` as a failure in its place, after the rows before
    /// it, and reading stops there.
    func forEachExpecting(evidence: Bool = true, _ body: (ReadRow) throws -> Void) throws {
        struct Stop: Error {}
        var position = 0
        do {
            try reader.forEach(evidence: evidence) { record, found in
                var expected: ExpectedRow?
                if let report {
                    guard report.verified.has(record.recordID, at: position) else {
                        try body(.failure(ArchiveChanged(path: path, recordID: record.recordID)))
                        throw Stop()
                    }
                    expected = ExpectedRow(
                        path: path, digest: report.verified.digest(at: position), evidence: report.verifiedEvidence
                    )
                }
                position += 1
                try body(.success((record, found, expected)))
            }
        } catch is Stop {
            return
        }
        if let report, position != report.verified.count {
            try body(.failure(ArchiveChanged(path: path, recordID: nil)))
        }
    }
}

/// A row read again, with its attachments and addenda and what it must match, or the first way the rows differ
/// from the verified ones.
typealias ReadRow = Result<(StoredRecord, RecordEvidence, ExpectedRow?), ArchiveChanged>

extension ReadRow {
    /// The record, once it is the verified row at its place; else ``ArchiveChanged``.
    func checkedRecord() throws(ArchiveChanged) -> StoredRecord {
        try checkedEntry().record
    }

    /// The record and its attachments and addenda, once all are verified rows; else ``ArchiveChanged``.
    func checkedEntry() throws(ArchiveChanged) -> (record: StoredRecord, evidence: RecordEvidence) {
        let (record, evidence, expected) = try get()
        try expected?.check(record, evidence)
        return (record, evidence)
    }
}

/// The digest a row read again must have: the one verified at its place; and the digests of the attachment and
/// addendum rows verified.
struct ExpectedRow: Sendable {
    var path: String
    var digest: [UInt8]
    var evidence: Set<DigestKey> = []

    /// Throws ``ArchiveChanged`` unless `record` has the verified digest (which covers the withdrawn state too), and
    /// each of its attachments and addenda is a verified row.
    func check(_ record: StoredRecord, _ found: RecordEvidence = RecordEvidence()) throws(ArchiveChanged) {
        // A clear text that is not UTF-8 reads as empty: only its flag tells it from a verified empty one.
        guard record.clearJSONIsWellFormed, constantTimeEqual(record.digest, digest),
              found.attachments.allSatisfy({ $0.recordID == record.recordID && evidence.contains(DigestKey($0.digest)) }),
              found.addenda.allSatisfy({ $0.recordID == record.recordID && evidence.contains(DigestKey($0.digest)) })
        else {
            throw ArchiveChanged(path: path, recordID: record.recordID)
        }
    }
}

/// A row read after verification differs from the verified one.
struct ArchiveChanged: Error, CustomStringConvertible {
    var path: String
    var recordID: RecordID?

    var description: String {
        "\(path) changed after it was verified" + (recordID.map { " (record \($0))" } ?? "")
            + ": it is not a plain amanat archive; stopped"
    }
}

/// Verifies every archive (exit 7 on a broken one, one that does not extend the head remembered for its site, or
/// an inconsistency between them, unless `noVerify`) against the given or remembered site keys (exit 64 when
/// there are none), remembers each site's newest head, and returns those to read: an earlier export of a site
/// that a later one holds entirely is left out, so that the later state (a withdrawal, a rewrap) counts.
func verifiedArchives(
    _ paths: [String], signing: SigningKeyOption, heads: HeadsOption, noVerify: Bool, doing what: String
) throws -> [CheckedArchive] {
    if noVerify {
        warn("--no-verify: the archives' ledgers are not checked; records may be forged, altered or missing")
        // Every row of every archive is checked before anything is written: a malformed one stops the run with no
        // output, wherever it is (docs/FORMAT.md 7.3 step 5).
        return paths.map { path in
            let reader = openReader(path)
            do {
                try reader.checkRows()
            } catch {
                fail("\(error)")
            }
            return CheckedArchive(path: path, reader: reader, report: nil)
        }
    }
    try requirePinnedKey(signing, heads, noVerify: noVerify)
    var ends = EndChecks(known: heads.load())
    let pinned = ends.pinned(signing)
    var archives = verifyArchives(paths, pinned: pinned, watching: ends.watching)
    _ = ends.check(&archives, pinned: pinned)
    for archive in archives {
        guard let failure = archive.report.failure else { continue }
        fail(
            "\(archive.path) failed verification: \(failure). Refusing to \(what) it; --no-verify forces it",
            code: Exit.inconsistent
        )
    }
    let across = crossCheck(archives)
    if let failure = across.failures.first {
        fail("\(failure). Refusing to \(what); --no-verify forces it", code: Exit.inconsistent)
    }
    for note in across.notes { warn(note + "; it is skipped, so the newest state (withdrawals, rewraps) counts") }
    for remembered in ends.remember(archives) { note(remembered) }
    return archives.indices.filter { !across.redundant.contains($0) }.map {
        CheckedArchive(path: archives[$0].path, reader: archives[$0].reader, report: archives[$0].report)
    }
}

/// What comparing several intact archives found.
struct CrossCheck {
    /// Inconsistencies between archives: each makes verification fail.
    var failures: [String] = []
    /// Facts worth saying that are not failures.
    var notes: [String] = []
    /// Indices of archives whose every entry another archive of the same site also holds (an earlier export,
    /// or the same one twice): `open` skips them, so the newest state (a withdrawal, say) wins.
    var redundant: Set<Int> = []
}

/// Compares intact archives with each other. Exports of one site must be prefixes of the longest one (an
/// earlier export is; a rewritten one is not); a record id must not appear in archives of two sites (it was
/// copied from one into the other, which only a stolen receipt key could sign).
func crossCheck(_ archives: [VerifiedArchive]) -> CrossCheck {
    var result = CrossCheck()
    let intact = archives.indices.filter { archives[$0].report.isIntact && archives[$0].report.siteKey != nil }
    var sites: [SigningPublicKey: [Int]] = [:]
    for index in intact { sites[archives[index].report.siteKey!, default: []].append(index) }
    for (_, members) in sites where members.count > 1 {
        let longest = members.max { archives[$0].report.entries < archives[$1].report.entries }!
        for index in members where index != longest {
            let shorter = archives[index]
            let atSameSeq = (try? ArchiveVerifier.entryHash(at: shorter.report.entries, in: archives[longest].reader)) ?? nil
            if atSameSeq == shorter.report.headHash {
                result.redundant.insert(index)
                result.notes.append(
                    shorter.report.entries == archives[longest].report.entries
                        ? "\(shorter.path) has the same ledger as \(archives[longest].path)"
                        : "\(shorter.path)'s ledger is a prefix of \(archives[longest].path)'s (entries 1 to "
                            + "\(shorter.report.entries) of \(archives[longest].report.entries)): the shorter is the earlier state"
                )
            } else {
                result.failures.append(
                    "\(shorter.path) and \(archives[longest].path) are signed by the same site but their ledgers diverge "
                        + "by entry \(shorter.report.entries): one of them was rewritten"
                )
            }
        }
    }
    // Across sites: each site's record ids, from its longest archive (nothing to compare with one site).
    guard sites.count > 1 else { return result }
    var owner: [RecordKey: Int] = [:]
    for index in intact where !result.redundant.contains(index) {
        let records = archives[index].report.verified
        for place in 0..<records.count {
            let id = records.recordID(at: place)
            if let other = owner[RecordKey(id)], archives[other].report.siteKey != archives[index].report.siteKey {
                result.failures.append(
                    "record \(id) is in archives of two sites (\(archives[other].path) and \(archives[index].path)): "
                        + "it was copied from one into the other"
                )
            } else {
                owner[RecordKey(id)] = index
            }
        }
    }
    return result
}

extension KeyHolder {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check exported archives: recompute each hash chain and check the signed checkpoints.",
            discussion: """
                Reports, per archive, its records, withdrawals and rewraps and the head it verified (SEQ:HASH), or the \
                first broken link. Detects deleted, altered, reordered, injected or copied-in records, envelopes \
                swapped between records, and entries cut off after or added beyond the last signed checkpoint. Each \
                archive is checked against the given --signing-key that matches its own site key (without \
                --signing-key: the site keys remembered in the heads file). Across archives: exports of one site must \
                agree (an earlier export's ledger is a prefix of a later one's), and no record may appear in archives \
                of two sites.
                NOT detected by the archive alone: its last records cut off together with their entries and every \
                checkpoint after an older one (what is left is consistent and signed), or everything deleted. That is \
                detected only against something kept outside it: --expect-head (the head `amanat export` printed), \
                the head remembered for the site in the heads file (each verify that passes remembers the newest; \
                the first verify of a site only records it), or --receipts (a receipt beyond the archive's end \
                proves a cut).
                Exit codes: 0 every archive intact; 7 an archive is inconsistent, or does not hold an expected or \
                remembered head or a receipt's entry; 1 error; 64 usage error.
                """
        )

        @Argument(help: "Exported archives (from `amanat export`), one or more.") var archives: [String]
        @OptionGroup var signing: SigningKeyOption
        @Option(
            name: .customLong("expect-head"),
            help: """
                SEQ:HASH, the head `amanat export` printed (repeatable): each site's newest archive must hold that \
                ledger entry unchanged, so a copy cut back before it, or rewritten, is refused.
                """
        )
        var expectedHeadTexts: [String] = []
        @Option(
            name: .customLong("receipts"),
            help: """
                A directory of witnesses' receipts (*.json: the receipt, or `amanat submit --json`'s answer): each \
                must be signed by its site's key and its entry be in the archive unchanged; a receipt beyond the \
                archive's end proves a cut.
                """
        )
        var receipts: String?
        @OptionGroup var heads: HeadsOption
        @Flag(help: "Print one JSON object per archive instead of text.") var json = false

        /// The --expect-head values (``validate()`` has refused malformed ones); `head SEQ:HASH`, the whole line
        /// `amanat export` prints, is taken too.
        var expectedHeads: [LedgerHead] {
            expectedHeadTexts.compactMap { LedgerHead(text: $0.hasPrefix("head ") ? $0.dropFirst(5) : Substring($0)) }
        }

        func validate() throws {
            guard expectedHeads.count == expectedHeadTexts.count else {
                throw ValidationError("--expect-head is SEQ:HASH, as `amanat export` prints it after `head `")
            }
            try requirePinnedKey(signing, heads, noVerify: false)
        }

        func run() throws {
            initialiseSodium()
            var ends = EndChecks(expected: expectedHeads, known: heads.load(), receipts: receipts.map(ReceiptFile.readAll) ?? [])
            let pinned = ends.pinned(signing)
            var verified = verifyArchives(archives, pinned: pinned, watching: ends.watching, hashingStreams: true)
            let unchecked = ends.check(&verified, pinned: pinned)
            for archive in verified {
                printLine(json ? archive.report.json(path: archive.path).canonicalText : archive.report.summary(path: archive.path))
            }
            for archive in verified where archive.report.isIntact && archive.report.withdrawalTokens > 0 {
                let note = "\(archive.path) holds \(archive.report.withdrawalTokens) withdrawal token hashes: it is a copy "
                    + "of the live database, not an export; make an export (amanat export) to pass on"
                printLine(json ? JSONValue.object(["note": .string(note)]).canonicalText : "note: \(note)")
            }
            let across = crossCheck(verified)
            func say(note: String) {
                printLine(json ? JSONValue.object(["note": .string(note)]).canonicalText : "note: \(note)")
            }
            across.notes.forEach(say(note:))
            unchecked.forEach(say(note:))
            for failure in across.failures {
                printLine(json ? JSONValue.object(["failure": .string(failure)]).canonicalText : "BROKEN across archives: \(failure)")
            }
            if verified.contains(where: { !$0.report.isIntact }) || !across.failures.isEmpty {
                throw ExitCode(Exit.inconsistent)
            }
            if receipts != nil {
                say(note: "\(ends.receipts.count - unchecked.count) of \(ends.receipts.count) receipts checked: each is signed "
                    + "and its entry is in the archive unchanged")
            }
            ends.remember(verified).forEach(say(note:))
        }
    }
}

extension VerificationReport {
    func summary(path: String) -> String {
        if let failure { return "\(path): BROKEN: \(failure)" }
        return "\(path): intact: \(records) records (\(withdrawals) withdrawn), \(rewraps) rewrap entries\(signersText), "
            + evidenceText + "\(entries) ledger entries, all covered by \(checkpoints) signed checkpoints; site "
                + "key \(siteKey?.text ?? ""); "
            + "head \(head)"
    }

    /// The attachments and addenda, when there are any: their entries (those of withdrawn records included) and the
    /// bytes of the streams kept, each of which matched its size and hash.
    private var evidenceText: String {
        guard attachments > 0 || addenda > 0 else { return "" }
        let hashed = hashedStreams ? ", every stream hashed" : ""
        return "\(attachments) attachment entries (\(attachmentBytes) stored bytes\(hashed)), "
            + "\(addenda) addendum entries, "
    }

    /// Who signed the rewraps, when there are any.
    private var signersText: String {
        guard rewraps > 0 else { return "" }
        var parts: [String] = []
        if !rewrapSigners.isEmpty { parts.append("signed by " + rewrapSigners.map(\.text).joined(separator: ", ")) }
        if unsignedRewraps > 0 { parts.append("\(unsignedRewraps) naming no signer") }
        return " (" + parts.joined(separator: "; ") + ")"
    }

    func json(path: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "archive": .string(path), "intact": .bool(isIntact), "records": .number(String(records)),
            "withdrawals": .number(String(withdrawals)), "rewraps": .number(String(rewraps)),
            "entries": .number(String(entries)), "checkpoints": .number(String(checkpoints)),
            "attachments": .number(String(attachments)), "addenda": .number(String(addenda)),
            "attachment_bytes": .number(String(attachmentBytes)),
            "last_signed_seq": .number(String(lastSignedSeq)),
        ]
        if isIntact { object["head"] = .string(head.text) }
        object["rewrap_signers"] = .array(rewrapSigners.map { .string($0.text) })
        object["unsigned_rewraps"] = .number(String(unsignedRewraps))
        if let siteKey { object["signing_key"] = .string(siteKey.text) }
        if let failure { object["failure"] = .string(failure) }
        return .object(object)
    }
}

extension JSONValue {
    var canonicalText: String { String(decoding: canonicalBytes(), as: UTF8.self) }
}

/// One line on standard output.
func printLine(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress!, $0.count) }
        if written <= 0 { if errno == EINTR { continue } else { break } }
        offset += written
    }
}
