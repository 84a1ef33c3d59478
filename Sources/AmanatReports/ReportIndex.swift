/// The index of a report: one line per record, in storage order, with what a case worker looks for first (the
/// testimony's language, the region, the violations, the consent and the witness's name), so that the index can
/// be read, and sorted (``sorted(by:)``), without opening each page.
public struct ReportIndex: Sendable {
    /// A column the index can be sorted by.
    public enum Column: String, Sendable, CaseIterable {
        case received, form, language, region, violations, consent, witness, status

        /// The field of the testimony form the column shows, for the columns that show one.
        public var field: String? {
            switch self {
            case .language: "language"
            case .region: "region"
            case .violations: "violation_types"
            case .consent: "consent"
            case .witness: "full_name"
            case .received, .form, .status: nil
            }
        }
    }

    /// One record's line.
    public struct Entry: Sendable {
        /// The record's place in storage order, from 1.
        public var number = 0
        public var recordID: String
        public var formTitle: String
        public var received: String
        public var status: OpenedRecord.Status
        /// The values of the columns that show a field (``Column/field``), as the page shows them (labels, a list
        /// joined by "; "); empty when the record has no such field or its section did not open.
        public var fields: [Column: String] = [:]
        /// The scripts of the record's text that need fonts a bare system may lack.
        public var scripts: ReportScripts

        /// `page`'s line.
        public init(_ page: ReportPage) {
            recordID = page.recordID
            formTitle = page.title
            received = page.received
            status = page.status
            scripts = page.scripts
            let wanted = Dictionary(uniqueKeysWithValues: Column.allCases.compactMap { column in
                column.field.map { ($0, column) }
            })
            for section in page.sections {
                for field in section.fields {
                    guard let column = wanted[field.name], let text = Self.text(field.value) else { continue }
                    fields[column] = text
                }
            }
        }

        /// What the line shows in `column`.
        public func value(_ column: Column) -> String {
            switch column {
            case .received: received
            case .form: formTitle
            case .status: ""
            default: fields[column] ?? ""
            }
        }

        private static func text(_ value: ReportValue) -> String? {
            switch value {
            case .text(let text): text
            case .list(let items): items.joined(separator: "; ")
            case .table: nil
            }
        }
    }

    /// The language.
    public var language: ReportLanguage
    /// The lines so far.
    public private(set) var entries: [Entry] = []

    /// An empty index.
    public init(language: ReportLanguage) {
        self.language = language
    }

    /// Adds `page`'s line.
    public mutating func add(_ page: ReportPage) {
        add(Entry(page))
    }

    /// Adds a line made already (``Entry/init(_:)``), numbering it.
    public mutating func add(_ entry: Entry) {
        var entry = entry
        entry.number = entries.count + 1
        entries.append(entry)
    }

    /// How many records have each status.
    func count(_ status: OpenedRecord.Status) -> Int {
        entries.count { $0.status == status }
    }

    /// The scripts of every record together.
    var scripts: ReportScripts {
        entries.reduce(into: []) { $0.formUnion($1.scripts) }
    }
}
