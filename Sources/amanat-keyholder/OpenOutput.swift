import AmanatFormat
import AmanatArchive
import AmanatJSON
import AmanatPartialFiles
import AmanatReports
import ArgumentParser
import Foundation
import Glibc

/// Where `open` puts each record as it is opened, in the format asked for.
protocol OpenOutput {
    /// Writes `record`, or the line ``JSONLinesOutput/line(for:)`` made of it on a worker (JSON lines only).
    func add(_ record: Opening.Payload) throws
    /// Writes whatever waits for the last record (the CSV table, the report's index) and closes.
    func finish() throws
}

extension KeyHolder.Open {
    /// The output for `--format` and `--out`, or exits: an existing `--out` stops the command before any work.
    /// A report links the files extracted into `attachmentsDirectory`.
    func makeOutput(attachmentsDirectory: String? = nil) -> any OpenOutput {
        do {
            switch format {
            case .jsonl: return JSONLinesOutput(sink: try sink())
            case .csv:
                let library = FormLibrary(directory: forms)
                // The forms order the columns; without them the table still has every field, in the order seen.
                for problem in library.problems {
                    warn("\(problem); fields without a form come in the order first seen, relatives as JSON")
                }
                return CSVOutput(sink: try sink(), path: out, byteOrderMark: bom, forms: library)
            case .html, .md:
                let library = FormLibrary(directory: forms)
                // Labels are a convenience: without forms the report still shows every field, by name.
                for problem in library.problems {
                    warn("\(problem); fields without a form are shown by their stored names")
                }
                let language = lang?.language ?? ReportLanguage.fromEnvironment(ProcessInfo.processInfo.environment)
                return try ReportOutput(
                    directory: out!, markdown: format == .md,
                    builder: ReportBuilder(
                        forms: library, language: language,
                        attachmentsLink: attachmentsDirectory.map { Self.relativePath(from: out!, to: $0) }
                    )
                )
            }
        } catch {
            fail(error.description)
        }
    }

    /// Creates `--attachments-dir` (mode 0700), registered so that a failure or a signal removes it with the files
    /// written into it; nil without the option. Exits when it exists or cannot be made.
    func makeAttachmentsDirectory() -> String? {
        guard let directory = attachmentsDirectory else { return nil }
        let (made, reason) = PartialFiles.create(directory, isDirectory: true) { mkdir(directory, 0o700) }
        guard made == 0 else {
            fail(
                reason == EEXIST ? "--attachments-dir \(directory) exists: name a new directory"
                    : "cannot create \(directory): \(String(cString: strerror(reason)))"
            )
        }
        // mkdir(2) applies the umask, which could leave the directory unwritable.
        guard chmod(directory, 0o700) == 0 else {
            fail("cannot make \(directory) private: \(String(cString: strerror(errno)))")
        }
        return directory
    }

    /// Makes the names of the files written in `directory` durable.
    static func sync(directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw OutputSink.Failure(description: "cannot open \(directory) to sync it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw OutputSink.Failure(description: "cannot sync \(directory)") }
    }

    /// The path of `target` relative to the directory `base`, both taken from the working directory (the parent of
    /// each must exist), for a link from a report page to an extracted file.
    static func relativePath(from base: String, to target: String) -> String {
        func components(_ path: String) -> [String] {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            let parent = url.deletingLastPathComponent().resolvingSymlinksInPath()
            return (parent.pathComponents + [url.lastPathComponent]).filter { $0 != "/" }
        }
        let from = components(base), to = components(target)
        var common = 0
        while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        return (up + to[common...]).joined(separator: "/")
    }

    private func sink() throws(OutputSink.Failure) -> OutputSink {
        try out.map { path throws(OutputSink.Failure) in try OutputSink(creating: path) } ?? OutputSink()
    }
}

/// `--lang`: the report languages.
enum LanguageOption: String, ExpressibleByArgument, CaseIterable {
    case en, ru, kk

    var language: ReportLanguage { ReportLanguage(rawValue: rawValue)! }
}

/// One canonical JSON object a line, written as each record is opened.
final class JSONLinesOutput: OpenOutput {
    private let sink: OutputSink

    init(sink: OutputSink) {
        self.sink = sink
    }

    /// The line for `record`: pure, so that it can be made on any thread.
    static func line(for record: OpenedRecord) -> [UInt8] {
        var line = record.json.canonicalBytes()
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The line for `record` made without parsing: the members of its clear fields and of each opened section
    /// (`sections`, in storage order) are copied as they are into `fields`, after the same merge as
    /// ``OpenedRecord/mergedFields``. The bytes are those of ``line(for:)``. Nil, for the caller to take that way,
    /// when the record was withdrawn, a section did not open, or a part is not canonical JSON as amanatd writes it.
    static func splicedLine(
        for record: StoredRecord, sections: OpenedSections
    ) -> [UInt8]? {
        guard let parts = canonicalParts(of: record, sections: sections) else { return nil }
        // "fields" sorts before the other names, and the record always has them.
        let rest = JSONValue.object([
            "record_id": .string(record.recordID.text), "form": .string(record.formID),
            "form_version": .number(String(record.formVersion)), "received": .string(record.received),
        ]).canonicalBytes()
        var line: [UInt8] = []
        line.reserveCapacity(parts.reduce(rest.count + 16) { $0 + $1.count })
        line.append(contentsOf: #"{"fields":"#.utf8)
        guard withBuffers(parts[...], { CanonicalSplice.appendMerged($0, to: &line) }) else { return nil }
        line.append(UInt8(ascii: ","))
        line.append(contentsOf: rest.dropFirst())
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The clear fields and the plaintext of each section, for the spliced ways; nil for a withdrawn record or
    /// when a section did not open.
    static func canonicalParts(
        of record: StoredRecord, sections: OpenedSections
    ) -> [[UInt8]]? {
        guard !record.withdrawn, record.clearJSONIsWellFormed else { return nil }
        var parts: [[UInt8]] = [Array(record.clearJSON.utf8)]
        for (_, result) in sections {
            guard case .success(let plaintext) = result else { return nil }
            parts.append(plaintext)
        }
        return parts
    }

    /// Calls `body` with a buffer over each of `arrays`.
    private static func withBuffers<Result>(
        _ arrays: ArraySlice<[UInt8]>, _ body: ([UnsafeBufferPointer<UInt8>]) -> Result,
        _ buffers: [UnsafeBufferPointer<UInt8>] = []
    ) -> Result {
        guard let first = arrays.first else { return body(buffers) }
        return first.withUnsafeBufferPointer { withBuffers(arrays.dropFirst(), body, buffers + [$0]) }
    }

    func add(_ record: Opening.Payload) throws {
        switch record {
        case .encoded(let line): try sink.write(line)
        case .record(let record): try sink.write(Self.line(for: record))
        case .unexpectedField, .rows: preconditionFailure("JSON lines have no columns")
        case .page: preconditionFailure("JSON lines have no pages")
        }
    }

    func finish() throws {
        try sink.close()
    }
}

/// One CSV table, written as records are opened: its header comes first, once a first reading of the records has
/// found every column (KeyHolder+Open.swift), and each row is made on a worker. With `--out FILE.csv`, each
/// `records` field (relatives) gets a table of its own beside it, `FILE.FIELD.csv`, made with the same care.
final class CSVOutput: OpenOutput {
    private let sink: OutputSink
    /// `--out`, or nil for standard output, where only one table fits.
    private let path: String?
    private let byteOrderMark: Bool
    private let forms: FormLibrary
    private var recordSinks: [OutputSink] = []

    init(sink: OutputSink, path: String?, byteOrderMark: Bool, forms: FormLibrary) {
        self.sink = sink
        self.path = path
        self.byteOrderMark = byteOrderMark
        self.forms = forms
    }

    /// The file of `field`'s table beside the main table `path`: `opened.csv` gives `opened.relatives.csv`.
    static func recordTablePath(_ path: String, field: String) -> String {
        let stem = path.hasSuffix(".csv") ? String(path.dropLast(4)) : path
        return "\(stem).\(field).csv"
    }

    /// The field names of `record`, sorted, as ``CSVColumns/names(of:)`` gives them, read from the member names
    /// of its canonical parts without parsing their values; nil, for the caller to parse, when
    /// ``JSONLinesOutput/splicedLine(for:sections:)`` would be nil.
    static func splicedFieldNames(
        for record: StoredRecord, sections: OpenedSections
    ) -> [String]? {
        guard let parts = JSONLinesOutput.canonicalParts(of: record, sections: sections) else { return nil }
        var names = Set<String>()
        for part in parts {
            let found = part.withUnsafeBufferPointer { buffer in
                CanonicalSplice.members(of: buffer)?.map { String(decoding: buffer[$0.name], as: UTF8.self) }
            }
            guard let found else { return nil }
            names.formUnion(found)
        }
        return names.sorted()
    }

    /// The table for `columns`, its header written, and the file of each table of relatives created with its
    /// header; choices are written in `labels`, or as codes.
    func writeHeaders(_ columns: CSVColumns, labels: ReportLanguage?) throws -> CSVTable {
        let table = columns.table(forms: forms, labels: labels, splitsRecords: path != nil)
        try sink.write(table.header(byteOrderMark: byteOrderMark))
        if let path {
            for recordTable in table.recordTables {
                let sink = try OutputSink(creating: Self.recordTablePath(path, field: recordTable.field))
                recordSinks.append(sink)
                try sink.write(recordTable.header(byteOrderMark: byteOrderMark))
            }
        } else if forms.forms.values.contains(where: { form in
            form.fields.contains { $0.type == .records && columns.seen.contains($0.name) }
        }) {
            warn("relatives are written as JSON in their cell on standard output; --out FILE.csv gives them a table")
        }
        return table
    }

    func add(_ record: Opening.Payload) throws {
        switch record {
        case .rows(let rows):
            try sink.write(rows.main)
            for (sink, lines) in zip(recordSinks, rows.records) where !lines.isEmpty { try sink.write(lines) }
        case .unexpectedField(let recordID):
            throw OutputSink.Failure(
                description: "record \(recordID) has a field the first reading did not find: the archive changed while "
                    + "it was read; stopped"
            )
        case .record, .page, .encoded: preconditionFailure("a CSV table takes rows")
        }
    }

    func finish() throws {
        try sink.close()
        for sink in recordSinks { try sink.close() }
    }
}

/// A report directory: one page a record, written as it is opened, then the index. An HTML report also gets
/// all.html, every page in one document for printing, written as the pages are, and the index sorted by each of its
/// columns.
final class ReportOutput: OpenOutput {
    private let directory: String
    private let markdown: Bool
    private let builder: ReportBuilder
    private var index: ReportIndex
    /// all.html, open until ``finish()``; nil for Markdown.
    private var all: OutputSink?

    /// Creates `directory` (mode 0700), or takes an existing empty one and makes it 0700; anything else is
    /// refused, so that no earlier report or other file is overwritten or mixed in. A failure or a signal removes
    /// the pages written, and the directory if this created it.
    init(directory: String, markdown: Bool, builder: ReportBuilder) throws(OutputSink.Failure) {
        self.directory = directory
        self.markdown = markdown
        self.builder = builder
        index = ReportIndex(language: builder.language)
        let (made, reason) = PartialFiles.create(directory, isDirectory: true) { mkdir(directory, 0o700) }
        if made != 0 {
            guard reason == EEXIST else {
                throw OutputSink.Failure(
                    description: "cannot create \(directory): \(String(cString: strerror(reason)))"
                )
            }
            var info = stat()
            guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                throw OutputSink.Failure(
                    description: "cannot write a report to \(directory): it exists and is not a directory"
                )
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? ["?"]
            guard entries.isEmpty else {
                throw OutputSink.Failure(description: "cannot write a report to \(directory): it is not empty")
            }
            guard chmod(directory, 0o700) == 0 else {
                throw OutputSink.Failure(
                    description: "cannot make \(directory) private: \(String(cString: strerror(errno)))"
                )
            }
        }
        if !markdown {
            let all = try OutputSink(creating: "\(directory)/\(HTMLReport.allFileName)")
            try all.write(Array(HTMLReport.allHead(language: builder.language).utf8))
            self.all = all
        }
    }

    /// Builds and renders pages; pure, so that the workers run it and this output only writes the files.
    struct Renderer: Sendable {
        let builder: ReportBuilder
        let markdown: Bool

        func render(_ record: OpenedRecord) -> Opening.Payload {
            let page = builder.page(for: record)
            let entry = ReportIndex.Entry(page)
            if markdown {
                return .page(
                    entry, file: MarkdownReport.fileName(page.recordID), bytes: Array(MarkdownReport.render(page).utf8),
                    article: []
                )
            }
            return .page(
                entry, file: HTMLReport.fileName(page.recordID), bytes: Array(HTMLReport.render(page).utf8),
                article: Array(HTMLReport.article(page).utf8)
            )
        }
    }

    var renderer: Renderer { Renderer(builder: builder, markdown: markdown) }

    func add(_ record: Opening.Payload) throws {
        let payload = if case .record(let record) = record { renderer.render(record) } else { record }
        guard case .page(let entry, let file, let bytes, let article) = payload else {
            preconditionFailure("a report takes pages")
        }
        index.add(entry)
        try write(file, bytes)
        try all?.write(article)
    }

    func finish() throws {
        if markdown {
            try write("index.md", Array(MarkdownReport.render(index).utf8))
            return
        }
        if let all {
            try all.write(Array(HTMLReport.allTail(language: builder.language).utf8))
            try all.close()
        }
        let columns: [ReportIndex.Column?] = [nil] + ReportIndex.Column.allCases.map(Optional.some)
        for column in columns {
            let page = HTMLReport.render(index, sortedBy: column)
            try write(HTMLReport.indexFileName(sortedBy: column), Array(page.utf8))
        }
    }

    /// A new file in the directory, mode 0600, never overwriting one.
    private func write(_ name: String, _ bytes: [UInt8]) throws(OutputSink.Failure) {
        let sink = try OutputSink(creating: "\(directory)/\(name)")
        try sink.write(bytes)
        try sink.close()
    }
}
