import AmanatFormat
import Foundation
package import GRDB

/// What every `records` row must look like before a reader writes anything (docs/FORMAT.md 7.3 step 5), shared by
/// the verifier's shape check (12.8 step 0) and `open --no-verify`.
///
/// Checked over the whole table first, so that a malformed row near the end stops a reader before its first record
/// is written rather than after the others: a record id, form or date that cannot be read makes the whole file
/// unreadable, and output cut off there would look like a complete archive to whoever reads only the output.
package enum RecordShape {
    /// SQL true for a row that no reader can use: its id, form, version, date or withdrawn mark is of the wrong type
    /// or range, or a content column holds what no amanat writer stores there (a clear text that is not TEXT, an
    /// envelope that is not a BLOB; NULL is allowed, it reads as missing content).
    package static let unusableRow = """
        typeof(record_id) != 'blob' OR length(record_id) != 16 OR typeof(form_id) != 'text'
            OR typeof(form_version) != 'integer' OR form_version < 1 OR typeof(received) != 'text'
            OR typeof(withdrawn) != 'integer' OR withdrawn NOT IN (0, 1)
            OR typeof(clear_json) NOT IN ('text', 'null') OR typeof(identity_envelope) NOT IN ('blob', 'null')
            OR typeof(testimony_envelope) NOT IN ('blob', 'null')
        """

    /// SQL true for a row a verified archive cannot have: a withdrawn row with content left, or another row without
    /// all of it (12.8 step 0). Readers that do not verify report such content as not opening instead.
    package static let inconsistentContent = """
        (withdrawn = 1 AND (clear_json IS NOT NULL OR identity_envelope IS NOT NULL OR testimony_envelope IS NOT NULL))
            OR (withdrawn = 0 AND (typeof(clear_json) != 'text' OR typeof(identity_envelope) != 'blob'
                                   OR typeof(testimony_envelope) != 'blob'))
        """

    /// The position (from 1, in `seq` order) of the first row with a text in `columns` that is not well-formed
    /// UTF-8, nil if there is none. SQLite does not check what it stores as TEXT, so this is done here, on the
    /// stored bytes. Only the named columns are read.
    package static func firstIllFormedText(_ db: Database, columns: [String]) throws -> Int? {
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM records ORDER BY seq")
        var position = 0
        while let row = try cursor.next() {
            position += 1
            for index in columns.indices where !row.hasNull(atIndex: index) {
                let wellFormed = try row.withUnsafeData(atIndex: index) { data in
                    data.map { String(validating: $0, as: UTF8.self) != nil } ?? true
                }
                if !wellFormed { return position }
            }
        }
        return nil
    }

    /// Throws unless every row is usable and its form and date are well-formed UTF-8: what `open --no-verify` checks
    /// before it writes anything.
    package static func check(_ db: Database, path: String) throws {
        if let position = try Int.fetchOne(db, sql: """
            SELECT position FROM (SELECT row_number() OVER (ORDER BY seq) AS position, * FROM records)
            WHERE \(unusableRow) LIMIT 1
            """) {
            throw StoreError(.notAmanatDatabase, "\(path): a record is malformed (record \(position): an id that is not 16 bytes, or a value of the wrong type)")
        }
        if let position = try firstIllFormedText(db, columns: ["form_id", "received"]) {
            throw StoreError(.notAmanatDatabase, "\(path): a record is malformed (record \(position): a form or date that is not well-formed UTF-8)")
        }
        if let malformed = try ArchiveVerifier.malformedEvidence(db) {
            throw StoreError(.notAmanatDatabase, "\(path): \(malformed) is malformed (a value of the wrong "
                + "type, length or range)")
        }
    }
}
