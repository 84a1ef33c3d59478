public import AmanatForms

/// The field columns of a CSV table, gathered from the records' field names in a first reading: the fields each
/// form defines, in the form's order (forms in the order first seen), then the names no form found defines, in the
/// order first seen (each record's own names sorted).
public struct CSVColumns: Sendable {
    /// Every name seen, in the order first seen.
    public private(set) var seen: [String] = []
    private var known: Set<String> = []
    /// The form ids seen, in the order first seen.
    private var forms: [String] = []
    private var knownForms: Set<String> = []

    /// No columns yet.
    public init() {}

    /// The field names of `record`, sorted: what ``add(_:form:)`` takes.
    public static func names(of record: OpenedRecord) -> [String] {
        record.mergedFields.keys.sorted()
    }

    /// Adds the names not seen before, in the order given, of a record of the form `form`.
    public mutating func add(_ names: [String], form: String) {
        if knownForms.insert(form).inserted { forms.append(form) }
        for name in names where known.insert(name).inserted { seen.append(name) }
    }

    /// The table for the columns so far: ordered by the forms in `library`, choices written in `labels` (nil: as
    /// codes), and, when `splitsRecords` is true, each `records` field of a form found written as a table of its
    /// own, with the sub-fields of the first form seen that defines it.
    public func table(
        forms library: FormLibrary, labels: ReportLanguage? = nil, splitsRecords: Bool = false
    ) -> CSVTable {
        var ordered: [String] = []
        var placed: Set<String> = []
        var recordTables: [CSVRecordTable] = []
        for id in forms {
            guard let form = library.form(id: id) else { continue }
            for field in form.fields where known.contains(field.name) && placed.insert(field.name).inserted {
                ordered.append(field.name)
                if splitsRecords, field.type == .records {
                    recordTables.append(CSVRecordTable(field: field.name, subfields: field.subfields.map(\.name)))
                }
            }
        }
        ordered += seen.filter { !placed.contains($0) }
        return CSVTable(fieldNames: ordered, recordTables: recordTables, forms: library, labels: labels)
    }
}
