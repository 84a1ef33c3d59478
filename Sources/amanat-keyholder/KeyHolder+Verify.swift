import AmanatCrypto
import AmanatModel
import AmanatStore
import ArgumentParser
import Glibc

/// `--signing-key`, the pinned site keys, shared by verify and open.
struct SigningKeyOption: ParsableArguments {
    @Option(
        name: .customLong("signing-key"),
        help: "A site's receipt-signing key, amanat-sig-… (repeatable: one per intake site). Get it from `amanat signing-key`."
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
        let trimmed = Substring(text).drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
        return try SigningPublicKey(text: String(trimmed))
    }
}

/// One archive and what verifying it found.
struct VerifiedArchive {
    var path: String
    var reader: RecordReader
    var report: VerificationReport
}

/// Verifies every archive in `paths` against `pinned` (each against its own site key when `pinned` is
/// empty). Exits on an unreadable file.
func verifyArchives(_ paths: [String], pinned: [SigningPublicKey]) -> [VerifiedArchive] {
    paths.map { path in
        let reader = openReader(path)
        do {
            return VerifiedArchive(path: path, reader: reader, report: try ArchiveVerifier.verify(reader, pinned: pinned))
        } catch {
            fail("\(path): cannot read the ledger: \(error)")
        }
    }
}

/// Record ids that appear in more than one archive, with the archives, in first-seen order.
func recordsInSeveralArchives(_ archives: [VerifiedArchive]) -> [(RecordID, [String])] {
    guard archives.count > 1 else { return [] }
    var seen: [RecordID: [String]] = [:]
    var order: [RecordID] = []
    for archive in archives {
        for id in archive.report.recordIDs {
            if seen[id] == nil { order.append(id) }
            seen[id, default: []].append(archive.path)
        }
    }
    return order.compactMap { id in seen[id]!.count > 1 ? (id, seen[id]!) : nil }
}

extension KeyHolder {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check exported archives: recompute each hash chain and check the signed checkpoints.",
            discussion: """
                Reports, per archive, its records, withdrawals and rewraps, or the first broken link. Detects deleted, \
                altered, reordered, injected or copied-in records, envelopes swapped between records, and entries \
                cut off after or added beyond the last signed checkpoint. Each archive is checked against the given \
                --signing-key that matches its own site key; record ids found in more than one archive are listed.
                Exit codes: 0 every archive intact; 7 an archive is inconsistent; 1 error; 64 usage error.
                """
        )

        @Argument(help: "Exported archives (from `amanat export`), one or more.") var archives: [String]
        @OptionGroup var signing: SigningKeyOption
        @Flag(help: "Print one JSON object per archive instead of text.") var json = false

        func validate() throws {
            guard !signing.texts.isEmpty else {
                throw ValidationError("give each site's --signing-key (from `amanat signing-key` on its intake host)")
            }
        }

        func run() throws {
            initialiseSodium()
            let verified = verifyArchives(archives, pinned: signing.keys)
            for archive in verified {
                printLine(json ? archive.report.json(path: archive.path).canonicalText : archive.report.summary(path: archive.path))
            }
            for (id, paths) in recordsInSeveralArchives(verified) {
                let message = "record \(id) is in more than one archive: \(paths.joined(separator: ", "))"
                if json {
                    printLine(JSONValue.object(["duplicate": .string(id.text), "archives": .array(paths.map { .string($0) })]).canonicalText)
                } else {
                    printLine(message)
                }
            }
            if verified.contains(where: { !$0.report.isIntact }) { throw ExitCode(Exit.inconsistent) }
        }
    }
}

extension VerificationReport {
    func summary(path: String) -> String {
        if let failure { return "\(path): BROKEN: \(failure)" }
        return "\(path): intact: \(records) records (\(withdrawals) withdrawn), \(rewraps) rewrap entries, "
            + "\(entries) ledger entries, all covered by \(checkpoints) signed checkpoints; site key \(siteKey?.text ?? "")"
    }

    func json(path: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "archive": .string(path), "intact": .bool(isIntact), "records": .number(String(records)),
            "withdrawals": .number(String(withdrawals)), "rewraps": .number(String(rewraps)),
            "entries": .number(String(entries)), "checkpoints": .number(String(checkpoints)),
            "last_signed_seq": .number(String(lastSignedSeq)),
        ]
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
