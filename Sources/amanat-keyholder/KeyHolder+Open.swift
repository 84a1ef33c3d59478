import AmanatCrypto
import AmanatKeys
import AmanatArchive
import AmanatFormat
import AmanatForms
import AmanatJSON
import AmanatPartialFiles
import AmanatReports
import ArgumentParser
import Glibc

extension KeyHolder {
    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify, then decrypt every record of one or more archives, read-only.",
            discussion: """
                Each archive is first verified as `verify` does, against the --signing-key matching its site or, \
                without one, the site key remembered in the heads file by an earlier verify (with neither, open \
                refuses to run, exit 64), and must extend the head remembered for its site; a broken archive is \
                refused (exit 7) unless --no-verify is given. A record found in several archives is written once.

                By default it writes one JSON object per line: record_id, form, form_version, received and fields \
                (clear, identity and testimony merged); a withdrawn record has "withdrawn": true and no fields. A \
                section no given key opens, or one that fails authentication, is named on stderr and listed under \
                "unopened".

                --format csv writes one table for spreadsheets: UTF-8 (--bom adds the byte order mark Excel needs), \
                every field quoted, CRLF line ends, and a ' before any cell that begins with = + - @, tab or \
                carriage return, so that no cell runs as a formula. Its columns are record_id, form, form_version, \
                received, withdrawn (true or false), the fields in the order of the form files in --forms, then \
                unopened; --labels writes each choice as its label instead of its code. With --out FILE.csv, \
                relatives (every records field) go to FILE.relatives.csv, one row per relative keyed by record_id, \
                and the main table holds their number; on standard output they stay as JSON in their cell. It reads \
                the records twice, first for the columns, so that memory does not grow with the archive.

                --format html or md writes a report for reading into the new directory --out: one page per record, \
                index.html (index.md) with each record's language, region, violations, consent and witness, and, \
                for html, the index sorted by each column (index-COLUMN.html, linked from the column headings) and \
                all.html, every testimony in order for printing. Fields are labelled in --lang from the form files \
                in --forms and grouped by section; a section that did not open is marked on its page. Chinese and \
                Uyghur text needs the Debian packages fonts-noto-cjk and fonts-noto-core, which the report names.

                A record's addenda (texts the witness added later) and its attachments' sealed metadata (name, \
                media type, size, SHA-256) are listed with it. --attachments-dir DIR also writes each attachment \
                that opens into the new directory DIR (mode 0700), as DIR/RECORD_ID-POSITION-NAME (mode 0600), \
                where NAME keeps only letters, digits, '.', '-' and '_' of the sealed name; each file is decrypted \
                as it is read, and kept only if its SHA-256 is the sealed one.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case jsonl, csv, html, md
        }

        @Argument(help: "Exported archives or database copies (opened read-only), one or more.") var databases: [String]
        @Option(name: .customLong("key"), help: "A secret key file (repeatable).") var keys: [String] = []
        @Option(name: .customLong("passphrase-file"), help: "Read the passphrase (for every key) from this file.")
        var passphraseFile: String?
        @Option(help: "The output: JSON lines, a CSV table, or an HTML or Markdown report.") var format: Format = .jsonl
        @OptionGroup var sections: SectionsOption
        @Option(help: """
            Write to this new file (mode 0600), or for html and md this new directory, instead of standard output, \
            removing what was written if the run fails or is interrupted.
            """)
        var out: String?
        @Flag(help: "csv: start with a UTF-8 byte order mark, for Excel.") var bom = false
        @Option(help: "csv: write each choice as its label in this language instead of its stored code.")
        var labels: LanguageOption?
        @OptionGroup var signing: SigningKeyOption
        @OptionGroup var heads: HeadsOption
        @Flag(help: """
            Open without verifying, even an archive that fails verification or has no pinned site key (its records \
            may be forged or incomplete).
            """)
        var noVerify = false
        @Option(help: "html and md: the language of labels and headings (default from LC_ALL, LC_MESSAGES or LANG).")
        var lang: LanguageOption?
        @Option(help: "The directory of form files, for labels and the order of CSV columns.")
        var forms: String = Self.defaultFormsDirectory
        @Option(
            name: .customLong("attachments-dir"),
            help: "Write each attachment that opens into this new directory (mode 0700; it must not exist)."
        )
        var attachmentsDirectory: String?

        /// Where `make install` puts the forms.
        static let defaultFormsDirectory = "/etc/amanat/forms"

        func validate() throws {
            guard !keys.isEmpty else { throw ValidationError("give at least one --key") }
            try requirePinnedKey(signing, heads, noVerify: noVerify)
            if format == .html || format == .md {
                guard out != nil else { throw ValidationError("--format \(format.rawValue) needs --out DIRECTORY") }
            }
            if bom && format != .csv { throw ValidationError("--bom is for --format csv") }
            if labels != nil && format != .csv {
                throw ValidationError("--labels is for --format csv; html and md take --lang")
            }
            if let attachmentsDirectory {
                var info = stat()
                guard lstat(attachmentsDirectory, &info) != 0, errno == ENOENT else {
                    throw ValidationError("--attachments-dir \(attachmentsDirectory) exists: name a new directory")
                }
            }
        }

        private var requestedSections: [Section] { sections.requested }

        func run() throws {
            initialiseSodium()
            // Every key is unlocked before any output, so a wrong passphrase leaves no partial output.
            let ring = KeyRing(keys: unlockKeys(keys, passphraseFile: passphraseFile))
            let readers = try verifiedArchives(databases, signing: signing, heads: heads, noVerify: noVerify, doing: "open")
            let attachments = makeAttachmentsDirectory()
            let output = makeOutput(attachmentsDirectory: attachments)
            var tally = Tally()
            // A CSV table reads the records twice: once for its columns, then for its rows.
            let readings = format == .csv ? 2 : 1
            // No bar when the records themselves go to the same terminal.
            let progress = ProgressBar(
                total: readings * readers.reduce(0) { $0 + ((try? $1.reader.count()) ?? 0) },
                terminal: isatty(STDERR_FILENO) == 1 && (out != nil || isatty(STDOUT_FILENO) == 0)
            )
            /// Reads every record once, in archive order: each is checked against the verified digest and passed to
            /// `transform` on every core (ParallelOpener.swift); `emit` gets the results in order on this thread. A
            /// record also in an archive given before is checked but not passed on. A changed row stops the reading
            /// in its place with ``ArchiveChanged``: nothing from it or after it is emitted.
            func forEachRecord<Output: Sendable>(
                _ transform: @escaping @Sendable (StoredRecord, RecordEvidence, Int) -> Output, emit: (Output) throws -> Void
            ) throws {
                var written = Set<RecordKey>()
                let source: (((ReadRow, Int)) throws -> Void) throws -> Void = { body in
                    for (index, archive) in readers.enumerated() {
                        try archive.forEachExpecting { row in
                            guard case .success((let record, _, let expected)) = row,
                                  !written.insert(RecordKey(record.recordID)).inserted
                            else { return try body((row, index)) }
                            // Written already from an archive given before it: not again, but still the verified
                            // row, or the reading stops in its place.
                            do throws(ArchiveChanged) {
                                try expected?.check(record)
                                progress.advance()
                            } catch {
                                try body((.failure(error), index))
                            }
                        }
                    }
                }
                try ParallelOpener().forEach(source) { row, archive -> Result<Output, ArchiveChanged> in
                    do throws(ArchiveChanged) {
                        let (record, evidence) = try row.checkedEntry()
                        return .success(transform(record, evidence, archive))
                    } catch {
                        return .failure(error)
                    }
                } emit: { result in
                    try emit(try result.get())
                }
            }
            let unlocked = ReadOnly((ring: ring, sections: requestedSections, attachments: attachments))
            do {
                var csv: CSVTable?
                if format == .csv {
                    // The columns: every field name in the order first seen. Only the names are kept, so that the
                    // table never holds the archive; the second reading writes each row as it comes.
                    var columns = CSVColumns()
                    try forEachRecord { record, _, _ in
                        let sections = Self.openSections(of: record, with: unlocked.value.ring, requested: unlocked.value.sections)
                        if let names = CSVOutput.splicedFieldNames(for: record, sections: sections) {
                            return (record.formID, names)
                        }
                        var uncounted = Tally()
                        let (opened, _) = Self.opened(record, sections: sections, requested: unlocked.value.sections, tally: &uncounted)
                        return (record.formID, CSVColumns.names(of: opened))
                    } emit: { form, names in
                        columns.add(names, form: form)
                        progress.advance()
                    }
                    if let output = output as? CSVOutput {
                        csv = try output.writeHeaders(columns, labels: labels?.language)
                    }
                }
                let shared = ReadOnly((encodesLines: format == .jsonl, csv: csv, report: (output as? ReportOutput)?.renderer))
                /// The record as the output takes it. Encoded on a worker, the record's JSON values are freed on the
                /// thread that made them, and only the line waits to be written.
                @Sendable func payload(_ opened: OpenedRecord) -> Opening.Payload {
                    if shared.value.encodesLines {
                        return .encoded(JSONLinesOutput.line(for: opened))
                    } else if let csv = shared.value.csv {
                        return csv.rows(opened).map { .rows($0) } ?? .unexpectedField(opened.recordID)
                    } else if let report = shared.value.report {
                        return report.render(opened)
                    }
                    return .record(opened)
                }
                try forEachRecord { record, evidence, archive -> Opening in
                    var part = Tally()
                    let sections = Self.openSections(of: record, with: unlocked.value.ring, requested: unlocked.value.sections)
                    // The usual case: every section opened and is canonical JSON, so its members are copied into the
                    // line as they are (CanonicalSplice.swift), with the same bytes as parsing and encoding them.
                    if shared.value.encodesLines, evidence.isEmpty,
                       let line = JSONLinesOutput.splicedLine(for: record, sections: sections) {
                        part.opened += 1
                        return Opening(payload: .encoded(line), warning: nil, tally: part)
                    }
                    let found = Self.openEvidence(
                        evidence, of: record, with: unlocked.value.ring, requested: unlocked.value.sections,
                        directory: unlocked.value.attachments
                    )
                    let (opened, warning) = Self.opened(
                        record, sections: sections, requested: unlocked.value.sections, tally: &part,
                        attachments: found.attachments, addenda: found.addenda
                    )
                    // Files are extracted in archive order on the calling thread, which then makes the payload.
                    guard found.pending.isEmpty else {
                        return Opening(payload: .record(opened), warning: warning, tally: part, pending: found.pending, archive: archive)
                    }
                    return Opening(payload: payload(opened), warning: warning, tally: part)
                } emit: { opening in
                    var opening = opening
                    if !opening.pending.isEmpty, case .record(var record) = opening.payload {
                        let before = record.status
                        let extractor = AttachmentExtractor(reader: readers[opening.archive].reader)
                        if let failed = try Self.extract(opening.pending, of: &record, with: extractor, progress: progress) {
                            opening.warning = [opening.warning, failed].compactMap { $0 }.joined(separator: "; ")
                        }
                        opening.tally.move(from: before, to: record.status)
                        opening.tally.attachmentsWritten += record.attachments.filter { $0.path != nil }.count
                        opening.payload = payload(record)
                    }
                    tally.add(opening.tally)
                    if let warning = opening.warning { progress.interrupt { warn(warning) } }
                    try output.add(opening.payload)
                    progress.advance()
                }
                progress.finish()
                try output.finish()
                if let attachments { try Self.sync(directory: attachments) }
                PartialFiles.keep()
            } catch let error as ArchiveChanged {
                progress.finish()
                fail(error.description, code: Exit.inconsistent)
            } catch {
                progress.finish()
                fail("\(error)")
            }
            note(tally.summary)
            if tally.tampered > 0 { throw ExitCode(Exit.tampered) }
            if tally.unopened > 0 { throw ExitCode(Exit.unopened) }
        }

        /// The plaintext (the section's canonical JSON, unpadded) of each `requested` sealed section of `record`,
        /// in storage order, or why it did not open; none for a withdrawn record.
        static func openSections(
            of record: StoredRecord, with ring: KeyRing, requested: [Section]
        ) -> OpenedSections {
            guard !record.withdrawn else { return [] }
            let sealed: [(Section, [UInt8])] = [(.identity, record.identityEnvelope), (.testimony, record.testimonyEnvelope)]
            // Sections not asked for are neither opened nor reported.
            return sealed.filter { requested.contains($0.0) }.map { section, envelope in
                do throws(OpenError) {
                    return (section, .success(try ring.open(envelope, section: section, recordID: record.recordID)))
                } catch {
                    if case .noMatchingKey = error.kind { return (section, .failure(.noKey(error.description))) }
                    return (section, .failure(.tampered(error.description)))
                }
            }
        }

        /// The record with the fields of each opened section, from ``openSections(of:with:requested:)``; and, when
        /// some section did not open, the warning line for it.
        static func opened(
            _ record: StoredRecord, sections: OpenedSections, requested: [Section],
            tally: inout Tally, attachments: [OpenedAttachment] = [], addenda: [OpenedAddendum] = []
        ) -> (OpenedRecord, String?) {
            var opened = OpenedRecord(
                recordID: record.recordID.text, formID: record.formID, formVersion: record.formVersion,
                received: record.received
            )
            if record.withdrawn {
                opened.withdrawn = true
                tally.withdrawn += 1
                return (opened, nil)
            }
            opened.skipped = Set(Section.sealed.filter { !requested.contains($0) })
            if record.clearJSONIsWellFormed,
               case .object(let clear)? = try? JSONParser(maxDepth: 64).parse(Array(record.clearJSON.utf8)) {
                opened.fields[.clear] = clear
            } else {
                opened.failures[.clear] = .tampered("tampered: the clear fields are not a JSON object")
            }
            opened.attachments = attachments
            opened.addenda = addenda
            tally.attachments += attachments.count
            tally.addenda += addenda.count
            for (section, result) in sections {
                switch result {
                case .success(let plaintext):
                    if case .object(let values)? = try? JSONParser(maxDepth: 64).parse(plaintext) {
                        opened.fields[section] = values
                    } else {
                        opened.failures[section] = .tampered("tampered: the sealed fields are not a JSON object")
                    }
                case .failure(let failure):
                    opened.failures[section] = failure
                }
            }
            switch opened.status {
            case .opened: tally.opened += 1
            case .unopened: tally.unopened += 1
            case .tampered: tally.tampered += 1
            case .withdrawn: tally.withdrawn += 1
            }
            let failures = opened.failures.sorted { $0.key.rawValue < $1.key.rawValue }.map { section, failure in
                "\(section.rawValue): \(failure.detail)"
            } + opened.attachments.compactMap { attachment in
                attachment.failure.map { "attachment \(attachment.position): \($0.detail)" }
            } + opened.addenda.compactMap { addendum in
                addendum.failure.map { "addendum \(addendum.position): \($0.detail)" }
            }
            guard !failures.isEmpty else { return (opened, nil) }
            return (opened, "record \(record.recordID): " + failures.joined(separator: "; "))
        }
    }
}

/// The plaintext of each requested sealed section of a record (its canonical JSON, unpadded), in storage order, or
/// why it did not open.
typealias OpenedSections = [(Section, Result<[UInt8], OpenedRecord.Failure>)]

/// One record as a worker opened it, for the calling thread to write.
struct Opening: Sendable {
    /// The record, or its line when the output takes lines.
    enum Payload: Sendable {
        case record(OpenedRecord)
        case encoded([UInt8])
        /// A record's lines in a CSV table and its tables of relatives, made on a worker.
        case rows(CSVTable.Rows)
        /// A report's page, rendered on a worker: its line in the index, its file name, its bytes and, for HTML,
        /// its article in all.html. Only the rendered bytes wait to be written, not the page's values as well.
        case page(ReportIndex.Entry, file: String, bytes: [UInt8], article: [UInt8])
        /// A CSV row would need a column the first reading did not find: the record changed between the readings.
        case unexpectedField(String)
    }

    var payload: Payload
    /// The line for stderr when some section did not open.
    var warning: String?
    var tally: Tally
    /// Attachments to extract on the calling thread (the payload is then `.record`), from the archive at `archive`.
    var pending: [PendingExtraction] = []
    var archive = 0
}

struct Tally: Sendable {
    var opened = 0
    var unopened = 0
    var tampered = 0
    var withdrawn = 0
    /// Attachments and addenda listed (opened or not), and files written.
    var attachments = 0
    var addenda = 0
    var attachmentsWritten = 0

    var summary: String {
        "opened \(opened) records; \(unopened) not openable with these keys; \(tampered) tampered"
            + (withdrawn > 0 ? "; \(withdrawn) withdrawn" : "")
            + (attachments > 0 ? "; \(attachments) attachments (\(attachmentsWritten) files written)" : "")
            + (addenda > 0 ? "; \(addenda) addenda" : "")
    }

    /// Counts a record as `after` rather than `before` (an attachment of it did not come out).
    mutating func move(from before: OpenedRecord.Status, to after: OpenedRecord.Status) {
        guard before != after else { return }
        count(before, -1)
        count(after, 1)
    }

    private mutating func count(_ status: OpenedRecord.Status, _ change: Int) {
        switch status {
        case .opened: opened += change
        case .unopened: unopened += change
        case .tampered: tampered += change
        case .withdrawn: withdrawn += change
        }
    }
}
