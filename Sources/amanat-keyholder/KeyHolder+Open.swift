import AmanatCrypto
import AmanatKeys
import AmanatModel
import AmanatStore
import ArgumentParser
import Glibc

extension KeyHolder {
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify, then decrypt every record of one or more archives, read-only.",
            discussion: """
                Each archive is first verified as `verify` does, against the --signing-key matching its site; a broken \
                archive is refused (exit 7) unless --no-verify is given. Without --signing-key, each archive is \
                checked only against the key it names itself, with a warning.
                Writes one JSON object per line by default: record_id, form, form_version, received, and fields
                (clear, identity and testimony merged). A section no given key opens, or one that fails
                authentication, is named on stderr and listed under "unopened". A withdrawn record has
                "withdrawn": true and no fields. A record found in several archives is written once.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case jsonl, csv
        }

        @Argument(help: "Exported archives or database copies (opened read-only), one or more.") var databases: [String]
        @Option(name: .customLong("key"), help: "A secret key file (repeatable).") var keys: [String] = []
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase (for every key) from this file.")
        var passphraseFile: String?
        @Option(help: "jsonl (default) or csv.") var format: Format = .jsonl
        @OptionGroup var sections: SectionsOption
        @Option(help: "Write to this new file (mode 0600) instead of standard output.") var out: String?
        @OptionGroup var signing: SigningKeyOption
        @Flag(help: "Open even an archive that fails verification (its records may be forged or incomplete).")
        var noVerify = false

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("give at least one --key") }
        }

        private var requestedSections: [Section] { sections.requested }

        func run() throws {
            initialiseSodium()
            // Every key is unlocked before any output, so a wrong passphrase leaves no partial output.
            let ring = KeyRing(keys: unlockKeys(keys, passphraseFile: passphraseFile))
            let readers = verifiedReaders()
            let sink: OutputSink
            do {
                sink = try out.map { path throws(OutputSink.Failure) in try OutputSink(creating: path) } ?? OutputSink()
            } catch {
                fail(error.description)
            }
            var tally = Tally()
            var table = CSVTable()
            var written = Set<RecordID>()
            do {
                for reader in readers {
                    try reader.forEach { record in
                        // The same record exported by two sites, or one archive given twice: written once.
                        guard written.insert(record.recordID).inserted else { return }
                        let opened = open(record, with: ring, tally: &tally)
                        switch format {
                        case .jsonl: try sink.write(opened.canonicalBytes() + [UInt8(ascii: "\n")])
                        case .csv: table.add(opened)
                        }
                    }
                }
                if format == .csv { try sink.write(table.encoded()) }
                try sink.close()
            } catch {
                fail("\(error)")
            }
            note(tally.summary)
            if tally.tampered > 0 { throw ExitCode(Exit.tampered) }
            if tally.unopened > 0 { throw ExitCode(Exit.unopened) }
        }


        /// Verifies each archive first; exits 7 on a broken one unless --no-verify.
        private func verifiedReaders() -> [RecordReader] {
            if noVerify {
                warn("--no-verify: the archives' ledgers are not checked; records may be forged, altered or missing")
                return databases.map(openReader)
            }
            let pinned = signing.keys
            let archives = verifyArchives(databases, pinned: pinned)
            for archive in archives {
                guard let failure = archive.report.failure else { continue }
                fail(
                    "\(archive.path) failed verification: \(failure). Refusing to open it; --no-verify opens it anyway",
                    code: Exit.inconsistent
                )
            }
            if pinned.isEmpty {
                for archive in archives {
                    warn(
                        "\(archive.path): no --signing-key given, so it was only checked against the key it names itself "
                            + "(\(archive.report.siteKey?.text ?? "")); pin the site's key with --signing-key"
                    )
                }
            }
            for (id, paths) in recordsInSeveralArchives(archives) {
                warn("record \(id) is in more than one archive (\(paths.joined(separator: ", "))); it is written once")
            }
            return archives.map(\.reader)
        }

        private func open(_ record: StoredRecord, with ring: KeyRing, tally: inout Tally) -> JSONValue {
            if record.withdrawn {
                tally.withdrawn += 1
                return .object([
                    "record_id": .string(record.recordID.text), "form": .string(record.formID),
                    "form_version": .number(String(record.formVersion)), "received": .string(record.received),
                    "fields": .object([:]), "withdrawn": .bool(true),
                ])
            }
            var fields: [String: JSONValue] = [:]
            var unopened: [String: JSONValue] = [:]
            if case .object(let clear)? = try? JSONParser(maxDepth: 64).parse(Array(record.clearJSON.utf8)) {
                fields.merge(clear) { $1 }
            } else {
                unopened["clear"] = .string("tampered: the clear fields are not a JSON object")
            }
            let sealed: [(Section, [UInt8])] = [(.identity, record.identityEnvelope), (.testimony, record.testimonyEnvelope)]
            // Sections not asked for are neither opened nor reported.
            for (section, envelope) in sealed where requestedSections.contains(section) {
                do {
                    let plaintext = try ring.open(envelope, section: section, recordID: record.recordID)
                    if case .object(let values)? = try? JSONParser(maxDepth: 64).parse(plaintext) {
                        fields.merge(values) { $1 }
                    } else {
                        unopened[section.rawValue] = .string("tampered: the sealed fields are not a JSON object")
                    }
                } catch {
                    unopened[section.rawValue] = .string(error.description)
                }
            }
            var object: [String: JSONValue] = [
                "record_id": .string(record.recordID.text), "form": .string(record.formID),
                "form_version": .number(String(record.formVersion)), "received": .string(record.received),
                "fields": .object(fields),
            ]
            if unopened.isEmpty {
                tally.opened += 1
            } else {
                object["unopened"] = .object(unopened)
                let isTampered = unopened.values.contains { $0 != .string(OpenError.noKeyDescription) }
                if isTampered { tally.tampered += 1 } else { tally.unopened += 1 }
                let sections = unopened.keys.sorted().map { "\($0): \(unopened[$0]!.stringValue ?? "")" }
                warn("record \(record.recordID): " + sections.joined(separator: "; "))
            }
            return .object(object)
        }
    }
}

struct Tally {
    var opened = 0
    var unopened = 0
    var tampered = 0
    var withdrawn = 0

    var summary: String {
        "opened \(opened) records; \(unopened) not openable with these keys; \(tampered) tampered"
            + (withdrawn > 0 ? "; \(withdrawn) withdrawn" : "")
    }
}

extension OpenError {
    static let noKeyDescription = OpenError.Kind.noMatchingKeyDescription
}
