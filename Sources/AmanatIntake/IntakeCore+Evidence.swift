import AmanatSealing
import AmanatCrypto
public import AmanatFormat
public import AmanatForms
public import AmanatJSON

/// An attachment as the witness's answer lists it: where it landed and its receipt.
public struct StoredAttachment: Sendable {
    /// Its id.
    public var attachmentID: EvidenceID
    /// Its position among the record's attachments, from 1.
    public var position: Int64
    /// The stream's size in bytes.
    public var storedSize: UInt64
    /// The signed receipt over its `attachment` ledger entry.
    public var receipt: Receipt
}

/// A stored addendum, as the answer lists it.
public struct StoredAddendum: Sendable {
    /// The record.
    public var recordID: RecordID
    /// Its id.
    public var addendumID: EvidenceID
    /// Its position among the record's addenda, from 1.
    public var position: Int64
    /// The signed receipt over its `addendum` ledger entry.
    public var receipt: Receipt
}

extension IntakeCore {
    /// The least size an attachment's metadata is padded to: room for a long name in any script, so that
    /// the envelope's size says nothing of it (FORMAT.md section 14).
    public static let attachmentMinimumPaddedSize = 1024

    /// Adds files to a stored record at the witness's request (PROTOCOL.md 2.11); `recordText` is the path's id,
    /// `body` is `{"token", "attachments"}`. A wrong token, an unknown record and a withdrawn one get the same
    /// refusal, before anything about the files is looked at; the token is not used up.
    public func attach<Body: AsyncSequence>(
        _ principal: Principal, recordText: String, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> (recordID: RecordID, attachments: [StoredAttachment])
    where Body.Element: Collection<UInt8> {
        try authorise(principal, .attach)
        try Self.requireJSON(contentType)
        let settings = settings()
        var bytes = try await Self.collect(body, expectedLength: expectedLength)
        defer { wipe(&bytes) }
        var keyTexts: [Range<Int>] = []
        let members = try Self.evidenceBody(
            bytes, members: ["token", "attachments"], maxDepth: settings.maxJSONDepth,
            secretPaths: AttachmentRequest.secretPaths, secrets: &keyTexts
        )
        var (recordID, token) = try tokenRequest(recordText: recordText, members: members)
        defer { wipe(&token) }
        let target = try await lookUpTarget(recordID, token: token)
        guard let list = members["attachments"] else {
            throw IntakeError(.invalidAttachment, "the body must have \"attachments\", an array of at least one file")
        }
        let limits = settings.evidenceLimits
        let requests = try AttachmentRequest.decodeList(
            list, limit: limits.maxAttachments, keys: AttachmentRequest.keys(in: bytes, at: keyTexts)
        )
        guard !requests.isEmpty else {
            throw IntakeError(.invalidAttachment, "\"attachments\" must name at least one file")
        }
        let bytesAfter = EvidenceLimits.total(target.attachmentBytes, adding: requests.map(\.storedSize))
        guard limits.allow(count: target.attachmentCount + requests.count, bytes: bytesAfter) else {
            throw Self.recordTooLarge(limits)
        }
        let attachments: [NewAttachment]
        do {
            attachments = try sealAttachments(
                requests, recordID: recordID, form: recordForm(target, settings: settings), settings: settings
            )
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            throw IntakeError(.internalError)
        }
        let appended: [AppendedAttachment]?
        do {
            appended = try await archive.attach(
                attachments, to: recordID, token: token, uploadOwner: principal.uid, limits: limits
            )
        } catch {
            throw storeRefusal(error, what: "attaching")
        }
        // Withdrawn since the look-up: the same answer as a wrong token.
        guard let appended else { throw tokenRefused() }
        count(.attached, appended.count)
        return (recordID, appended.map { stored($0, recordID: recordID) })
    }

    /// Adds a sealed addendum to a stored record at the witness's request (PROTOCOL.md 2.12); `body` is
    /// `{"token", "text"?, "fields"?}`, `fields` holding testimony fields of the record's form.
    public func addAddendum<Body: AsyncSequence>(
        _ principal: Principal, recordText: String, contentType: String?, body: Body, expectedLength: Int?
    ) async throws(IntakeError) -> StoredAddendum where Body.Element: Collection<UInt8> {
        try authorise(principal, .addAddendum)
        try Self.requireJSON(contentType)
        let settings = settings()
        var bytes = try await Self.collect(body, expectedLength: expectedLength)
        defer { wipe(&bytes) }
        var noSecrets: [Range<Int>] = []
        let members = try Self.evidenceBody(
            bytes, members: ["token", "text", "fields"], maxDepth: settings.maxJSONDepth, secretPaths: [],
            secrets: &noSecrets
        )
        var (recordID, token) = try tokenRequest(recordText: recordText, members: members)
        defer { wipe(&token) }
        let target = try await lookUpTarget(recordID, token: token)
        let form = recordForm(target, settings: settings)
        let addendum: ValidatedAddendum
        do {
            addendum = try Form.validateAddendum(text: members["text"], fields: members["fields"], form: form)
        } catch {
            throw IntakeError(.invalidTestimony, error.detail, validation: error)
        }
        let addendumID = EvidenceID.random()
        var plaintext = Self.addendumPlaintext(addendum, addendumID: addendumID)
        defer { wipe(&plaintext) }
        let envelope: Envelope
        do {
            envelope = try Envelope.seal(
                plaintext, name: .addendum, recordID: recordID, recipients: settings.recipients(for: .testimony),
                minimumPaddedSize: form?.minimumPaddedSize(.testimony)
                    ?? Form.defaultMinimumPaddedSizes[.testimony] ?? 0
            )
        } catch {
            logger.error("sealing failed", metadata: ["error": "\(error)"])
            throw IntakeError(.internalError)
        }
        let appended: AppendedAddendum?
        do {
            appended = try await archive.addAddendum(
                NewAddendum(addendumID: addendumID, envelope: envelope.encoded()), to: recordID, token: token
            )
        } catch {
            throw storeRefusal(error, what: "adding an addendum")
        }
        guard let appended else { throw tokenRefused() }
        count(.addendumStored)
        let receipt = Receipt(
            signing: notary, recordID: recordID, seq: appended.entry.seq, entryHash: appended.entry.entryHash
        )
        return StoredAddendum(recordID: recordID, addendumID: addendumID, position: appended.position, receipt: receipt)
    }

    /// Seals each attachment's metadata to the recipients of its `sealed_to` section, or of the form's
    /// `attachments_sealed_to` (identity when the form is unknown).
    func sealAttachments(
        _ requests: [AttachmentRequest], recordID: RecordID, form: Form?, settings: IntakeSettings
    ) throws(CryptoError) -> [NewAttachment] {
        var sealed: [NewAttachment] = []
        for request in requests {
            let attachmentID = EvidenceID.random()
            let section = request.sealedTo ?? form?.attachmentsSealedTo ?? .identity
            var plaintext = try request.metadata(attachmentID: attachmentID)
            defer { wipe(&plaintext) }
            let envelope = try Envelope.seal(
                plaintext, name: .attachment, recordID: recordID, recipients: settings.recipients(for: section),
                minimumPaddedSize: Self.attachmentMinimumPaddedSize
            )
            sealed.append(NewAttachment(
                attachmentID: attachmentID, uploadID: request.uploadID, sealedTo: section, envelope: envelope.encoded(),
                storedSize: request.storedSize
            ))
        }
        return sealed
    }

    /// An attachment's line in an answer, with its receipt, signed now that its entry is durable.
    func stored(_ attachment: AppendedAttachment, recordID: RecordID) -> StoredAttachment {
        StoredAttachment(
            attachmentID: attachment.attachmentID, position: attachment.position, storedSize: attachment.storedSize,
            receipt: Receipt(
                signing: notary, recordID: recordID, seq: attachment.entry.seq, entryHash: attachment.entry.entryHash
            )
        )
    }

    static func recordTooLarge(_ limits: EvidenceLimits) -> IntakeError {
        IntakeError(
            .recordTooLarge,
            "a record may hold at most \(limits.maxAttachments) attachments of \(limits.maxBytes) stored bytes in all"
        )
    }

    /// The addendum's plaintext (FORMAT.md section 14): canonical JSON. The caller wipes it.
    public static func addendumPlaintext(_ addendum: ValidatedAddendum, addendumID: EvidenceID) -> [UInt8] {
        var object: [String: JSONValue] = ["addendum_id": .string(addendumID.hex), "v": .number("1")]
        if let text = addendum.text { object["text"] = .string(text) }
        if let fields = addendum.fields { object["fields"] = .object(fields) }
        return JSONValue.object(object).canonicalBytes()
    }

    /// The members of an evidence request's body, which may have only `members`. Strings at `secretPaths` stay in
    /// `bytes` (``JSONParser/parse(_:secrets:)``); their ranges go to `secrets`.
    public static func evidenceBody(
        _ bytes: [UInt8], members allowed: Set<String>, maxDepth: Int, secretPaths: [[String]],
        secrets: inout [Range<Int>]
    ) throws(IntakeError) -> [String: JSONValue] {
        let document: JSONValue
        do {
            document = try JSONParser(maxDepth: maxDepth, secretPaths: secretPaths).parse(bytes, secrets: &secrets)
        } catch {
            switch error.kind {
            case .invalidUTF8: throw IntakeError(.invalidEncoding, "the body is not valid UTF-8")
            case .tooDeep:
                throw IntakeError(
                    .tooDeep, "the body nests arrays or objects deeper than \(maxDepth) levels", limit: maxDepth
                )
            default: throw IntakeError(.invalidJSON, "the body is not valid JSON (at byte \(error.offset))")
            }
        }
        guard case .object(let members) = document else {
            throw IntakeError(.invalidJSON, "the body must be a JSON object")
        }
        guard Set(members.keys).isSubset(of: allowed) else {
            let validation = ValidationError(
                .unknownField, field: nil,
                "the body may only have the members \(allowed.sorted().joined(separator: ", "))"
            )
            throw IntakeError(.invalidTestimony, validation.detail, validation: validation)
        }
        return members
    }

    /// The record id of the path and the token of the body. Either malformed gets the answer a wrong token gets:
    /// no record has this id and token.
    func tokenRequest(
        recordText: String, members: [String: JSONValue]
    ) throws(IntakeError) -> (RecordID, [UInt8]) {
        guard let recordID = RecordID(text: recordText), Hex.encode(recordID.bytes) == recordText,
              let tokenText = members["token"]?.stringValue, let token = WithdrawalToken.decode(tokenText)
        else { throw tokenRefused() }
        return (recordID, token)
    }

    /// The record, if the token is its own; the refusal otherwise.
    func lookUpTarget(_ recordID: RecordID, token: [UInt8]) async throws(IntakeError) -> EvidenceTarget {
        let target: EvidenceTarget?
        do {
            target = try await archive.evidenceTarget(recordID, token: token)
        } catch {
            throw storeRefusal(error, what: "looking up a record")
        }
        guard let target else { throw tokenRefused() }
        return target
    }

    /// The record's form as amanatd has it now, if at the record's version.
    func recordForm(_ target: EvidenceTarget, settings: IntakeSettings) -> Form? {
        guard let form = settings.formsByID[target.formID], form.version == target.formVersion else { return nil }
        return form
    }

    func tokenRefused() -> IntakeError {
        count(.tokenRefused)
        return IntakeError(.tokenRefused, "no record has this id and token; nothing was changed")
    }

    /// The answer to a store failure, logged (without content) only when it is not the client's to fix.
    func storeRefusal(_ error: StoreError, what: String) -> IntakeError {
        let refusal = Self.intakeError(error)
        if !refusal.kind.isEvidenceRefusal {
            logger.error("\(what) failed", metadata: ["error": "\(error.message)"])
        }
        return refusal
    }
}

extension IntakeError.Kind {
    /// A refusal of the files a request named, which the client can fix and retry.
    var isEvidenceRefusal: Bool {
        switch self {
        case .unknownUpload, .uploadIncomplete, .invalidAttachment, .recordTooLarge: true
        default: false
        }
    }
}
