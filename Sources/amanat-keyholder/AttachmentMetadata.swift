import AmanatArchive
import AmanatCrypto
import AmanatFormat
import AmanatJSON
import AmanatKeys
import AmanatReports

extension AttachmentMetadata {
    /// Parses `plaintext` and checks it against `row` (see ``AttachmentMetadata/init(plaintext:attachmentID:storedSize:)``
    /// in AmanatKeys); a refusal is the record's tampering.
    init(plaintext: [UInt8], row: AttachmentRow) throws(OpenedRecord.Failure) {
        do {
            try self.init(plaintext: plaintext, attachmentID: row.attachmentID, storedSize: row.storedSize)
        } catch {
            throw .tampered(error.description)
        }
    }
}

/// What a worker read of an addendum: its text and fields.
struct AddendumContent {
    var text: String?
    var fields: [String: JSONValue]?

    static let members: Set<String> = ["addendum_id", "fields", "text", "v"]

    /// Parses `plaintext` strictly: `v` 1, `addendum_id` the row's, a string `text` and an object `fields`, at least
    /// one of them, and nothing else.
    init(plaintext: [UInt8], row: AddendumRow) throws(OpenedRecord.Failure) {
        guard case .object(let object)? = try? JSONParser(maxDepth: 64).parse(plaintext) else {
            throw .tampered("tampered: the sealed addendum is not a JSON object")
        }
        guard Set(object.keys).isSubset(of: Self.members), object["v"]?.numberLiteral == "1" else {
            throw .tampered("tampered: the sealed addendum is not version 1")
        }
        guard object["addendum_id"]?.stringValue == row.addendumID.hex else {
            throw .tampered("tampered: the sealed addendum is for another addendum")
        }
        if let text = object["text"] {
            guard let value = text.stringValue else { throw .tampered("tampered: the addendum's text is not a string") }
            self.text = value
        }
        if let fields = object["fields"] {
            guard let value = fields.objectValue else {
                throw .tampered("tampered: the addendum's fields are not an object")
            }
            self.fields = value
        }
        guard text != nil || self.fields != nil else {
            throw .tampered("tampered: the addendum has neither text nor fields")
        }
    }
}
