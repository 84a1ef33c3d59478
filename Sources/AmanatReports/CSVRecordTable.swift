public import AmanatForms
import AmanatJSON

/// The table of one `records` field (relatives): one row per entry, keyed by the record id, rather than the entries
/// as JSON in one cell. Columns: `record_id`, `number` (the entry's place in the record, from 1), then the form's
/// sub-fields in the form's order.
public struct CSVRecordTable: Sendable, Equatable {
    /// The `records` field.
    public let field: String
    /// The sub-field columns, in order.
    public let subfields: [String]

    /// The table of `field`, with these sub-field columns.
    public init(field: String, subfields: [String]) {
        self.field = field
        self.subfields = subfields
    }

    /// The header line, after ``CSVTable/byteOrderMark`` when `byteOrderMark` is true.
    public func header(byteOrderMark: Bool = false) -> [UInt8] {
        (byteOrderMark ? CSVTable.byteOrderMark : []) + Array(CSVTable.line(["record_id", "number"] + subfields).utf8)
    }

    /// The lines of `value`'s entries, each sub-field written by `cell` as `field` (the record's form's definition
    /// of the `records` field) describes it; nil, for the caller to write `value` in one cell, when it is not a
    /// list of objects or an entry has a member without a column (a record of another form version).
    func lines(
        of value: JSONValue, recordID: String, field: FormField?,
        cell: (JSONValue, FormField?) -> String
    ) -> [UInt8]? {
        guard case .array(let entries) = value else { return nil }
        let known = Set(subfields)
        var out: [UInt8] = []
        for (number, entry) in entries.enumerated() {
            guard case .object(let members) = entry, members.keys.allSatisfy(known.contains) else { return nil }
            let cells = subfields.map { name in
                members[name].map { value in cell(value, field?.subfields.first { $0.name == name }) } ?? ""
            }
            out += Array(CSVTable.line([recordID, String(number + 1)] + cells).utf8)
        }
        return out
    }
}
