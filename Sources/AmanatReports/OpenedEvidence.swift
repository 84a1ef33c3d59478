public import AmanatJSON

/// One attachment of an opened record: its sealed metadata and where the file was written, or why it did not open.
public struct OpenedAttachment: Sendable, Equatable {
    /// 32 hex digits.
    public var attachmentID: String
    /// 1, 2, 3 … within the record.
    public var position: Int64
    /// The sealed metadata, when it opened.
    public var name: String?
    public var mediaType: String?
    public var size: UInt64?
    /// SHA-256 of the original bytes, 64 hex digits.
    public var sha256: String?
    /// Where the file was written (`--attachments-dir`), when it was.
    public var path: String?
    /// Why it did not open, or was not written.
    public var failure: OpenedRecord.Failure?

    /// An attachment whose metadata opened.
    public init(attachmentID: String, position: Int64, name: String, mediaType: String, size: UInt64, sha256: String) {
        self.attachmentID = attachmentID
        self.position = position
        self.name = name
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
    }

    /// An attachment that did not open.
    public init(attachmentID: String, position: Int64, failure: OpenedRecord.Failure) {
        self.attachmentID = attachmentID
        self.position = position
        self.failure = failure
    }

    /// `{attachment_id, position, name, media_type, size, sha256, path?}`, or `{attachment_id, position, error}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["attachment_id": .string(attachmentID), "position": .number(String(position))]
        if let failure {
            object["error"] = .string(failure.detail)
            return .object(object)
        }
        object["name"] = .string(name ?? "")
        object["media_type"] = .string(mediaType ?? "")
        object["size"] = .number(String(size ?? 0))
        object["sha256"] = .string(sha256 ?? "")
        if let path { object["path"] = .string(path) }
        return .object(object)
    }
}

/// One addendum of an opened record: the witness's later text and fields, or why it did not open.
public struct OpenedAddendum: Sendable, Equatable {
    /// 32 hex digits.
    public var addendumID: String
    /// 1, 2, 3 … within the record.
    public var position: Int64
    public var text: String?
    /// Testimony-section fields of the record's form.
    public var fields: [String: JSONValue]?
    /// Why it did not open.
    public var failure: OpenedRecord.Failure?

    public init(addendumID: String, position: Int64, text: String?, fields: [String: JSONValue]?) {
        self.addendumID = addendumID
        self.position = position
        self.text = text
        self.fields = fields
    }

    public init(addendumID: String, position: Int64, failure: OpenedRecord.Failure) {
        self.addendumID = addendumID
        self.position = position
        self.failure = failure
    }

    /// `{addendum_id, position, text?, fields?}`, or `{addendum_id, position, error}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["addendum_id": .string(addendumID), "position": .number(String(position))]
        if let failure {
            object["error"] = .string(failure.detail)
        } else {
            if let text { object["text"] = .string(text) }
            if let fields { object["fields"] = .object(fields) }
        }
        return .object(object)
    }
}
