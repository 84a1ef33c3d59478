public import AmanatForms
public import AmanatJSON

/// One record as the key holder opened it: its clear metadata, the fields of each section that opened, and why
/// any other section did not. Every output format (JSON lines, CSV, HTML, Markdown) is made from this.
public struct OpenedRecord: Sendable {
    /// Why a section's fields are missing.
    public enum Failure: Error, Sendable, Equatable {
        /// None of the given keys opens it.
        case noKey(String)
        /// It failed authentication or did not decode: someone changed it.
        case tampered(String)

        /// The explanation, as `open` prints it on stderr.
        public var detail: String {
            switch self {
            case .noKey(let text), .tampered(let text): text
            }
        }
    }

    /// How the record as a whole came out.
    public enum Status: Sendable, Equatable {
        /// Every requested section opened.
        case opened
        /// Some section opens with none of the given keys; nothing was tampered with.
        case unopened
        /// Some section was tampered with.
        case tampered
        /// The witness withdrew it: only its id, form and date remain.
        case withdrawn
    }

    /// The record id, 32 hex digits.
    public var recordID: String
    /// The form id stored with the record.
    public var formID: String
    /// The form version stored with the record.
    public var formVersion: Int
    /// When amanatd received it, at its configured precision.
    public var received: String
    /// The fields of each section that opened, by section.
    public var fields: [Section: [String: JSONValue]] = [:]
    /// The sections that were asked for but did not open, with the reason.
    public var failures: [Section: Failure] = [:]
    /// The sealed sections that were not asked for (`--sections`), so neither opened nor reported.
    public var skipped: Set<Section> = []
    /// Whether the witness withdrew the record (its content was erased).
    public var withdrawn = false
    /// Its attachments (files), in position order.
    public var attachments: [OpenedAttachment] = []
    /// Its addenda (texts the witness added later), in position order.
    public var addenda: [OpenedAddendum] = []

    /// A record with no sections opened yet.
    public init(recordID: String, formID: String, formVersion: Int, received: String) {
        self.recordID = recordID
        self.formID = formID
        self.formVersion = formVersion
        self.received = received
    }

    /// Tampering outweighs a missing key. An attachment or addendum that did not open counts as a section that
    /// did not.
    public var status: Status {
        if withdrawn { return .withdrawn }
        let all = Array(failures.values) + attachments.compactMap(\.failure) + addenda.compactMap(\.failure)
        if all.contains(where: { if case .tampered = $0 { true } else { false } }) { return .tampered }
        return all.isEmpty ? .opened : .unopened
    }

    /// The fields of every opened section merged (clear, then identity, then testimony), as `open` prints them.
    public var mergedFields: [String: JSONValue] {
        var merged: [String: JSONValue] = [:]
        for section in [Section.clear] + Section.sealed {
            if let values = fields[section] { merged.merge(values) { $1 } }
        }
        return merged
    }

    /// The JSON object `open` writes, one a line: record_id, form, form_version, received, fields and, when
    /// some section did not open, unopened (section name to reason); attachments and addenda when it has any.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "record_id": .string(recordID), "form": .string(formID),
            "form_version": .number(String(formVersion)), "received": .string(received),
            "fields": .object(mergedFields),
        ]
        if withdrawn { object["withdrawn"] = .bool(true) }
        if !attachments.isEmpty { object["attachments"] = .array(attachments.map(\.json)) }
        if !addenda.isEmpty { object["addenda"] = .array(addenda.map(\.json)) }
        if !failures.isEmpty {
            let reasons = failures.map { section, failure in (section.rawValue, JSONValue.string(failure.detail)) }
            object["unopened"] = .object(Dictionary(uniqueKeysWithValues: reasons))
        }
        return .object(object)
    }
}
