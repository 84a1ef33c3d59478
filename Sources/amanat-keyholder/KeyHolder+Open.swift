import AmanatCrypto
import AmanatKeys
import AmanatModel
import AmanatStore
import ArgumentParser
import Glibc

extension KeyHolder {
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decrypt every record of a database copy, read-only.",
            discussion: """
                Writes one JSON object per line by default: record_id, form, form_version, received, and fields
                (clear, identity and testimony merged). A section no given key opens, or one that fails
                authentication, is named on stderr and listed under "unopened".
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case jsonl, csv
        }

        @Argument(help: "A copy of the amanat database (opened read-only).") var database: String
        @Option(name: .customLong("key"), help: "A secret key file (repeatable).") var keys: [String] = []
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase (for every key) from this file.")
        var passphraseFile: String?
        @Option(help: "jsonl (default) or csv.") var format: Format = .jsonl
        @OptionGroup var sections: SectionsOption
        @Option(help: "Write to this new file (mode 0600) instead of standard output.") var out: String?

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("give at least one --key") }
        }

        private var requestedSections: [Section] { sections.requested }

        func run() throws {
            initialiseSodium()
            // Every key is unlocked before any output, so a wrong passphrase leaves no partial output.
            let ring = KeyRing(keys: unlockKeys(keys, passphraseFile: passphraseFile))
            let reader = openReader(database)
            let sink: OutputSink
            do {
                sink = try out.map { path throws(OutputSink.Failure) in try OutputSink(creating: path) } ?? OutputSink()
            } catch {
                fail(error.description)
            }
            var tally = Tally()
            var table = CSVTable()
            do {
                // Opened on every core, emitted in archive order (ParallelOpener.swift).
                let shared = ReadOnly((command: self, ring: ring))
                try ParallelOpener().forEach(reader.forEach) { record in
                    var part = Tally()
                    let opened = shared.value.command.open(record, with: shared.value.ring, tally: &part)
                    return (opened, shared.value.command.format == .jsonl ? opened.canonicalBytes() + [0x0A] : nil, part)
                } emit: { opened, line, part in
                    tally.add(part)
                    if let line { try sink.write(line) } else { table.add(opened) }
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


        private func open(_ record: StoredRecord, with ring: KeyRing, tally: inout Tally) -> JSONValue {
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

    var summary: String {
        "opened \(opened) records; \(unopened) not openable with these keys; \(tampered) tampered"
    }
}

extension OpenError {
    static let noKeyDescription = OpenError.Kind.noMatchingKeyDescription
}
